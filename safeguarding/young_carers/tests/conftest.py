from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from safeguarding.conftest import World
from safeguarding.young_carers.models import YoungCarer


def make_carer(world: World, **fields: Any) -> YoungCarer:
    values: dict[str, Any] = {
        "child": world.child,
        "agency": world.la,
        "identified_on": date(2024, 1, 10),
        "cares_for": "parent",
        "care_reason": "mental_health",
        "next_review_on": date(2024, 4, 1),
    }
    values.update(fields)
    return YoungCarer.objects.create(**values)


@pytest.fixture
def carer(world: World) -> YoungCarer:
    return make_carer(world)
