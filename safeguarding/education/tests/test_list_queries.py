"""The education and young carers list pages read a page in a fixed number of queries,
however many rows (young carers have no tests of their own pages' reads)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

import pytest
from django.test import Client
from django.urls import reverse

from safeguarding.conftest import World
from safeguarding.core.tests.factories import ChildFactory, SourceRecordFactory
from safeguarding.core.tests.list_queries import assert_flat
from safeguarding.education.tests.conftest import make_case, make_ehe
from safeguarding.young_carers.tests.conftest import make_carer

serial = count(1)


def _children(world: World, n: int) -> list[object]:
    """Children the council holds a record of, so the involved practitioner sees them."""
    made = []
    for _ in range(n):
        child = ChildFactory(given_name=f"Listed{next(serial)}", family_name="Child")
        SourceRecordFactory(agency=world.la, child=child, record_id=f"LCS-L{next(serial)}")
        made.append(child)
    return made


def _cases(world: World, n: int) -> None:
    for child in _children(world, n):
        make_case(world, child=child)


def _ehe(world: World, n: int) -> None:
    for child in _children(world, n):
        make_ehe(world, child=child)


def _carers(world: World, n: int) -> None:
    for child in _children(world, n):
        make_carer(world, child=child)


LIST_PAGES: dict[str, tuple[str, Callable[[World, int], None]]] = {
    "education:cases": ("involved", _cases),
    "education:ehe": ("involved", _ehe),
    "young_carers:index": ("involved", _carers),
    "young_carers:oversight": ("involved", _carers),
}


@pytest.mark.parametrize("name", sorted(LIST_PAGES))
def test_an_education_or_young_carers_list_page_does_not_query_per_row(
    name: str, world: World, client_for: Callable[[str], Client]
) -> None:
    user, add = LIST_PAGES[name]
    assert_flat(client_for(user), reverse(name), lambda n: add(world, n))
