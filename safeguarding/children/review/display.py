"""What the linkage review pages draw: two records side by side, and each field's weight.

Pure functions of the records and the pair's comparisons, so that they are tested without
pages. The weights are drawn as bars made of CSS classes only (the CSP forbids inline
styles): `hub-w-0` to `hub-w-100` in steps of 5 per cent, set in frontend/main.scss.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from safeguarding.children import names
from safeguarding.children.models import Child, Sex, SourceRecord

# The identity fields shown side by side, in the order a person reads a record.
FIELDS: tuple[tuple[str, str], ...] = (
    ("given_name", "Given name"),
    ("family_name", "Family name"),
    ("other_names", "Other names"),
    ("date_of_birth", "Date of birth"),
    ("sex", "Sex"),
    ("nhs_number", "NHS number"),
    ("upn", "Unique pupil number"),
    ("address", "Address"),
    ("postcode", "Postcode"),
)
LABELS = dict(FIELDS) | {"name": "Name", "dob": "Date of birth"}
WIDTH_STEP = 5


@dataclass(frozen=True)
class FieldRow:
    label: str
    left: str
    right: str
    differs: bool


@dataclass(frozen=True)
class WeightBar:
    field: str
    level: str
    weight: float
    width: int  # per cent of the half-track, a multiple of WIDTH_STEP

    @property
    def positive(self) -> bool:
        return self.weight > 0


def shown(field: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    if field == "sex":
        return str(Sex(value).label) if value in Sex.values else str(value)
    if field == "nhs_number" and len(str(value)) == 10:
        text = str(value)
        return f"{text[:3]} {text[3:6]} {text[6:]}"
    return str(value)


def _comparable(field: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if field in ("given_name", "family_name", "other_names", "address"):
        return names.normalise(str(value))
    if field == "postcode":
        return str(value).replace(" ", "").upper()
    if field == "sex" and value == Sex.UNKNOWN:
        return ""
    return str(value)


IDENTITY: tuple[tuple[str, str], ...] = (
    ("given_name", "Given name"),
    ("family_name", "Family name"),
    ("date_of_birth", "Date of birth"),
    ("sex", "Sex"),
    ("nhs_number", "NHS number"),
    ("upn", "Unique pupil number"),
    ("postcode", "Postcode"),
)


@dataclass(frozen=True)
class IdentityRow:
    label: str
    value: str
    source: str


def identity_rows(child: Child) -> list[IdentityRow]:
    """The child's best value of each field, and which agency's record gave it."""
    sources = child.identity_sources if isinstance(child.identity_sources, dict) else {}
    rows = []
    for field, label in IDENTITY:
        value = getattr(child, field)
        if field == "sex" and value == Sex.UNKNOWN:
            value = ""
        rows.append(IdentityRow(label, shown(field, value), str(sources.get(field, ""))))
    return rows


def side_by_side(left: SourceRecord, right: SourceRecord) -> list[FieldRow]:
    """One row per identity field; `differs` when both hold a value and they disagree."""
    rows = []
    for field, label in FIELDS:
        a, b = getattr(left, field), getattr(right, field)
        ca, cb = _comparable(field, a), _comparable(field, b)
        rows.append(FieldRow(label, shown(field, a), shown(field, b), bool(ca and cb and ca != cb)))
    return rows


def weight_bars(comparisons: list[dict[str, Any]]) -> list[WeightBar]:
    """One bar per compared field, scaled so that the heaviest weight fills its half."""
    usable = [c for c in comparisons if isinstance(c, dict) and "weight" in c]
    weights = [float(c.get("weight") or 0.0) for c in usable]
    largest = max((abs(w) for w in weights), default=0.0)
    bars = []
    for comparison, weight in zip(usable, weights, strict=True):
        share = abs(weight) / largest if largest else 0.0
        width = round(share * 100 / WIDTH_STEP) * WIDTH_STEP
        if weight and not width:
            width = WIDTH_STEP  # a weight that counts is never drawn as nothing
        field = str(comparison.get("field", ""))
        bars.append(
            WeightBar(
                field=LABELS.get(field, field.replace("_", " ").capitalize()),
                level=str(comparison.get("level", "")),
                weight=weight,
                width=width,
            )
        )
    return bars
