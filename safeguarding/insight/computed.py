"""Computed indicators: figures the hub works out from its own record-level modules.

An app that holds records (training, the trackers, the exploitation panel) puts in its
`indicators.py` one function per computed indicator of the catalogue, registered in
core/indicators.py:

    @computed("training-attendees")
    def attendees(start: date, end: date) -> int | None: ...

The dates are the period's first and last days. The function returns the period's
figure, or None when the module holds no records for the period (before it was in use),
so that values from before the hub, or a demo's history, are not overwritten with zeros.
It counts only: no row leaves it (docs/decisions/0052-computed-indicators.md).

`compute` writes the figures as submissions of the partnership's own agency (setting
`PARTNERSHIP_AGENCY`). It is idempotent: a figure that has not changed is not written
again, and one that has changed keeps the old value as a correction, as any other
correction does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from safeguarding.core import audit, refusals
from safeguarding.core.calendar import financial_year
from safeguarding.core.indicators import ComputeFunction, Ratio, registry
from safeguarding.core.models import Agency, AgencyKind, AuditAction
from safeguarding.insight.models import Channel, Correction, Indicator, Submission, as_decimal
from safeguarding.insight.periods import (
    Frequency,
    Period,
    between,
    containing,
    last_complete,
    year_periods,
)

RECOMPUTED = "Recomputed from the hub's records."


class NoAgency(refusals.Refused):
    """The partnership's own agency, which computed values are recorded against, is missing."""

    code = "insight.no_agency"


def partnership_agency() -> Agency:
    """The agency computed values are recorded against: the partnership's business unit
    (setting PARTNERSHIP_AGENCY), else the local authority."""
    code = getattr(settings, "PARTNERSHIP_AGENCY", "")
    agency = Agency.objects.filter(code=code).first() if code else None
    if agency is None:
        agency = Agency.objects.filter(kind=AgencyKind.LOCAL_AUTHORITY).order_by("code").first()
    if agency is None:
        raise NoAgency(
            f"No agency has the code {code!r} (setting PARTNERSHIP_AGENCY) and there is no "
            "local authority: add the partnership's agency first."
        )
    return agency


@dataclass
class Outcome:
    """What computing one indicator did."""

    code: str
    title: str
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    no_records: int = 0
    missing_function: bool = False
    periods: list[Period] = field(default_factory=list)

    @property
    def written(self) -> int:
        return self.added + self.changed


def default_periods(frequency: Frequency, today: dt.date, since: dt.date | None) -> list[Period]:
    """Complete periods from `since` (default: the start of the financial year three years
    before today's) up to the last complete one."""
    last = last_complete(today, frequency)
    if since is None:
        since = year_periods(financial_year(today) - 3, frequency)[0].start
    first = containing(since, frequency)
    return between(first, last) if first <= last else []


def compute_indicator(
    indicator: Indicator,
    func: ComputeFunction,
    periods: Iterable[Period],
    agency: Agency,
) -> Outcome:
    """Work out the indicator for each period and record what changed, in one transaction."""
    outcome = Outcome(indicator.code, indicator.title)
    figures: dict[dt.date, Decimal] = {}
    counts: dict[dt.date, tuple[int | None, int | None]] = {}
    for period in periods:
        value = func(period.start, period.end)
        if value is None:
            outcome.no_records += 1
            continue
        if isinstance(value, Ratio):
            counts[period.start] = (value.numerator, value.denominator)
            value = value.value
        figures[period.start] = as_decimal(value)
        outcome.periods.append(period)
    with transaction.atomic():
        held = {
            s.period_start: s
            for s in Submission.objects.select_for_update().filter(
                indicator=indicator, period_start__in=list(figures)
            )
        }
        new: list[Submission] = []
        for start, value in figures.items():
            submission = held.get(start)
            numerator, denominator = counts.get(start, (None, None))
            if submission is None:
                new.append(
                    Submission(
                        indicator=indicator,
                        period_start=start,
                        agency=agency,
                        value=value,
                        numerator=numerator,
                        denominator=denominator,
                        channel=Channel.COMPUTED,
                    )
                )
            elif (
                submission.value == value
                and (submission.numerator, submission.denominator) == (numerator, denominator)
                and submission.channel == Channel.COMPUTED
            ):
                outcome.unchanged += 1
            else:
                Correction.objects.create(
                    submission=submission,
                    old_value=submission.value,
                    old_numerator=submission.numerator,
                    old_denominator=submission.denominator,
                    new_value=value,
                    reason=RECOMPUTED,
                    by=None,
                )
                submission.value = value
                submission.numerator, submission.denominator = numerator, denominator
                submission.channel = Channel.COMPUTED
                submission.save(update_fields=["value", "numerator", "denominator", "channel"])
                outcome.changed += 1
        Submission.objects.bulk_create(new)
        outcome.added = len(new)
    return outcome


def compute(
    *,
    codes: Iterable[str] | None = None,
    since: dt.date | None = None,
    today: dt.date | None = None,
    progress: Callable[[Iterable[Indicator]], Iterable[Indicator]] | None = None,
) -> list[Outcome]:
    """Compute the active computed indicators (or those named) for every complete period
    since `since`, and audit the run. Raises KeyError for a code not in the catalogue or
    not computed, NoAgency when there is no agency to record the values against."""
    functions = registry()
    indicators = Indicator.objects.filter(computed=True).order_by("code")
    if codes is not None:
        wanted = list(dict.fromkeys(codes))
        found = {i.code: i for i in indicators.filter(code__in=wanted)}
        unknown = [code for code in wanted if code not in found]
        if unknown:
            raise KeyError(
                "Not a computed indicator of the catalogue: " + ", ".join(sorted(unknown))
            )
        chosen = [found[code] for code in wanted]
    else:
        chosen = list(indicators.filter(active=True))
    agency = partnership_agency()
    day = today or timezone.localdate()
    outcomes: list[Outcome] = []
    for indicator in progress(chosen) if progress else chosen:
        func = functions.get(indicator.code)
        if func is None:
            outcomes.append(Outcome(indicator.code, indicator.title, missing_function=True))
            continue
        periods = default_periods(Frequency(indicator.frequency), day, since)
        outcomes.append(compute_indicator(indicator, func, periods, agency))
    audit.record(
        AuditAction.INDICATOR_CHANGE,
        object_type="computed_indicators",
        detail={
            "indicators": len(outcomes),
            "written": sum(o.written for o in outcomes),
            "since": since.isoformat() if since else None,
        },
    )
    return outcomes
