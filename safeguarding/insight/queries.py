"""Reads of the data set. The functions other apps call are `value_series`,
`year_headlines` and `public_table` (the annual report, the sub-groups' papers).

Everything here is an aggregate: no query touches a child-level model.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from django.db.models import FloatField, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from safeguarding.core import disclosure
from safeguarding.core.calendar import financial_year, year_label
from safeguarding.core.models import Agency, SubGroup, User
from safeguarding.core.roles import Role
from safeguarding.insight import headlines, protection, spc
from safeguarding.insight.models import (
    Commentary,
    Comparator,
    ComparatorKind,
    DisclosureYear,
    Indicator,
    Spotlight,
    Submission,
    Unit,
)
from safeguarding.insight.periods import Frequency, Period, year_periods
from safeguarding.insight.protection.model import LinkedTables as LinkedTables

# Who reads the dashboards: aggregates only, so no casework role is needed.
READER_ROLES = frozenset({Role.PARTNERSHIP_OFFICER, Role.ANALYST, Role.EXECUTIVE})
# Who keeps the catalogue, comparators, spotlight topics and commentary.
CATALOGUE_ROLES = frozenset({Role.PARTNERSHIP_OFFICER})
# Who sends their own agency's values.
SUBMITTER_ROLES = frozenset({Role.DATA_OFFICER})


def reads_everything(user: User) -> bool:
    return bool(user.roles & READER_ROLES)


def readable_sub_groups(user: User) -> QuerySet[SubGroup]:
    """A reader sees every sub-group's view; anyone else only the sub-groups they sit on."""
    groups = SubGroup.objects.filter(is_active=True)
    if reads_everything(user):
        return groups
    return groups.filter(members=user)


def may_read_indicator(user: User, indicator: Indicator) -> bool:
    if reads_everything(user):
        return True
    return indicator.sub_group_id is not None and (
        SubGroup.objects.filter(pk=indicator.sub_group_id, members=user).exists()
    )


def indicator_for(user: User, code: str) -> Indicator:
    """The indicator if this user may read it; 404 for one that does not exist or is not theirs."""
    indicator = (
        Indicator.objects.select_related("sub_group", "priority", "source_agency")
        .filter(code=code)
        .first()
    )
    if indicator is None or not may_read_indicator(user, indicator):
        raise Http404("No such indicator.")
    return indicator


# Series.


@dataclass(frozen=True)
class Point:
    period: Period
    value: float
    numerator: int | None = None
    denominator: int | None = None


class Row(NamedTuple):
    """One agency's value for a period, as read for a series (no model instances: a
    dashboard reads tens of thousands of these)."""

    period_start: dt.date
    value: Decimal | float
    numerator: int | None
    denominator: int | None


ROW_FIELDS = ("period_start", "value", "numerator", "denominator")


@lru_cache(maxsize=8192)
def period_of(start: dt.date, frequency: str) -> Period:
    """Periods are immutable and a dashboard makes tens of thousands: made once each."""
    return Period(start, Frequency(frequency))


def combine(indicator: Indicator, rows: Sequence[Row]) -> Point | None:
    """One value from the agencies' values for a period: a single value as it is; counts
    summed; rates and percentages from summed numerators and denominators where all have
    them; otherwise the mean."""
    if not rows:
        return None
    period = period_of(rows[0].period_start, indicator.frequency)
    if len(rows) == 1:
        row = rows[0]
        return Point(period, float(row.value), row.numerator, row.denominator)
    if indicator.unit == Unit.COUNT:
        return Point(period, float(sum(r.value for r in rows)))
    if all(r.numerator is not None and r.denominator for r in rows):
        num = sum(r.numerator or 0 for r in rows)
        den = sum(r.denominator or 0 for r in rows)
        scale = 100 if indicator.unit == Unit.PERCENTAGE else 10_000
        return Point(period, num / den * scale, num, den)
    return Point(period, float(sum(r.value for r in rows)) / len(rows))


