"""Identifiers of a child that agencies share (DOMAIN.md, "Identifiers of a child")."""

from __future__ import annotations

import re

# Positions 1..9 are weighted 10..2: Σ digitᵢ × (11 − i).
NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)

# The DfE's check letters for a Unique Pupil Number: 23 letters, no I, O or S.
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def normalise_nhs_number(value: str) -> str:
    """Agencies write NHS numbers as 943 476 5919 or 943-476-5919; keep the digits."""
    return re.sub(r"[\s-]", "", value)


def nhs_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when they can have none (remainder 10)."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("An NHS number's check digit needs exactly nine digits.")
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def nhs_number_problem(value: str) -> str | None:
    """Why this is not a valid NHS number, in words for the person who sent it; None if it is."""
    digits = normalise_nhs_number(value)
    if len(digits) != 10 or not digits.isdigit():
        return "an NHS number has 10 digits"
    check = nhs_check_digit(digits[:9])
    if check is None:
        return "no NHS number can start with these nine digits (the check digit would be 10)"
    if check != int(digits[9]):
        return f"the check digit should be {check}, not {digits[9]}: a digit is wrong or two are swapped"
    return None


def is_valid_nhs_number(value: str) -> bool:
    return nhs_number_problem(value) is None


def upn_check_letter(last_twelve: str) -> str:
    """The DfE check letter: characters 2..13 weighted 2..13, summed, modulo 23.

    In a temporary UPN the 13th character is a letter; it counts as its place in the
    check-letter alphabet (A = 0).
    """
    if len(last_twelve) != 12:
        raise ValueError("A UPN's check letter needs the twelve characters after it.")
    total = 0
    for position, character in enumerate(last_twelve, start=2):
        if character.isdigit():
            value = int(character)
        elif position == 13 and character in UPN_CHECK_LETTERS:
            value = UPN_CHECK_LETTERS.index(character)
        else:
            raise ValueError(f"A UPN cannot have {character!r} at position {position}.")
        total += value * position
    return UPN_CHECK_LETTERS[total % 23]


def upn_problem(value: str) -> str | None:
    """Why this is not a valid UPN; None if it is."""
    text = value.strip().upper()
    if len(text) != 13:
        return "a UPN has 13 characters: a check letter then 12 more"
    try:
        expected = upn_check_letter(text[1:])
    except ValueError as error:
        return str(error)
    if text[0] != expected:
        return f"the check letter should be {expected}, not {text[0]}"
    return None


def is_valid_upn(value: str) -> bool:
    return upn_problem(value) is None
