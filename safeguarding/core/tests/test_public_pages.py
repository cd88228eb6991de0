"""Which pages answer without signing in, and that no page for the signed-in is kept by a
browser: each asked of every URL the project has, so a new page is covered unasked.

The public list is kept once, in core/public.py; docs/security.md mirrors it, and the
test reads the document's table so that the two cannot drift.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from safeguarding.conftest import World
from safeguarding.core.public import PUBLIC_PAGES
from safeguarding.core.tests.matrix import OK, USERS
from safeguarding.core.tests.savepoints import undo_savepoint
from safeguarding.core.tests.test_view_access_matrix import (  # noqa: F401 - a fixture
    MATRIX,
    matrix_world,
)

SECURITY_MD = Path(__file__).resolve().parents[3] / "docs" / "security.md"
SIGN_IN_PATH = "/accounts/login/"


def every_url_name() -> dict[str, list[str]]:
    """Every named URL of the resolver, allauth's included, with its arguments' names."""
    found: dict[str, list[str]] = {}

    def arguments(pattern: Any) -> list[str]:
        return list(pattern.regex.groupindex)

    def walk(patterns: list[Any], namespace: str, above: list[str]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    pattern.namespace or namespace,
                    above + arguments(pattern.pattern),
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found[name] = above + arguments(pattern.pattern)

    walk(get_resolver().url_patterns, "", [])
    return found


def url_for(name: str, arguments: list[str], world: World) -> str:
    """The matrix's URL for a page of the project's; for allauth's, made-up arguments of
    whatever kind its converters take."""
    if name in MATRIX:
        return reverse(name, kwargs=MATRIX[name][0](world))
    for values in itertools.product([1, str(uuid.uuid4()), "x"], repeat=len(arguments)):
        try:
            return reverse(name, kwargs=dict(zip(arguments, values, strict=True)))
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot make a URL for {name}")


class _Undo(Exception):
    pass


@contextmanager
def undone() -> Iterator[None]:
    """What a page's URL builder makes is undone after its request, so the next page's
    builder starts from the same world."""
    try:
        with undo_savepoint():
            yield
            raise _Undo
    except _Undo:
        pass


def answers_the_anonymous(url: str) -> bool:
    response = Client().get(url)
    sent_to_sign_in = response.status_code == 302 and response["Location"].startswith(SIGN_IN_PATH)
    return not sent_to_sign_in


def documented_public_pages() -> set[str]:
    """The URL names in the first column of docs/security.md's "Public pages" table."""
    text = SECURITY_MD.read_text(encoding="utf-8")
    section = text.split("### Public pages", 1)[1].split("\n#", 1)[0]
    return set(re.findall(r"^\| `([\w:]+)` \|", section, flags=re.MULTILINE))


@pytest.mark.django_db
def test_exactly_the_listed_pages_answer_without_signing_in(
    matrix_world: World,  # noqa: F811 - the fixture imported above
) -> None:
    public: set[str] = set()
    for name, arguments in sorted(every_url_name().items()):
        with undone():
            if answers_the_anonymous(url_for(name, arguments, matrix_world)):
                public.add(name)
    assert public == set(PUBLIC_PAGES), (
        f"public but not listed: {sorted(public - set(PUBLIC_PAGES))}; "
        f"listed but not public: {sorted(set(PUBLIC_PAGES) - public)}"
    )


def test_the_security_page_gives_each_public_page_its_limit() -> None:
    from safeguarding.core.limits import limit_of

    text = SECURITY_MD.read_text(encoding="utf-8")
    section = text.split("### Public pages", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `([\w:]+)` \|.*\| ([^|]*) \|$", section, flags=re.MULTILINE)
    assert rows
    for name, documented in rows:
        limit = limit_of(name)
        assert documented.strip() == (limit.described() if limit else ""), name


def test_the_security_page_lists_exactly_the_public_pages() -> None:
    documented = documented_public_pages()
    assert documented == set(PUBLIC_PAGES), (
        f"in docs/security.md only: {sorted(documented - set(PUBLIC_PAGES))}; "
        f"in core/public.py only: {sorted(set(PUBLIC_PAGES) - documented)}"
    )


def signed_in_user_for(statuses: dict[str, Any]) -> str:
    """A user the page answers 200, if any; else a user it refuses (the refusal is a page
    for a signed-in user too)."""
    return next((u for u in USERS if u != "anonymous" and statuses[u] == OK), "officer")


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_no_answer_to_a_signed_in_user_is_kept_by_a_browser_or_proxy(
    url_name: str,
    matrix_world: World,  # noqa: F811 - the fixture imported above
    client_for: Callable[[str], Client],
) -> None:
    make_kwargs, statuses = MATRIX[url_name]
    user = signed_in_user_for(statuses)
    response = client_for(user).get(reverse(url_name, kwargs=make_kwargs(matrix_world)))
    control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert "no-store" in control, f"{url_name} as {user}: {control}"
