"""The data set's feed from the education trackers: one period's counts.

Counts only (no child named), read through `access.tracker_counts`. Rates are set
against the population figure in force at the period's end (models.Population).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from safeguarding.core import access
from safeguarding.education import queries
from safeguarding.education.models import CmeCase, EheRecord


@dataclass(frozen=True)
class EducationFeed:
    period_start: date
    period_end: date
    cme_open: int  # CME cases open at the period's end
    cme_referred: int  # referred in the period
    cme_closed: int  # closed in the period
    cme_rate: float | None  # open at the end, % of the population
    ehe_count: int  # children on the EHE register at the period's end
    ehe_started: int  # started home education in the period
    ehe_rate: float | None  # per 1,000 of the population
    population: int | None


def feed(start: date, end: date) -> EducationFeed:
    cases = access.tracker_counts(CmeCase)
    ehe = access.tracker_counts(EheRecord)
    population = queries.population_on(end)
    cme_open = queries.cme_open_on(end)
    ehe_count = queries.ehe_on(end)
    return EducationFeed(
        period_start=start,
        period_end=end,
        cme_open=cme_open,
        cme_referred=cases.filter(referred_on__range=(start, end)).count(),
        cme_closed=cases.filter(closed_on__range=(start, end)).count(),
        cme_rate=queries.rate(cme_open, population, per=100),
        ehe_count=ehe_count,
        ehe_started=ehe.filter(started_on__range=(start, end)).count(),
        ehe_rate=queries.rate(ehe_count, population, per=1000),
        population=population.count if population else None,
    )
