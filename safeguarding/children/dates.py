"""Reading the dates UK systems export, without guessing day and month silently.

`read_date` returns every date a text could mean: 2025-03-05, 5 Mar 2025 and 5 March 2025
mean one date; 05/03/2025 could be 5 March or 3 May. `settle_order` looks at a whole
column: one value that only one order can read (25/03/2025) settles it for the file; if
nothing settles it, the caller reports the ambiguity instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+(?:Z|[+-]\d\d:?\d\d)?)?$")
NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$")
WORDED = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]+)\.?[\s-]+(\d{4})$")


class Order(Enum):
    DAY_FIRST = "day-first"
    MONTH_FIRST = "month-first"


@dataclass(frozen=True)
class DateReading:
    text: str
    day_first: dt.date | None = None
    month_first: dt.date | None = None
    problem: str | None = None
    # Only numeric dates (05/03/2025) have an order to settle; ISO and worded ones don't.
    numeric: bool = False

    @property
    def ambiguous(self) -> bool:
        return (
            self.day_first is not None
            and self.month_first is not None
            and self.day_first != self.month_first
        )

    def value(self, order: Order | None) -> dt.date | None:
        """The date under an order; None when the text is ambiguous and no order is given."""
        if self.ambiguous:
            if order is None:
                return None
            return self.day_first if order is Order.DAY_FIRST else self.month_first
        return self.day_first or self.month_first


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # Two-digit years: 00–69 are this century, as Excel reads them.
        year += 2000 if year < 70 else 1900
    return year


def read_date(text: str) -> DateReading:
    raw = text.strip()
    if not raw:
        return DateReading(raw, problem="empty")
    if match := ISO.match(raw):
        year, month, day = (int(part) for part in match.groups())
        found = _make(year, month, day)
        return (
            DateReading(raw, day_first=found)
            if found
            else DateReading(raw, problem=f"{raw} is not a real date")
        )
    if match := WORDED.match(raw):
        day_text, month_name, year_text = match.groups()
        month_number = MONTHS.get(month_name.lower())
        if month_number is None:
            return DateReading(raw, problem=f"{month_name!r} is not a month")
        found = _make(int(year_text), month_number, int(day_text))
        return (
            DateReading(raw, day_first=found)
            if found
            else DateReading(raw, problem=f"{raw} is not a real date")
        )
    if match := NUMERIC.match(raw):
        first, second, year_text = match.groups()
        year = _full_year(year_text)
        day_first = _make(year, int(second), int(first))
        month_first = _make(year, int(first), int(second))
        if day_first is None and month_first is None:
            return DateReading(raw, problem=f"{raw} is not a real date")
        return DateReading(raw, day_first=day_first, month_first=month_first, numeric=True)
    return DateReading(
        raw, problem=f"{raw!r} is not a date in a form we read (2025-03-05, 05/03/2025, 5 Mar 2025)"
    )


def settle_order(readings: Iterable[DateReading]) -> Order | None:
    """The order a column's numeric dates follow, when some value settles it; else None.

    A column with values only one order can read both ways (25/03/2025 and 03/25/2025)
    is inconsistent; it settles nothing and every ambiguous value is reported.
    """
    only_day_first = only_month_first = False
    for reading in readings:
        if not reading.numeric:
            continue
        if reading.day_first is not None and reading.month_first is None:
            only_day_first = True
        elif reading.month_first is not None and reading.day_first is None:
            only_month_first = True
    if only_day_first and not only_month_first:
        return Order.DAY_FIRST
    if only_month_first and not only_day_first:
        return Order.MONTH_FIRST
    return None
