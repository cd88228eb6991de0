from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from safeguarding.conftest import World
from safeguarding.insight.models import Channel, Indicator, Submission


@pytest.fixture
def rhi(world: World) -> Indicator:
    """A quarterly percentage the council sends, higher is better, with a target."""
    return Indicator.objects.create(
        code="rhi-72-hours",
        title="Return home interviews within 72 hours",
        definition="Interviews within 72 hours of return.",
        unit="percentage",
        numerator="Interviews within 72 hours",
        denominator="Returns",
        better_direction="up",
        frequency="quarterly",
        source_agency=world.la,
        target=Decimal("80"),
    )


@pytest.fixture
def episodes(world: World) -> Indicator:
    """A monthly count the council sends, lower is better."""
    return Indicator.objects.create(
        code="missing-episodes",
        title="Missing episodes",
        definition="Episodes that started in the period.",
        unit="count",
        better_direction="down",
        frequency="monthly",
        source_agency=world.la,
    )


def add_series(indicator: Indicator, agency: Any, start: dt.date, values: list[float]) -> None:
    """Values for consecutive periods from `start`, as the hub would hold them."""
    period = indicator.period(start)
    rows = []
    for value in values:
        rows.append(
            Submission(
                indicator=indicator,
                period_start=period.start,
                agency=agency,
                value=Decimal(str(value)),
                channel=Channel.DEMO,
            )
        )
        period = period.shift(1)
    Submission.objects.bulk_create(rows)