def value_series(indicator: Indicator, *, until: dt.date | None = None) -> list[Point]:
    """The indicator's values in period order (one per period), up to a day if given."""
    rows = Submission.objects.filter(indicator=indicator).order_by("period_start", "agency_id")
    if until is not None:
        rows = rows.filter(period_start__lte=until)
    return _series_from_rows(indicator, [Row(*r) for r in rows.values_list(*ROW_FIELDS)])


def _series_from_rows(indicator: Indicator, rows: Iterable[Row]) -> list[Point]:
    by_period: dict[dt.date, list[Row]] = defaultdict(list)
    for row in rows:
        by_period[row.period_start].append(row)
    points = [combine(indicator, by_period[start]) for start in sorted(by_period)]
    return [p for p in points if p is not None]


def rebase_indices(indicator: Indicator, points: Sequence[Point]) -> list[int]:
    if indicator.rebase_from is None:
        return []
    return [i for i, p in enumerate(points) if p.period.start >= indicator.rebase_from][:1]


def analyse(indicator: Indicator, points: Sequence[Point]) -> spc.Analysis:
    return spc.analyse(
        [p.value for p in points],
        indicator.direction,
        target=float(indicator.target) if indicator.target is not None else None,
        rebase_at=rebase_indices(indicator, points),
    )


# Headlines.


def year_figure(points: Sequence[Point], year: int, periods: int | None = None) -> float | None:
    """The average per period of the year (over its first `periods` if given).

    An average, not a total: many counts are taken at the end of each period (children on
    a register), and a total of those means nothing.
    """
    values = [p.value for p in points if p.period.year == year][:periods]
    if not values:
        return None
    return sum(values) / len(values)


def facts_for(
    indicator: Indicator,
    points: Sequence[Point],
    year: int,
    comparators: Sequence[tuple[str, Decimal]] = (),
    analysis: spc.Analysis | None = None,
) -> headlines.SeriesFacts:
    """What the headline rules need; `analysis` (of all the points) is reused when the
    year is the series' last."""
    upto = [p for p in points if p.period.year <= year]
    if analysis is None or len(upto) != len(points):
        analysis = analyse(indicator, upto)
    # Like with like: this year's periods so far against the same periods of last year.
    n = sum(1 for p in upto if p.period.year == year)
    this_year = year_figure(upto, year)
    last_year = year_figure(upto, year - 1, n)
    return headlines.SeriesFacts(
        code=indicator.code,
        title=indicator.title,
        unit=indicator.unit,
        frequency=Frequency(indicator.frequency),
        periods=[p.period for p in upto],
        analysis=analysis,
        this_year=this_year,
        last_year=last_year,
        year=year,
        comparators=tuple((label, float(value)) for label, value in comparators),
    )


def indicators_with_series(
    indicators: QuerySet[Indicator],
) -> list[tuple[Indicator, list[Point]]]:
    """Each indicator with its series, in two queries whatever the number of indicators."""
    chosen = list(indicators.select_related("sub_group", "priority"))
    rows: dict[int, list[Row]] = defaultdict(list)
    values = (
        Submission.objects.filter(indicator__in=[i.pk for i in chosen])
        .order_by("indicator_id", "period_start", "agency_id")
        .annotate(as_float=Cast("value", FloatField()))
        .values_list("indicator_id", "period_start", "as_float", "numerator", "denominator")
    )
    # The value as a float from the database: building Decimals is most of the time of
    # reading tens of thousands of values, and the analysis works in floats anyway.
    for indicator_id, start, value, numerator, denominator in values.iterator(chunk_size=5000):
        rows[indicator_id].append(Row(start, value, numerator, denominator))
    return [(i, _series_from_rows(i, rows[i.pk])) for i in chosen]


def analyse_all(loaded: Loaded) -> dict[int, spc.Analysis]:
    """Each loaded indicator's analysis, to share between the tiles and the headlines."""
    return {indicator.pk: analyse(indicator, points) for indicator, points in loaded}


