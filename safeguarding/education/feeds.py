"""The data set's feed from the education trackers: one period's counts.

Counts only (no child named), read through `access.rows_for_counts`. Rates are set
against the population figure in force at the period's end (models.Population).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

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
    return feeds([(start, end)])[0]


def _open_at(end: date, started: str, ended: str) -> Q:
    return Q(**{f"{started}__lte": end}) & (
        Q(**{f"{ended}__isnull": True}) | Q(**{f"{ended}__gt": end})
    )


def feeds(periods: list[tuple[date, date]]) -> list[EducationFeed]:
    """The periods' figures: one query for the CME cases and one for the EHE register
    (a filtered count per period and figure), and the population figures."""
    if not periods:
        return []
    cme: dict[str, Count] = {}
    ehe: dict[str, Count] = {}
    for i, (start, end) in enumerate(periods):
        cme[f"open{i}"] = Count("pk", filter=_open_at(end, "referred_on", "closed_on"))
        cme[f"referred{i}"] = Count("pk", filter=Q(referred_on__range=(start, end)))
        cme[f"closed{i}"] = Count("pk", filter=Q(closed_on__range=(start, end)))
        ehe[f"on{i}"] = Count(
            "child", distinct=True, filter=_open_at(end, "started_on", "ended_on")
        )
        ehe[f"started{i}"] = Count("pk", filter=Q(started_on__range=(start, end)))
    cases = access.rows_for_counts(CmeCase).aggregate(**cme)
    register = access.rows_for_counts(EheRecord).aggregate(**ehe)
    found = []
    for i, (start, end) in enumerate(periods):
        population = queries.population_on(end)
        found.append(
            EducationFeed(
                period_start=start,
                period_end=end,
                cme_open=cases[f"open{i}"],
                cme_referred=cases[f"referred{i}"],
                cme_closed=cases[f"closed{i}"],
                cme_rate=queries.rate(cases[f"open{i}"], population, per=100),
                ehe_count=register[f"on{i}"],
                ehe_started=register[f"started{i}"],
                ehe_rate=queries.rate(register[f"on{i}"], population, per=1000),
                population=population.count if population else None,
            )
        )
    return found
