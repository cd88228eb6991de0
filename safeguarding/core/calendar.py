"""The hub's calendar, shared by every app (decision 0063): the time zone, months,
financial years, working days and school days.

Times are shown and days are counted in Europe/London (`LONDON`).

Working days: Monday to Friday, less the bank holidays of England and Wales.
The statutory clocks of the learning cycle run in working days (DOMAIN.md): a serious
incident is notified to the National Panel within 5 working days of the local authority
becoming aware, a rapid review is held within 15 working days of the notification; a
training booking may be cancelled up to so many working days before the session. The bank
holidays come from the `holidays` package, which ships them (substitute days and one-off
holidays such as a state funeral included): nothing is downloaded at run time.

"Add N working days" counts from the day after the start, the way the statutory guidance is
read: aware on a Monday, 5 working days on is the next Monday. The start day itself never
counts, whether or not it is a working day.

School days (the missing tracker's notices to schools): working days that are not in the
school holidays the partnership keeps (missing's `SchoolHoliday`, decision 0047).

Financial years run April to March by default and are named by the year they start in
(2024 for 2024/25).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
FINANCIAL_YEAR_START_MONTH = 4  # April


# Months and financial years -----------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), the month's last day if it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def financial_year(
    day: date, start_month: int = FINANCIAL_YEAR_START_MONTH, start_day: int = 1
) -> int:
    """The financial year a day falls in, by the year it starts (2024 for 2024/25)."""
    return day.year if (day.month, day.day) >= (start_month, start_day) else day.year - 1


def financial_year_bounds(
    year: int, start_month: int = FINANCIAL_YEAR_START_MONTH, start_day: int = 1
) -> tuple[date, date]:
    """First day and the day after the last of financial year `year` (2024: 1 April 2024 to
    1 April 2025)."""
    return date(year, start_month, start_day), date(year + 1, start_month, start_day)


def year_label(year: int) -> str:
    """A financial year as people write it: 2024/25."""
    return f"{year}/{str(year + 1)[-2:]}"


# Working days -------------------------------------------------------------------------


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> holidays.HolidayBase:
    """England's bank holidays of a year, by day, with their names."""
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(bank_holidays(year).keys())


def bank_holiday_name(day: date) -> str | None:
    """The bank holiday's name, or None on any other day."""
    name = bank_holidays(day.year).get(day)
    return str(name) if name else None


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (before it when `days` is negative).

    `add_working_days(d, 0)` is `d` itself, working day or not.
    """
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    day = start
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier.

    The inverse of add_working_days: `working_days_between(d, add_working_days(d, n)) == n`.
    """
    if end == start:
        return 0
    if end < start:
        return -working_days_between(end, start)
    count = 0
    # Whole weeks first: five weekdays each, less the bank holidays that fall in them.
    span = (end - start).days
    weeks, rest = divmod(span, 7)
    count = weeks * 5
    first = start + timedelta(days=1)
    last_of_weeks = start + timedelta(days=weeks * 7)
    for year in range(first.year, last_of_weeks.year + 1):
        count -= sum(
            1 for h in _bank_holidays(year) if first <= h <= last_of_weeks and h.weekday() < 5
        )
    day = last_of_weeks
    for _ in range(rest):
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def working_days_before(day: date, n: int) -> date:
    """The date n working days before `day` (day itself not counted)."""
    return add_working_days(day, -n)


# School days --------------------------------------------------------------------------

Holidays = Iterable[tuple[date, date]]  # school holidays, first and last days


def is_school_day(day: date, holidays: Holidays = ()) -> bool:
    return is_working_day(day) and not any(first <= day <= last for first, last in holidays)


def next_school_day(returned_at: datetime, holidays: Holidays = ()) -> date:
    """The first school day after the day (in London) of `returned_at`."""
    closed = list(holidays)
    day = returned_at.astimezone(LONDON).date() + timedelta(days=1)
    while not is_school_day(day, closed):
        day += timedelta(days=1)
    return day
