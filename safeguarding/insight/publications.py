"""The data set's published figures for a year, as linked tables
(docs/decisions/0068-protection-across-linked-tables.md).

The public CSV of an indicator (`queries.public_table`) and the annual report's tables of
it publish, for a year: each period's count and, for a count that adds up, the year's
total; for a rate or percentage, each period's numerator, denominator and rate. The keys
here are the names those outputs ask the year's protection for; another app's output of
the same count (a quarter of the report) is linked to these months by `sum_or_cell`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from safeguarding.insight.models import Indicator, Unit
from safeguarding.insight.protection import source
from safeguarding.insight.protection.model import LinkedTables


def period_key(code: str, start: dt.date) -> str:
    return f"{code}:{start.isoformat()}"


def year_key(code: str, year: int) -> str:
    return f"{code}:year:{year}"


def numerator_key(code: str, start: dt.date) -> str:
    return f"{code}:numerator:{start.isoformat()}"


def denominator_key(code: str, start: dt.date) -> str:
    return f"{code}:denominator:{start.isoformat()}"


def rate_key(code: str, start: dt.date) -> str:
    return f"{code}:rate:{start.isoformat()}"


def scale_of(indicator: Indicator) -> int:
    return 100 if indicator.unit == Unit.PERCENTAGE else 10_000


def add_indicator(
    linked: LinkedTables, indicator: Indicator, held: Sequence[object], year: int
) -> None:
    """One indicator's published figures for the year (`held`: its points of the year)."""
    code = indicator.code
    if indicator.unit == Unit.COUNT:
        keys = [
            linked.cell(period_key(code, p.period.start), int(p.value))  # type: ignore[attr-defined]
            for p in held
        ]
        if keys and indicator.summable:
            linked.total(year_key(code, year), keys)
        return
    for p in held:
        start = p.period.start  # type: ignore[attr-defined]
        numerator, denominator = p.numerator, p.denominator  # type: ignore[attr-defined]
        if numerator is None or denominator is None:
            continue
        num = linked.cell(numerator_key(code, start), int(numerator))
        den = linked.cell(denominator_key(code, start), int(denominator))
        linked.rate(rate_key(code, start), num, den, scale_of(indicator))


@source("insight.dataset")
def dataset(linked: LinkedTables, year: int) -> None:
    """Every indicator with a value in the year: its public CSV."""
    from safeguarding.insight.queries import year_points

    for indicator, held in year_points(year):
        add_indicator(linked, indicator, held, year)
