"""Training's list pages read a page in a fixed number of queries, however many rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core.tests.list_queries import assert_flat
from safeguarding.training.models import Booking, BookingStatus, LearnerStatus
from safeguarding.training.tests.factories import LearnerFactory, SessionFactory


def _sessions(world: World, n: int) -> None:
    for _ in range(n):
        session = SessionFactory()
        Booking.objects.create(
            session=session, learner=LearnerFactory(agency=world.la), status=BookingStatus.BOOKED
        )


def _past_sessions(world: World, n: int) -> None:
    for _ in range(n):
        starts = timezone.now() - timedelta(days=3)
        session = SessionFactory(starts_at=starts, ends_at=starts + timedelta(hours=3))
        Booking.objects.create(
            session=session, learner=LearnerFactory(agency=world.la), status=BookingStatus.ATTENDED
        )


def _waiting_learners(world: World, n: int) -> None:
    for _ in range(n):
        LearnerFactory(agency=world.la, status=LearnerStatus.PENDING)


LIST_PAGES: dict[str, tuple[str, Callable[[World, int], None]]] = {
    "training:courses": ("anonymous", _sessions),
    "training:manage": ("officer", _sessions),
    "training:sessions": ("officer", _sessions),
    "training:learners": ("officer", _waiting_learners),
    "training:report": ("officer", _past_sessions),
}


@pytest.mark.parametrize("name", sorted(LIST_PAGES))
def test_a_training_list_page_does_not_query_per_row(
    name: str, world: World, client_for: Callable[[str], Client]
) -> None:
    user, add = LIST_PAGES[name]
    assert_flat(client_for(user), reverse(name), lambda n: add(world, n))
