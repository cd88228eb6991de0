"""Every change of state of the data set, each in one transaction and audited.

Values arrive three ways (form, template upload, API) and all pass through the same
`check_value`, so a value refused on one channel is refused on all with the same reason.
A value already held is never overwritten silently: a correction keeps the old one, who
changed it and why.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.mail import send_mail
from django.http import HttpRequest
from django.utils import timezone

from safeguarding.core import audit, refusals, transactions
from safeguarding.core.calendar import financial_year
from safeguarding.core.models import Agency, AuditAction, SubGroup, User
from safeguarding.core.roles import Role
from safeguarding.insight.models import (
    Channel,
    Commentary,
    Correction,
    Indicator,
    Reminder,
    Spotlight,
    Submission,
    Unit,
    as_decimal,
)
from safeguarding.insight.periods import Frequency, Period

CATALOGUE_PATH = Path(__file__).resolve().parent / "data" / "indicators.json"
MAX_VALUE = Decimal("999999999")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a value, where it is: a row and column of a file, or a field."""

    reason: str
    row: int | None = None
    column: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


class Refused(refusals.Refused):
    """Nothing was saved; `problems` says why."""

    code = "insight.refused"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.reason for p in problems))
        self.problems = problems


@dataclass
class Value:
    """A value as sent, before it is checked."""

    value: Decimal | None
    numerator: int | None = None
    denominator: int | None = None


# The catalogue.


def load_default_catalogue(path: Path = CATALOGUE_PATH) -> int:
    """Add the shipped indicators that are not in the catalogue yet; returns how many.

    An indicator already there (by code) is left as the partnership has edited it.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    agencies = {a.code: a for a in Agency.objects.all()}
    groups = {g.name: g for g in SubGroup.objects.all()}
    made = 0
    with transactions.action():
        existing = set(Indicator.objects.values_list("code", flat=True))
        for item in data["indicators"]:
            if item["code"] in existing:
                continue
            source = item.get("source", "")
            Indicator.objects.create(
                code=item["code"],
                title=item["title"],
                definition=item["definition"],
                unit=item["unit"],
                numerator=item.get("numerator", ""),
                denominator=item.get("denominator", ""),
                better_direction=item["better_direction"],
                frequency=item["frequency"],
                computed=source == "computed",
                summable=item.get("summable", True),
                source_agency=agencies.get(source),
                sub_group=groups.get(item.get("sub_group", "")),
                target=item.get("target"),
            )
            made += 1
        if made:
            audit.record(
                AuditAction.INDICATOR_CHANGE,
                object_type="indicator_catalogue",
                detail={"loaded": made},
            )
    return made


def save_indicator(request: HttpRequest, form: Any) -> Indicator:
    with transactions.action():
        created = form.instance.pk is None
        indicator: Indicator = form.save()
        audit.record(
            AuditAction.INDICATOR_CHANGE,
            request=request,
            object_type="indicator",
            object_id=indicator.code,
            detail={"created": created, "fields": sorted(form.changed_data)},
        )
    return indicator


# Values.


def agency_sends(agency_id: int | None, indicator: Indicator) -> bool:
    """An agency sends its own indicators (or any with no source agency); the hub computes
    the others."""
    if indicator.computed or not indicator.active or agency_id is None:
        return False
    return indicator.source_agency_id in (None, agency_id)


def may_submit(user: User, indicator: Indicator) -> bool:
    """A data officer submits their own agency's indicators."""
    return Role.DATA_OFFICER in user.roles and agency_sends(user.agency_id, indicator)


