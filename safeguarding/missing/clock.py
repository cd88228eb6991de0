"""The missing tracker's clocks (docs/decisions/0038-return-interview-clock.md).

The return home interview is due 72 elapsed hours after the return: counted on the
instant, not the calendar, so that across a change of clocks the deadline on the wall
is an hour earlier or later than the return's time of day. The school hears of a
return on the next school day: Monday to Friday, not a bank holiday in England, and not
in the school holidays the partnership keeps (models.SchoolHoliday, decision 0047).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
INTERVIEW_HOURS = 72


def interview_due(returned_at: datetime) -> datetime:
    """When the return home interview must have been offered by (aware, in London time)."""
    if returned_at.tzinfo is None:
        raise ValueError("The return's time must carry its time zone.")
    return (returned_at.astimezone(UTC) + timedelta(hours=INTERVIEW_HOURS)).astimezone(LONDON)


def within_72_hours(returned_at: datetime, at: datetime | None) -> bool:
    """Whether something done `at` was within the 72 hours after the return."""
    return at is not None and at <= interview_due(returned_at)


@cache
def bank_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


Holidays = Iterable[tuple[date, date]]  # school holidays, first and last days


def is_school_day(day: date, holidays: Holidays = ()) -> bool:
    return (
        day.weekday() < 5
        and day not in bank_holidays(day.year)
        and not any(first <= day <= last for first, last in holidays)
    )


def next_school_day(returned_at: datetime, holidays: Holidays = ()) -> date:
    """The first school day after the day (in London) on which the child returned."""
    closed = list(holidays)
    day = returned_at.astimezone(LONDON).date() + timedelta(days=1)
    while not is_school_day(day, closed):
        day += timedelta(days=1)
    return day
