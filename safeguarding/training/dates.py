"""Working days, the cancellation deadline and financial years, in Europe/London.

A working day is Monday to Friday and not one of England's bank holidays (the `holidays`
package's calendar, which ships with the hub: nothing is fetched at run time).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache

import holidays
from django.utils import timezone


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_before(day: date, n: int) -> date:
    """The date n working days before `day` (day itself not counted)."""
    current = day
    while n > 0:
        current -= timedelta(days=1)
        if is_working_day(current):
            n -= 1
    return current


def cancellation_deadline(starts_at: datetime, working_days: int) -> date:
    """The last day a booking may be cancelled without it counting as late: up to and
    including the day `working_days` working days before the session's day."""
    return working_days_before(timezone.localtime(starts_at).date(), working_days)


def local_today() -> date:
    return timezone.localdate()


def financial_year_of(day: date, start_month: int = 4, start_day: int = 1) -> int:
    """The financial year a day falls in, by the year it starts (2024 for 2024/25)."""
    return day.year if (day.month, day.day) >= (start_month, start_day) else day.year - 1


def financial_year_bounds(year: int, start_month: int = 4, start_day: int = 1) -> tuple[date, date]:
    """First day and the day after the last of financial year `year` (2024: 1 April 2024 to
    1 April 2025)."""
    return date(year, start_month, start_day), date(year + 1, start_month, start_day)


def year_label(year: int) -> str:
    return f"{year}/{str(year + 1)[-2:]}"
