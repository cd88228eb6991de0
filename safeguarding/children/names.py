"""Names as agencies write them: normalised, keyed for search, nicknames resolved.

- `normalise` makes two spellings of the same written name compare equal ("O'Brien",
  "o brien", "OBRIEN" all give "obrien"), keeping letters only.
- `name_key` is a phonetic key (Soundex, with the first letter kept) so that a typo
  such as "Jonh" or "Smiht" still finds "John Smith" through an index. See
  docs/decisions/0018-name-search-keys.md.
- `canonical_given_name` maps a nickname to the formal name of the shipped table
  (children/data/nicknames.json): "Lizzie" → "elizabeth". A nickname that belongs to
  several formal names ("Sam") maps to itself, the rest being ambiguous.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

NICKNAMES_FILE = Path(__file__).resolve().parent / "data" / "nicknames.json"

_SOUNDEX = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


@lru_cache(maxsize=65536)  # names repeat: linkage and imports ask for the same ones often
def normalise(name: str) -> str:
    """Lower-case ASCII letters only: accents dropped, spaces, hyphens, apostrophes gone."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed.casefold() if "a" <= ch <= "z")


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Soundex of the normalised name: four characters, or "" for no letters."""
    letters = normalise(name)
    if not letters:
        return ""
    key = letters[0].upper()
    last = _SOUNDEX.get(letters[0], "")
    for ch in letters[1:]:
        code = _SOUNDEX.get(ch, "")
        if code and code != last:
            key += code
            if len(key) == 4:
                break
        if ch not in "hw":
            last = code
    return key.ljust(4, "0")


@cache
def _nickname_table() -> dict[str, str]:
    data = json.loads(NICKNAMES_FILE.read_text(encoding="utf-8"))
    formal_of: dict[str, set[str]] = {}
    for formal, nicknames in data["names"].items():
        formal_key = normalise(formal)
        formal_of.setdefault(formal_key, set()).add(formal_key)
        for nickname in nicknames:
            formal_of.setdefault(normalise(nickname), set()).add(formal_key)
    return {
        nickname: next(iter(formals)) if len(formals) == 1 else nickname
        for nickname, formals in formal_of.items()
    }


def canonical_given_name(name: str) -> str:
    """The formal name a nickname stands for, normalised; else the name normalised."""
    key = normalise(name)
    return _nickname_table().get(key, key)
