"""Insight's list pages read a page in a fixed number of queries, however many rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from itertools import count

import pytest
from django.test import Client
from django.urls import reverse

from safeguarding.conftest import World
from safeguarding.core.models import SubGroup
from safeguarding.core.tests.list_queries import assert_flat
from safeguarding.insight.models import Comparator, ComparatorKind, Indicator, Spotlight
from safeguarding.insight.tests.conftest import add_series

serial = count(1)


def _indicators(world: World, n: int) -> list[Indicator]:
    group = SubGroup.objects.create(name=f"Sub-group {next(serial)}")
    made = []
    for _ in range(n):
        indicator = Indicator.objects.create(
            code=f"ind-{next(serial)}",
            title=f"Indicator {next(serial)}",
            definition="Counted.",
            unit="count",
            better_direction="down",
            frequency="monthly",
            source_agency=world.la,
            sub_group=group,
        )
        add_series(indicator, world.la, dt.date(2024, 4, 1), [5, 6, 7, 4])
        made.append(indicator)
    return made


def _comparators(world: World, n: int) -> None:
    for indicator in _indicators(world, n):
        Comparator.objects.create(
            indicator=indicator, kind=ComparatorKind.ENGLAND, year=2024, value=Decimal("5")
        )


def _spotlights(world: World, n: int) -> None:
    indicators = _indicators(world, n)
    for indicator in indicators:
        spotlight = Spotlight.objects.create(
            title=f"Spotlight {next(serial)}",
            summary="Look closer.",
            year=2024,
            sub_group=indicator.sub_group,
            by=world.users["officer"],
        )
        spotlight.indicators.add(indicator)


LIST_PAGES: dict[str, tuple[str, Callable[[World, int], object]]] = {
    "insight:dashboard": ("officer", _indicators),
    "insight:indicators": ("officer", _indicators),
    "insight:sub_groups": ("officer", _indicators),
    "insight:spotlights": ("officer", _spotlights),
    "insight:comparators": ("officer", _comparators),
    "insight:late": ("officer", _indicators),
    "insight:submissions": ("data_officer", _indicators),
}


@pytest.mark.parametrize("name", sorted(LIST_PAGES))
def test_an_insight_list_page_does_not_query_per_row(
    name: str, world: World, client_for: Callable[[str], Client]
) -> None:
    user, add = LIST_PAGES[name]
    assert_flat(client_for(user), reverse(name), lambda n: add(world, n))
