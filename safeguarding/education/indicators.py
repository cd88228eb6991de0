"""The education trackers' figures for the data set (insight/computed.py): counts only.

A period ending before the first CME case (or, for home education, the first record on
the register) the hub holds gives None: figures from before the hub are left as they were.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Min

from safeguarding.core import access
from safeguarding.core.indicators import computed
from safeguarding.education import feeds
from safeguarding.education.models import CmeCase, EheRecord


def _cme_in_use_by(end: date) -> bool:
    first = access.rows_for_counts(CmeCase).aggregate(first=Min("referred_on"))["first"]
    return first is not None and first <= end


def _ehe_in_use_by(end: date) -> bool:
    first = access.rows_for_counts(EheRecord).aggregate(first=Min("started_on"))["first"]
    return first is not None and first <= end


@computed("cme-referrals")
def cme_referrals(start: date, end: date) -> int | None:
    return feeds.feed(start, end).cme_referred if _cme_in_use_by(end) else None


@computed("cme-open-recorded")
def cme_open(start: date, end: date) -> int | None:
    """CME cases open at the period's end."""
    return feeds.feed(start, end).cme_open if _cme_in_use_by(end) else None


@computed("ehe-recorded")
def ehe_recorded(start: date, end: date) -> int | None:
    """Children on the EHE register at the period's end."""
    return feeds.feed(start, end).ehe_count if _ehe_in_use_by(end) else None


@computed("ehe-started")
def ehe_started(start: date, end: date) -> int | None:
    return feeds.feed(start, end).ehe_started if _ehe_in_use_by(end) else None
