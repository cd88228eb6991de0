"""What a practitioner searches for, and how a typed name becomes index keys.

A search for a child combines any of: a name (typos and nicknames tolerated), a date of
birth, an NHS number, a UPN and an agency's own reference. The form (children/forms.py)
checks what was typed and builds a `ChildSearch`; `children.access.search_children` runs it
over the children the user may see. See docs/decisions/0024-child-search-and-chronology.md.

Names are matched by their Soundex keys (children/names.py), which the child carries
indexed. A given name is also matched through the nickname table, both ways and through
every formal name a nickname can stand for: "Lizzie" finds Elizabeth, "Elizabeth" finds a
child recorded as Lizzie, and "Sam" finds Samuel and Samantha.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from safeguarding.children import names

# More words than this are a sentence, not a name; the rest are ignored.
MAX_NAME_WORDS = 4


@dataclass(frozen=True)
class ChildSearch:
    """The terms of one search, already checked (identifiers valid, the date read)."""

    name: str = ""
    date_of_birth: date | None = None
    nhs_number: str = ""
    upn: str = ""
    record_id: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(
            (self.name_words, self.date_of_birth, self.nhs_number, self.upn, self.record_id)
        )

    @property
    def name_words(self) -> list[str]:
        """The typed name's words, normalised, without empties: "O'Brien, Jo" → obrien, jo."""
        words = [names.normalise(word) for word in re.split(r"[\s,]+", self.name)]
        return [word for word in words if word][:MAX_NAME_WORDS]

    def describe(self) -> dict[str, str]:
        """The terms as typed, for the audit log: the IG lead asks who searched for whom."""
        described = {
            "name": self.name.strip(),
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else "",
            "nhs_number": self.nhs_number,
            "upn": self.upn,
            "record_id": self.record_id,
        }
        return {key: value for key, value in described.items() if value}

    def summary(self) -> str:
        """One line for people: the audit page's purpose column, the results' caption."""
        parts = []
        if self.name.strip():
            parts.append(f"name “{self.name.strip()}”")
        if self.date_of_birth:
            parts.append(f"born {self.date_of_birth.day} {self.date_of_birth:%B %Y}")
        if self.nhs_number:
            parts.append(f"NHS number {format_nhs_number(self.nhs_number)}")
        if self.upn:
            parts.append(f"UPN {self.upn}")
        if self.record_id:
            parts.append(f"agency reference {self.record_id}")
        return ", ".join(parts)


def format_nhs_number(digits: str) -> str:
    """NHS numbers are read and written in groups of 3, 3 and 4 digits."""
    if len(digits) != 10:
        return digits
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


@cache
def _given_name_groups() -> dict[str, frozenset[str]]:
    """Each normalised given name → every name it may stand for or be written as."""
    data = json.loads(names.NICKNAMES_FILE.read_text(encoding="utf-8"))
    groups: dict[str, set[str]] = {}
    for formal, nicknames in data["names"].items():
        group = {names.normalise(formal), *(names.normalise(nick) for nick in nicknames)}
        for member in group:
            groups.setdefault(member, set()).update(group)
    return {member: frozenset(group) for member, group in groups.items()}


def given_name_variants(word: str) -> frozenset[str]:
    """The normalised word and the names the nickname table ties it to."""
    key = names.normalise(word)
    return _given_name_groups().get(key, frozenset()) | {key}


def given_name_keys(word: str) -> list[str]:
    """The Soundex keys a given name may be stored under, sorted (stable SQL)."""
    return sorted({names.name_key(variant) for variant in given_name_variants(word)} - {""})


def family_name_key(word: str) -> str:
    return names.name_key(word)
