"""The data set's pages as their users use them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from safeguarding.conftest import World
from safeguarding.core.models import AuditEntry, SubGroup
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import UserFactory
from safeguarding.insight.models import Commentary, Indicator, Spotlight, Submission
from safeguarding.insight.tests.conftest import add_series

Clients = Callable[[str], Client]


def test_the_executive_dashboard_shows_tiles_icons_and_headlines(
    world: World, client_for: Clients, episodes: Indicator
) -> None:
    add_series(episodes, world.la, dt.date(2023, 4, 1), [*[40.0, 44.0] * 9, 90.0])
    response = client_for("executive").get(reverse("insight:dashboard") + "?year=2024")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Missing episodes: concern — October 2024 (90) is above the upper limit" in page
    assert "Special cause variation: concern (higher)" in page
    assert 'role="img"' in page


def test_the_indicator_page_draws_the_chart_and_the_same_data_as_a_table(
    world: World, client_for: Clients, rhi: Indicator
) -> None:
    add_series(rhi, world.la, dt.date(2020, 4, 1), [60.0, 64.0] * 8)
    page = client_for("analyst").get(reverse("insight:indicator", args=[rhi.code])).content.decode()
    assert "<svg" in page and '<title id="chart-title">' in page and "<desc" in page
    assert "Q4 2023/24" in page and "64.0%" in page
    assert "Consistently misses the target" in page or "Hits and misses" in page


def test_a_short_series_is_a_run_chart_without_icons(
    world: World, client_for: Clients, rhi: Indicator
) -> None:
    add_series(rhi, world.la, dt.date(2023, 4, 1), [60.0, 64.0, 70.0])
    page = client_for("analyst").get(reverse("insight:indicator", args=[rhi.code])).content.decode()
    assert "Too few points for limits" in page
    assert "a run chart" in page


def test_an_officer_adds_commentary_that_shows_beside_the_value(
    world: World, client_for: Clients, rhi: Indicator
) -> None:
    add_series(rhi, world.la, dt.date(2024, 4, 1), [60.0])
    url = reverse("insight:commentary", args=[rhi.code, "2024-04-01"])
    response = client_for("officer").post(
        url, {"text": "A new independent interview service began."}
    )
    assert response.status_code == 302
    assert Commentary.objects.get().by == world.users["officer"]
    page = (
        client_for("executive").get(reverse("insight:indicator", args=[rhi.code])).content.decode()
    )
    assert "A new independent interview service began." in page


def test_the_public_export_hides_small_counts_and_what_would_give_them_away(
    world: World, client_for: Clients, episodes: Indicator
) -> None:
    add_series(
        episodes, world.la, dt.date(2024, 4, 1), [3, 40, 41, 50, 60, 2, 30, 33, 35, 36, 37, 38]
    )
    response = client_for("analyst").get(
        reverse("insight:export", args=[episodes.code]), {"year": 2024, "policy": "dfe"}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    cells = {row[0]: row[1] for row in rows[1:]}
    assert cells["April 2024"] == "c" and cells["September 2024"] == "c"
    assert cells["Total 2024/25"] == "405"
    assert sum(1 for v in cells.values() if v == "c") >= 2
    assert AuditEntry.objects.filter(action="export", object_id=episodes.code).exists()


def test_a_count_at_each_periods_end_is_published_without_a_total(
    world: World, client_for: Clients, episodes: Indicator
) -> None:
    episodes.summable = False  # as children on a register at each month's end
    episodes.save()
    add_series(episodes, world.la, dt.date(2024, 4, 1), [3, 40, 41])
    response = client_for("analyst").get(
        reverse("insight:export", args=[episodes.code]), {"year": 2024, "policy": "dfe"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1:] == [["April 2024", "c"], ["May 2024", "40"], ["June 2024", "41"]]


def test_the_public_export_of_a_percentage_hides_it_with_a_small_numerator(
    world: World, client_for: Clients, rhi: Indicator
) -> None:
    Submission.objects.create(
        indicator=rhi,
        period_start=dt.date(2024, 4, 1),
        agency=world.la,
        value=Decimal("80"),
        numerator=4,
        denominator=5,
        channel="demo",
    )
    response = client_for("analyst").get(
        reverse("insight:export", args=[rhi.code]), {"year": 2024, "policy": "dfe"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1] == ["Q1 2024/25", "c", "c", "c"]


def test_a_data_officer_sends_and_then_corrects_a_value_by_form(
    world: World, client_for: Clients, episodes: Indicator
) -> None:
    client = client_for("data_officer")
    url = reverse("insight:submit", args=[episodes.code, "2024-04-01"])
    assert client.post(url, {"value": "41"}).status_code == 302
    page = client.get(url).content.decode()
    assert "Why is the value being corrected?" in page
    response = client.post(url, {"value": "44"})
    assert "Say why" in response.content.decode() or "required" in response.content.decode()
    assert client.post(url, {"value": "44", "reason": "Duplicates removed"}).status_code == 302
    page = client.get(url).content.decode()
    assert "Duplicates removed" in page and "Dai Ta" in page
    assert Submission.objects.get().value == Decimal("44")


def test_a_data_officer_cannot_send_another_agencys_indicator(
    world: World, client_for: Clients, episodes: Indicator
) -> None:
    episodes.source_agency = world.police
    episodes.save()
    url = reverse("insight:submit", args=[episodes.code, "2024-04-01"])
    assert client_for("data_officer").get(url).status_code == 404


def test_a_data_officer_downloads_a_template_of_their_agencys_indicators(
    world: World, client_for: Clients, episodes: Indicator
) -> None:
    response = client_for("data_officer").get(
        reverse("insight:template", args=["monthly", "2024-04-01"])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('LA-monthly-2024-04-01.xlsx"')


def test_a_sub_group_member_sees_their_sub_groups_indicators_and_no_others(
    world: World, client_for: Clients, episodes: Indicator, rhi: Indicator
) -> None:
    mine = SubGroup.objects.create(name="Child Exploitation")
    other = SubGroup.objects.create(name="Case Review")
    member = UserFactory(
        email="member@police.example", agency=world.police, roles=[Role.PRACTITIONER]
    )
    mine.members.add(member)
    episodes.sub_group = mine
    episodes.save()
    rhi.sub_group = other
    rhi.save()
    client = Client()
    client.force_login(member)
    page = client.get(reverse("insight:sub_group", args=[mine.pk])).content.decode()
    assert "Missing episodes" in page and "Return home interviews" not in page
    assert client.get(reverse("insight:sub_group", args=[other.pk])).status_code == 404
    assert client.get(reverse("insight:indicator", args=[episodes.code])).status_code == 200
    assert client.get(reverse("insight:indicator", args=[rhi.code])).status_code == 404
    assert client.get(reverse("insight:dashboard")).status_code == 403


def test_analysts_and_executives_see_aggregates_and_never_a_child(
    world: World, client_for: Clients
) -> None:
    for name in ("analyst", "executive"):
        client = client_for(name)
        assert client.get(reverse("insight:dashboard")).status_code == 200
        assert client.get(reverse("children:list")).status_code == 403
        assert client.get(reverse("children:detail", args=[world.child.public_id])).status_code in (
            403,
            404,
        )


def test_an_officer_adds_an_indicator_and_a_spotlight_topic(
    world: World, client_for: Clients, episodes: Indicator
) -> None:
    client = client_for("officer")
    response = client.post(
        reverse("insight:indicator_new"),
        {
            "code": "sextortion-reports",
            "title": "Sextortion reports",
            "definition": "Reports to police.",
            "unit": "count",
            "better_direction": "neither",
            "frequency": "monthly",
            "source_agency": world.police.pk,
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert Indicator.objects.filter(code="sextortion-reports").exists()
    response = client.post(
        reverse("insight:spotlight_new"),
        {
            "title": "AI-generated images",
            "summary": "Experts to the sub-group.",
            "year": 2024,
            "indicators": [episodes.pk],
        },
    )
    assert response.status_code == 302
    assert list(Spotlight.objects.get().indicators.all()) == [episodes]


def test_the_officer_sees_late_and_missing_values(
    world: World, client_for: Clients, episodes: Indicator
) -> None:
    page = client_for("officer").get(reverse("insight:late")).content.decode()
    assert "Missing episodes" in page and "Overdue" in page


def test_the_home_page_links_each_role_to_its_part_of_the_data_set(
    world: World, client_for: Clients
) -> None:
    assert reverse("insight:dashboard") in client_for("executive").get("/").content.decode()
    assert reverse("insight:submissions") in client_for("data_officer").get("/").content.decode()
    assert reverse("insight:dashboard") not in client_for("involved").get("/").content.decode()
