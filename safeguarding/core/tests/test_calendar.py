"""Working-day arithmetic across weekends, bank holidays and the ends of years."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from safeguarding.core.calendar import (
    add_working_days,
    bank_holiday_name,
    is_working_day,
    working_days_between,
)


def test_five_working_days_from_a_monday_is_the_next_monday() -> None:
    assert add_working_days(date(2025, 3, 3), 5) == date(2025, 3, 10)


def test_a_friday_plus_one_working_day_is_the_monday() -> None:
    assert add_working_days(date(2025, 3, 7), 1) == date(2025, 3, 10)


def test_awareness_at_the_weekend_counts_from_the_monday() -> None:
    # Aware on Saturday 8 March 2025: the first working day counted is Monday 10 March.
    assert add_working_days(date(2025, 3, 8), 5) == date(2025, 3, 14)


def test_christmas_and_new_year_are_skipped() -> None:
    # Monday 23 December 2024: 24th, 27th, 30th, 31st, then 2 January (1 January is a holiday).
    assert add_working_days(date(2024, 12, 23), 5) == date(2025, 1, 2)


def test_substitute_boxing_day_is_skipped_when_boxing_day_falls_at_the_weekend() -> None:
    # 26 December 2026 is a Saturday; Monday 28 December is the substitute bank holiday.
    assert bank_holiday_name(date(2026, 12, 28)) is not None
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)


def test_easter_friday_and_monday_are_skipped() -> None:
    # Thursday 17 April 2025; Good Friday 18th and Easter Monday 21st are bank holidays.
    assert add_working_days(date(2025, 4, 17), 1) == date(2025, 4, 22)
    assert add_working_days(date(2025, 4, 17), 15) == date(2025, 5, 13)  # 5 May too


def test_a_rapid_review_clock_runs_across_the_year_end() -> None:
    # Notified Thursday 12 December 2024: 15 working days skip Christmas, Boxing Day, New Year.
    assert add_working_days(date(2024, 12, 12), 15) == date(2025, 1, 7)


def test_one_off_bank_holidays_are_known() -> None:
    # The state funeral of 19 September 2022 was a bank holiday.
    assert not is_working_day(date(2022, 9, 19))
    assert add_working_days(date(2022, 9, 16), 1) == date(2022, 9, 20)


def test_weekends_are_not_working_days_and_ordinary_weekdays_are() -> None:
    assert not is_working_day(date(2025, 3, 8))
    assert not is_working_day(date(2025, 3, 9))
    assert is_working_day(date(2025, 3, 10))


def test_working_days_between_counts_after_the_start_up_to_the_end() -> None:
    assert working_days_between(date(2024, 12, 23), date(2025, 1, 2)) == 5
    assert working_days_between(date(2025, 1, 2), date(2024, 12, 23)) == -5
    assert working_days_between(date(2025, 3, 3), date(2025, 3, 3)) == 0
    assert working_days_between(date(2025, 3, 7), date(2025, 3, 9)) == 0


def test_negative_days_count_backwards() -> None:
    assert add_working_days(date(2025, 1, 2), -5) == date(2024, 12, 23)


days = st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31))


@given(days, st.integers(min_value=0, max_value=400))
def test_working_days_between_undoes_add_working_days(start: date, n: int) -> None:
    assert working_days_between(start, add_working_days(start, n)) == n


@given(days, st.integers(min_value=1, max_value=60))
def test_adding_working_days_always_lands_on_a_working_day(start: date, n: int) -> None:
    assert is_working_day(add_working_days(start, n))


@given(days, days)
def test_working_days_between_agrees_with_counting_day_by_day(a: date, b: date) -> None:
    lo, hi = min(a, b), max(a, b)
    hi = min(hi, lo + timedelta(days=800))
    counted = sum(1 for i in range(1, (hi - lo).days + 1) if is_working_day(lo + timedelta(i)))
    assert working_days_between(lo, hi) == counted
