"""Synthetic records with their truth, for the linkage benchmark and the shipped model.

The rows of `safeguarding.demo.extracts` are what agencies send (strings, each agency's
date format); linkage reads source records as the hub stores them. This turns the one
into the other without a database, numbering the records 1, 2, ... in agency order, and
keeps who each record really is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from safeguarding.demo import extracts

SEXES = {"F": "F", "FEMALE": "F", "M": "M", "MALE": "M", "X": "X", "OTHER": "X"}


@dataclass
class Records:
    rows: list[dict[str, Any]]  # as linkage_core.prepare reads them, with "id"
    truth: dict[int, int]  # record id -> person id


def records_of(synthetic: extracts.SyntheticExtracts, *, first_id: int = 1) -> Records:
    rows: list[dict[str, Any]] = []
    truth: dict[int, int] = {}
    dates: dict[str, Any] = {}
    number = first_id
    for code in sorted(synthetic.persons):
        for row in synthetic.persons[code]:
            if not row.get("record_id"):
                continue  # the import refuses a row without the agency's id
            text = row.get("date_of_birth") or ""
            if text not in dates:
                dates[text] = extracts.row_date(text) if text else None
            rows.append(
                {
                    "id": number,
                    "given_name": row.get("given_name", ""),
                    "family_name": row.get("family_name", ""),
                    "other_names": row.get("other_names", ""),
                    "date_of_birth": dates[text],
                    "sex": SEXES.get((row.get("sex") or "").upper(), "U"),
                    "address": row.get("address", ""),
                    "postcode": row.get("postcode", ""),
                    "nhs_number": row.get("nhs_number", ""),
                    "upn": row.get("upn", ""),
                    "child_id": None,
                }
            )
            truth[number] = synthetic.truth[(code, row["record_id"])]
            number += 1
    return Records(rows, truth)


def pairwise(clusters: dict[int, Any], truth: dict[int, int]) -> tuple[float, float, float]:
    """Precision, recall and F1 over pairs of records, found clusters against the truth."""
    from collections import Counter

    def pairs(counts: Counter[Any]) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    both = pairs(Counter((clusters[r], truth[r]) for r in clusters))
    found = pairs(Counter(clusters.values()))
    true = pairs(Counter(truth[r] for r in clusters))
    precision = both / found if found else 1.0
    recall = both / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
