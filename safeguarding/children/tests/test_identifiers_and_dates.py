"""Identifiers and dates as agencies send them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeguarding.children.dates import Order, read_date, settle_order
from safeguarding.core.identifiers import (
    is_valid_nhs_number,
    is_valid_upn,
    nhs_check_digit,
    nhs_number_problem,
    upn_check_letter,
    upn_problem,
)


def test_a_known_good_nhs_number_passes_in_any_spacing() -> None:
    # 943 476 5919 is the NHS's own published example.
    for written in ("9434765919", "943 476 5919", "943-476-5919"):
        assert is_valid_nhs_number(written)


def test_a_wrong_check_digit_is_explained() -> None:
    assert (
        nhs_number_problem("9434765918")
        == "the check digit should be 9, not 8: a digit is wrong or two are swapped"
    )


def test_nine_digits_whose_check_would_be_ten_make_no_nhs_number() -> None:
    nine = next(f"{n:09d}" for n in range(10**8, 10**9) if nhs_check_digit(f"{n:09d}") is None)
    for last in "0123456789":
        assert "check digit would be 10" in (nhs_number_problem(nine + last) or "")


def test_a_remainder_of_eleven_gives_a_check_digit_of_zero() -> None:
    nine = next(f"{n:09d}" for n in range(10**8, 10**9) if nhs_check_digit(f"{n:09d}") == 0)
    assert is_valid_nhs_number(nine + "0")


@pytest.mark.parametrize("bad", ["", "94347659", "94347659190", "94347A5919"])
def test_an_nhs_number_needs_ten_digits(bad: str) -> None:
    assert nhs_number_problem(bad) == "an NHS number has 10 digits"


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 8), st.integers(1, 9))
def test_changing_one_digit_of_a_valid_nhs_number_is_always_caught(
    nine: str, position: int, shift: int
) -> None:
    check = nhs_check_digit(nine)
    if check is None:
        return
    number = nine + str(check)
    changed = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]
    assert not is_valid_nhs_number(changed)


def test_a_upn_carries_its_check_letter() -> None:
    body = "999123425001"
    upn = upn_check_letter(body) + body
    assert is_valid_upn(upn) and is_valid_upn(upn.lower())
    wrong = ("B" if upn[0] == "A" else "A") + body
    assert upn_problem(wrong) == f"the check letter should be {upn[0]}, not {wrong[0]}"
    assert upn_problem("A12345") == "a UPN has 13 characters: a check letter then 12 more"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-05", dt.date(2025, 3, 5)),
        ("2025-03-05T10:15:00Z", dt.date(2025, 3, 5)),
        ("5 Mar 2025", dt.date(2025, 3, 5)),
        ("5 March 2025", dt.date(2025, 3, 5)),
        ("05-Mar-2025", dt.date(2025, 3, 5)),
        ("25/03/2025", dt.date(2025, 3, 25)),
        ("5/3/2025", None),
    ],
)
def test_the_forms_uk_systems_export_are_read(text: str, expected: dt.date | None) -> None:
    assert read_date(text).value(None) == expected


def test_a_date_that_could_be_either_way_round_is_ambiguous_not_guessed() -> None:
    reading = read_date("05/03/2025")
    assert reading.ambiguous
    assert reading.value(None) is None
    assert reading.value(Order.DAY_FIRST) == dt.date(2025, 3, 5)
    assert reading.value(Order.MONTH_FIRST) == dt.date(2025, 5, 3)
    assert not read_date("03/03/2025").ambiguous


@pytest.mark.parametrize(
    "bad", ["31/02/2025", "2025-13-01", "5 Smarch 2025", "yesterday", "32/13/2025"]
)
def test_impossible_or_unreadable_dates_say_why(bad: str) -> None:
    assert read_date(bad).problem


def test_one_value_only_one_order_can_read_settles_the_column() -> None:
    assert settle_order([read_date("05/03/2025"), read_date("25/03/2025")]) is Order.DAY_FIRST
    assert settle_order([read_date("05/03/2025"), read_date("03/25/2025")]) is Order.MONTH_FIRST
    assert settle_order([read_date("05/03/2025"), read_date("2025-04-01")]) is None
    assert settle_order([read_date("25/03/2025"), read_date("03/25/2025")]) is None
