from __future__ import annotations

from datetime import date
from typing import Any

from safeguarding.conftest import World
from safeguarding.education.models import CmeCase, EheRecord


def make_case(world: World, **fields: Any) -> CmeCase:
    values: dict[str, Any] = {
        "child": world.child,
        "agency": world.la,
        "referred_on": date(2024, 9, 10),
        "referred_by": world.school,
    }
    values.update(fields)
    return CmeCase.objects.create(**values)


def make_ehe(world: World, **fields: Any) -> EheRecord:
    values: dict[str, Any] = {
        "child": world.child,
        "agency": world.la,
        "started_on": date(2024, 9, 1),
        "reason": "mental_health",
    }
    values.update(fields)
    return EheRecord.objects.create(**values)
