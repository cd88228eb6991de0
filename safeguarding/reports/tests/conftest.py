from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from safeguarding.conftest import World
from safeguarding.core.models import Priority
from safeguarding.insight.models import Channel, Indicator, Submission
from safeguarding.reports import actions
from safeguarding.reports.models import AnnualReport, FinanceKind, FinanceLine, YearEntries

AREA_CSV = (
    "group,indicator,value,unit,period,source\n"
    "The first 1001 days,of infants breastfed at 6 to 8 weeks,63.55,percentage,Q2 2024/25,PHOF\n"
    "The first 1001 days,infant mortality rate,3.1,rate_1000,2022 to 2023,PHOF\n"
)


def monthly_series(indicator: Indicator, agency: Any, start: dt.date, values: list[int]) -> None:
    period = indicator.period(start)
    rows = []
    for value in values:
        rows.append(
            Submission(
                indicator=indicator,
                period_start=period.start,
                agency=agency,
                value=Decimal(value),
                channel=Channel.DEMO,
            )
        )
        period = period.shift(1)
    Submission.objects.bulk_create(rows)


def count_indicator(world: World, code: str, priority: Priority | None = None) -> Indicator:
    return Indicator.objects.create(
        code=code,
        title=f"Indicator {code}",
        definition="A monthly count.",
        unit="count",
        better_direction="down",
        frequency="monthly",
        source_agency=world.la,
        priority=priority,
    )


@pytest.fixture
def entries_2024(world: World) -> None:
    """The year's entries as an officer would make them: the deficit is £31,172."""
    actions.import_area_figures(AREA_CSV, 2024)
    YearEntries.objects.create(
        year=2024,
        social_followers=1083,
        newsletter_subscribers=860,
        website_visits_per_month=2892,
        balance_met_by=world.la,
    )
    FinanceLine.objects.create(
        year=2024,
        kind=FinanceKind.CONTRIBUTION,
        agency=world.la,
        label="Council",
        amount=Decimal("100000"),
    )
    FinanceLine.objects.create(
        year=2024, kind=FinanceKind.SPEND, label="Staffing", amount=Decimal("131172")
    )
    actions.save_death_counts(2024, {5: (0, 9), 8: (2, 7)})


@pytest.fixture
def report_2024(world: World) -> AnnualReport:
    Priority.objects.create(year=2024, number=1, title="Spotting exploitation")
    return actions.create_report(2024)
