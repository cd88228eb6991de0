"""Working days: Monday to Friday, less the bank holidays of England and Wales.

The statutory clocks of the learning cycle run in working days (DOMAIN.md): a serious
incident is notified to the National Panel within 5 working days of the local authority
becoming aware, a rapid review is held within 15 working days of the notification. The bank
holidays come from the `holidays` package, which ships them (substitute days and one-off
holidays such as a state funeral included): nothing is downloaded at run time.

"Add N working days" counts from the day after the start, the way the statutory guidance is
read: aware on a Monday, 5 working days on is the next Monday. The start day itself never
counts, whether or not it is a working day.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def bank_holiday_name(day: date) -> str | None:
    """The bank holiday's name, or None on any other day."""
    names = holidays.country_holidays("GB", subdiv="ENG", years=day.year)
    name = names.get(day)
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
