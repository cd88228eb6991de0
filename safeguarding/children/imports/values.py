"""Reading and checking one value: dates of birth, event times, sex, NHS numbers, UPNs."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from operator import mul

from safeguarding.children.dates import DateReading, Order, read_date, settle_order
from safeguarding.children.models import Sex
from safeguarding.core import identifiers
from safeguarding.core.calendar import LONDON

# A source record is of a child or young person: the index holds nobody aged 26 or more
# (care leavers and young adult carers are supported up to 25).
OLDEST_AGE = 26
EARLIEST_EVENT = dt.date(1950, 1, 1)
# How far in the future an event may be dated, for clocks that disagree.
CLOCK_SKEW = dt.timedelta(minutes=10)

SEX_VALUES = {
    "f": Sex.FEMALE.value,
    "female": Sex.FEMALE.value,
    "girl": Sex.FEMALE.value,
    "m": Sex.MALE.value,
    "male": Sex.MALE.value,
    "boy": Sex.MALE.value,
    "x": Sex.OTHER.value,
    "other": Sex.OTHER.value,
    "indeterminate": Sex.OTHER.value,
    "u": Sex.UNKNOWN.value,
    "unknown": Sex.UNKNOWN.value,
    "not known": Sex.UNKNOWN.value,
    "not stated": Sex.UNKNOWN.value,
    "not specified": Sex.UNKNOWN.value,
    "": Sex.UNKNOWN.value,
}
RESTRICTED_VALUES = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
}
SEX_REASON = (
    "is not a sex we know: use F, M, X (other) or U (not known), or Female, Male, Other, Not known"
)
# The values as they usually come, so that most rows need no lower-casing.
SEX_LOOKUP = (
    SEX_VALUES
    | {key.upper(): value for key, value in SEX_VALUES.items()}
    | {key.title(): value for key, value in SEX_VALUES.items()}
)
NHS_WEIGHTS = identifiers.NHS_WEIGHTS
# Digits arrive as ASCII bytes: Σ (byte − 48) × weight = Σ byte × weight − 48 × Σ weight.
NHS_ASCII_OFFSET = 48 * sum(NHS_WEIGHTS)
# A UPN's characters 2..13 are weighted 2..13 (identifiers.upn_check_letter).
UPN_WEIGHTS = tuple(range(2, 14))
UPN_ASCII_OFFSET = 48 * sum(UPN_WEIGHTS)
UPN_LETTERS = identifiers.UPN_CHECK_LETTERS


@dataclass
class DateColumn:
    """The readings of one date column, cached by text: a column repeats its dates."""

    readings: dict[str, DateReading] = field(default_factory=dict)

    def read(self, text: str) -> DateReading:
        reading = self.readings.get(text)
        if reading is None:
            reading = self.readings[text] = read_date(text)
        return reading

    def order(self) -> Order | None:
        return settle_order(self.readings.values())

    def ambiguous(self) -> bool:
        return any(reading.ambiguous for reading in self.readings.values())


AMBIGUOUS_REASON = (
    "the day and the month could be either way round, and no other date in this column "
    "shows which comes first: write it as 2025-03-05 or 5 Mar 2025"
)

TIME_OF_DAY = re.compile(
    r"^(?P<date>.+?)[T\s]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6})\d*)?)?"
    r"\s*(?P<half>[AaPp][Mm])?\s*(?P<zone>Z|[+-]\d{2}:?\d{2})?$"
)


@dataclass(frozen=True)
class Moment:
    """An occurred_at text read: its date part's reading and the time of day."""

    reading: DateReading
    time: dt.time | None = None
    zone: dt.tzinfo | None = None
    problem: str | None = None

    def at(self, day: dt.date) -> dt.datetime:
        """The moment in UTC: a time without a zone is Europe/London's."""
        local = dt.datetime.combine(day, self.time or dt.time(0), tzinfo=self.zone or LONDON)
        return local.astimezone(dt.UTC)


