"""The child's identity: the best value of each field across the agencies' records.

Linkage, merges and splits change which records a child holds; each then calls
`refresh_children` so that the child's name, date of birth, identifiers and search keys
follow. The rule, per field: the value most records agree on; a tie goes to the agency
that is the usual authority for the field (health for the NHS number, date of birth and
sex; schools for the UPN), then to the most recently updated record. An NHS number or
UPN that fails its check is never chosen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from safeguarding.children import names
from safeguarding.children.models import Child, Sex
from safeguarding.core import identifiers
from safeguarding.core.access import SystemAccess
from safeguarding.core.models import AgencyKind

FIELDS = ("given_name", "family_name", "date_of_birth", "sex", "nhs_number", "upn", "postcode")

HEALTH: set[str] = {AgencyKind.HEALTH_ICB, AgencyKind.HEALTH_TRUST, AgencyKind.HEALTH_GP}
EDUCATION: set[str] = {AgencyKind.SCHOOL, AgencyKind.COLLEGE, AgencyKind.EARLY_YEARS}
AUTHORITY: dict[str, set[str]] = {
    "nhs_number": HEALTH,
    "date_of_birth": HEALTH,
    "sex": HEALTH,
    "upn": EDUCATION,
    "given_name": {AgencyKind.LOCAL_AUTHORITY.value} | EDUCATION,
    "family_name": {AgencyKind.LOCAL_AUTHORITY.value} | EDUCATION,
    "postcode": {AgencyKind.LOCAL_AUTHORITY.value},
}


@dataclass(frozen=True)
class RecordView:
    """What identity needs of a source record."""

    agency_code: str
    agency_kind: str
    updated_at: datetime
    values: dict[str, Any]


def _usable(field: str, value: Any) -> bool:
    if value in (None, ""):
        return False
    if field == "sex":
        return value != Sex.UNKNOWN
    if field == "nhs_number":
        return identifiers.is_valid_nhs_number(str(value))
    if field == "upn":
        return identifiers.is_valid_upn(str(value))
    return True


def best_identity(records: Sequence[RecordView]) -> tuple[dict[str, Any], dict[str, str]]:
    """The best value of each field, and which agency's record gave it."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    if len(records) == 1:
        # Most children of a first linkage have one record: its usable values are the best.
        record = records[0]
        for field in FIELDS:
            if _usable(field, value := record.values.get(field)):
                values[field] = value
                sources[field] = record.agency_code
        return values, sources
    for field in FIELDS:
        usable = [r for r in records if _usable(field, r.values.get(field))]
        if len(usable) > 1:
            keys = [_compare_key(field, r.values[field]) for r in usable]
            counts = Counter(keys)
            authority = AUTHORITY.get(field, set())
            best = usable[
                max(
                    range(len(usable)),
                    key=lambda i: (
                        counts[keys[i]],
                        usable[i].agency_kind in authority,
                        usable[i].updated_at,
                        usable[i].agency_code,
                    ),
                )
            ]
        elif usable:
            best = usable[0]
        else:
            continue
        values[field] = best.values[field]
        sources[field] = best.agency_code
    return values, sources


def _compare_key(field: str, value: Any) -> Any:
    if field in ("given_name", "family_name"):
        return names.normalise(str(value))
    if field == "postcode":
        return str(value).replace(" ", "").upper()
    return value


def identity_fields(records: Sequence[RecordView]) -> dict[str, Any]:
    """The Child fields to write for these records (all of them, blank where unknown)."""
    values, sources = best_identity(records)
    given = str(values.get("given_name", ""))
    family = str(values.get("family_name", ""))
    born: date | None = values.get("date_of_birth")
    return {
        "given_name": given,
        "family_name": family,
        "date_of_birth": born,
        "sex": values.get("sex", Sex.UNKNOWN),
        "nhs_number": values.get("nhs_number", ""),
        "upn": values.get("upn", ""),
        "postcode": values.get("postcode", ""),
        "identity_sources": sources,
        "given_name_key": names.name_key(given),
        "family_name_key": names.name_key(family),
    }


def refresh_children(system: SystemAccess, child_ids: Iterable[int]) -> int:
    """Recompute the identity of these children from their records; returns how many."""
    ids = sorted(set(child_ids))
    updated = 0
    now = timezone.now()
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        by_child: dict[int, list[RecordView]] = {child_id: [] for child_id in chunk}
        rows = (
            system.source_records()
            .filter(child_id__in=chunk)
            .values("child_id", "agency__code", "agency__kind", "updated_at", *FIELDS)
        )
        for row in rows:
            by_child[row["child_id"]].append(
                RecordView(
                    agency_code=row["agency__code"],
                    agency_kind=row["agency__kind"],
                    updated_at=row["updated_at"],
                    values={field: row[field] for field in FIELDS},
                )
            )
        children = list(system.children().filter(pk__in=chunk))
        for child in children:
            for field, value in identity_fields(by_child[child.pk]).items():
                setattr(child, field, value)
            child.updated_at = now
        # Not bulk_update: it builds a CASE per field and row, minutes for a first linkage.
        fields = [*FIELDS, "identity_sources", "given_name_key", "family_name_key", "updated_at"]
        system.update_rows(
            Child, fields, ([child.pk, *(getattr(child, f) for f in fields)] for child in children)
        )
        updated += len(children)
    return updated