# How each comparator reads in a headline ("above England's 63.0%"), in the order named.
COMPARATOR_LABELS = {
    ComparatorKind.ENGLAND: "England",
    ComparatorKind.REGION: "the region",
    ComparatorKind.NEIGHBOURS: "statistical neighbours",
}


def comparator_values(year: int) -> dict[int, list[tuple[str, Decimal]]]:
    """Each indicator's comparators for the year (for each kind, the latest year up to it),
    as (label, value) in the order England, region, statistical neighbours."""
    latest: dict[tuple[int, str], Decimal] = {}
    for row in Comparator.objects.filter(year__lte=year).order_by("year"):
        latest[(row.indicator_id, row.kind)] = row.value
    found: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for kind, label in COMPARATOR_LABELS.items():
        for (indicator_id, held_kind), value in latest.items():
            if held_kind == kind:
                found[indicator_id].append((label, value))
    return found


Loaded = list[tuple[Indicator, list[Point]]]


def year_headlines(
    year: int,
    indicators: QuerySet[Indicator] | None = None,
    *,
    limit: int | None = None,
    loaded: Loaded | None = None,
    analyses: dict[int, spc.Analysis] | None = None,
) -> list[headlines.Headline]:
    """The ranked headlines of a financial year, over the active indicators (or those
    given, or those already loaded with their series)."""
    if loaded is None:
        chosen = indicators if indicators is not None else Indicator.objects.filter(active=True)
        loaded = indicators_with_series(chosen)
    comparators = comparator_values(year)
    found: list[headlines.Headline] = []
    for indicator, points in loaded:
        if not any(p.period.year == year for p in points):
            continue
        known = analyses.get(indicator.pk) if analyses else None
        facts = facts_for(indicator, points, year, comparators.get(indicator.pk, ()), known)
        found.extend(headlines.headlines_for(facts, indicator.direction))
    ranked = headlines.rank(found)
    return ranked[:limit] if limit else ranked


# The dashboard.


@dataclass
class Tile:
    indicator: Indicator
    points: list[Point]
    analysis: spc.Analysis

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def latest_text(self) -> str:
        return (
            headlines.format_value(self.points[-1].value, self.indicator.unit)
            if self.points
            else ""
        )

    @property
    def variation_label(self) -> str:
        if self.analysis.variation is None:
            return "Too few points for limits"
        return spc.VARIATION_LABELS[self.analysis.variation]

    @property
    def variation_colour(self) -> str:
        """The GOV.UK tag colour of the variation icon: the meaning, not only the colour, is
        in the tag's words."""
        if self.analysis.variation is None:
            return "grey"
        meaning = self.analysis.variation.value.split("_")[0]
        return {"improvement": "blue", "concern": "orange", "neither": "purple"}.get(
            meaning, "grey"
        )

    @property
    def spark(self) -> str:
        """The last points as an SVG polyline in a 200 × 40 box."""
        values = [p.value for p in self.points]
        if len(values) < 2:
            return ""
        low, high = min(values), max(values)
        span = (high - low) or 1.0
        step = 196 / (len(values) - 1)
        return " ".join(
            f"{2 + i * step:.1f},{38 - (v - low) / span * 36:.1f}" for i, v in enumerate(values)
        )

    @property
    def assurance_label(self) -> str:
        if self.analysis.assurance is None:
            return "No target" if self.indicator.target is None else "No assurance yet"
        return spc.ASSURANCE_LABELS[self.analysis.assurance]


@dataclass
class Group:
    title: str
    tiles: list[Tile] = field(default_factory=list)


