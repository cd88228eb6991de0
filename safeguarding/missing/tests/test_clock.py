"""The 72-hour clock and the next school day (docs/decisions/0038)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeguarding.core.calendar import LONDON, is_school_day, next_school_day
from safeguarding.missing.clock import interview_due, within_72_hours


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)  # type: ignore[misc]


def test_the_interview_is_due_72_hours_after_a_friday_evening_return_on_monday_evening() -> None:
    assert interview_due(london(2025, 3, 7, 18, 30)) == london(2025, 3, 10, 18, 30)


def test_when_clocks_go_forward_the_deadline_is_an_hour_later_on_the_wall() -> None:
    # Clocks went forward at 01:00 GMT on Sunday 30 March 2025.
    due = interview_due(london(2025, 3, 29, 12, 0))
    assert due == london(2025, 4, 1, 13, 0)
    assert due.utcoffset() == timedelta(hours=1)


def test_when_clocks_go_back_the_deadline_is_an_hour_earlier_on_the_wall() -> None:
    # Clocks went back at 01:00 GMT on Sunday 26 October 2025.
    due = interview_due(london(2025, 10, 25, 12, 0))
    assert due == london(2025, 10, 28, 11, 0)
    assert due.utcoffset() == timedelta(0)


def test_a_return_in_the_repeated_hour_counts_from_the_instant_given() -> None:
    first = datetime(2025, 10, 26, 1, 30, tzinfo=LONDON, fold=0)  # 00:30 UTC
    second = datetime(2025, 10, 26, 1, 30, tzinfo=LONDON, fold=1)  # 01:30 UTC
    gap = interview_due(second).astimezone(UTC) - interview_due(first).astimezone(UTC)
    assert gap == timedelta(hours=1)


def test_an_offer_at_the_72nd_hour_is_in_time_and_a_minute_later_is_not() -> None:
    returned = london(2025, 3, 29, 12, 0)
    assert within_72_hours(returned, london(2025, 4, 1, 13, 0))
    assert not within_72_hours(returned, london(2025, 4, 1, 13, 1))
    assert not within_72_hours(returned, None)


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        interview_due(datetime(2025, 3, 7, 18, 30))  # noqa: DTZ001


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31)))  # noqa: DTZ001
def test_the_deadline_is_always_72_elapsed_hours(moment: datetime) -> None:
    returned = moment.replace(tzinfo=UTC).astimezone(LONDON)
    elapsed = interview_due(returned).astimezone(UTC) - returned.astimezone(UTC)
    assert elapsed == timedelta(hours=72)


def test_a_friday_return_is_told_to_the_school_on_monday() -> None:
    assert next_school_day(london(2025, 3, 7, 18, 30)) == date(2025, 3, 10)


def test_a_monday_return_is_told_on_tuesday() -> None:
    assert next_school_day(london(2025, 3, 10, 9, 0)) == date(2025, 3, 11)


def test_easter_bank_holidays_are_skipped() -> None:
    # Good Friday 18 April and Easter Monday 21 April 2025.
    assert next_school_day(london(2025, 4, 17, 15, 0)) == date(2025, 4, 22)


def test_the_school_day_follows_the_london_date_not_the_utc_date() -> None:
    # 23:30 on Thursday in summer is 22:30 UTC the same day; in London it is Thursday.
    assert next_school_day(london(2025, 6, 12, 23, 30)) == date(2025, 6, 13)
    # 00:30 on Saturday in summer is Friday 23:30 UTC; in London it is Saturday.
    assert next_school_day(london(2025, 6, 14, 0, 30)) == date(2025, 6, 16)


def test_christmas_and_boxing_day_are_not_school_days() -> None:
    assert not is_school_day(date(2025, 12, 25))
    assert not is_school_day(date(2025, 12, 26))
    assert next_school_day(london(2025, 12, 24, 12, 0)) == date(2025, 12, 29)
