"""The education trackers' computed indicators, and the feeds read several periods at once."""

from __future__ import annotations

from datetime import date

import pytest

from safeguarding.conftest import World
from safeguarding.core.indicators import registry
from safeguarding.core.tests.factories import ChildFactory
from safeguarding.education import feeds
from safeguarding.education.tests.conftest import make_case, make_ehe

pytestmark = pytest.mark.django_db


def test_cme_and_ehe_indicators_count_each_month_and_nothing_before_the_first_record(
    world: World,
) -> None:
    functions = registry()
    make_case(world, referred_on=date(2024, 3, 5), closed_on=date(2024, 4, 10))
    make_case(world, child=ChildFactory(), referred_on=date(2024, 4, 2))
    make_ehe(world, started_on=date(2024, 4, 15))
    make_ehe(world, child=ChildFactory(), started_on=date(2024, 5, 1), ended_on=date(2024, 5, 20))
    april, may = (date(2024, 4, 1), date(2024, 4, 30)), (date(2024, 5, 1), date(2024, 5, 31))
    assert functions["cme-referrals"](*april) == 1
    assert functions["cme-open-recorded"](*april) == 1, "one closed on 10 April"
    assert functions["cme-referrals"](date(2024, 2, 1), date(2024, 2, 29)) is None
    assert functions["ehe-recorded"](*april) == 1
    assert functions["ehe-started"](*may) == 1
    assert functions["ehe-recorded"](*may) == 1, "one started and ended in May"
    assert functions["ehe-recorded"](date(2024, 3, 1), date(2024, 3, 31)) is None
    assert functions["cme-referrals"](date(2024, 6, 1), date(2024, 6, 30)) == 0


def test_the_feeds_of_several_periods_are_the_feeds_of_each(world: World) -> None:
    make_case(world, referred_on=date(2024, 3, 5), closed_on=date(2024, 7, 10))
    make_case(world, child=ChildFactory(), referred_on=date(2024, 8, 2))
    make_ehe(world, started_on=date(2024, 4, 15), ended_on=date(2024, 10, 1))
    quarters = [
        (date(2024, 4, 1), date(2024, 6, 30)),
        (date(2024, 7, 1), date(2024, 9, 30)),
        (date(2024, 10, 1), date(2024, 12, 31)),
    ]
    together = feeds.feeds(quarters)
    assert together == [feeds.feed(start, end) for start, end in quarters]
    assert [(f.cme_open, f.cme_referred, f.cme_closed, f.ehe_count) for f in together] == [
        (1, 0, 0, 1),
        (1, 1, 1, 1),
        (1, 0, 0, 0),
    ]
