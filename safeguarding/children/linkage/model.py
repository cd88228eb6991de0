"""The linkage model: its comparisons and their levels, the blocking rules, the base
settings, and how a trained model is read (docs/decisions/0021)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The model the hub ships, trained on synthetic extracts (bench/build_linkage_model.py).
SHIPPED_MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "linkage_model.json"

# --- The model ------------------------------------------------------------------------

NULL_LABEL = "not on both records"


def _level(sql: str, label: str, *, null: bool = False) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    return level


def _exact_or_else(column: str, description: str) -> dict[str, Any]:
    return {
        "output_column_name": column,
        "comparison_description": description,
        "comparison_levels": [
            _level(f"{column}_l IS NULL OR {column}_r IS NULL", NULL_LABEL, null=True),
            _level(f"{column}_l = {column}_r", "the same"),
            _level("ELSE", "different"),
        ],
    }


def comparisons() -> list[dict[str, Any]]:
    """The model's comparisons: one per identity field, levels from agree to disagree.

    The postcode and the address are one comparison: they say the same thing twice, and
    a model that multiplied their evidence would be sure of a household, not a child.
    """
    return [
        {
            "output_column_name": "given_name",
            "comparison_description": "Given name",
            "comparison_levels": [
                _level("given_name_l IS NULL OR given_name_r IS NULL", NULL_LABEL, null=True),
                _level("given_name_l = given_name_r", "the same"),
                _level("list_has_any(given_forms_l, given_forms_r)", "a nickname of the same name"),
                _level(
                    "damerau_levenshtein(given_name_l, given_name_r) <= 1", "one letter different"
                ),
                _level(
                    "jaro_winkler_similarity(given_name_l, given_name_r) >= 0.88",
                    "spelt similarly",
                ),
                _level(
                    "list_contains(other_names_l, given_name_r) "
                    "OR list_contains(other_names_r, given_name_l)",
                    "one record's given name is the other's middle name",
                ),
                _level("ELSE", "different"),
            ],
        },
        {
            "output_column_name": "family_name",
            "comparison_description": "Family name",
            "comparison_levels": [
                _level("family_name_l IS NULL OR family_name_r IS NULL", NULL_LABEL, null=True),
                _level("family_name_l = family_name_r", "the same"),
                _level(
                    "damerau_levenshtein(family_name_l, family_name_r) <= 1",
                    "one letter different",
                ),
                _level(
                    "jaro_winkler_similarity(family_name_l, family_name_r) >= 0.88",
                    "spelt similarly",
                ),
                _level(
                    "length(family_name_l) >= 3 AND length(family_name_r) >= 3 AND "
                    "(contains(family_name_l, family_name_r) "
                    "OR contains(family_name_r, family_name_l))",
                    "one name part of the other (double-barrelled)",
                ),
                _level("ELSE", "different"),
            ],
        },
        {
            "output_column_name": "date_of_birth",
            "comparison_description": "Date of birth",
            "comparison_levels": [
                _level("dob_l IS NULL OR dob_r IS NULL", NULL_LABEL, null=True),
                _level("dob_l = dob_r", "the same"),
                _level(
                    "year(dob_l) = year(dob_r) AND month(dob_l) = day(dob_r) "
                    "AND day(dob_l) = month(dob_r)",
                    "day and month swapped",
                ),
                _level(
                    "(CAST(year(dob_l) = year(dob_r) AS INTEGER) "
                    "+ CAST(month(dob_l) = month(dob_r) AS INTEGER) "
                    "+ CAST(day(dob_l) = day(dob_r) AS INTEGER)) = 2",
                    "one of day, month or year different",
                ),
                _level("ELSE", "different"),
            ],
        },
        _exact_or_else("sex", "Sex"),
        {
            "output_column_name": "address",
            "comparison_description": "Address and postcode",
            "comparison_levels": [
                _level(
                    "(postcode_l IS NULL OR postcode_r IS NULL) "
                    "AND (address_l IS NULL OR address_r IS NULL)",
                    NULL_LABEL,
                    null=True,
                ),
                _level(
                    "address_l = address_r OR (postcode_l = postcode_r "
                    "AND jaro_winkler_similarity(address_l, address_r) >= 0.9)",
                    "the same address",
                ),
                _level("postcode_l = postcode_r", "the same postcode"),
                _level("postcode_district_l = postcode_district_r", "the same postcode district"),
                _level("ELSE", "different"),
            ],
        },
        _exact_or_else("nhs_number", "NHS number"),
        _exact_or_else("upn", "Unique Pupil Number"),
    ]


# Pairs compared: records that share at least one of these. Each is narrow enough at a
# million records, and together they find the kinds of noise agencies' records have
# (measured on the synthetic extracts: about 99.5% of true pairs are compared):
# - an NHS number or a UPN shared;
# - the date of birth (dob_key: a swapped day and month give the same key) with the
#   family name's or the (formal) given name's phonetic key: typos, nicknames, a family
#   name from the other parent, and a house move;
# - the postcode with the initial of the formal given name: a date of birth mistyped;
# - the family and given names' keys with the year of birth: a date of birth mistyped
#   and a house move.
BLOCKING_RULES = (
    "l.nhs_number = r.nhs_number",
    "l.upn = r.upn",
    "l.dob_key = r.dob_key AND l.family_key = r.family_key",
    "l.dob_key = r.dob_key AND l.given_key = r.given_key",
    "l.postcode = r.postcode AND l.given_initial = r.given_initial",
    "l.family_key = r.family_key AND l.given_key = r.given_key AND l.dob_year = r.dob_year",
)


def base_settings() -> dict[str, Any]:
    """The model's structure, without trained parameters."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1e-4,
        "blocking_rules_to_generate_predictions": list(BLOCKING_RULES),
        "comparisons": comparisons(),
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": [],
        "max_iterations": 20,
        "em_convergence": 0.0001,
    }


