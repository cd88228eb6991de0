"""Reads of the missing tracker: lists, the overdue interviews, repeat missing, figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from safeguarding.core import access, calendar, paging
from safeguarding.core.calendar import LONDON
from safeguarding.missing import access as missing_access
from safeguarding.missing.models import Episode, InterviewStatus, ReturnInterview, SchoolHoliday

PAGE_SIZE = paging.PAGE_SIZE


def school_holidays(since: date | None = None) -> list[tuple[date, date]]:
    """The school holidays kept (first and last days), those ending on `since` or later."""
    rows = SchoolHoliday.objects.all()
    if since is not None:
        rows = rows.filter(last_day__gte=since)
    return list(rows.values_list("first_day", "last_day"))


def next_school_day(returned_at: datetime) -> date:
    """The day a school hears of a return: the next school day, holidays kept counted."""
    return calendar.next_school_day(returned_at, school_holidays(returned_at.date()))


def repeat_threshold() -> int:
    """Episodes in the window that make a child repeat missing (at least this many)."""
    return int(getattr(settings, "MISSING_REPEAT_THRESHOLD", 3))


def repeat_window_days() -> int:
    return int(getattr(settings, "MISSING_REPEAT_WINDOW_DAYS", 90))


def tracker(episodes: QuerySet[Episode], show: str) -> QuerySet[Episode]:
    """The tracker's episodes: open ones (longest missing first) or all, newest first."""
    if show == "open":
        return episodes.filter(returned_at__isnull=True).order_by("reported_at", "pk")
    return episodes.order_by("-reported_at", "-pk")


def overdue(
    interviews: QuerySet[ReturnInterview], now: datetime | None = None
) -> QuerySet[ReturnInterview]:
    """Interviews still to be offered whose 72 hours have run out, most overdue first."""
    return interviews.filter(status=InterviewStatus.DUE, due_at__lt=now or timezone.now()).order_by(
        "due_at", "pk"
    )


def tracker_shown(episodes: QuerySet[Episode]) -> QuerySet[Episode]:
    """What the tracker's page shows of each episode."""
    return missing_access.with_interview(episodes.select_related("child", "agency"))


def overdue_shown(interviews: QuerySet[ReturnInterview]) -> QuerySet[ReturnInterview]:
    return interviews.select_related("child", "episode", "episode__agency")


