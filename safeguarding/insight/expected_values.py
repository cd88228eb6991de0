"""What is expected of an agency for the data set, and what is late or missing: read by
the agency's and the partnership officer's pages and by the reminders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from safeguarding.core.models import Agency
from safeguarding.insight.models import (
    Indicator,
    Submission,
)
from safeguarding.insight.periods import Frequency, Period
from safeguarding.insight.protection.model import LinkedTables as LinkedTables

# Submissions: what is expected of an agency, and what is late or missing.


@dataclass(frozen=True)
class Expected:
    indicator: Indicator
    period: Period
    agency: Agency
    submission: Submission | None

    @property
    def status(self) -> str:
        if self.submission is not None:
            return "late" if self.submission.was_late else "received"
        return "overdue" if timezone.localdate() > self.period.due else "due"

    @property
    def status_label(self) -> str:
        return {
            "received": "Received",
            "late": "Received late",
            "overdue": "Overdue",
            "due": f"Due {self.period.due.day} {self.period.due:%B %Y}",
        }[self.status]


def submitted_indicators(agency: Agency) -> QuerySet[Indicator]:
    return Indicator.objects.filter(active=True, computed=False, source_agency=agency)


def expected_values(
    agency: Agency | None, today: dt.date, *, periods_back: int = 12
) -> list[Expected]:
    """For each submitted indicator (of one agency, or all): its recent periods that have
    ended, with the value held if any, newest period first."""
    indicators = Indicator.objects.filter(active=True, computed=False, source_agency__isnull=False)
    if agency is not None:
        indicators = indicators.filter(source_agency=agency)
    indicators = indicators.select_related("source_agency")
    wanted: dict[int, list[Period]] = {}
    for indicator in indicators:
        frequency = Frequency(indicator.frequency)
        back = periods_back if frequency == Frequency.MONTHLY else max(periods_back // 3, 1)
        last = _last_ended(today, frequency)
        wanted[indicator.pk] = [last.shift(-k) for k in range(back)]
    starts = {p.start for periods in wanted.values() for p in periods}
    # One read of every value held in the window, not one per indicator.
    held = {
        (s.indicator_id, s.agency_id, s.period_start): s
        for s in Submission.objects.filter(
            indicator_id__in=list(wanted), period_start__in=sorted(starts)
        )
    }
    out: list[Expected] = []
    for indicator in indicators:
        source = indicator.source_agency
        if source is None:
            continue
        out.extend(
            Expected(indicator, p, source, held.get((indicator.pk, source.pk, p.start)))
            for p in wanted[indicator.pk]
        )
    return sorted(out, key=lambda e: (-e.period.start.toordinal(), e.indicator.title))


def _last_ended(today: dt.date, frequency: Frequency) -> Period:
    from safeguarding.insight.periods import last_complete

    return last_complete(today, frequency)


def overdue_values(today: dt.date) -> list[Expected]:
    return [
        e
        for e in expected_values(None, today, periods_back=3)
        if e.submission is None and today > e.period.due
    ]