def dashboard(
    indicators: QuerySet[Indicator] | None = None,
    *,
    loaded: Loaded | None = None,
    analyses: dict[int, spc.Analysis] | None = None,
) -> list[Group]:
    """Small multiples grouped by priority (then by sub-group for the rest)."""
    if loaded is None:
        chosen = indicators if indicators is not None else Indicator.objects.filter(active=True)
        loaded = indicators_with_series(chosen)
    groups: dict[str, Group] = {}
    for indicator, points in loaded:
        if indicator.priority is not None:
            key = f"Priority {indicator.priority.number}: {indicator.priority.title}"
        elif indicator.sub_group is not None:
            key = f"{indicator.sub_group.name}"
        else:
            key = "Other indicators"
        known = analyses.get(indicator.pk) if analyses else None
        tile = Tile(indicator, points[-24:], known or analyse(indicator, points))
        groups.setdefault(key, Group(key)).tiles.append(tile)
    return sorted(groups.values(), key=lambda g: (not g.title.startswith("Priority"), g.title))


# Commentary.


def commentary_for(indicator: Indicator) -> dict[dt.date, Commentary]:
    return {c.period_start: c for c in indicator.commentary.select_related("by")}


# Public export: every output of a year protected together
# (docs/decisions/0068-protection-across-linked-tables.md).


def policy_for_year(year: int) -> disclosure.Policy:
    """The year's one disclosure policy (DfE unless the partnership chose NHS)."""
    held = DisclosureYear.objects.filter(year=year).values_list("policy", flat=True).first()
    return disclosure.Policy(held or disclosure.Policy.DFE)


def policy_is_fixed(year: int) -> bool:
    return DisclosureYear.objects.filter(year=year, fixed=True).exists()


def held_in_year(indicator: Indicator, points: Sequence[Point], year: int) -> list[Point]:
    by_start = {p.period.start: p for p in points}
    return [
        by_start[p.start] for p in year_periods(year, indicator.frequency) if p.start in by_start
    ]


def year_points(year: int) -> list[tuple[Indicator, list[Point]]]:
    """Every indicator with a value in the year, with its points of the year."""
    out = []
    for indicator, points in indicators_with_series(Indicator.objects.order_by("code")):
        held = held_in_year(indicator, points, year)
        if held:
            out.append((indicator, held))
    return out


def year_protection(year: int) -> protection.Protection:
    """Everything published for the year, protected together (for another app's output)."""
    return protection.for_year(year)


# While drawing many outputs of a year (the report): its linked tables built once.
protection_batch = protection.batch


def figure_key(code: str, start: dt.date) -> str:
    """The key of an indicator's published count for the period starting `start`."""
    from safeguarding.insight.publications import period_key

    return period_key(code, start)


def public_table(indicator: Indicator, year: int) -> list[list[str]]:
    """An indicator's values for a year, as they may be published: header row first.

    Every figure is read from the year's protection, which hides small counts and the
    fewest others so that nothing published for the year (this table, the report's
    tables, the year's totals, rates with their denominators) gives them away. A count
    that does not add up over periods has no total. Rates and percentages show their
    numerator and denominator and are hidden with them; one held without its counts is
    published to one decimal place with the counts not available ("x").
    """
    from safeguarding.insight import publications as keys

    held = held_in_year(indicator, value_series(indicator), year)
    found = protection.for_year(year)
    if not all(found.holds(keys.period_key(indicator.code, p.period.start)) for p in held):
        linked = protection.LinkedTables()
        keys.add_indicator(linked, indicator, held, year)
        found = protection.protection_of(linked, year, found.policy)
    code = indicator.code
    rows: list[list[str]] = []
    if indicator.unit == Unit.COUNT:
        rows.append(["Period", indicator.title])
        rows.extend(
            [p.period.label, found.count(keys.period_key(code, p.period.start))] for p in held
        )
        if held and indicator.summable:
            rows.append([f"Total {year_label(year)}", found.count(keys.year_key(code, year))])
        return rows
    rows.append(
        [
            "Period",
            indicator.numerator or "Numerator",
            indicator.denominator or "Denominator",
            indicator.title,
        ]
    )
    for point in held:
        start = point.period.start
        if point.numerator is None or point.denominator is None:
            rows.append([point.period.label, "x", "x", disclosure.one_decimal(point.value)])
            continue
        rows.append(
            [
                point.period.label,
                found.count(keys.numerator_key(code, start)),
                found.count(keys.denominator_key(code, start)),
                found.rate(keys.rate_key(code, start)),
            ]
        )
    return rows