def repeat_missing(
    episodes: access.Counts[Episode],
    *,
    now: datetime | None = None,
    threshold: int | None = None,
    window_days: int | None = None,
) -> access.Grouped:
    """Children (keys only) with at least `threshold` episodes reported in the rolling
    window ending now, most episodes first: counted over `rows_for_counts`, so each row
    is a child's key, their count and their last report, never an episode."""
    now = now or timezone.now()
    threshold = threshold or repeat_threshold()
    since = now - timedelta(days=window_days or repeat_window_days())
    return (
        episodes.filter(reported_at__gt=since, reported_at__lte=now)
        .grouped("child_id", episodes=Count("pk"), last=Max("reported_at"))
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
    rows = list(repeat_missing(access.rows_for_counts(Episode)))
    visible = access.visible_children_among(
        request, [row["child_id"] for row in rows], purpose="repeat missing"
    )
    return [
        RepeatMissing(visible[row["child_id"]], row["episodes"], row["last"])
        for row in rows
        if row["child_id"] in visible
    ]


@dataclass(frozen=True)
class PanelRepeatMissing:
    """Repeat-missing children not on a panel's list, for its meeting: those the member
    may see, by name, and how many others (another agency is involved with them)."""

    children: list[RepeatMissing]
    others: int
    threshold: int = field(default_factory=repeat_threshold)
    window: int = field(default_factory=repeat_window_days)


def repeat_missing_for_panel(request: Any, panel_id: int) -> PanelRepeatMissing:
    """Children over the repeat threshold who are not on the panel's list now (never
    referred, or taken off it since), for a member of the panel: the risk assessment
    meeting's agenda shows them so that an involved member refers them
    (exploitation.actions.refer). Nothing for anyone not on the panel. Children the
    member may not see are counted, never named."""
    from safeguarding.children import queries as child_index

    if not access.is_panel_member(request.user, panel_id):
        return PanelRepeatMissing([], 0)
    listed = child_index.on_panel_list(request.user, panel_id)
    rows = [
        row
        for row in repeat_missing(access.rows_for_counts(Episode))
        if row["child_id"] not in listed
    ]
    visible = access.visible_children_among(
        request, [row["child_id"] for row in rows], purpose="repeat missing, for the panel"
    )
    shown = [
        RepeatMissing(visible[row["child_id"]], row["episodes"], row["last"])
        for row in rows
        if row["child_id"] in visible
    ]
    return PanelRepeatMissing(shown, len(rows) - len(shown))


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
    return period_figures([(start, end)])[0]


def period_figures(periods: list[tuple[date, date]]) -> list[PeriodFigures]:
    """`figures` for several periods: one query for the episodes' counts, one for the
    interviews' (a filtered count per period) and one for repeat missing."""
    spans = [(_instant(start), _instant(end + timedelta(days=1))) for start, end in periods]
    episodes = access.rows_for_counts(Episode)
    counts: dict[str, Any] = {}
    for i, (since, until) in enumerate(spans):
        reported = Q(reported_at__gte=since, reported_at__lt=until)
        counts[f"n{i}"] = Count("pk", filter=reported)
        counts[f"children{i}"] = Count("child", distinct=True, filter=reported)
    if not spans:
        return []
    first, last = min(since for since, _ in spans), max(until for _, until in spans)
    reported_counts = episodes.filter(reported_at__gte=first, reported_at__lt=last).aggregate(
        **counts
    )
    counts = {}
    for i, (since, until) in enumerate(spans):
        returned = Q(episode__returned_at__gte=since, episode__returned_at__lt=until)
        counts[f"returns{i}"] = Count("pk", filter=returned)
        counts[f"offered{i}"] = Count("pk", filter=returned & Q(offered_at__lte=F("due_at")))
        counts[f"completed{i}"] = Count(
            "pk",
            filter=returned & Q(status=InterviewStatus.COMPLETED, completed_at__lte=F("due_at")),
        )
    interview_counts = (
        access.rows_for_counts(ReturnInterview)
        .filter(episode__returned_at__gte=first, episode__returned_at__lt=last)
        .aggregate(**counts)
    )
    repeat = repeat_missing_at([until for _, until in spans])
    return [
        PeriodFigures(
            start=start,
            end=end,
            episodes=reported_counts[f"n{i}"],
            children_missing=reported_counts[f"children{i}"],
            returns=interview_counts[f"returns{i}"],
            offered_in_72_hours=interview_counts[f"offered{i}"],
            completed_in_72_hours=interview_counts[f"completed{i}"],
            repeat_missing=repeat[i],
        )
        for i, (start, end) in enumerate(periods)
    ]


def repeat_missing_at(ends: list[datetime]) -> list[int]:
    """How many children were repeat missing at each of these moments, in one query: each
    child's episodes in each window, then the children at or over the threshold in each."""
    if not ends:
        return []
    threshold, window = repeat_threshold(), timedelta(days=repeat_window_days())
    windows = {
        f"w{i}": Count("pk", filter=Q(reported_at__gt=end - window, reported_at__lte=end))
        for i, end in enumerate(ends)
    }
    per_child = (
        access.rows_for_counts(Episode)
        .filter(reported_at__gt=min(ends) - window, reported_at__lte=max(ends))
        .grouped("child_id", **windows)
    )
    counted = per_child.aggregate(
        **{
            f"r{i}": Count("child_id", filter=Q(**{f"w{i}__gte": threshold}))
            for i in range(len(ends))
        }
    )
    return [counted[f"r{i}"] for i in range(len(ends))]


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
    return period_figures(months(last, count))


def school_holidays_kept(today: date) -> QuerySet[SchoolHoliday]:
    """The holidays kept, from a year back: the ones a return can still fall in."""
    since = today - timedelta(days=365)
    return SchoolHoliday.objects.filter(last_day__gte=since).select_related("added_by")


def school_holiday(pk: int) -> SchoolHoliday:
    holiday = SchoolHoliday.objects.filter(pk=pk).first()
    if holiday is None:
        raise Http404("No such holiday.")
    return holiday