def read_moment(text: str) -> Moment:
    match = TIME_OF_DAY.match(text)
    if match is None:
        return Moment(read_date(text))
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or 0)
    micro = int((match["fraction"] or "0").ljust(6, "0"))
    if match["half"]:
        if not 1 <= hour <= 12:
            return Moment(read_date(match["date"]), problem="the hour of a.m./p.m. time is 1 to 12")
        hour = hour % 12 + (12 if match["half"].lower() == "pm" else 0)
    zone: dt.tzinfo | None = None
    if match["zone"]:
        if match["zone"] == "Z":
            zone = dt.UTC
        else:
            sign = 1 if match["zone"][0] == "+" else -1
            digits = match["zone"][1:].replace(":", "")
            zone = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        time = dt.time(hour, minute, second, micro)
    except ValueError:
        return Moment(read_date(match["date"]), problem="the time of day is not a real time")
    return Moment(read_date(match["date"]), time, zone)


def nhs_number(text: str) -> tuple[str, str | None]:
    """The digits of an NHS number and why it is not valid (None when it is)."""
    digits = text if len(text) == 10 else text.replace(" ", "").replace("-", "")
    if len(digits) == 10 and digits.isdigit():
        raw = digits.encode("ascii")
        check = 11 - (sum(map(mul, raw[:9], NHS_WEIGHTS)) - NHS_ASCII_OFFSET) % 11
        if check == 11:
            check = 0
        if check == raw[9] - 48:
            return digits, None
    return digits, identifiers.nhs_number_problem(digits) or "is not a valid NHS number"


def over_long(column: str, length: int, limit: int) -> str:
    return f"is {length:,} characters long; {column} takes at most {limit:,}"


def oldest_birth(today: dt.date) -> dt.date:
    """The earliest date of birth the index takes: the day after the 26th birthday."""
    try:
        limit = today.replace(year=today.year - OLDEST_AGE)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - OLDEST_AGE, day=28)
    return limit + dt.timedelta(days=1)


def dob_problem(born: dt.date, today: dt.date) -> str | None:
    if born > today:
        return "the date of birth is in the future"
    if born < oldest_birth(today):
        return (
            f"the date of birth makes the person {OLDEST_AGE} or older: the index holds "
            "children and young people up to 25"
        )
    return None


def dob_reading(
    text: str, dates: DateColumn, today: dt.date
) -> tuple[str | None, str | None, str | None]:
    """(day-first ISO or the date, month-first ISO when ambiguous, problem)."""
    reading = dates.read(text)
    if reading.problem is not None:
        # read_date's reasons repeat the text; a date of birth is not repeated.
        if "not a real date" in reading.problem:
            return None, None, "is not a real date: check the day and the month"
        return (
            None,
            None,
            "is not a date in a form we read (2025-03-05, 05/03/2025, 5 Mar 2025)",
        )
    if reading.ambiguous:
        assert reading.day_first is not None and reading.month_first is not None  # noqa: S101
        return reading.day_first.isoformat(), reading.month_first.isoformat(), None
    born = reading.value(None)
    assert born is not None  # noqa: S101
    problem = dob_problem(born, today)
    return born.isoformat(), None, problem


def read_when(
    text: str, dates: DateColumn, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime | None, None] | tuple[None, None, str]:
    """An occurred_at text as (the moment, the other reading when day and month are
    ambiguous, or a problem); cached by text in the pass."""
    if not text:
        return None, None, "is empty: every event needs its date"
    moment = read_moment(text)
    reading = moment.reading
    dates.readings.setdefault(reading.text, reading)
    if moment.problem is not None:
        return None, None, moment.problem
    if reading.problem is not None:
        return None, None, reading.problem
    if reading.ambiguous:
        assert reading.day_first and reading.month_first  # noqa: S101
        return moment.at(reading.day_first), moment.at(reading.month_first), None
    day = reading.value(None)
    assert day is not None  # noqa: S101
    at = moment.at(day)
    if at > now + CLOCK_SKEW:
        return None, None, "is in the future"
    if at < dt.datetime.combine(EARLIEST_EVENT, dt.time(0), tzinfo=LONDON):
        return None, None, f"is before {EARLIEST_EVENT.year}: check the year"
    return at, None, None
