"""The cancellation deadline, in Europe/London; the calendar itself is core/calendar.py
(working days less England's bank holidays, financial years)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from safeguarding.core.calendar import working_days_before


def cancellation_deadline(starts_at: datetime, working_days: int) -> date:
    """The last day a booking may be cancelled without it counting as late: up to and
    including the day `working_days` working days before the session's day."""
    return working_days_before(timezone.localtime(starts_at).date(), working_days)


def local_today() -> date:
    return timezone.localdate()
