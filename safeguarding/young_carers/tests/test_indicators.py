"""The young carers register's computed indicators."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core.indicators import registry
from safeguarding.core.tests.factories import ChildFactory
from safeguarding.young_carers import feeds
from safeguarding.young_carers.models import Review
from safeguarding.young_carers.tests.conftest import make_carer

pytestmark = pytest.mark.django_db


def test_the_register_indicators_count_each_period(world: World) -> None:
    functions = registry()
    first = make_carer(world, identified_on=date(2024, 1, 10), next_review_on=date(2024, 9, 1))
    make_carer(
        world,
        child=ChildFactory(),
        identified_on=date(2024, 2, 3),
        closed_on=date(2024, 3, 15),
        next_review_on=date(2024, 5, 1),
    )
    Review.objects.create(
        young_carer=first,
        child=world.child,
        held_on=date(2024, 4, 1),
        was_due_on=date(2024, 4, 3),
        summary="In time.",
    )
    Review.objects.create(
        young_carer=first,
        child=world.child,
        held_on=date(2024, 6, 20),
        was_due_on=date(2024, 6, 10),
        summary="Late.",
    )
    assert functions["young-carers-identified"](date(2024, 2, 1), date(2024, 2, 29)) == 1
    assert functions["young-carers-on-register"](date(2024, 2, 1), date(2024, 2, 29)) == 2
    assert functions["young-carers-on-register"](date(2024, 3, 1), date(2024, 3, 31)) == 1
    assert functions["young-carers-identified"](date(2023, 12, 1), date(2023, 12, 31)) is None
    quarter = (date(2024, 4, 1), date(2024, 6, 30))
    assert (
        functions["young-carers-reviewed-in-time"](*quarter).value == 50.0
    )  # kept with its counts: 1 of 2
    assert functions["young-carers-reviewed-in-time"](date(2024, 1, 1), date(2024, 3, 31)) is None


def test_the_feeds_of_several_periods_are_the_feeds_of_each(world: World) -> None:
    make_carer(world, identified_on=date(2024, 1, 10), next_review_on=date(2024, 5, 1))
    make_carer(
        world,
        child=ChildFactory(),
        identified_on=date(2024, 4, 3),
        young_adult_carer=True,
        closed_on=date(2024, 8, 1),
        next_review_on=date(2024, 7, 1),
    )
    quarters = [(date(2024, 1, 1), date(2024, 3, 31)), (date(2024, 4, 1), date(2024, 6, 30))]
    today = timezone.localdate()
    together = feeds.feeds(quarters, today=today)
    assert together == [feeds.feed(start, end, today=today) for start, end in quarters]
    assert [(f.on_register, f.young_adult_carers, f.reviews_due) for f in together] == [
        (1, 0, 0),
        (2, 1, 1),
    ]
