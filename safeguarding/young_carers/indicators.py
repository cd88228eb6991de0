"""The young carers register's figures for the data set (insight/computed.py): counts only.

A period ending before the first young carer the hub holds gives None: figures from
before the hub are left as they were.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Min
from django.utils import timezone

from safeguarding.core import access
from safeguarding.core.indicators import Ratio, computed
from safeguarding.young_carers import feeds
from safeguarding.young_carers.models import YoungCarer


def _in_use_by(end: date) -> bool:
    first = access.rows_for_counts(YoungCarer).aggregate(first=Min("identified_on"))["first"]
    return first is not None and first <= end


@computed("young-carers-identified")
def identified(start: date, end: date) -> int | None:
    return feeds.feed(start, end).identified if _in_use_by(end) else None


@computed("young-carers-on-register")
def on_register(start: date, end: date) -> int | None:
    """Young carers (and young adult carers) on the register at the period's end."""
    return feeds.feed(start, end).on_register if _in_use_by(end) else None


@computed("young-carers-reviewed-in-time")
def reviewed_in_time(start: date, end: date) -> Ratio | None:
    """Reviews due in the period held by their due date, % of reviews due (a review due
    and still not held today counts as due, not in time); None when none fell due."""
    if not _in_use_by(end):
        return None
    figures = feeds.feed(start, end, today=timezone.localdate())
    if not figures.reviews_due:
        return None
    return Ratio(figures.reviewed_in_time, figures.reviews_due)
