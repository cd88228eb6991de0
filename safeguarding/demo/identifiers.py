"""Identifiers of invented children, in the forms the agencies really use.

Every function takes the generator's `random.Random`, so that the same seed gives the
same identifiers. None of them may ever name a real person:

- NHS numbers are drawn from the 999 range, which NHS England keeps for test data and
  never issues to a patient; they still carry a correct mod-11 check digit.
- UPNs use the local authority number 999, which the DfE has not given to any authority.
"""

from __future__ import annotations

import random

from safeguarding.core.identifiers import (  # noqa: F401 - re-exported for the generator
    UPN_CHECK_LETTERS,
    is_valid_nhs_number,
    is_valid_upn,
    nhs_check_digit,
    upn_check_letter,
)

NHS_TEST_PREFIX = "999"
UPN_DEMO_LA_NUMBER = "999"


def nhs_number(rng: random.Random) -> str:
    """A valid NHS number from the test range: draw, and draw again when the check is 10."""
    while True:
        first_nine = NHS_TEST_PREFIX + "".join(str(rng.randrange(10)) for _ in range(6))
        check = nhs_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
