"""The data set's feed from the young carers register: one period's counts.

Counts only (no child named), read through `access.tracker_counts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q

from safeguarding.core import access
from safeguarding.young_carers.models import Review, YoungCarer


@dataclass(frozen=True)
class YoungCarersFeed:
    period_start: date
    period_end: date
    on_register: int  # open at the period's end
    identified: int  # newly identified in the period
    young_adult_carers: int  # of those on the register, aged 18 to 25
    reviews_due: int  # reviews falling due in the period, held or not yet
    reviewed_in_time: int  # of those, held on or before the date they were due


def feed(start: date, end: date, *, today: date | None = None) -> YoungCarersFeed:
    """One period's figures. A review due in the period counts as due whether held or not:
    held (a Review with that due date) or still outstanding (an open registration whose
    next review date is in the period and has passed by `today`)."""
    carers = access.tracker_counts(YoungCarer)
    on_register = carers.filter(identified_on__lte=end).exclude(closed_on__lte=end)
    reviews = access.tracker_counts(Review).filter(was_due_on__range=(start, end))
    outstanding = carers.filter(
        closed_on__isnull=True,
        next_review_on__range=(start, end),
        next_review_on__lt=today or end,
    ).count()
    return YoungCarersFeed(
        period_start=start,
        period_end=end,
        on_register=on_register.count(),
        identified=carers.filter(identified_on__range=(start, end)).count(),
        young_adult_carers=on_register.filter(young_adult_carer=True).count(),
        reviews_due=reviews.count() + outstanding,
        reviewed_in_time=reviews.filter(Q(held_on__lte=F("was_due_on"))).count(),
    )
