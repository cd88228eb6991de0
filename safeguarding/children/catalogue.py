"""The shipped catalogue of event types (children/data/event_types.json).

Extracts name an event type by its code or by its label, in any case; `find` answers
with the catalogue's entry or None, so the import can report "unknown event type" with
the row and column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "event_types.json"


@dataclass(frozen=True)
class EventType:
    code: str
    label: str
    group: str
    restricted_by_default: bool = False


def _key(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()


@cache
def event_types() -> tuple[EventType, ...]:
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return tuple(
        EventType(
            code=entry["code"],
            label=entry["label"],
            group=group["group"],
            restricted_by_default=bool(entry.get("restricted_by_default", False)),
        )
        for group in data["groups"]
        for entry in group["types"]
    )


@cache
def _index() -> dict[str, EventType]:
    index: dict[str, EventType] = {}
    for entry in event_types():
        for name in (entry.code, entry.label):
            if index.get(_key(name), entry) != entry:
                raise ValueError(f"The event catalogue uses {name!r} for two event types.")
            index[_key(name)] = entry
    return index


def find(text: str) -> EventType | None:
    """The catalogue's entry named by this code or label, or None."""
    return _index().get(_key(text))
