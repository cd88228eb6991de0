"""The training figures the data set computes (insight/computed.py): counts only.

A period before the first session (or, for e-learning, the first completion) the hub
holds gives None: the partnership's figures from before the hub are left as they were.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from safeguarding.core.indicators import computed
from safeguarding.training.models import (
    Booking,
    BookingStatus,
    ELearningCompletion,
    TrainingSession,
)


def _instant(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _in_use_by(end: date) -> bool:
    first = TrainingSession.objects.aggregate(first=Min("starts_at"))["first"]
    return first is not None and first < _instant(end + timedelta(days=1))


def _registers(start: date, end: date) -> dict[str, int]:
    """Attended and no-show bookings of the sessions held in the period (up to now)."""
    held = Booking.objects.filter(
        session__starts_at__gte=_instant(start),
        session__starts_at__lt=_instant(end + timedelta(days=1)),
        session__starts_at__lte=timezone.now(),
    )
    return held.aggregate(
        attended=Count("pk", filter=Q(status=BookingStatus.ATTENDED)),
        no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
    )


@computed("training-attendees")
def attendees(start: date, end: date) -> int | None:
    if not _in_use_by(end):
        return None
    return _registers(start, end)["attended"]


@computed("training-no-shows")
def no_shows(start: date, end: date) -> float | None:
    """No-shows as a percentage of the places booked (attended or not) at sessions held."""
    if not _in_use_by(end):
        return None
    counts = _registers(start, end)
    booked = counts["attended"] + counts["no_shows"]
    return 100 * counts["no_shows"] / booked if booked else None


@computed("elearning-completions")
def elearning_completions(start: date, end: date) -> int | None:
    completions = ELearningCompletion.objects.all()
    first = completions.aggregate(first=Min("completed_on"))["first"]
    if first is None or first > end:
        return None
    return completions.filter(completed_on__range=(start, end)).count()
