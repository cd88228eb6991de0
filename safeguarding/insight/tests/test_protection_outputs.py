"""Every output of a year reads the year's protection: the CSV, the report's tables,
charts and headlines; one policy per year; the officer's check before publishing
(docs/decisions/0068-protection-across-linked-tables.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from safeguarding.conftest import World
from safeguarding.insight import actions, queries
from safeguarding.insight.forms import ExportForm
from safeguarding.insight.models import Indicator, Submission
from safeguarding.insight.tests.conftest import add_series
from safeguarding.reports import blocks

Clients = Callable[[str], Client]

MONTHS = [9, 2, 7, 20, 30, 25, 14, 16, 18, 22, 24, 26]


def _csv(client: object, code: str, year: int = 2024) -> list[list[str]]:
    response = client.get(reverse("insight:export", args=[code]), {"year": year})  # type: ignore[attr-defined]
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_hides_a_small_month_with_the_fewest_partners(
    world: World, client_for: Clients, episodes: Indicator
) -> None:
    add_series(episodes, world.la, dt.date(2024, 4, 1), MONTHS)
    rows = _csv(client_for("analyst"), episodes.code)
    cells = {row[0]: row[1] for row in rows[1:]}
    hidden = [label for label, v in cells.items() if v == "c"]
    assert cells["May 2024"] == "c"
    assert len(hidden) == 2  # one small month hides one partner, not the year
    assert cells["Total 2024/25"] == f"{sum(MONTHS):,}"
    assert all(f.protected for f in queries.year_protection(2024).audit())


def test_d3_a_percentage_with_a_hidden_numerator_is_hidden_in_table_chart_and_headline(
    world: World, client_for: Clients, rhi: Indicator
) -> None:
    for q, (num, den) in enumerate([(3, 419), (300, 400), (320, 410), (330, 420)]):
        Submission.objects.create(
            indicator=rhi,
            period_start=dt.date(2024, 4 + 3 * q, 1) if q < 3 else dt.date(2025, 1, 1),
            agency=world.la,
            value=Decimal(num * 100) / Decimal(den),
            numerator=num,
            denominator=den,
            channel="demo",
        )
    rows = _csv(client_for("analyst"), rhi.code)
    assert rows[1] == ["Q1 2024/25", "c", "419", "c"]  # not 0.7
    drawn = blocks.draw({"block": "indicators", "limit": 5}, 2024)
    chart = next(c for c in drawn["charts"] if c["title"] == rhi.title)
    assert chart["chart"] is None  # no dot, no hover text with 0.7%
    assert ["Q1 2024/25", "c", "419", "c"] in chart["rows"]
    assert not any(rhi.title in text for text in drawn["headlines"])
    assert "0.7" not in str(drawn)


def test_d4_one_policy_per_year_for_every_output(
    world: World, client_for: Clients, episodes: Indicator
) -> None:
    add_series(episodes, world.la, dt.date(2024, 4, 1), MONTHS)
    assert "policy" not in ExportForm.base_fields  # no second policy to ask for
    actions.set_year_policy(2024, "nhs")
    rows = _csv(client_for("analyst"), episodes.code)
    assert {row[0]: row[1] for row in rows[1:]}["May 2024"] == "*"
    # Asking for the other policy changes nothing.
    response = client_for("analyst").get(
        reverse("insight:export", args=[episodes.code]), {"year": 2024, "policy": "dfe"}
    )
    assert list(csv.reader(io.StringIO(response.content.decode()))) == rows
    actions.fix_year_policy(2024)  # the year's report is published
    with pytest.raises(actions.PolicyFixed):
        actions.set_year_policy(2024, "dfe")
    assert queries.policy_for_year(2024) == "nhs"
    assert queries.policy_for_year(2023) == "dfe"


def test_the_officer_checks_a_draft_year_before_publishing(
    world: World, client_for: Clients, episodes: Indicator
) -> None:
    add_series(episodes, world.la, dt.date(2024, 4, 1), MONTHS)
    page = client_for("officer").get(reverse("insight:disclosure_audit"), {"year": 2024})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Safe to publish" in text
    assert "missing-episodes:2024-05-01" in text  # May, hidden, with its interval
    assert client_for("analyst").get(reverse("insight:disclosure_audit")).status_code == 403


def test_a_percentage_the_hub_computes_is_kept_and_hidden_with_its_counts(
    world: World, client_for: Clients, rhi: Indicator
) -> None:
    from safeguarding.insight.computed import Ratio, compute_indicator

    periods = [rhi.period(dt.date(2024, 4, 1)), rhi.period(dt.date(2024, 7, 1))]
    figures = {periods[0].start: Ratio(3, 419), periods[1].start: Ratio(300, 400)}
    compute_indicator(rhi, lambda start, end: figures[start], periods, world.la)
    held = Submission.objects.get(indicator=rhi, period_start=periods[0].start)
    assert (held.numerator, held.denominator) == (3, 419)
    rows = _csv(client_for("analyst"), rhi.code)
    assert rows[1:] == [["Q1 2024/25", "c", "419", "c"], ["Q2 2024/25", "300", "400", "75.0"]]
