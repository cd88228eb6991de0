"""The hub's fields, and planning the columns: each header goes to a field by the mapping
given, else the agency's saved one, else its own name (step 2 of docs/decisions/0019)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from safeguarding.children.imports.problems import ImportRefused, Problem
from safeguarding.children.models import ExtractKind

PERSON_FIELDS = (
    "record_id",
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "nhs_number",
    "upn",
)
EVENT_FIELDS = ("record_id", "event_type", "occurred_at", "summary", "restricted")
FIELDS = {ExtractKind.PERSONS.value: PERSON_FIELDS, ExtractKind.EVENTS.value: EVENT_FIELDS}
REQUIRED = {
    ExtractKind.PERSONS.value: ("record_id",),
    ExtractKind.EVENTS.value: ("record_id", "event_type", "occurred_at"),
}
# The person fields linkage reads: a change to any of them sends the record to be linked again.
IDENTITY_FIELDS = PERSON_FIELDS[1:]

# The longest value each field takes (the model's max_length; a summary is a text field
# but a chronology entry longer than this is a document, not an entry).
MAX_LENGTH = {
    "record_id": 100,
    "given_name": 100,
    "family_name": 100,
    "other_names": 200,
    "address": 300,
    "postcode": 10,
    "summary": 10_000,
}
ATTRIBUTE_MAX_LENGTH = 1_000


def header_key(header: str) -> str:
    return " ".join(str(header).split()).casefold()


def field_named(key: str, fields: Sequence[str]) -> str | None:
    """A header that is a field's own name, in any case, with spaces or hyphens."""
    name = key.replace(" ", "_").replace("-", "_")
    return name if name in fields else None


def check_mapping(kind: str, mapping: dict[str, str]) -> list[Problem]:
    """Problems with a mapping of file headers onto the hub's fields ('' ignores a column)."""
    fields = FIELDS[kind]
    problems = []
    fed: dict[str, str] = {}
    for header, target in mapping.items():
        target = target.strip()
        if target and target not in fields:
            problems.append(
                Problem(
                    None,
                    str(header),
                    f"the mapping sends this column to {target!r}, which is not a field of "
                    f"the {kind} extract (the fields are {', '.join(fields)})",
                )
            )
        elif target and target in fed:
            problems.append(
                Problem(
                    None,
                    target,
                    f"the mapping sends two columns to {target}: {fed[target]!r} and {header!r}",
                )
            )
        elif target:
            fed[target] = str(header)
    return problems


@dataclass
class Columns:
    index: dict[str, int]  # hub field → position in the row
    extras: list[tuple[int, str]]  # (position, header) of columns the hub has no field for
    width: int


def plan_columns(kind: str, headers: list[str], mapping: dict[str, str]) -> Columns:
    problems = check_mapping(kind, mapping)
    if problems:
        raise ImportRefused(problems)
    fields = FIELDS[kind]
    mapped = {header_key(header): target.strip() for header, target in mapping.items()}
    index: dict[str, int] = {}
    extras: list[tuple[int, str]] = []
    seen: dict[str, str] = {}
    for position, header in enumerate(headers):
        key = header_key(header)
        if not key:
            continue  # an unnamed column: nothing can be said about its values
        if key in seen:
            problems.append(
                Problem(1, header, f"two columns are called {header!r}: name each column once")
            )
            continue
        seen[key] = header
        target = mapped[key] if key in mapped else field_named(key, fields)
        if key in mapped and not target:
            continue  # mapped to nothing: ignored on purpose
        if target is None:
            extras.append((position, header))
        elif target in index:
            problems.append(
                Problem(
                    1,
                    target,
                    f"two columns feed {target}: {headers[index[target]]!r} and {header!r}",
                )
            )
        else:
            index[target] = position
    for required in REQUIRED[kind]:
        if required not in index:
            problems.append(
                Problem(
                    1,
                    required,
                    f"the file has no {required} column: name it so in the header, "
                    "or map the column that holds it",
                )
            )
    if problems:
        raise ImportRefused(problems)
    return Columns(index, extras, len(headers))
