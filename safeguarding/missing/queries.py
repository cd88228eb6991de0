"""Reads of the missing tracker: lists, the overdue interviews, repeat missing, figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property

from safeguarding.core import access
from safeguarding.missing.clock import LONDON
from safeguarding.missing.models import Episode, InterviewStatus, ReturnInterview

PAGE_SIZE = 50
# The tracker's lists page through at most this many rows (20 pages).
LIST_LIMIT = 1000


def repeat_threshold() -> int:
    """Episodes in the window that make a child repeat missing (at least this many)."""
    return int(getattr(settings, "MISSING_REPEAT_THRESHOLD", 3))


def repeat_window_days() -> int:
    return int(getattr(settings, "MISSING_REPEAT_WINDOW_DAYS", 90))


def tracker(episodes: QuerySet[Episode], show: str) -> QuerySet[Episode]:
    """The tracker's episodes: open ones (longest missing first) or all, newest first."""
    episodes = episodes.select_related("child", "agency", "interview")
    if show == "open":
        return episodes.filter(returned_at__isnull=True).order_by("reported_at", "pk")
    return episodes.order_by("-reported_at", "-pk")


def overdue(
    interviews: QuerySet[ReturnInterview], now: datetime | None = None
) -> QuerySet[ReturnInterview]:
    """Interviews still to be offered whose 72 hours have run out, most overdue first."""
    return (
        interviews.filter(status=InterviewStatus.DUE, due_at__lt=now or timezone.now())
        .select_related("child", "episode", "episode__agency")
        .order_by("due_at", "pk")
    )


def repeat_missing(
    episodes: QuerySet[Episode],
    *,
    now: datetime | None = None,
    threshold: int | None = None,
    window_days: int | None = None,
) -> QuerySet[Any]:
    """Children (keys only) with at least `threshold` episodes reported in the rolling
    window ending now, most episodes first."""
    now = now or timezone.now()
    threshold = threshold or repeat_threshold()
    since = now - timedelta(days=window_days or repeat_window_days())
    return (
        episodes.filter(reported_at__gt=since, reported_at__lte=now)
        .values("child_id")
        .annotate(episodes=Count("pk"), last=Max("reported_at"))
        .filter(episodes__gte=threshold)
        .order_by("-episodes", "-last", "child_id")
    )


@dataclass(frozen=True)
class RepeatMissing:
    child: Any
    episodes: int
    last: datetime


def repeat_missing_children(request: Any) -> list[RepeatMissing]:
    """The repeat-missing children the user may see: counted over every episode (a child
    counts as repeat missing whoever recorded the episodes), then checked once per child."""
    rows = list(repeat_missing(access.missing_rows_for_counts(Episode)))
    visible = access.missing_visible_children_among(
        request, [row["child_id"] for row in rows], purpose="repeat missing"
    )
    return [
        RepeatMissing(visible[row["child_id"]], row["episodes"], row["last"])
        for row in rows
        if row["child_id"] in visible
    ]


class CappedPaginator(Paginator):
    """Counts no further than `limit` rows: past it, the user narrows the list. Counting
    every episode the user may see checks the access rule for each (bench_missing.py)."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, limit: int = LIST_LIMIT) -> None:
        super().__init__(object_list, per_page)
        self.queryset = object_list
        self.limit = limit

    @cached_property
    def counted(self) -> int:
        return self.queryset[: self.limit + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.limit)

    @property
    def more(self) -> bool:
        return self.counted > self.limit


# --- Figures (the data set's feeds) ---


@dataclass(frozen=True)
class PeriodFigures:
    start: date
    end: date  # inclusive
    episodes: int
    children_missing: int
    returns: int
    offered_in_72_hours: int
    completed_in_72_hours: int
    repeat_missing: int

    @property
    def offered_in_72_hours_percent(self) -> float | None:
        return round(100 * self.offered_in_72_hours / self.returns, 1) if self.returns else None

    @property
    def completed_in_72_hours_percent(self) -> float | None:
        return round(100 * self.completed_in_72_hours / self.returns, 1) if self.returns else None


def _instant(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def figures(start: date, end: date) -> PeriodFigures:
    """The feeds' figures for a period (days inclusive, London time): episodes reported,
    distinct children missing, returns and interviews offered and completed within 72
    hours of them, and children repeat missing at the period's end."""
    since, until = _instant(start), _instant(end + timedelta(days=1))
    episodes = access.missing_rows_for_counts(Episode)
    reported = episodes.filter(reported_at__gte=since, reported_at__lt=until).aggregate(
        n=Count("pk"), children=Count("child", distinct=True)
    )
    interviews = access.missing_rows_for_counts(ReturnInterview).filter(
        episode__returned_at__gte=since, episode__returned_at__lt=until
    )
    counted = interviews.aggregate(
        returns=Count("pk"),
        offered=Count("pk", filter=Q(offered_at__lte=F("due_at"))),
        completed=Count(
            "pk", filter=Q(status=InterviewStatus.COMPLETED, completed_at__lte=F("due_at"))
        ),
    )
    repeat = repeat_missing(episodes, now=until).count()
    return PeriodFigures(
        start=start,
        end=end,
        episodes=reported["n"],
        children_missing=reported["children"],
        returns=counted["returns"],
        offered_in_72_hours=counted["offered"],
        completed_in_72_hours=counted["completed"],
        repeat_missing=repeat,
    )


def months(last: date, count: int) -> list[tuple[date, date]]:
    """The `count` calendar months up to and including the one holding `last`, oldest first."""
    spans = []
    first = last.replace(day=1)
    for _ in range(count):
        following = (first + timedelta(days=32)).replace(day=1)
        spans.append((first, following - timedelta(days=1)))
        first = (first - timedelta(days=1)).replace(day=1)
    return spans[::-1]


def monthly_figures(last: date, count: int = 12) -> list[PeriodFigures]:
    return [figures(start, end) for start, end in months(last, count)]
