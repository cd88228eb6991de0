"""The data set's feed from the young carers register: one period's counts.

Counts only (no child named), read through `access.rows_for_counts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q

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
    return feeds([(start, end)], today=today)[0]


def feeds(periods: list[tuple[date, date]], *, today: date | None = None) -> list[YoungCarersFeed]:
    """`feed` for several periods: one query for the registrations and one for the
    reviews (a filtered count per period and figure)."""
    if not periods:
        return []
    carer_counts: dict[str, Count] = {}
    review_counts: dict[str, Count] = {}
    for i, (start, end) in enumerate(periods):
        on_register = Q(identified_on__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        carer_counts[f"on{i}"] = Count("pk", filter=on_register)
        carer_counts[f"adults{i}"] = Count("pk", filter=on_register & Q(young_adult_carer=True))
        carer_counts[f"identified{i}"] = Count("pk", filter=Q(identified_on__range=(start, end)))
        carer_counts[f"outstanding{i}"] = Count(
            "pk",
            filter=Q(
                closed_on__isnull=True,
                next_review_on__range=(start, end),
                next_review_on__lt=today or end,
            ),
        )
        due = Q(was_due_on__range=(start, end))
        review_counts[f"due{i}"] = Count("pk", filter=due)
        review_counts[f"in_time{i}"] = Count("pk", filter=due & Q(held_on__lte=F("was_due_on")))
    carers = access.rows_for_counts(YoungCarer).aggregate(**carer_counts)
    reviews = access.rows_for_counts(Review).aggregate(**review_counts)
    return [
        YoungCarersFeed(
            period_start=start,
            period_end=end,
            on_register=carers[f"on{i}"],
            identified=carers[f"identified{i}"],
            young_adult_carers=carers[f"adults{i}"],
            reviews_due=reviews[f"due{i}"] + carers[f"outstanding{i}"],
            reviewed_in_time=reviews[f"in_time{i}"],
        )
        for i, (start, end) in enumerate(periods)
    ]
