"""Corrections of an episode, school holidays, the panel's repeat-missing list, the list
pages' pager and the computed indicators of the missing tracker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core import access, paging
from safeguarding.core.indicators import registry
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.core.tests.factories import ChildFactory, PanelChildFactory, SourceRecordFactory
from safeguarding.missing import actions, queries
from safeguarding.missing.models import (
    Episode,
    EpisodeCorrection,
    ReturnInterview,
    SchoolHoliday,
    SchoolNotice,
)
from safeguarding.missing.tests.conftest import Schools, granted, london, make_episode

Clients = Callable[[str], Client]
Requests = Callable[[str], HttpRequest]
pytestmark = pytest.mark.django_db


def local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# --- Correcting an episode ---


def test_a_correction_keeps_what_the_episode_said_who_changed_it_and_why(
    client_for: Clients, world: World
) -> None:
    now = timezone.now()
    episode = make_episode(
        world, now - timedelta(days=3), returned_at=now - timedelta(days=2), risk_grading="low"
    )
    ReturnInterview.objects.create(
        episode=episode, child=world.child, due_at=episode.returned_at + timedelta(hours=72)
    )
    client = client_for("involved")
    url = reverse("missing:episode_correct", args=[episode.public_id])
    new_return = now - timedelta(days=2, hours=5)
    response = client.post(
        url,
        {
            "reported_at": local(episode.reported_at),
            "classification": "missing",
            "risk_grading": "high",
            "returned_at": local(new_return),
            "where_found": "Railway station",
            "reason": "The police report gave the wrong grading and time.",
        },
    )
    assert response.url == reverse("missing:episode", args=[episode.public_id])
    episode.refresh_from_db()
    assert episode.risk_grading == "high" and episode.where_found == "Railway station"
    correction = EpisodeCorrection.objects.get()
    assert correction.changes["Risk grading"] == ["Low risk", "High risk"]
    assert set(correction.changes) == {"Risk grading", "Found or returned", "Where found"}
    assert correction.by == world.users["involved"]
    # The 72 hours run from the corrected return.
    interview = ReturnInterview.objects.get()
    assert interview.due_at == new_return.replace(second=0, microsecond=0) + timedelta(hours=72)
    page = client.get(reverse("missing:episode", args=[episode.public_id])).content.decode()
    assert "The police report gave the wrong grading and time." in page and "Low risk" in page
    entry = AuditEntry.objects.filter(
        action=AuditAction.CHILD_UPDATE, purpose="missing episode corrected"
    ).get()
    assert entry.child_ref == str(world.child.public_id)
    assert entry.detail["fields"] == sorted(correction.changes)


def test_a_correction_needs_a_reason_and_cannot_remove_a_return(
    request_for: Requests, world: World
) -> None:
    now = timezone.now()
    episode = make_episode(world, now - timedelta(days=3), returned_at=now - timedelta(days=2))
    request = request_for("involved")
    access = granted(request, world)
    with pytest.raises(actions.MissingRefused, match="why"):
        actions.correct_episode(request, access, episode, values={"looked_after": True}, reason="")
    with pytest.raises(actions.MissingRefused, match="not removed"):
        actions.correct_episode(
            request, access, episode, values={"returned_at": None}, reason="Wrong"
        )
    with pytest.raises(actions.MissingRefused, match="future"):
        actions.correct_episode(
            request,
            access,
            episode,
            values={"reported_at": now + timedelta(hours=1)},
            reason="Wrong",
        )
    episode.refresh_from_db()
    assert episode.reported_at < now, "a refused correction changes nothing"
    assert not EpisodeCorrection.objects.exists()
    unchanged = actions.correct_episode(
        request, access, episode, values={"looked_after": False}, reason="Checked"
    )
    assert unchanged is None and not EpisodeCorrection.objects.exists()


def test_an_open_episode_is_returned_with_the_return_form_not_a_correction(
    request_for: Requests, world: World
) -> None:
    episode = make_episode(world, timezone.now() - timedelta(hours=5))
    request = request_for("involved")
    with pytest.raises(actions.MissingRefused, match="return form"):
        actions.correct_episode(
            request,
            granted(request, world),
            episode,
            values={"returned_at": timezone.now()},
            reason="Back",
        )


def test_a_corrected_return_moves_the_schools_notice_not_yet_sent(
    request_for: Requests, world: World, schools: Schools
) -> None:
    # Returned Friday 7 March 2025: told Monday 10 March. Corrected to Tuesday 11 March:
    # told Wednesday 12 March.
    episode = make_episode(world, london(2025, 3, 7, 9), returned_at=london(2025, 3, 7, 18))
    notice = SchoolNotice.objects.create(
        episode=episode,
        child=world.child,
        school=schools.school,
        recipient=schools.dsl,
        due_on=date(2025, 3, 10),
    )
    request = request_for("involved")
    actions.correct_episode(
        request,
        granted(request, world),
        episode,
        values={"returned_at": london(2025, 3, 11, 10)},
        reason="Returned later",
    )
    notice.refresh_from_db()
    assert notice.due_on == date(2025, 3, 12)


# --- School holidays ---


def test_a_return_in_the_holidays_is_told_to_the_school_on_the_first_day_back(
    request_for: Requests, world: World, schools: Schools
) -> None:
    SchoolHoliday.objects.create(
        name="February half-term", first_day=date(2025, 2, 17), last_day=date(2025, 2, 21)
    )
    episode = make_episode(world, london(2025, 2, 14, 9))
    request = request_for("involved")
    actions.record_return(
        request,
        granted(request, world),
        episode,
        returned_at=london(2025, 2, 14, 17),
        where_found="Home",
    )
    notice = SchoolNotice.objects.get()
    assert (notice.recipient, notice.due_on) == (schools.dsl, date(2025, 2, 24))


def test_the_partnership_officer_keeps_the_holidays_and_each_change_is_audited(
    client_for: Clients, world: World
) -> None:
    client = client_for("officer")
    url = reverse("missing:school_holidays")
    refused = client.post(
        url, {"name": "Half-term", "first_day": "2026-02-20", "last_day": "2026-02-16"}
    )
    assert "cannot be before" in refused.content.decode()
    client.post(url, {"name": "Half-term", "first_day": "2026-02-16", "last_day": "2026-02-20"})
    holiday = SchoolHoliday.objects.get()
    assert holiday.added_by.email == world.users["officer"].email
    assert queries.school_holidays(date(2026, 2, 20)) == [(date(2026, 2, 16), date(2026, 2, 20))]
    assert queries.school_holidays(date(2026, 2, 21)) == []
    client.post(reverse("missing:school_holiday_remove", args=[holiday.pk]))
    assert not SchoolHoliday.objects.exists()
    changes = AuditEntry.objects.filter(
        action=AuditAction.STRUCTURE_CHANGE, object_type="schoolholiday"
    )
    assert [sorted(e.detail) for e in changes.order_by("seq")] == [["added"], ["removed"]]


# --- Repeat missing, for the panel ---


def repeat_episodes(child: Any, agency: Any, count: int = 3) -> None:
    now = timezone.now()
    for days in range(count):
        Episode.objects.create(
            child=child, agency=agency, reported_at=now - timedelta(days=days + 1)
        )


def test_the_panel_sees_repeat_missing_children_not_on_its_list(
    request_for: Requests, world: World
) -> None:
    repeat_episodes(world.child, world.police)  # on the panel's list already
    known = ChildFactory(given_name="Known", family_name="Tothe-Icb")
    SourceRecordFactory(agency=world.icb, child=known, record_id="ICB-9")
    repeat_episodes(known, world.police)
    unknown = ChildFactory(given_name="Notknown", family_name="Tothe-Icb")
    SourceRecordFactory(agency=world.police, child=unknown, record_id="P-9")
    repeat_episodes(unknown, world.police)
    twice = ChildFactory()
    SourceRecordFactory(agency=world.icb, child=twice, record_id="ICB-10")
    repeat_episodes(twice, world.police, count=2)  # under the threshold

    found = queries.repeat_missing_for_panel(request_for("panel_member"), world.panel.pk)
    assert [(row.child.pk, row.episodes) for row in found.children] == [(known.pk, 3)]
    assert found.others == 1, "a child the member may not see is counted, not named"
    shown = render_to_string("missing/includes/panel_repeat.html", {"repeat_missing": found})
    assert reverse("exploitation:refer", args=[known.public_id]) in shown
    assert "Known" in shown and "Notknown" not in shown
    assert "1 more child is repeat missing" in shown

    PanelChildFactory(panel=world.panel, child=known)
    after = queries.repeat_missing_for_panel(request_for("panel_member"), world.panel.pk)
    assert after.children == [] and after.others == 1

    not_member = queries.repeat_missing_for_panel(request_for("involved"), world.panel.pk)
    assert not_member == queries.PanelRepeatMissing([], 0)


# --- The list pages ---


def test_a_list_page_shows_its_rows_in_order_capped_and_only_those_visible(
    client_for: Clients, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = timezone.now()
    mine = [make_episode(world, now - timedelta(hours=h)) for h in (5, 4, 3)]
    hidden = ChildFactory()
    SourceRecordFactory(agency=world.police, child=hidden, record_id="P-1")
    Episode.objects.create(child=hidden, agency=world.police, reported_at=now - timedelta(hours=1))
    monkeypatch.setattr(paging, "PAGE_SIZE", 2)
    monkeypatch.setattr(paging, "LIST_LIMIT", 2)
    client = client_for("involved")
    first = client.get(reverse("missing:tracker"))
    shown = [e.public_id for e in first.context["page"]]
    assert shown == [mine[0].public_id, mine[1].public_id], "longest missing first"
    assert first.context["more"] is True
    assert "More than 2 are listed" in first.content.decode()
    assert reverse("missing:episode", args=[mine[0].public_id]) in first.content.decode()
    assert str(hidden.public_id) not in first.content.decode()
    other = client_for("other_agency").get(reverse("missing:tracker"))
    assert list(other.context["page"]) == [] and other.context["more"] is False


def test_url_prefix_refuses_a_url_whose_argument_is_not_last() -> None:
    assert paging.url_prefix("missing:episode") == "/missing/episode/"
    with pytest.raises(ValueError, match="one argument"):
        paging.url_prefix("missing:episode_correct")


# --- Computed indicators ---


def test_the_missing_indicators_count_each_period_and_nothing_before_the_first_episode(
    world: World, schools: Schools
) -> None:
    functions = registry()
    first = make_episode(world, london(2025, 3, 3, 10), returned_at=london(2025, 3, 3, 20))
    ReturnInterview.objects.create(
        episode=first,
        child=world.child,
        due_at=london(2025, 3, 6, 20),
        status="completed",
        offered_at=london(2025, 3, 4, 9),
        completed_at=london(2025, 3, 7, 9),  # completed after the 72 hours
    )
    make_episode(world, london(2025, 3, 20, 10))
    make_episode(world, london(2025, 3, 31, 23, 30))  # still March in London
    march = (date(2025, 3, 1), date(2025, 3, 31))
    assert functions["missing-episodes-recorded"](*march) == 3
    assert functions["missing-children-recorded"](*march) == 1
    assert functions["missing-repeat-children"](*march) == 1
    assert functions["missing-episodes-recorded"](date(2025, 2, 1), date(2025, 2, 28)) is None
    quarter = (date(2025, 1, 1), date(2025, 3, 31))
    assert (
        functions["missing-rhi-offered-72h"](*quarter).value == 100.0
    )  # kept with its counts: 1 of 1
    assert functions["missing-rhi-completed-72h"](*quarter).value == 0.0
    assert functions["missing-rhi-offered-72h"](date(2025, 4, 1), date(2025, 6, 30)) is None
    assert functions["missing-episodes-recorded"](date(2025, 4, 1), date(2025, 4, 30)) == 0


def test_the_monthly_figures_count_repeat_missing_at_each_month_end_in_one_query(
    world: World, django_assert_max_num_queries: Any
) -> None:
    other = ChildFactory()
    # The child: three episodes in January (repeat missing at the ends of January, February
    # and March, not April: the 90-day window has passed). The other: three in March.
    for day in (5, 12, 19):
        make_episode(world, london(2025, 1, day, 12))
        Episode.objects.create(child=other, agency=world.la, reported_at=london(2025, 3, day, 12))
    months = queries.months(date(2025, 5, 31), 5)
    with django_assert_max_num_queries(3):
        rows = queries.period_figures(months)
    assert [row.repeat_missing for row in rows] == [1, 1, 2, 1, 1]
    episodes = access.rows_for_counts(Episode)
    for row in rows:
        until = london(row.end.year, row.end.month, row.end.day) + timedelta(days=1)
        assert row.repeat_missing == queries.repeat_missing(episodes, now=until).count()
