"""Identifiers of invented children, in the forms the agencies really use.

Every function takes the generator's `random.Random`, so that the same seed gives the
same identifiers. None of them may ever name a real person:

- NHS numbers are drawn from the 999 range, which NHS England keeps for test data and
  never issues to a patient; they still carry a correct mod-11 check digit.
- UPNs use the local authority number 999, which the DfE has not given to any authority.
"""

from __future__ import annotations

import random

# Positions 1..9 are weighted 10..2 (DOMAIN.md: Σ digitᵢ × (11 − i)).
NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
NHS_TEST_PREFIX = "999"

# The DfE's check letters for a Unique Pupil Number: 23 letters, no I, O or S.
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
UPN_DEMO_LA_NUMBER = "999"


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


def is_valid_nhs_number(value: str) -> bool:
    if len(value) != 10 or not value.isdigit():
        return False
    return nhs_check_digit(value[:9]) == int(value[9])


def nhs_number(rng: random.Random) -> str:
    """A valid NHS number from the test range: draw, and draw again when the check is 10."""
    while True:
        first_nine = NHS_TEST_PREFIX + "".join(str(rng.randrange(10)) for _ in range(6))
        check = nhs_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"


def upn_check_letter(last_twelve: str) -> str:
    """The DfE check letter: characters 2..13 weighted 2..13, summed, modulo 23."""
    if len(last_twelve) != 12:
        raise ValueError("A UPN's check letter needs the twelve characters after it.")
    total = 0
    for position, character in enumerate(last_twelve, start=2):
        # Position 13 may be a letter in a temporary UPN; it counts as its place in A..Z
        # less the letters the scheme leaves out. The demo only issues digits.
        value = int(character) if character.isdigit() else UPN_CHECK_LETTERS.index(character)
        total += value * position
    return UPN_CHECK_LETTERS[total % 23]


def is_valid_upn(value: str) -> bool:
    return len(value) == 13 and value[0] == upn_check_letter(value[1:])


def upn(rng: random.Random, establishment: str, year_allocated: int) -> str:
    """A UPN: check letter, LA number, DfE establishment number, year allocated, serial."""
    if len(establishment) != 4 or not establishment.isdigit():
        raise ValueError("A DfE establishment number has four digits.")
    body = f"{UPN_DEMO_LA_NUMBER}{establishment}{year_allocated % 100:02d}{rng.randrange(1000):03d}"
    return upn_check_letter(body) + body


def record_id(rng: random.Random, pattern: str) -> str:
    """An agency's own id from a pattern: each # is a digit, {year} a year of 2019 to 2025."""
    text = pattern.replace("{year}", str(rng.randint(2019, 2025)))
    return "".join(str(rng.randrange(10)) if character == "#" else character for character in text)
