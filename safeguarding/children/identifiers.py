"""The identifiers' checks are core's now (core/identifiers.py, decision 0063), shared by
the child index, the education trackers and the exploitation panel's forms. This name
stays for the import and linkage pipelines, which are being split into packages; their
new modules import core.identifiers."""

from safeguarding.core.identifiers import (
    NHS_WEIGHTS,
    UPN_CHECK_LETTERS,
    is_valid_nhs_number,
    is_valid_upn,
    nhs_check_digit,
    nhs_number_problem,
    normalise_nhs_number,
    upn_check_letter,
    upn_problem,
)

__all__ = [
    "NHS_WEIGHTS",
    "UPN_CHECK_LETTERS",
    "is_valid_nhs_number",
    "is_valid_upn",
    "nhs_check_digit",
    "nhs_number_problem",
    "normalise_nhs_number",
    "upn_check_letter",
    "upn_problem",
]
