"""Learning's list pages read a page in a fixed number of queries, however many rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from itertools import count

import pytest
from django.test import Client
from django.urls import reverse

from safeguarding.conftest import World
from safeguarding.core.tests.list_queries import assert_flat
from safeguarding.learning import actions
from safeguarding.learning.models import (
    AuditKind,
    AuditReturn,
    AuditTemplate,
    Briefing,
    PracticeAudit,
    Theme,
)
from safeguarding.learning.tests import helpers

serial = count(1)


def _notifications(world: World, n: int) -> None:
    for _ in range(n):
        helpers.notification(world.users["officer"], reference=f"SI-2024-{next(serial):03}")


def _reviews(world: World, n: int) -> None:
    for _ in range(n):
        helpers.practice_review(world.users["officer"], reference=f"LCSPR-{next(serial):03}")


def _actions(world: World, n: int) -> None:
    for i in range(n):
        helpers.action(world.users["officer"], world.la, date(2025, 1, 1) + timedelta(days=i))


def _audits(world: World, n: int) -> None:
    for _ in range(n):
        audit = PracticeAudit.objects.create(
            kind=AuditKind.MULTI_AGENCY, title=f"Audit {next(serial)}", held_on=date(2024, 11, 5)
        )
        AuditReturn.objects.create(audit=audit, agency=world.la)
        AuditReturn.objects.create(audit=audit, agency=world.police)


def _templates(world: World, n: int) -> None:
    for _ in range(n):
        AuditTemplate.objects.create(name=f"Tool {next(serial)}", questions="Was the child seen?")


def _themes(world: World, n: int) -> None:
    for _ in range(n):
        Theme.objects.create(name=f"Theme {next(serial)}")


def _briefings(world: World, n: int) -> None:
    theme = Theme.objects.create(name=f"Theme {next(serial)}")
    for _ in range(n):
        briefing = Briefing.objects.create(
            title=f"Briefing {next(serial)}",
            case_in_brief="An infant.",
            what_we_learned="Bruising.",
            what_to_do_differently="Ask.",
        )
        briefing.themes.add(theme)
        actions.publish_briefing(briefing, by=world.users["officer"])


LIST_PAGES: dict[str, tuple[str, Callable[[World, int], None]]] = {
    "learning:notifications": ("officer", _notifications),
    "learning:reviews": ("officer", _reviews),
    "learning:actions": ("officer", _actions),
    "learning:deadlines": ("executive", _notifications),
    "learning:audits": ("officer", _audits),
    "learning:returns": ("involved", _audits),
    "learning:templates": ("officer", _templates),
    "learning:themes": ("officer", _themes),
    "learning:library": ("involved", _briefings),
    "learning:briefings": ("officer", _briefings),
}


@pytest.mark.parametrize("name", sorted(LIST_PAGES))
def test_a_learning_list_page_does_not_query_per_row(
    name: str, world: World, client_for: Callable[[str], Client]
) -> None:
    user, add = LIST_PAGES[name]
    assert_flat(client_for(user), reverse(name), lambda n: add(world, n))