@dataclass(frozen=True)
class Level:
    field: str
    gamma: int
    label: str
    m: float | None
    u: float | None

    @property
    def weight(self) -> float:
        """The level's match weight: log2 of its Bayes factor m/u; 0 for the null level."""
        if self.gamma < 0 or not self.m or not self.u:
            return 0.0
        return math.log2(self.m / self.u)


def levels(settings: Mapping[str, Any]) -> dict[tuple[str, int], Level]:
    """Every comparison level of a model by (field, gamma), gamma as Splink numbers them."""
    found: dict[tuple[str, int], Level] = {}
    for comparison in settings["comparisons"]:
        column = comparison["output_column_name"]
        rows = comparison["comparison_levels"]
        non_null = [level for level in rows if not level.get("is_null_level")]
        for level in rows:
            gamma = -1 if level.get("is_null_level") else len(non_null) - 1 - non_null.index(level)
            found[(column, gamma)] = Level(
                field=column,
                gamma=gamma,
                label=level.get("label_for_charts") or level["sql_condition"],
                m=level.get("m_probability"),
                u=level.get("u_probability"),
            )
    return found


def level_for(by_level: Mapping[tuple[str, int], Level], field: str, weight: float) -> Level:
    """The level of a comparison that gives this match weight (Splink reports weights)."""
    choices = [level for (name, _gamma), level in by_level.items() if name == field]
    if weight == 0.0:
        for level in choices:
            if level.gamma < 0:
                return level
    return min(choices, key=lambda level: (abs(level.weight - weight), -level.gamma))


def comparison_fields(settings: Mapping[str, Any]) -> list[str]:
    return [comparison["output_column_name"] for comparison in settings["comparisons"]]


# --- All of it ------------------------------------------------------------------------


def for_records(settings: Mapping[str, Any], trained_on: int, records: int) -> dict[str, Any]:
    """The model as one run uses it: the prior scaled to the records, today's blocking.

    Two random records are the same child about (records per child − 1) / records of the
    time: the rate falls as the index grows. So for more records than the model was
    trained on, the rate is scaled down in proportion, which keeps a threshold meaning the
    same for a region's million records. It is never scaled up: a partnership's first
    small import comes from few agencies and holds fewer duplicates than the ratio says,
    and a rate too high would link children who are not the same. The blocking rules are
    the code's, not the stored model's: they decide cost, not evidence.
    """
    adjusted = dict(settings)
    adjusted["blocking_rules_to_generate_predictions"] = list(BLOCKING_RULES)
    if trained_on > 0 and records > trained_on:
        rate = float(settings["probability_two_random_records_match"]) * trained_on / records
        adjusted["probability_two_random_records_match"] = max(rate, 1e-12)
    return adjusted
