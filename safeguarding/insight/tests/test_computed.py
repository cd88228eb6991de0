"""Computed indicators: the hub works figures out from its own records, idempotently."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from safeguarding.conftest import World
from safeguarding.core import indicators
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.insight import computed
from safeguarding.insight.models import Channel, Correction, Indicator, Submission

pytestmark = pytest.mark.django_db

CATALOGUE = Path(computed.__file__).parent / "data" / "indicators.json"


def _indicator(code: str = "widgets", frequency: str = "quarterly") -> Indicator:
    return Indicator.objects.create(
        code=code,
        title="Widgets made",
        definition="Widgets the hub counted.",
        unit="count",
        better_direction="up",
        frequency=frequency,
        computed=True,
    )


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[dt.date, Any]:
    """A registered function for 'widgets' whose figures the test sets per period start."""
    figures: dict[dt.date, Any] = {}
    monkeypatch.setitem(indicators._registry, "widgets", lambda start, end: figures.get(start))
    return figures


def test_every_computed_indicator_of_the_shipped_catalogue_has_a_function() -> None:
    shipped = json.loads(CATALOGUE.read_text(encoding="utf-8"))["indicators"]
    codes = {item["code"] for item in shipped if item.get("source") == "computed"}
    assert codes, "the catalogue ships computed indicators"
    assert sorted(codes - set(computed.registry())) == []


def test_figures_are_written_for_complete_periods_against_the_partnership_agency(
    world: World, counted: dict[dt.date, Any], settings: Any
) -> None:
    settings.PARTNERSHIP_AGENCY = world.police.code
    indicator = _indicator()
    counted.update({dt.date(2025, 4, 1): 7, dt.date(2025, 7, 1): 9, dt.date(2025, 10, 1): 99})
    [outcome] = computed.compute(since=dt.date(2025, 4, 1), today=dt.date(2025, 11, 3))
    held = {s.period_start: s for s in Submission.objects.filter(indicator=indicator)}
    # The quarter from October is not over on 3 November: nothing is written for it.
    assert sorted(held) == [dt.date(2025, 4, 1), dt.date(2025, 7, 1)]
    assert held[dt.date(2025, 4, 1)].value == Decimal("7.00")
    assert {s.agency_id for s in held.values()} == {world.police.pk}
    assert {s.channel for s in held.values()} == {Channel.COMPUTED}
    assert (outcome.added, outcome.changed, outcome.unchanged) == (2, 0, 0)
    entry = AuditEntry.objects.filter(action=AuditAction.INDICATOR_CHANGE).last()
    assert entry is not None and entry.detail["written"] == 2


def test_a_second_run_writes_nothing_and_a_changed_record_keeps_the_old_value(
    world: World, counted: dict[dt.date, Any]
) -> None:
    indicator = _indicator()
    counted.update({dt.date(2025, 4, 1): 7, dt.date(2025, 7, 1): 9})
    computed.compute(since=dt.date(2025, 4, 1), today=dt.date(2025, 10, 2))
    [again] = computed.compute(since=dt.date(2025, 4, 1), today=dt.date(2025, 10, 2))
    assert (again.added, again.changed, again.unchanged) == (0, 0, 2)
    assert not Correction.objects.exists()

    counted[dt.date(2025, 7, 1)] = 11  # a record of the quarter was added late
    [third] = computed.compute(since=dt.date(2025, 4, 1), today=dt.date(2025, 10, 2))
    assert (third.added, third.changed, third.unchanged) == (0, 1, 1)
    held = Submission.objects.get(indicator=indicator, period_start=dt.date(2025, 7, 1))
    assert held.value == Decimal("11.00")
    correction = held.corrections.get()
    assert (correction.old_value, correction.new_value) == (Decimal("9.00"), Decimal("11.00"))
    assert correction.reason == computed.RECOMPUTED


def test_a_period_without_records_keeps_the_value_from_before_the_hub(
    world: World, counted: dict[dt.date, Any]
) -> None:
    indicator = _indicator()
    Submission.objects.create(
        indicator=indicator,
        period_start=dt.date(2025, 1, 1),
        agency=world.la,
        value=Decimal("40"),
        channel=Channel.UPLOAD,
    )
    counted[dt.date(2025, 4, 1)] = 5  # the module's first quarter
    [outcome] = computed.compute(since=dt.date(2025, 1, 1), today=dt.date(2025, 7, 2))
    assert outcome.no_records == 1
    assert Submission.objects.get(period_start=dt.date(2025, 1, 1)).value == Decimal("40.00")
    assert Submission.objects.get(period_start=dt.date(2025, 4, 1)).value == Decimal("5.00")


def test_the_command_reports_each_indicator_and_refuses_an_unknown_one(
    world: World, counted: dict[dt.date, Any]
) -> None:
    _indicator()
    counted[dt.date(2025, 4, 1)] = 3
    out = StringIO()
    call_command(
        "compute_indicators",
        "--indicator",
        "widgets",
        "--since",
        "2025-04-01",
        "--today",
        "2025-07-01",
        "--no-progress",
        stdout=out,
    )
    assert "widgets: 1 added, 0 changed, 0 unchanged" in out.getvalue()
    with pytest.raises(CommandError, match="Not a computed indicator of the catalogue: nothing"):
        call_command("compute_indicators", "--indicator", "nothing", stdout=StringIO())
    with pytest.raises(CommandError, match="is not a date"):
        call_command("compute_indicators", "--since", "1 April", stdout=StringIO())


def test_the_command_names_a_computed_indicator_no_app_computes(world: World) -> None:
    _indicator(code="orphan")
    with pytest.raises(CommandError, match="No function computes orphan"):
        call_command(
            "compute_indicators", "--indicator", "orphan", "--no-progress", stdout=StringIO()
        )


def test_without_the_partnership_agency_or_a_council_nothing_is_written(
    db: Any, counted: dict[dt.date, Any], settings: Any
) -> None:
    settings.PARTNERSHIP_AGENCY = "NOPE"
    _indicator()
    counted[dt.date(2025, 4, 1)] = 3
    with pytest.raises(CommandError, match="No agency has the code 'NOPE'"):
        call_command("compute_indicators", "--today", "2025-07-02", stdout=StringIO())
    assert not Submission.objects.exists()
