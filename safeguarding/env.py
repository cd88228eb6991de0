"""Reading settings from the environment, failing loudly on a bad value.

Every setting the hub takes comes from an environment variable; a value that cannot be
understood stops start-up with ImproperlyConfigured naming the variable, rather than
quietly falling back to a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class Env:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.environ.get(name)
        return default if value is None else value

    def flag(self, name: str, default: bool = False) -> bool:
        raw = self.environ.get(name)
        if raw is None:
            return default
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a yes/no value: use one of 1, true, yes, on, 0, false, no, off."
        )

    def number(self, name: str, default: int, *, minimum: int = 0) -> int:
        raw = self.environ.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
        if value < minimum:
            raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
        return value

    def items(self, name: str, default: list[str]) -> list[str]:
        raw = self.environ.get(name)
        if raw is None:
            return default
        items = [item.strip() for item in raw.split(",") if item.strip()]
        if not items:
            raise ImproperlyConfigured(f"{name} is set but names nothing.")
        return items


# A secret key must look random: Django's own key (get_random_secret_key) is 50 characters
# drawn from 50 symbols, which gives about 32 different characters and no repeated unit.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT = 20


def repeats_a_short_unit(key: str) -> bool:
    """True when the key is mostly one short unit over and over ("abcde" * 10 + "12",
    "0123456789" * 5, a phrase twice): for some shift of at most half its length, at least
    half of its characters equal the one that many places on. A random key matches about
    one in fifty."""
    for shift in range(1, len(key) // 2 + 1):
        same = sum(a == b for a, b in zip(key, key[shift:], strict=False))
        if same * 2 >= len(key) - shift:
            return True
    return False


def weak_secret_key(key: str, development_key: str) -> bool:
    """A key that production must refuse: the development key or any "django-insecure"
    one, shorter than 50 characters, fewer than 20 different characters, or a short unit
    repeated."""
    return (
        key == development_key
        or key.startswith("django-insecure")
        or len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_DISTINCT
        or repeats_a_short_unit(key)
    )
