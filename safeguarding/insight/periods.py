"""Reporting periods: months and quarters of financial years running April to March.

A period is named by its frequency and its first day; nothing is stored for it. A
quarter starts in April, July, October or January (Q1 to Q4 of the financial year).
Values for a period are due `DUE_DAYS` days after it ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from safeguarding.core.calendar import FINANCIAL_YEAR_START_MONTH as FIRST_MONTH
from safeguarding.core.calendar import add_months, financial_year, year_label

DUE_DAYS = 15


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after `day`'s."""
    return add_months(day.replace(day=1), months)


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    frequency: Frequency

    def __post_init__(self) -> None:
        if self.start.day != 1:
            raise ValueError("A period starts on the first of a month.")
        if self.frequency == Frequency.QUARTERLY and (self.start.month - FIRST_MONTH) % 3:
            raise ValueError("A quarter starts in April, July, October or January.")

    @property
    def months(self) -> int:
        return 1 if self.frequency == Frequency.MONTHLY else 3

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        return _add_months(self.start, self.months) - dt.timedelta(days=1)

    @property
    def due(self) -> dt.date:
        return self.end + dt.timedelta(days=DUE_DAYS)

    @property
    def year(self) -> int:
        return financial_year(self.start)

    @property
    def quarter(self) -> int:
        return (self.start.month - FIRST_MONTH) % 12 // 3 + 1

    @property
    def label(self) -> str:
        if self.frequency == Frequency.MONTHLY:
            return self.start.strftime("%B %Y")
        return f"Q{self.quarter} {year_label(self.year)}"

    @property
    def short_label(self) -> str:
        if self.frequency == Frequency.MONTHLY:
            return self.start.strftime("%b %y")
        return f"Q{self.quarter} {str(self.year)[-2:]}/{str(self.year + 1)[-2:]}"

    @property
    def slug(self) -> str:
        return self.start.isoformat()

    def shift(self, steps: int) -> Period:
        return Period(_add_months(self.start, steps * self.months), self.frequency)

    def same_period_last_year(self) -> Period:
        return Period(_add_months(self.start, -12), self.frequency)


def containing(day: dt.date, frequency: Frequency | str) -> Period:
    """The period of this frequency that a day falls in."""
    frequency = Frequency(frequency)
    if frequency == Frequency.MONTHLY:
        return Period(day.replace(day=1), frequency)
    offset = (day.month - FIRST_MONTH) % 3
    return Period(_add_months(day.replace(day=1), -offset), frequency)


def between(first: Period, last: Period) -> list[Period]:
    """Every period from first to last, both included."""
    out = []
    current = first
    while current <= last:
        out.append(current)
        current = current.shift(1)
    return out


def year_periods(year: int, frequency: Frequency | str) -> list[Period]:
    first = Period(dt.date(year, FIRST_MONTH, 1), Frequency(frequency))
    return between(first, first.shift(11 if first.frequency == Frequency.MONTHLY else 3))


def last_complete(today: dt.date, frequency: Frequency | str) -> Period:
    """The most recent period that has ended by `today`."""
    return containing(today, frequency).shift(-1)


def parse(slug: str, frequency: Frequency | str) -> Period:
    """A period from its first day as YYYY-MM-DD; ValueError if it is not one."""
    return Period(dt.date.fromisoformat(slug), Frequency(frequency))
