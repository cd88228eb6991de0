"""The demo's notices of returns go to the leads of the schools holding the child's record."""

from __future__ import annotations

from datetime import date

import pytest

from safeguarding.conftest import World
from safeguarding.demo.registry import DemoContext
from safeguarding.missing.demo import _school_notices, term_holidays
from safeguarding.missing.tests.conftest import Schools, london, make_episode

pytestmark = pytest.mark.django_db


def test_the_demo_tells_only_the_childs_schools_lead(world: World, schools: Schools) -> None:
    ctx = DemoContext(seed=1, scale=0.01)
    ctx.users = {"dsl": schools.dsl, "other_dsl": schools.other_dsl, "teacher": schools.teacher}
    ctx.roles_by_user = {
        schools.dsl.pk: ("dsl",),
        schools.other_dsl.pk: ("dsl",),
        schools.teacher.pk: ("practitioner",),
    }
    ctx.records_by_child = {world.child.pk: list(world.child.source_records.all())}
    episode = make_episode(world, london(2025, 3, 7, 12), returned_at=london(2025, 3, 7, 18))
    notices = _school_notices(ctx, [episode], [])
    assert [(n.recipient, n.due_on) for n in notices] == [(schools.dsl, date(2025, 3, 10))]


def test_the_demo_tells_schools_after_its_holidays(world: World, schools: Schools) -> None:
    ctx = DemoContext(seed=1, scale=0.01)
    ctx.roles_by_user = {schools.dsl.pk: ("dsl",)}
    ctx.users = {"dsl": schools.dsl}
    ctx.records_by_child = {world.child.pk: list(world.child.source_records.all())}
    # Friday 14 February 2025, before the February half-term the demo keeps.
    episode = make_episode(world, london(2025, 2, 14, 9), returned_at=london(2025, 2, 14, 18))
    half_term = [(f, last) for name, f, last in term_holidays(date(2025, 2, 1), date(2025, 2, 28))]
    assert half_term == [(date(2025, 2, 17), date(2025, 2, 21))]
    notices = _school_notices(ctx, [episode], half_term)
    assert [n.due_on for n in notices] == [date(2025, 2, 24)]
