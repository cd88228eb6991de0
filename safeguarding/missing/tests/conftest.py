"""The missing tests' world: the fixed world, a request for a user, and two schools."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest
from django.test import RequestFactory

from safeguarding.conftest import World
from safeguarding.core import access
from safeguarding.core.calendar import LONDON
from safeguarding.core.models import AgencyKind
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import AgencyFactory, SourceRecordFactory, UserFactory
from safeguarding.missing.models import Episode


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)  # type: ignore[misc]


@pytest.fixture
def request_for(world: World) -> Callable[[str], HttpRequest]:
    def make(name: str) -> HttpRequest:
        request = RequestFactory().post("/")
        request.user = world.users[name]
        request.session = SessionStore()
        request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
        return request

    return make


@dataclass
class Schools:
    """The child's school (it holds a record of the child) and another, each with a DSL."""

    school: Any
    dsl: Any
    teacher: Any
    other_school: Any
    other_dsl: Any


@pytest.fixture
def schools(world: World) -> Schools:
    SourceRecordFactory(agency=world.school, child=world.child, record_id="UPN-1")
    other = AgencyFactory(code="OTHERSCH", name="Other Primary", kind=AgencyKind.SCHOOL)
    return Schools(
        school=world.school,
        dsl=UserFactory(
            email="dsl@school.example", full_name="Dee Esel", agency=world.school, roles=[Role.DSL]
        ),
        teacher=UserFactory(
            email="t@school.example", agency=world.school, roles=[Role.PRACTITIONER]
        ),
        other_school=other,
        other_dsl=UserFactory(email="dsl@other.example", agency=other, roles=[Role.DSL]),
    )


def make_episode(world: World, reported_at: datetime, **values: Any) -> Episode:
    """An episode recorded by the council (tests sit outside the access boundary)."""
    episode = Episode(child=world.child, agency=world.la, reported_at=reported_at, **values)
    episode.save()
    return episode


def granted(request: HttpRequest, world: World) -> access.ChildAccess:
    return access.get_child(request, world.child.public_id, purpose="test")
