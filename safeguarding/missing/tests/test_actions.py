"""Episodes, returns, interviews, profiles and school notices, as the actions make them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest

from safeguarding.conftest import World
from safeguarding.core import access
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.core.tests.factories import ChildEventFactory
from safeguarding.missing import actions, processes, queries
from safeguarding.missing.models import (
    Episode,
    InterviewStatus,
    MissingProfile,
    ReturnInterview,
    RiskGrading,
    SchoolNotice,
)
from safeguarding.missing.tests.conftest import Schools, granted, london, make_episode

Requests = Callable[[str], HttpRequest]
pytestmark = pytest.mark.django_db


def record(request_for: Requests, world: World, **values: Any) -> Episode:
    request = request_for("involved")
    return actions.record_episode(
        request,
        granted(request, world),
        reported_at=values.pop("reported_at", london(2025, 3, 6, 20, 0)),
        risk_grading=values.pop("risk_grading", RiskGrading.MEDIUM),
        looked_after=values.pop("looked_after", False),
        **values,
    )


def test_an_involved_practitioner_records_an_episode_and_it_is_audited(
    request_for: Requests, world: World
) -> None:
    episode = record(request_for, world)
    assert episode.is_open
    assert episode.agency == world.la
    assert AuditEntry.objects.filter(
        action=AuditAction.CHILD_CREATE, object_id=str(episode.public_id)
    ).exists()


def test_an_episode_cannot_be_reported_in_the_future(request_for: Requests, world: World) -> None:
    with pytest.raises(actions.MissingRefused):
        record(request_for, world, reported_at=london(2099, 1, 1, 0, 0))


def test_the_return_makes_the_interview_due_72_hours_later(
    request_for: Requests, world: World, schools: Schools
) -> None:
    episode = record(request_for, world)
    request = request_for("involved")
    interview = actions.record_return(
        request,
        granted(request, world),
        episode,
        returned_at=london(2025, 3, 7, 18, 30),
        where_found="A friend's house",
    )
    assert interview.due_at == london(2025, 3, 10, 18, 30)
    assert interview.status == InterviewStatus.DUE
    with pytest.raises(actions.MissingRefused):
        actions.record_return(
            request,
            granted(request, world),
            episode,
            returned_at=london(2025, 3, 8),
            where_found="",
        )


def test_the_return_tells_only_the_childs_schools_lead_on_the_next_school_day(
    request_for: Requests, world: World, schools: Schools
) -> None:
    record(request_for, world, returned_at=london(2025, 3, 7, 18, 30))
    notices = list(SchoolNotice.objects.all())
    assert [(n.recipient, n.school, n.due_on) for n in notices] == [
        (schools.dsl, schools.school, date(2025, 3, 10))
    ]


def test_due_notices_are_emailed_once_and_recorded(
    request_for: Requests, world: World, schools: Schools
) -> None:
    record(request_for, world, returned_at=london(2025, 3, 7, 18, 30))
    assert processes.send_due_notices(today=date(2025, 3, 9)) == 0  # Sunday: not yet
    assert processes.send_due_notices(today=date(2025, 3, 10)) == 1
    assert processes.send_due_notices(today=date(2025, 3, 11)) == 0
    assert [m.to for m in mail.outbox] == [["dsl@school.example"]]
    assert "Jordan" not in mail.outbox[0].body  # the email names no child
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.NOTICE, child_ref=str(world.child.public_id)
        ).count()
        == 1
    )


def test_an_episode_recorded_by_an_agency_makes_it_involved(world: World) -> None:
    other = world.users["other_agency"]
    assert not access.visible_children(other).filter(pk=world.child.pk).exists()
    Episode(child=world.child, agency=other.agency, reported_at=london(2025, 1, 1, 10)).save()
    assert access.visible_children(other).filter(pk=world.child.pk).exists()


def offer(world: World, **values: Any) -> actions.InterviewChange:
    base: dict[str, Any] = {
        "status": InterviewStatus.OFFERED,
        "by_agency": world.icb,
        "offered_at": london(2025, 3, 8, 10, 0),
        "completed_at": None,
        "push_factors": "Arguments at home",
        "pull_factors": "Older friends",
        "concerns": "",
        "exploitation_concern": False,
    }
    return actions.InterviewChange(**{**base, **values})


def returned(request_for: Requests, world: World) -> tuple[HttpRequest, ReturnInterview]:
    episode = record(request_for, world, returned_at=london(2025, 3, 7, 18, 30))
    return request_for("involved"), ReturnInterview.objects.get(episode=episode)


def test_the_agency_that_reported_the_child_missing_cannot_offer_the_interview(
    request_for: Requests, world: World
) -> None:
    request, interview = returned(request_for, world)
    with pytest.raises(actions.MissingRefused, match="independent"):
        actions.update_interview(
            request, granted(request, world), interview, offer(world, by_agency=world.la)
        )


def test_an_interview_offered_in_time_counts_towards_compliance(
    request_for: Requests, world: World
) -> None:
    request, interview = returned(request_for, world)
    actions.update_interview(request, granted(request, world), interview, offer(world))
    figures = queries.figures(date(2025, 3, 1), date(2025, 3, 31))
    assert (figures.returns, figures.offered_in_72_hours, figures.offered_in_72_hours_percent) == (
        1,
        1,
        100.0,
    )
    assert figures.completed_in_72_hours == 0


def test_an_interview_offered_late_does_not_count(request_for: Requests, world: World) -> None:
    request, interview = returned(request_for, world)
    late = offer(world, offered_at=london(2025, 3, 10, 18, 31))
    actions.update_interview(request, granted(request, world), interview, late)
    assert queries.figures(date(2025, 3, 1), date(2025, 3, 31)).offered_in_72_hours == 0


def test_an_interview_not_offered_in_72_hours_is_listed_as_overdue(
    request_for: Requests, world: World
) -> None:
    request, interview = returned(request_for, world)
    interviews = access.list_rows(request, ReturnInterview, purpose="test")
    assert list(queries.overdue(interviews, now=london(2025, 3, 10, 18, 29))) == []
    assert list(queries.overdue(interviews, now=london(2025, 3, 10, 18, 31))) == [interview]
    actions.update_interview(request, granted(request, world), interview, offer(world))
    assert list(queries.overdue(interviews, now=london(2025, 3, 11))) == []


def test_the_overdue_list_hides_children_of_other_agencies(
    request_for: Requests, world: World
) -> None:
    returned(request_for, world)
    rows = access.list_rows(request_for("other_agency"), ReturnInterview, purpose="t")
    assert list(queries.overdue(rows, now=london(2025, 4, 1))) == []


def test_an_exploitation_concern_goes_through_the_panel_seam_once(
    request_for: Requests, world: World
) -> None:
    request, interview = returned(request_for, world)
    concerned = offer(world, exploitation_concern=True, concerns="Seen with older males in cars")
    actions.update_interview(request, granted(request, world), interview, concerned)
    actions.update_interview(request, granted(request, world), interview, concerned)
    seam = AuditEntry.objects.filter(purpose__startswith="exploitation concern raised")
    assert seam.count() == 1
    # One step: the child is referred to the risk assessment meeting, with the concern.
    from safeguarding.exploitation.models import Referral

    referral = Referral.objects.get(child=world.child)
    assert "Seen with older males in cars" in referral.concerns
    assert seam.get().detail["referral"] == str(referral.public_id)


def test_a_completed_interview_needs_its_date(request_for: Requests, world: World) -> None:
    request, interview = returned(request_for, world)
    with pytest.raises(actions.MissingRefused, match="completed"):
        actions.update_interview(
            request,
            granted(request, world),
            interview,
            offer(world, status=InterviewStatus.COMPLETED),
        )


def test_repeat_missing_counts_episodes_in_the_rolling_window(world: World) -> None:
    now = london(2025, 6, 30, 12, 0)
    for days in (1, 30, 89):
        make_episode(world, now - timedelta(days=days))
    episodes = access.rows_for_counts(Episode)
    assert [row["episodes"] for row in queries.repeat_missing(episodes, now=now)] == [3]
    # A day later the oldest has left the 90-day window.
    assert list(queries.repeat_missing(episodes, now=now + timedelta(days=2))) == []


def test_the_repeat_threshold_and_window_are_configurable(world: World, settings: Any) -> None:
    now = london(2025, 6, 30, 12, 0)
    make_episode(world, now - timedelta(days=100))
    make_episode(world, now - timedelta(days=5))
    episodes = access.rows_for_counts(Episode)
    assert list(queries.repeat_missing(episodes, now=now)) == []
    settings.MISSING_REPEAT_THRESHOLD = 2
    settings.MISSING_REPEAT_WINDOW_DAYS = 365
    assert len(queries.repeat_missing(episodes, now=now)) == 1


PROFILE = {
    "description": "Tall, short dark hair",
    "associates": "",
    "places": "The park",
    "health_needs": "Asthma: inhaler",
}


def test_a_profile_is_not_kept_without_consent(request_for: Requests, world: World) -> None:
    request = request_for("involved")
    with pytest.raises(actions.MissingRefused, match="consent"):
        actions.save_profile(
            request,
            granted(request, world),
            values=PROFILE,
            consent_given_by=" ",
            consent_on=date(2025, 1, 1),
        )
    assert not MissingProfile.objects.exists()


def small_png() -> SimpleUploadedFile:
    import io

    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(data, "PNG")
    return SimpleUploadedFile("photo.png", data.getvalue(), content_type="image/png")


def test_a_profile_with_consent_and_photo_is_kept(
    request_for: Requests, world: World, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    request = request_for("involved")
    profile = actions.save_profile(
        request,
        granted(request, world),
        values=PROFILE,
        consent_given_by="Jordan and their mother",
        consent_on=date(2025, 1, 1),
        photo=small_png(),
    )
    assert profile.photo.name.startswith("missing/photos/")
    assert (tmp_path / profile.photo.name).exists()


def test_the_profile_goes_to_police_only_while_the_child_is_missing(
    request_for: Requests, world: World
) -> None:
    request = request_for("involved")
    profile = actions.save_profile(
        request,
        granted(request, world),
        values=PROFILE,
        consent_given_by="Mother",
        consent_on=date(2025, 1, 1),
    )
    with pytest.raises(actions.MissingRefused, match="only while the child is missing"):
        actions.share_profile_with_police(request, granted(request, world), profile)
    assert not AuditEntry.objects.filter(action=AuditAction.SHARE).exists()
    record(request_for, world)
    episode = actions.share_profile_with_police(request, granted(request, world), profile)
    share = AuditEntry.objects.get(action=AuditAction.SHARE)
    assert share.child_ref == str(world.child.public_id)
    assert share.detail["episode"] == str(episode.public_id)


def test_imported_missing_events_become_episodes_once(world: World, schools: Schools) -> None:
    police_record = world.restricted_event.source_record
    ChildEventFactory(
        source_record=police_record,
        event_type="missing_episode",
        occurred_at=london(2025, 2, 1, 22, 0),
        summary="Reported missing by carer; returned 2025-02-02 09:15",
    )
    ChildEventFactory(
        source_record=police_record,
        event_type="missing_episode",
        occurred_at=london(2025, 2, 10, 22, 0),
        summary="Reported missing",
    )
    assert processes.episodes_from_events() == 2
    assert processes.episodes_from_events() == 0
    returned_one = Episode.objects.get(returned_at__isnull=False)
    assert returned_one.returned_at == london(2025, 2, 2, 9, 15)
    assert returned_one.agency == world.police
    assert ReturnInterview.objects.get().due_at == london(2025, 2, 5, 9, 15)
    assert SchoolNotice.objects.get().recipient == schools.dsl
