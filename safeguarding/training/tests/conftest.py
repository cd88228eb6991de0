from __future__ import annotations

from typing import Any

import pytest

from safeguarding.conftest import World
from safeguarding.training.tests.factories import LearnerFactory


@pytest.fixture
def domains(world: World) -> World:
    """The council's and the school's staff book with their work emails."""
    world.la.email_domains = "la.example"
    world.la.save()
    world.school.email_domains = "school.example, academy.example"
    world.school.save()
    return world


@pytest.fixture
def learner(domains: World) -> Any:
    return LearnerFactory(agency=domains.la)