def hidden_points(indicator: Indicator, points: Sequence[Point]) -> list[Point]:
    """The points whose figure (a count, or a rate's numerator or denominator) is hidden
    under its year's protection: a chart or headline must not show them."""
    from safeguarding.insight import publications as keys

    out = []
    for point in points:
        found = protection.for_year(point.period.year)
        start = point.period.start
        if indicator.unit == Unit.COUNT:
            name = keys.period_key(indicator.code, start)
        elif point.numerator is not None and point.denominator is not None:
            name = keys.rate_key(indicator.code, start)
        else:
            continue
        if (found.holds(name) or name in found.linked.rates) and found.is_hidden(name):
            out.append(point)
    return out


def current_year() -> int:
    return financial_year(timezone.localdate())


def latest_year() -> int:
    """The financial year of the latest value held (this year if none): the year the
    dashboards open on, so that a partnership between returns still sees its headlines."""
    latest = Submission.objects.order_by("-period_start").values_list("period_start", flat=True)
    first = latest.first()
    return financial_year(first) if first else current_year()


# For the annual report (reports/blocks.py) ---------------------------------------------


def report_indicators(year: int, priority: int | None = None) -> QuerySet[Indicator]:
    """The active indicators; with `priority`, those of that priority of the year."""
    chosen = Indicator.objects.filter(active=True)
    if priority is not None:
        chosen = chosen.filter(priority__year=year, priority__number=priority)
    return chosen


def is_count(indicator: Indicator) -> bool:
    """Whether the indicator's values are counts (which disclosure control may hide)."""
    return indicator.unit == Unit.COUNT


def chart_of(indicator: Indicator, points: Sequence[Point], target: float | None) -> Any:
    """The SPC chart of an indicator's points, as the dashboard draws it (insight/chart.py)."""
    from safeguarding.insight import chart

    return chart.build(indicator.title, indicator.unit, points, analyse(indicator, points), target)


# The pages' records (views read through these, docs/decisions/0065).


def active_indicators(sub_group: SubGroup | None = None) -> QuerySet[Indicator]:
    found = Indicator.objects.filter(active=True)
    return found.filter(sub_group=sub_group) if sub_group is not None else found


def indicators() -> QuerySet[Indicator]:
    return Indicator.objects.select_related("sub_group", "source_agency").order_by(
        "-active", "title"
    )


def indicator(code: str) -> Indicator:
    return get_object_or_404(Indicator, code=code)


def only(found: Indicator) -> QuerySet[Indicator]:
    """One indicator as a query set, for the reads that take several."""
    return Indicator.objects.filter(pk=found.pk)


def comparators_of(found: Indicator) -> QuerySet[Comparator]:
    return Comparator.objects.filter(indicator=found)


def comparators_held() -> QuerySet[Comparator]:
    return Comparator.objects.select_related("indicator")


def commentary_on(found: Indicator, period: Period) -> Commentary | None:
    return found.commentary.filter(period_start=period.start).first()


def spotlights(sub_group: SubGroup | None = None) -> QuerySet[Spotlight]:
    if sub_group is not None:
        return Spotlight.objects.filter(sub_group=sub_group)
    return Spotlight.objects.select_related("sub_group").prefetch_related("indicators")


def spotlight(pk: int) -> Spotlight:
    return get_object_or_404(Spotlight, pk=pk)


def held_value(found: Indicator, period: Period, agency: Agency) -> Submission | None:
    """The value an agency holds for an indicator's period, if it sent one."""
    return Submission.objects.filter(
        indicator=found, period_start=period.start, agency=agency
    ).first()


# For the apps that publish counts of their own for a year (the annual report's tables): they
# add their cells to the year's linked tables here, and are protected with the data set's
# (docs/decisions/0068).
publication_source = protection.source
