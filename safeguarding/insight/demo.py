"""The demo partnership's data set: the shipped catalogue and three years of values.

Monthly indicators run April 2022 to March 2025 (36 points); quarterly ones from April
2021 (16 quarters), since fewer than 15 points would only make run charts. The values
are noise around a level, with real signals put in where the reference report says
something moved:

- young carers identified: 28 in June 2023 rising to 95 in January 2025 (the report's
  figures), so a long rising run: improvement;
- return home interviews within 72 hours: a step up for the last seven quarters after a
  new independent service: "seven quarters in a row above the average";
- missing episodes: a spike beyond the upper limit in October 2024: concern;
- children at risk of exploitation: the highest number to date in 2024/25 (a shift up);
- average wait for mental health services: falling for the last eight months: improvement;
- children missing education around the national 0.5%; training attendees and no-shows of
  2024/25 as the training demo's registers add up (323 attendees, 23 no-shows) and 621
  e-learning completions.

Everything is drawn from `ctx.rng`: the same seed gives the same values.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from safeguarding.core.models import Priority
from safeguarding.demo.generator import london
from safeguarding.demo.registry import DemoContext, clearer, digest_rows, step
from safeguarding.insight import actions
from safeguarding.insight.models import (
    Channel,
    Commentary,
    Comparator,
    Correction,
    Indicator,
    Reminder,
    Spotlight,
    Submission,
    Unit,
    as_decimal,
)
from safeguarding.insight.periods import Frequency, Period, between

FIRST_MONTH = Period(dt.date(2022, 4, 1), Frequency.MONTHLY)
FIRST_QUARTER = Period(dt.date(2021, 4, 1), Frequency.QUARTERLY)
LAST_DAY = dt.date(2025, 3, 31)
CHILDREN_0_17 = 36_000  # the demo area's child population (demo/generator makes ~36,000)
SCHOOL_AGE = 24_500

Shape = Callable[[int, int, Any], float]  # (index, count, rng) -> value


def noisy(level: float, spread: float) -> Shape:
    return lambda i, n, rng: level + rng.gauss(0, spread)


def seasonal(level: float, spread: float, swing: float) -> Shape:
    return lambda i, n, rng: level + swing * math.sin(i / 12 * 2 * math.pi) + rng.gauss(0, spread)


def step_up(before: float, after: float, last: int, spread: float) -> Shape:
    """A level that moves for the last `last` points."""
    return lambda i, n, rng: (after if i >= n - last else before) + rng.gauss(0, spread)


def young_carers(i: int, n: int, rng: Any) -> float:
    """About 25 until June 2023 (index 14: 28), then rising to 95 by January 2025 (index 33)."""
    if i <= 14:
        return 22 + i * 0.4 + rng.gauss(0, 1.5) if i < 14 else 28
    if i == 33:
        return 95
    return 28 + (95 - 28) * (i - 14) / 19 + rng.gauss(0, 1.2)


def falling_wait(i: int, n: int, rng: Any) -> float:
    """Around 48 days, then falling steadily for the last eight months."""
    if i < n - 8:
        return 48 + rng.gauss(0, 4)
    return 46 - (i - (n - 8)) * 2.5


def missing_spike(i: int, n: int, rng: Any) -> float:
    """Around 38 a month, with October 2024 (index 30) far beyond the upper limit."""
    return 78 if i == 30 else 38 + rng.gauss(0, 4)


def training_attendees(i: int, n: int, rng: Any) -> float:
    last_year = [86, 92, 64, 81]  # 2024/25: 323, as the training registers add up
    if i >= n - 4:
        return last_year[i - (n - 4)]
    return 75 + rng.gauss(0, 9)


def elearning(i: int, n: int, rng: Any) -> float:
    last_year = [48, 55, 51, 44, 39, 58, 62, 57, 41, 50, 54, 62]  # 2024/25: 621
    if i >= n - 12:
        return last_year[i - (n - 12)]
    return 45 + rng.gauss(0, 6)


SHAPES: dict[str, Shape] = {
    "missing-episodes": missing_spike,
    "missing-children": noisy(24, 3),
    "rhi-72-hours": step_up(61, 74, 7, 2.2),
    "exploitation-at-risk": step_up(31, 42, 9, 2.5),
    "exploitation-high-risk": noisy(7, 1.6),
    "hsb-referrals": noisy(14, 3),
    "cme-rate": noisy(0.5, 0.05),
    "cme-open": noisy(118, 9),
    "ehe-register": step_up(265, 290, 12, 8),
    "young-carers": young_carers,
    "young-carers-over-6-months": noisy(12, 2.5),
    "mh-accessing": noisy(640, 30),
    "mh-waiting": step_up(410, 470, 8, 10),
    "mh-average-wait": falling_wait,
    "attendance": seasonal(93.4, 0.5, 0.9),
    "persistent-absence": noisy(19.5, 1.0),
    "front-door-contacts": seasonal(880, 45, 60),
    "contact-decision-24h": noisy(88, 2.0),
    "referrals-rate": noisy(128, 8),
    "re-referrals": noisy(19, 2.2),
    "cp-plans-rate": step_up(44, 38, 6, 1.4),
    "cin-rate": noisy(318, 9),
    "cp-second-plan": noisy(21, 3.5),
    "training-attendees": training_attendees,
    "training-no-shows": noisy(9.5, 2.0),
    "elearning-completions": elearning,
}
# Percentages sent with their counts: the denominator's level, so that the numerator follows.
DENOMINATORS = {
    "rhi-72-hours": 70,
    "contact-decision-24h": 880,
    "re-referrals": 410,
    "cp-second-plan": 38,
    "training-no-shows": 90,
    "cme-rate": SCHOOL_AGE,
    "referrals-rate": CHILDREN_0_17,
    "cp-plans-rate": CHILDREN_0_17,
    "cin-rate": CHILDREN_0_17,
}
ENGLAND = {  # demo comparators in the style of the national statistics
    "rhi-72-hours": (2023, "63.0"),
    "cme-rate": (2023, "0.5"),
    "cp-plans-rate": (2023, "41.6"),
    "cin-rate": (2023, "332.9"),
    "re-referrals": (2023, "22.4"),
    "cp-second-plan": (2023, "23.8"),
    "persistent-absence": (2023, "20.0"),
    "attendance": (2023, "93.0"),
}
PRIORITY_YEAR = 2024


def _periods(indicator: Indicator) -> list[Period]:
    first = FIRST_MONTH if indicator.frequency == Frequency.MONTHLY else FIRST_QUARTER
    last = Period(dt.date(2025, 3, 1), Frequency.MONTHLY)
    if indicator.frequency == Frequency.QUARTERLY:
        last = Period(dt.date(2025, 1, 1), Frequency.QUARTERLY)
    return between(first, last)


def _value_row(
    ctx: DemoContext, indicator: Indicator, period: Period, raw: float, agency: Any, user: Any
) -> Submission:
    numerator = denominator = None
    if indicator.code in DENOMINATORS:
        scale = 100 if indicator.unit == Unit.PERCENTAGE else 10_000
        denominator = max(1, round(DENOMINATORS[indicator.code] * (1 + ctx.rng.gauss(0, 0.05))))
        numerator = max(0, round(raw / scale * denominator))
        raw = numerator / denominator * scale
    elif indicator.unit in (Unit.COUNT, Unit.DAYS):
        raw = max(0, round(raw))
    # Most values arrive within the fortnight after the period; one in eight is late.
    late = ctx.rng.random() < 0.125
    delay = ctx.rng.randint(16, 30) if late else ctx.rng.randint(2, 14)
    channel = (
        Channel.COMPUTED
        if indicator.computed
        else ctx.rng.choice([Channel.FORM, Channel.UPLOAD, Channel.UPLOAD, Channel.API])
    )
    return Submission(
        indicator=indicator,
        period_start=period.start,
        agency=agency,
        value=as_decimal(max(raw, 0)),
        numerator=numerator,
        denominator=denominator,
        channel=channel,
        submitted_by=None if channel in (Channel.API, Channel.COMPUTED) else user,
        submitted_at=london(period.end + dt.timedelta(days=delay), dt.time(9, 30)),
    )


@step("indicators")
def make_indicators(ctx: DemoContext) -> None:
    made = actions.load_default_catalogue()
    priorities: dict[int | None, Priority] = {
        p.sub_group_id: p for p in Priority.objects.filter(year=PRIORITY_YEAR) if p.sub_group_id
    }
    for indicator in Indicator.objects.all():
        indicator.priority = priorities.get(indicator.sub_group_id)
        indicator.save(update_fields=["priority"])
    ctx.count("indicators", made)


@step("indicator values")
def make_indicator_values(ctx: DemoContext) -> None:
    data_officer = ctx.users.get("data_officer")
    partnership_unit = ctx.agencies.get("PBU") or ctx.agencies["LA"]
    rows: list[Submission] = []
    for indicator in Indicator.objects.select_related("source_agency").order_by("code"):
        shape = SHAPES.get(indicator.code)
        if shape is None:
            continue
        periods = _periods(indicator)
        agency = indicator.source_agency or partnership_unit
        user = data_officer if data_officer and data_officer.agency_id == agency.pk else None
        for i, period in enumerate(periods):
            raw = shape(i, len(periods), ctx.rng)
            rows.append(_value_row(ctx, indicator, period, raw, agency, user))
    Submission.objects.bulk_create(rows)
    ctx.count("indicator values", len(rows))
    _corrections(ctx)
    _comparators()
    _spotlight_and_commentary(ctx)


def _corrections(ctx: DemoContext) -> None:
    """Two values corrected, as happens: a recount and a late batch of reports."""
    officer = ctx.users.get("data_officer")
    for code, start, reason in (
        (
            "front-door-contacts",
            dt.date(2024, 11, 1),
            "Contacts logged twice by the out-of-hours team removed.",
        ),
        ("cme-open", dt.date(2025, 1, 1), "Three cases closed in December were recorded late."),
    ):
        held = Submission.objects.filter(indicator__code=code, period_start=start).first()
        if held is None:
            continue
        new = held.value - Decimal(ctx.rng.randint(3, 9))
        Correction.objects.create(
            submission=held,
            old_value=held.value,
            new_value=new,
            reason=reason,
            by=officer,
            at=london(start + dt.timedelta(days=45), dt.time(11, 0)),
        )
        Submission.objects.filter(pk=held.pk).update(value=new)


def _comparators() -> None:
    by_code = {i.code: i for i in Indicator.objects.filter(code__in=list(ENGLAND))}
    Comparator.objects.bulk_create(
        Comparator(
            indicator=by_code[code],
            kind="england",
            year=year,
            value=Decimal(value),
            source="Demo figure in the style of the national statistics",
        )
        for code, (year, value) in ENGLAND.items()
        if code in by_code
    )


def _spotlight_and_commentary(ctx: DemoContext) -> None:
    officer = ctx.users.get("officer")
    if officer is None:
        return
    exploitation = ctx.sub_groups.get("exploitation")
    by_code = {i.code: i for i in Indicator.objects.all()}
    for title, summary, codes in (
        (
            "AI-generated images of children",
            "Police and the online safety lead explained how AI-made abuse images are found "
            "and reported, and what schools should do when pupils share them.",
            ["exploitation-at-risk", "hsb-referrals"],
        ),
        (
            "Drugs and alcohol",
            "The young people's substance misuse service took the sub-group through referrals "
            "and the links with going missing and criminal exploitation.",
            ["missing-episodes", "exploitation-high-risk"],
        ),
    ):
        spotlight = Spotlight.objects.create(
            title=title,
            summary=summary,
            year=2024,
            sub_group=exploitation,
            by=officer,
            at=london(dt.date(2024, 10, 15), dt.time(10, 0)),
        )
        spotlight.indicators.set([by_code[c] for c in codes if c in by_code])
    for code, start, text in (
        (
            "rhi-72-hours",
            dt.date(2023, 7, 1),
            "The independent return home interview service began this quarter.",
        ),
        (
            "missing-episodes",
            dt.date(2024, 10, 1),
            "Three young people went missing repeatedly from one placement; a multi-agency meeting agreed a plan and the episodes stopped in November.",
        ),
        (
            "young-carers",
            dt.date(2025, 1, 1),
            "Identification work with schools and the front door continues to find more young carers.",
        ),
    ):
        if code in by_code:
            Commentary.objects.create(
                indicator=by_code[code],
                period_start=start,
                text=text,
                by=officer,
                at=london(start + dt.timedelta(days=100), dt.time(14, 0)),
            )
    ctx.count("spotlight topics", 2)


@clearer("indicators")
def clear_indicators(ctx: DemoContext) -> None:
    Reminder.objects.all().delete()
    Spotlight.objects.all().delete()
    Commentary.objects.all().delete()
    Correction.objects.all().delete()
    Comparator.objects.all().delete()
    Submission.objects.all().delete()
    Indicator.objects.all().delete()


@digest_rows("indicators")
def indicator_rows() -> Iterable[list[Any]]:
    for i in Indicator.objects.select_related("source_agency", "sub_group", "priority"):
        yield [
            "indicator",
            i.code,
            i.title,
            i.unit,
            i.better_direction,
            i.frequency,
            i.source_agency.code if i.source_agency else "",
            i.sub_group.name if i.sub_group else "",
            i.priority.title if i.priority else "",
            i.target,
        ]
    for s in Submission.objects.select_related("indicator", "agency", "submitted_by"):
        yield [
            "value",
            s.indicator.code,
            s.period_start,
            s.agency.code,
            s.value,
            s.numerator,
            s.denominator,
            s.channel,
            s.submitted_by.email if s.submitted_by else "",
            s.submitted_at,
        ]
    for c in Correction.objects.select_related("submission__indicator"):
        yield [
            "correction",
            c.submission.indicator.code,
            c.submission.period_start,
            c.old_value,
            c.new_value,
            c.reason,
        ]
    for k in Comparator.objects.select_related("indicator"):
        yield ["comparator", k.indicator.code, k.kind, k.year, k.value]
    for t in Spotlight.objects.prefetch_related("indicators"):
        yield ["spotlight", t.title, t.year, sorted(i.code for i in t.indicators.all())]
    for m in Commentary.objects.select_related("indicator"):
        yield ["commentary", m.indicator.code, m.period_start, m.text]
