"""The annual report's counts of children for a year, as linked tables
(docs/decisions/0068-protection-across-linked-tables.md).

Each of the report's tables of children (child deaths by category, children missing,
missing education, at risk of exploitation, young carers) adds its cells here under the
keys its block then asks the year's protection for, so that they are protected together
with the data set's CSVs: a quarter is the sum of the data set's months of the same count
when those are published and add up to it, and is then linked to them.
"""

from __future__ import annotations

import datetime as dt

from safeguarding.insight import queries as insight
from safeguarding.insight.queries import LinkedTables, publication_source
from safeguarding.reports.models import ChildDeathCount, DeathCategory

# The data set's monthly indicators that count the same thing as a quarter of the report.
SAME_COUNT = {
    "missing-episodes": ("missing-episodes-recorded", "missing-episodes"),
    "cme-referred": ("cme-referrals",),
    "exploitation-referrals": ("exploitation-referrals",),
}


def key(block: str, year: int, *parts: object) -> str:
    return ":".join(["report", block, str(year), *map(str, parts)])


def quarters(year: int) -> list[tuple[str, dt.date, dt.date]]:
    from safeguarding.reports.blocks import quarters as report_quarters

    return report_quarters(year)


def _months(start: dt.date) -> list[dt.date]:
    return [
        dt.date(start.year + (start.month + k - 1) // 12, (start.month + k - 1) % 12 + 1, 1)
        for k in range(3)
    ]


def _quarter(linked: LinkedTables, name: str, value: int, measure: str, start: dt.date) -> str:
    """A quarter's count, linked to the data set's months of the same count if they are
    published and add up to it; a count of its own otherwise."""
    for code in SAME_COUNT.get(measure, ()):
        parts = [insight.figure_key(code, m) for m in _months(start)]
        if all(p in linked.aliases for p in parts) and sum(map(linked.value, parts)) == value:
            return linked.total(name, parts)
    return linked.cell(name, value)


def child_deaths_categories(year: int) -> list[tuple[DeathCategory, int, int]]:
    """Only the categories with reviews: a row of true zeros tells nothing."""
    held = {c.category: c for c in ChildDeathCount.objects.filter(year=year)}
    return [
        (c, held[c].modifiable, held[c].not_modifiable)
        for c in DeathCategory
        if c in held and held[c].modifiable + held[c].not_modifiable
    ]


COLUMNS = ("modifiable", "not-modifiable")


@publication_source("reports.child-deaths")
def child_deaths(linked: LinkedTables, year: int) -> None:
    rows = child_deaths_categories(year)
    if not rows:
        return
    cells: list[list[str]] = []
    for category, modifiable, not_modifiable in rows:
        row = [
            linked.cell(key("child-deaths", year, category.value, COLUMNS[0]), modifiable),
            linked.cell(key("child-deaths", year, category.value, COLUMNS[1]), not_modifiable),
        ]
        linked.total(key("child-deaths", year, category.value, "total"), row)
        cells.append(row)
    for j, column in enumerate(COLUMNS):
        linked.total(key("child-deaths", year, "all", column), [r[j] for r in cells])
    linked.total(key("child-deaths", year, "all", "total"), [c for r in cells for c in r])


@publication_source("reports.missing")
def missing(linked: LinkedTables, year: int) -> None:
    from safeguarding.missing.queries import period_figures

    spans = [(start, end) for _, start, end in quarters(year)]
    for n, ((start, _), f) in enumerate(zip(spans, period_figures(spans), strict=True), 1):
        _quarter(linked, key("missing", year, n, "episodes"), f.episodes, "missing-episodes", start)
        linked.cell(key("missing", year, n, "children"), f.children_missing)
        num = linked.cell(key("missing", year, n, "within-72-hours"), f.completed_in_72_hours)
        den = linked.cell(key("missing", year, n, "returns"), f.returns)
        linked.rate(key("missing", year, n, "72-hours-percentage"), num, den, 100)


@publication_source("reports.education")
def education(linked: LinkedTables, year: int) -> None:
    from safeguarding.education.feeds import feeds

    spans = [(start, end) for _, start, end in quarters(year)]
    for n, ((start, _), f) in enumerate(zip(spans, feeds(spans), strict=True), 1):
        _quarter(
            linked, key("education", year, n, "cme-referred"), f.cme_referred, "cme-referred", start
        )
        linked.cell(key("education", year, n, "cme-open"), f.cme_open)
        linked.cell(key("education", year, n, "ehe"), f.ehe_count)


@publication_source("reports.exploitation")
def exploitation(linked: LinkedTables, year: int) -> None:
    from safeguarding.exploitation.feeds import ExploitationType, RiskLevel
    from safeguarding.exploitation.feeds import quarters as exploitation_quarters

    table = exploitation_quarters(year)
    for n, f in enumerate(table.feeds, 1):
        for code in ExploitationType.values:
            for level in RiskLevel:
                value = f.by_type_and_level.get((code, str(level)), 0)
                linked.cell(key("exploitation", year, n, code, level), value)
        start = f.period_start
        _quarter(
            linked,
            key("exploitation", year, n, "referrals"),
            f.referrals,
            "exploitation-referrals",
            start,
        )


def young_carers_months(year: int) -> list[tuple[dt.date, int]]:
    from safeguarding.reports.blocks import year_bounds
    from safeguarding.reports.models import YearEntries
    from safeguarding.young_carers.queries import identification_by_month

    first, last = year_bounds(year)
    entries = YearEntries.objects.filter(year=year).first()
    baseline = entries.young_carers_baseline if entries else None
    start = min(baseline, first) if baseline else first
    months = identification_by_month(start, last)
    chosen = [m for m in months if m.month >= first]
    if baseline is not None:
        chosen = [
            m for m in months if m.month.year == baseline.year and m.month.month == baseline.month
        ] + chosen
    return [(m.month, m.identified) for m in chosen]


@publication_source("reports.young-carers")
def young_carers(linked: LinkedTables, year: int) -> None:
    for month, identified in young_carers_months(year):
        name = key("young-carers", year, month.isoformat())
        same = insight.figure_key("young-carers-identified", month.replace(day=1))
        if same in linked.aliases and linked.value(same) == identified:
            linked.figure(name, linked.figures[linked.key(same)])
        else:
            linked.cell(name, identified)