def parse_decimal(text: str | int | float | Decimal | None) -> Decimal | None:
    """A number as typed (commas and a trailing % allowed); None for blank; ValueError if not."""
    if text is None:
        return None
    if isinstance(text, Decimal | int | float) and not isinstance(text, bool):
        return Decimal(str(text))
    cleaned = str(text).strip().replace(",", "").rstrip("%").strip()
    if not cleaned:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{str(text).strip()!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{str(text).strip()!r} is not a number")
    return number


def parse_whole(text: str | int | float | Decimal | None) -> int | None:
    number = parse_decimal(text)
    if number is None:
        return None
    if number != number.to_integral_value() or number < 0:
        raise ValueError(f"{number} is not a whole number of 0 or more")
    return int(number)


def check_value(
    indicator: Indicator, period: Period, raw: Value, *, today: dt.date | None = None
) -> tuple[Decimal | None, list[str]]:
    """The value to store, or the reasons it cannot be stored.

    With a numerator and a denominator the value is worked out from them (and a value
    sent as well must agree to one decimal place).
    """
    today = today or timezone.localdate()
    problems: list[str] = []
    if period.frequency != Frequency(indicator.frequency):
        problems.append(f"{indicator.title} is {indicator.get_frequency_display().lower()}.")
    if period.end >= today:
        problems.append(f"{period.label} has not ended yet.")
    value = raw.value
    num, den = raw.numerator, raw.denominator
    ratio = indicator.unit in (Unit.PERCENTAGE, Unit.RATE)
    if (num is None) != (den is None):
        problems.append("Give both the numerator and the denominator, or neither.")
    elif num is not None and den is not None:
        if not ratio:
            problems.append("Only rates and percentages take a numerator and denominator.")
        elif den == 0:
            problems.append("The denominator cannot be 0.")
        else:
            scale = 100 if indicator.unit == Unit.PERCENTAGE else 10_000
            worked = as_decimal(Decimal(num) / Decimal(den) * scale)
            if value is not None and abs(value - worked) > Decimal("0.05"):
                problems.append(
                    f"The value {value} does not match the numerator and denominator ({worked})."
                )
            value = worked
    if value is None:
        problems.append("Enter a value.")
        return None, problems
    if value < 0:
        problems.append("The value cannot be negative.")
    if value > MAX_VALUE:
        problems.append("The value is too large.")
    if indicator.unit == Unit.COUNT and value != value.to_integral_value():
        problems.append("A count is a whole number.")
    if indicator.unit == Unit.PERCENTAGE and value > 100:
        problems.append("A percentage cannot be more than 100.")
    if indicator.unit == Unit.PERCENTAGE and num is not None and den is not None and num > den:
        problems.append("The numerator cannot be more than the denominator.")
    return (None if problems else as_decimal(value)), problems


def _audit_value(
    submission: Submission, user: User | None, request: HttpRequest | None, what: str
) -> None:
    audit.record(
        AuditAction.INDICATOR_CHANGE,
        request=request,
        user=user,
        object_type="indicator_value",
        object_id=submission.pk,
        detail={
            "what": what,
            "indicator": submission.indicator.code,
            "period": submission.period_start.isoformat(),
            "agency": submission.agency.code,
            "channel": submission.channel,
            "value": str(submission.value),
        },
        user_email="" if user else f"api:{submission.agency.code}",
    )


def submit_value(
    *,
    indicator: Indicator,
    period: Period,
    agency: Agency,
    raw: Value,
    channel: Channel | str,
    user: User | None,
    request: HttpRequest | None = None,
    today: dt.date | None = None,
) -> Submission:
    """Store a new value; Refused if it is invalid or one is already held (correct that)."""
    value, problems = check_value(indicator, period, raw, today=today)
    if Submission.objects.filter(
        indicator=indicator, period_start=period.start, agency=agency
    ).exists():
        problems.append(
            f"{agency.name} has already sent {indicator.title} for {period.label}: correct it, "
            "giving a reason."
        )
    if problems or value is None:
        raise Refused([Problem(p) for p in problems])
    with transactions.action():
        submission = Submission.objects.create(
            indicator=indicator,
            period_start=period.start,
            agency=agency,
            value=value,
            numerator=raw.numerator,
            denominator=raw.denominator,
            channel=channel,
            submitted_by=user,
        )
        _audit_value(submission, user, request, "submitted")
    return submission


def correct_value(
    submission: Submission,
    raw: Value,
    *,
    reason: str,
    user: User | None,
    request: HttpRequest | None = None,
    channel: Channel | str | None = None,
    today: dt.date | None = None,
) -> Submission:
    """Change a held value, keeping the old one with who changed it and why."""
    value, problems = check_value(submission.indicator, submission.period, raw, today=today)
    if not reason.strip():
        problems.append("Say why the value is being corrected.")
    if problems or value is None:
        raise Refused([Problem(p) for p in problems])
    with transactions.action():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        Correction.objects.create(
            submission=locked,
            old_value=locked.value,
            old_numerator=locked.numerator,
            old_denominator=locked.denominator,
            new_value=value,
            reason=reason.strip(),
            by=user,
        )
        locked.value = value
        locked.numerator = raw.numerator
        locked.denominator = raw.denominator
        if channel:
            locked.channel = channel
        locked.save(update_fields=["value", "numerator", "denominator", "channel"])
        _audit_value(locked, user, request, "corrected")
    return locked


def record_computed_values(
    indicator: Indicator, values: dict[dt.date, Decimal], agency: Agency
) -> int:
    """Values the hub works out from its own records (or the demo makes), replacing any held."""
    with transactions.action():
        Submission.objects.filter(indicator=indicator, period_start__in=list(values)).delete()
        Submission.objects.bulk_create(
            Submission(
                indicator=indicator,
                period_start=start,
                agency=agency,
                value=as_decimal(value),
                channel=Channel.COMPUTED,
            )
            for start, value in values.items()
        )
    return len(values)


# Commentary and spotlight.


def save_commentary(
    request: HttpRequest, indicator: Indicator, period: Period, text: str, user: User
) -> Commentary | None:
    """Set the commentary for an indicator and period; blank text removes it."""
    with transactions.action():
        if not text.strip():
            Commentary.objects.filter(indicator=indicator, period_start=period.start).delete()
            saved = None
        else:
            saved, _ = Commentary.objects.update_or_create(
                indicator=indicator,
                period_start=period.start,
                defaults={"text": text.strip(), "by": user, "at": timezone.now()},
            )
        audit.record(
            AuditAction.INDICATOR_CHANGE,
            request=request,
            object_type="commentary",
            object_id=indicator.code,
            detail={"period": period.slug, "removed": saved is None},
        )
    return saved


def save_spotlight(request: HttpRequest, form: Any, user: User) -> Spotlight:
    with transactions.action():
        spotlight: Spotlight = form.save(commit=False)
        if spotlight.pk is None:
            spotlight.by = user
        spotlight.save()
        form.save_m2m()
        audit.record(
            AuditAction.INDICATOR_CHANGE,
            request=request,
            object_type="spotlight",
            object_id=spotlight.pk,
            detail={"title": spotlight.title},
        )
    return spotlight


# Reminders.


@dataclass
class ReminderRun:
    sent: int = 0
    skipped: int = 0
    agencies: set[str] = field(default_factory=set)


def send_reminders(today: dt.date | None = None) -> ReminderRun:
    """Email each agency's data officers about values past their due date and not sent.

    Idempotent for a day: a reminder already sent today for the same value is not sent again.
    """
    from safeguarding.insight import expected_values

    today = today or timezone.localdate()
    run = ReminderRun()
    overdue = expected_values.overdue_values(today)
    by_agency: dict[int, list[expected_values.Expected]] = {}
    for item in overdue:
        by_agency.setdefault(item.agency.pk, []).append(item)
    for items in by_agency.values():
        agency = items[0].agency
        fresh = [
            item
            for item in items
            if not Reminder.objects.filter(
                indicator=item.indicator,
                period_start=item.period.start,
                agency=agency,
                sent_on=today,
            ).exists()
        ]
        run.skipped += len(items) - len(fresh)
        if not fresh:
            continue
        recipients = sorted(
            User.objects.filter(
                agency=agency, is_active=True, role_grants__role=Role.DATA_OFFICER
            ).values_list("email", flat=True)
        )
        lines = [
            f"- {item.indicator.title}, {item.period.label} (due {item.period.due.day} {item.period.due:%B %Y})"
            for item in fresh
        ]
        with transactions.action():
            if recipients:
                send_mail(
                    subject=f"Values overdue for the partnership data set: {len(fresh)}",
                    message=(
                        f"These values for {agency.name} are past their due date:\n\n"
                        + "\n".join(lines)
                        + "\n\nSend them from the hub's data set pages, by template or by the API."
                    ),
                    from_email=None,
                    recipient_list=recipients,
                )
            Reminder.objects.bulk_create(
                Reminder(
                    indicator=item.indicator,
                    period_start=item.period.start,
                    agency=agency,
                    sent_on=today,
                    recipients=", ".join(recipients),
                )
                for item in fresh
            )
        run.sent += len(fresh)
        run.agencies.add(agency.code)
    return run


def store_api_values(
    plan: list[tuple[Indicator, Period, Value, str]], agency: Agency
) -> dict[str, int]:
    """Store the values an agency's system sent through the API, all or none: a value that
    differs from one held without a reason refuses the whole request."""
    with transactions.together():
        return _store_api_values(plan, agency)


def _store_api_values(
    plan: list[tuple[Indicator, Period, Value, str]], agency: Agency
) -> dict[str, int]:
    counts = {"submitted": 0, "corrected": 0, "unchanged": 0}
    problems: list[Problem] = []
    for number, (indicator, period, raw, reason) in enumerate(plan, start=1):
        held = Submission.objects.filter(
            indicator=indicator, period_start=period.start, agency=agency
        ).first()
        value, _ = check_value(indicator, period, raw)
        if held is None:
            submit_value(
                indicator=indicator,
                period=period,
                agency=agency,
                raw=raw,
                channel=Channel.API,
                user=None,
            )
            counts["submitted"] += 1
        elif held.value == value:
            counts["unchanged"] += 1
        elif not reason.strip():
            problems.append(
                Problem(
                    f"A value of {held.value} is already held: give a 'reason' to correct it.",
                    number,
                    "reason",
                )
            )
        else:
            correct_value(held, raw, reason=reason, user=None, channel=Channel.API)
            counts["corrected"] += 1
    if problems:
        raise Refused(problems)  # rolls back the whole request
    return counts


def current_year(today: dt.date | None = None) -> int:
    return financial_year(today or timezone.localdate())


# The year's one disclosure policy (docs/decisions/0068-protection-across-linked-tables.md).


class PolicyFixed(refusals.Refused):
    """The year's policy can no longer change: something of the year is published."""

    code = "insight.policy_fixed"


def set_year_policy(year: int, policy: str) -> None:
    """Choose how every output of the year shows small counts (DfE or NHS)."""
    from safeguarding.core.disclosure import Policy
    from safeguarding.insight.models import DisclosureYear

    held, _ = DisclosureYear.objects.select_for_update().get_or_create(year=year)
    chosen = Policy(policy).value
    if held.fixed and held.policy != chosen:
        raise PolicyFixed(
            "Figures of this year are published under the other policy: it can no longer change."
        )
    held.policy = chosen
    held.save(update_fields=["policy"])


def fix_year_policy(year: int) -> None:
    """Something of the year is published: its policy stays as it is from now on."""
    from safeguarding.insight.models import DisclosureYear

    held, _ = DisclosureYear.objects.select_for_update().get_or_create(year=year)
    if not held.fixed:
        held.fixed = True
        held.save(update_fields=["fixed"])
