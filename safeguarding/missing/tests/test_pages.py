"""The missing tracker as its users use it, through the pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.missing.models import Episode, InterviewStatus, MissingProfile, ReturnInterview
from safeguarding.missing.tests.conftest import Schools, make_episode
from safeguarding.missing.tests.test_actions import small_png

Clients = Callable[[str], Client]
pytestmark = pytest.mark.django_db


def local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_practitioner_records_an_episode_its_return_and_the_interview(
    client_for: Clients, world: World
) -> None:
    client = client_for("involved")
    now = timezone.now()
    response = client.post(
        reverse("missing:episode_new", args=[world.child.public_id]),
        {
            "reported_at": local(now - timedelta(hours=30)),
            "classification": "missing",
            "risk_grading": "high",
        },
    )
    episode = Episode.objects.get()
    assert response.url == reverse("missing:episode", args=[episode.public_id])
    client.post(
        response.url, {"returned_at": local(now - timedelta(hours=2)), "where_found": "Town centre"}
    )
    interview = ReturnInterview.objects.get()
    url = reverse("missing:interview", args=[interview.public_id])
    offer = {
        "status": "offered",
        "offered_at": local(now - timedelta(hours=1)),
        "push_factors": "Rows at home",
    }
    refused = client.post(url, {**offer, "by_agency": world.la.pk})
    assert "someone independent" in refused.content.decode()
    client.post(url, {**offer, "by_agency": world.icb.pk})
    interview.refresh_from_db()
    assert (interview.status, interview.by_agency) == (InterviewStatus.OFFERED, world.icb)
    page = client.get(reverse("missing:episode", args=[episode.public_id])).content.decode()
    assert "Offered" in page and "Town centre" in page


def test_the_tracker_lists_only_children_the_user_may_see(
    client_for: Clients, world: World
) -> None:
    make_episode(world, timezone.now() - timedelta(hours=3))
    assert (
        "Jordan Example" in client_for("involved").get(reverse("missing:tracker")).content.decode()
    )
    assert (
        "Jordan Example"
        not in client_for("other_agency").get(reverse("missing:tracker")).content.decode()
    )


def test_an_overdue_interview_is_listed_for_the_involved_agency(
    client_for: Clients, world: World
) -> None:
    now = timezone.now()
    episode = make_episode(world, now - timedelta(days=5), returned_at=now - timedelta(days=4))
    ReturnInterview(episode=episode, child=world.child, due_at=now - timedelta(days=1)).save()
    assert (
        "Jordan Example" in client_for("involved").get(reverse("missing:overdue")).content.decode()
    )
    assert (
        "Jordan Example"
        not in client_for("other_agency").get(reverse("missing:overdue")).content.decode()
    )


def test_the_photograph_is_served_only_to_those_who_may_see_the_child(
    client_for: Clients, world: World, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = client_for("involved")
    form = {
        "description": "Tall",
        "consent_given_by": "Mother",
        "consent_on": "2025-01-01",
        "photo": small_png(),
    }
    client.post(reverse("missing:profile", args=[world.child.public_id]), form)
    assert MissingProfile.objects.get().photo
    url = reverse("missing:profile_photo", args=[world.child.public_id])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    assert client_for("other_agency").get(url).status_code == 404


def test_a_profile_without_consent_is_refused_with_the_reason(
    client_for: Clients, world: World
) -> None:
    response = client_for("involved").post(
        reverse("missing:profile", args=[world.child.public_id]), {"description": "Tall"}
    )
    assert "Consent given by" in response.content.decode()
    assert not MissingProfile.objects.exists()


def test_sharing_with_police_needs_an_open_episode_and_is_recorded(
    client_for: Clients, world: World
) -> None:
    client = client_for("involved")
    client.post(
        reverse("missing:profile", args=[world.child.public_id]),
        {"description": "Tall", "consent_given_by": "Mother", "consent_on": "2025-01-01"},
    )
    share = reverse("missing:profile_share", args=[world.child.public_id])
    client.post(share)
    assert not AuditEntry.objects.filter(action=AuditAction.SHARE).exists()
    make_episode(world, timezone.now() - timedelta(hours=1))
    client.post(share)
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.SHARE, child_ref=str(world.child.public_id)
        ).count()
        == 1
    )


def test_the_schools_lead_sees_the_notice_and_another_schools_lead_does_not(
    client_for: Clients, world: World, schools: Schools
) -> None:
    client = client_for("involved")
    now = timezone.now()
    client.post(
        reverse("missing:episode_new", args=[world.child.public_id]),
        {
            "reported_at": local(now - timedelta(days=10)),
            "returned_at": local(now - timedelta(days=9)),
            "classification": "missing",
        },
    )
    lead = Client()
    lead.force_login(schools.dsl)
    assert "Jordan Example" in lead.get(reverse("missing:notices")).content.decode()
    other = Client()
    other.force_login(schools.other_dsl)
    assert "Jordan Example" not in other.get(reverse("missing:notices")).content.decode()
    assert other.get(reverse("missing:child", args=[world.child.public_id])).status_code == 404


def test_the_figures_hide_small_counts(client_for: Clients, world: World) -> None:
    make_episode(world, timezone.now() - timedelta(minutes=5))
    page = client_for("analyst").get(reverse("missing:figures")).content.decode()
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">c</td>' in page
    assert "Jordan" not in page


def test_the_tracker_reads_a_page_in_a_fixed_number_of_queries(
    client_for: Clients, world: World
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("involved")
    url = reverse("missing:tracker") + "?show=all"
    client.get(url)  # the first request of a session does more (session, last seen)
    counts = []
    for more in (2, 30):
        for hours in range(more):
            make_episode(world, timezone.now() - timedelta(hours=hours + 1))
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_repeat_missing_lists_the_child_only_for_those_who_may_see_them(
    client_for: Clients, world: World
) -> None:
    for hours in (2, 30, 200):
        make_episode(world, timezone.now() - timedelta(hours=hours))
    url = reverse("missing:repeat")
    assert "Jordan Example" in client_for("involved").get(url).content.decode()
    assert "Jordan Example" in client_for("panel_member").get(url).content.decode()
    assert "Jordan Example" not in client_for("other_agency").get(url).content.decode()


def test_the_commands_make_episodes_and_send_notices_once(world: World, schools: Schools) -> None:
    from io import StringIO

    from django.core import mail
    from django.core.management import call_command

    from safeguarding.core.tests.factories import ChildEventFactory

    returned = timezone.localtime(timezone.now() - timedelta(days=8))
    ChildEventFactory(
        source_record=world.restricted_event.source_record,
        event_type="missing_episode",
        occurred_at=returned - timedelta(hours=5),
        summary=f"Missing from home; returned {returned:%Y-%m-%d %H:%M}",
    )
    out = StringIO()
    call_command("missing_episodes", stdout=out)
    call_command("missing_episodes", stdout=out)
    call_command("send_missing_notices", stdout=out)
    call_command("send_missing_notices", stdout=out)
    assert out.getvalue().splitlines() == [
        "1 episode made from imported events.",
        "0 episodes made from imported events.",
        "1 notice emailed.",
        "0 notices emailed.",
    ]
    assert [m.to for m in mail.outbox] == [[schools.dsl.email]]
