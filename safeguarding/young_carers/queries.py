"""Reads of the young carers register, always through core/access/."""

from __future__ import annotations

import calendar
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Min, QuerySet
from django.http import HttpRequest

from safeguarding.core import access
from safeguarding.core.calendar import add_months
from safeguarding.young_carers import access as young_carers_access
from safeguarding.young_carers.models import OVERSIGHT_MONTHS, Review, YoungCarer


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def register(request: HttpRequest, *, show: str = "open") -> QuerySet[YoungCarer]:
    """The registrations about children the user may see, earliest identified first."""
    rows = access.list_rows(
        request, YoungCarer, purpose="young carers register", detail={"show": show}
    )
    if show == "open":
        rows = rows.filter(closed_on__isnull=True)
    return rows.order_by("identified_on", "pk")


def register_shown(rows: QuerySet[YoungCarer]) -> QuerySet[YoungCarer]:
    return rows.select_related("child", "agency")


def for_child(granted: access.ChildAccess) -> QuerySet[YoungCarer]:
    return (
        access.rows_for_child(granted, YoungCarer)
        .select_related("agency")
        .order_by("-identified_on")
    )


def reviews_of(granted: access.ChildAccess, carer: YoungCarer) -> QuerySet[Review]:
    return (
        access.rows_for_child(granted, Review)
        .filter(young_carer=carer)
        .select_related("by")
        .order_by("-held_on", "-pk")
    )


def oversight(request: HttpRequest, today: date) -> QuerySet[YoungCarer]:
    """Young carers open more than six months, for the monthly tracking meeting, with the
    last review (what happened last); open longest first."""
    cutoff = add_months(today, -OVERSIGHT_MONTHS)
    return (
        access.list_rows(request, YoungCarer, purpose="young carers tracking meeting")
        .filter(closed_on__isnull=True, identified_on__lt=cutoff)
        .order_by("identified_on", "pk")
    )


def oversight_shown(rows: QuerySet[YoungCarer]) -> QuerySet[YoungCarer]:
    """What the tracking meeting's list shows of each: the last review."""
    return young_carers_access.with_last_review(rows.select_related("child", "agency"))


@dataclass(frozen=True)
class MonthCount:
    month: date  # the month's last day
    identified: int  # young carers on the register that day
    new: int  # identified during the month


def _days(groups: Iterable[dict[str, Any]], field: str) -> list[date]:
    """Each day of a count by day, as many times as it was counted, in order."""
    return sorted(day for group in groups for day in [group[field]] * group["n"])


def identification_by_month(first: date, last: date) -> list[MonthCount]:
    """Young carers on the register at each month's end from `first` to `last` (months),
    and how many were newly identified in each month. Aggregates only: no child named."""
    carers = access.rows_for_counts(YoungCarer)
    starts = _days(carers.grouped("identified_on", n=Count("pk")), "identified_on")
    stops = _days(carers.exclude(closed_on=None).grouped("closed_on", n=Count("pk")), "closed_on")
    months: list[MonthCount] = []
    cursor = date(first.year, first.month, 1)
    while cursor <= last:
        end = month_end(cursor.year, cursor.month)
        # On the register at the month's end: identified by then, less those closed by then.
        on_register = bisect_right(starts, end) - bisect_right(stops, end)
        new = bisect_right(starts, end) - bisect_left(starts, cursor)
        months.append(MonthCount(end, on_register, new))
        cursor = add_months(cursor, 1)
    return months


# The chart shows at most this many months unless a start is chosen.
CHART_MONTHS = 36


def first_identified(end: date) -> date:
    """Where the chart starts by default: the first identification, or 36 months back."""
    earliest = access.rows_for_counts(YoungCarer).aggregate(first=Min("identified_on"))["first"]
    floor = add_months(date(end.year, end.month, 1), -(CHART_MONTHS - 1))
    return max(earliest, floor) if earliest else floor
