"""The missing tracker's clocks (docs/decisions/0038-return-interview-clock.md).

The return home interview is due 72 elapsed hours after the return: counted on the
instant, not the calendar, so that across a change of clocks the deadline on the wall
is an hour earlier or later than the return's time of day. The school hears of a
return on the next school day: Monday to Friday, not a bank holiday in England, and not
in the school holidays the partnership keeps (models.SchoolHoliday, decision 0047); the
school days are counted by core/calendar.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from safeguarding.core.calendar import LONDON

INTERVIEW_HOURS = 72


def interview_due(returned_at: datetime) -> datetime:
    """When the return home interview must have been offered by (aware, in London time)."""
    if returned_at.tzinfo is None:
        raise ValueError("The return's time must carry its time zone.")
    return (returned_at.astimezone(UTC) + timedelta(hours=INTERVIEW_HOURS)).astimezone(LONDON)


def within_72_hours(returned_at: datetime, at: datetime | None) -> bool:
    """Whether something done `at` was within the 72 hours after the return."""
    return at is not None and at <= interview_due(returned_at)
