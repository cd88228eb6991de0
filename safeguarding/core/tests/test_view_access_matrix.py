"""Every page, tried as every fixed user of the access model.

The matrix names every URL of the project's own apps: the core's below, each app's in its
`tests/matrix_*.py` (see core/tests/matrix.py). A new page that is in no matrix fails
`test_every_page_is_in_the_matrix`, so no page ships untried.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from safeguarding.conftest import World
from safeguarding.core.tests.matrix import (
    ALL_OK,
    NOT_FOUND,
    OK,
    SIGN_IN,
    USERS,
    Entries,
    expect,
)

CORE: Entries = {
    "core:home": (lambda w: {}, expect(**ALL_OK)),
    "core:partnership": (lambda w: {}, expect(officer=OK)),
    "core:agencies": (lambda w: {}, expect(officer=OK)),
    "core:agency_new": (lambda w: {}, expect(officer=OK)),
    "core:agency_edit": (lambda w: {"code": w.la.code}, expect(officer=OK)),
    "core:agency_remove": (lambda w: {"code": w.la.code}, expect(officer=405)),
    "core:sub_groups": (lambda w: {}, expect(officer=OK)),
    "core:sub_group_new": (lambda w: {}, expect(officer=OK)),
    "core:sub_group_edit": (lambda w: {"pk": w.sub_group.pk}, expect(officer=OK)),
    "core:priorities": (lambda w: {}, expect(officer=OK)),
    "core:priority_new": (lambda w: {}, expect(officer=OK)),
    "core:priority_edit": (lambda w: {"pk": w.priority.pk}, expect(officer=OK)),
    "core:users": (lambda w: {}, expect(agency_admin=OK)),
    "core:user_new": (lambda w: {}, expect(agency_admin=OK)),
    # An agency admin's own agency's user is theirs; another agency's user does not exist for them.
    "core:user_edit": (lambda w: {"pk": w.users["involved"].pk}, expect(agency_admin=NOT_FOUND)),
    "core:user_toggle": (lambda w: {"pk": w.users["involved"].pk}, expect(agency_admin=405)),
    "core:audit": (lambda w: {}, expect(ig_lead=OK)),
    "core:audit_export": (lambda w: {}, expect(ig_lead=302)),
    "core:break_glass_queue": (lambda w: {}, expect(ig_lead=OK)),
    "core:break_glass_review": (
        lambda w: {"public_id": w.break_glass.public_id},
        expect(ig_lead=OK),
    ),
}


def collect_matrix() -> Entries:
    """The core's entries and every app's `tests/matrix_*.py` ENTRIES."""
    import importlib
    from pathlib import Path

    import safeguarding

    root = Path(safeguarding.__file__).resolve().parent
    matrix: Entries = dict(CORE)
    for path in sorted(root.glob("*/tests/matrix_*.py")):
        module = importlib.import_module(
            "safeguarding." + ".".join(path.relative_to(root).with_suffix("").parts)
        )
        for name, entry in module.ENTRIES.items():
            assert name not in matrix, f"{name} is in the matrix twice"
            matrix[name] = entry
    return matrix


MATRIX = collect_matrix()


def project_url_names() -> set[str]:
    """Named URLs of the project's own apps (allauth's pages are allauth's to test)."""
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if getattr(pattern.urlconf_module, "__name__", "").startswith("safeguarding."):
                    walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_page_is_in_the_matrix() -> None:
    missing = project_url_names() - set(MATRIX)
    assert not missing, f"pages not tried as every fixed user: {sorted(missing)}"


@pytest.fixture
def matrix_world(world: World) -> World:
    from safeguarding.core.models import BreakGlass, Priority, SubGroup

    world.sub_group = SubGroup.objects.create(name="Case Review")  # type: ignore[attr-defined]
    world.priority = Priority.objects.create(year=2025, number=1, title="Exploitation")  # type: ignore[attr-defined]
    from django.utils import timezone

    world.break_glass = BreakGlass.objects.create(  # type: ignore[attr-defined]
        user=world.users["other_agency"],
        child=world.child,
        reason="Urgent call from A&E about this child tonight",
        expires_at=timezone.now(),
    )
    return world


@pytest.mark.parametrize("url_name", sorted(MATRIX))
@pytest.mark.parametrize("user", USERS)
def test_each_page_answers_each_fixed_user_as_the_access_model_says(
    url_name: str, user: str, matrix_world: World, client_for: Callable[[str], Client]
) -> None:
    make_kwargs, statuses = MATRIX[url_name]
    url = reverse(url_name, kwargs=make_kwargs(matrix_world))
    response = client_for(user).get(url)
    wanted = statuses[user]
    if wanted == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == wanted, f"{user} on {url_name}"
