"""The missing tracker's figures for the data set (insight/computed.py): counts only.

A period ending before the first episode the hub holds gives None, so that the
partnership's figures from before the hub are left as they were.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Min

from safeguarding.core import access
from safeguarding.core.indicators import Ratio, computed
from safeguarding.missing import queries
from safeguarding.missing.models import Episode


def _in_use_by(end: date) -> bool:
    first = access.rows_for_counts(Episode).aggregate(first=Min("reported_at"))["first"]
    return first is not None and first < queries._instant(end + timedelta(days=1))


@computed("missing-episodes-recorded")
def episodes_recorded(start: date, end: date) -> int | None:
    return queries.figures(start, end).episodes if _in_use_by(end) else None


@computed("missing-children-recorded")
def children_recorded(start: date, end: date) -> int | None:
    return queries.figures(start, end).children_missing if _in_use_by(end) else None


@computed("missing-rhi-offered-72h")
def interviews_offered_in_72_hours(start: date, end: date) -> Ratio | None:
    """Returns in the period whose interview was offered within 72 hours, % of returns;
    None for a period without returns."""
    if not _in_use_by(end):
        return None
    f = queries.figures(start, end)
    return Ratio(f.offered_in_72_hours, f.returns, places=1) if f.returns else None


@computed("missing-rhi-completed-72h")
def interviews_completed_in_72_hours(start: date, end: date) -> Ratio | None:
    if not _in_use_by(end):
        return None
    f = queries.figures(start, end)
    return Ratio(f.completed_in_72_hours, f.returns, places=1) if f.returns else None


@computed("missing-repeat-children")
def repeat_children(start: date, end: date) -> int | None:
    """Children over the repeat threshold in the rolling window ending at the period's end."""
    if not _in_use_by(end):
        return None
    until = queries._instant(end + timedelta(days=1))
    return queries.repeat_missing(access.rows_for_counts(Episode), now=until).count()
