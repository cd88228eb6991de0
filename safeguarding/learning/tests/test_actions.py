"""The one action tracker: life cycle, sign-off by the chair, RAG, who sees what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core.models import SubGroup
from safeguarding.core.tests.factories import UserFactory
from safeguarding.learning import actions, queries
from safeguarding.learning.models import ActionStatus, SourceKind
from safeguarding.learning.queries import Rag, rag
from safeguarding.learning.tests.helpers import action

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_review(world: World) -> SubGroup:
    chair = UserFactory(email="chair@police.example", full_name="Cha Ir", agency=world.police)
    group = SubGroup.objects.create(name="Case Review", chair=chair)
    group.members.add(world.users["panel_member"])
    return group


def test_the_rag_rule_is_blue_green_amber_red_as_recorded() -> None:
    today, until = date(2025, 3, 10), date(2025, 3, 24)
    assert (
        rag(ActionStatus.SIGNED_OFF, date(2020, 1, 1), today=today, amber_until=until) == Rag.BLUE
    )
    assert (
        rag(ActionStatus.COMPLETED, date(2020, 1, 1), today=today, amber_until=until) == Rag.GREEN
    )
    assert (
        rag(ActionStatus.IN_PROGRESS, date(2025, 3, 9), today=today, amber_until=until) == Rag.RED
    )
    assert (
        rag(ActionStatus.NOT_STARTED, date(2025, 3, 10), today=today, amber_until=until)
        == Rag.AMBER
    )
    assert (
        rag(ActionStatus.NOT_STARTED, date(2025, 3, 24), today=today, amber_until=until)
        == Rag.AMBER
    )
    assert (
        rag(ActionStatus.NOT_STARTED, date(2025, 3, 25), today=today, amber_until=until)
        == Rag.GREEN
    )


def test_the_rag_filter_in_the_database_agrees_with_the_rule(world: World) -> None:
    today = timezone.localdate()
    by = world.users["officer"]
    for offset in (-30, -1, 0, 3, 40):
        action(by, world.la, today + timedelta(days=offset))
    done = action(by, world.la, today - timedelta(days=5))
    actions.update_action(done, by=by, status=ActionStatus.COMPLETED, evidence="Done.")
    listed = queries.with_rag(list(queries.visible_actions(by)), today)
    for colour in Rag.LABELS:
        in_db = set(
            queries.visible_actions(by)
            .filter(queries.rag_filter(colour, today))
            .values_list("pk", flat=True)
        )
        assert in_db == {a.pk for a in listed if a.rag == colour}  # type: ignore[attr-defined]


def test_an_action_runs_from_not_started_to_signed_off_by_the_chair(
    world: World, case_review: SubGroup
) -> None:
    officer, owner = world.users["officer"], world.users["involved"]
    a = action(officer, world.la, date(2025, 6, 30), case_review, owner_person=owner)
    assert a.status == ActionStatus.NOT_STARTED
    actions.update_action(a, by=owner, status=ActionStatus.IN_PROGRESS, evidence="")
    with pytest.raises(ValidationError):
        actions.update_action(a, by=owner, status=ActionStatus.COMPLETED, evidence="  ")
    actions.update_action(
        a, by=owner, status=ActionStatus.COMPLETED, evidence="Guidance v3 issued."
    )
    assert a.completed_on == timezone.localdate()
    with pytest.raises(PermissionDenied):
        actions.sign_off_action(a, by=officer)
    actions.sign_off_action(a, by=case_review.chair)  # type: ignore[arg-type]
    a.refresh_from_db()
    assert a.status == ActionStatus.SIGNED_OFF
    assert a.signed_off_by == case_review.chair
    with pytest.raises(ValidationError):
        actions.update_action(a, by=owner, status=ActionStatus.IN_PROGRESS, evidence="")


def test_the_chair_can_send_a_completed_action_back(world: World, case_review: SubGroup) -> None:
    a = action(world.users["officer"], world.la, date(2025, 6, 30), case_review)
    actions.update_action(
        a, by=world.users["involved"], status=ActionStatus.COMPLETED, evidence="x"
    )
    actions.sign_off_action(a, by=case_review.chair, accept=False)  # type: ignore[arg-type]
    assert a.status == ActionStatus.IN_PROGRESS
    assert a.completed_on is None


def test_an_action_not_completed_cannot_be_signed_off(world: World, case_review: SubGroup) -> None:
    a = action(world.users["officer"], world.la, date(2025, 6, 30), case_review)
    with pytest.raises(ValidationError):
        actions.sign_off_action(a, by=case_review.chair)  # type: ignore[arg-type]


def test_another_app_creates_actions_through_create_action_with_a_generic_source(
    world: World,
) -> None:
    a = actions.create_action(
        title="Share the disruption plan with the school",
        source_kind=SourceKind.PANEL,
        source_ref="panel_meeting:42",
        source_label="Child Exploitation Risk Assessment Meeting, 5 March 2025",
        owner_agency=world.police,
        due_on=date(2025, 4, 1),
        by=None,
    )
    assert (a.source_kind, a.source_ref) == ("panel", "panel_meeting:42")
    with pytest.raises(ValidationError):
        actions.create_action(
            title="x",
            source_kind=SourceKind.PANEL,
            owner_agency=world.police,
            owner_person=world.users["involved"],  # works for the council
            due_on=date(2025, 4, 1),
            by=None,
        )


def test_an_action_is_seen_by_its_agency_the_partnership_and_its_sub_group_only(
    world: World, case_review: SubGroup, client_for: Callable[[str], Client]
) -> None:
    a = action(world.users["officer"], world.la, date(2025, 6, 30), case_review)
    url = reverse("learning:action", args=[a.pk])
    assert client_for("involved").get(url).status_code == 200  # the council's own
    assert client_for("officer").get(url).status_code == 200  # the partnership
    assert client_for("panel_member").get(url).status_code == 200  # sits on Case Review
    assert client_for("other_agency").get(url).status_code == 404
    assert client_for("agency_admin").get(url).status_code == 404
    listing = client_for("other_agency").get(reverse("learning:actions"))
    assert a.title not in listing.content.decode()
    assert a.title in client_for("involved").get(reverse("learning:actions")).content.decode()


def test_a_sub_group_member_of_another_agency_sees_but_cannot_update_the_action(
    world: World, case_review: SubGroup, client_for: Callable[[str], Client]
) -> None:
    a = action(world.users["officer"], world.la, date(2025, 6, 30), case_review)
    url = reverse("learning:action_update", args=[a.pk])
    assert client_for("panel_member").get(url).status_code == 403
    response = client_for("involved").post(
        url, {"status": "completed", "evidence": "Done: see v3."}
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == ActionStatus.COMPLETED


def test_the_chair_signs_off_from_the_actions_page(world: World, case_review: SubGroup) -> None:
    a = action(world.users["officer"], world.la, date(2025, 6, 30), case_review)
    actions.update_action(
        a, by=world.users["involved"], status=ActionStatus.COMPLETED, evidence="x"
    )
    chair = Client()
    chair.force_login(case_review.chair)
    page = chair.get(reverse("learning:action", args=[a.pk])).content.decode()
    assert "Sign off as the sub-group" in page
    chair.post(reverse("learning:action_sign_off", args=[a.pk]), {"decision": "accept"})
    a.refresh_from_db()
    assert a.status == ActionStatus.SIGNED_OFF


def test_a_missing_evidence_error_is_shown_on_the_update_form(
    world: World, client_for: Callable[[str], Client]
) -> None:
    a = action(world.users["officer"], world.la, date(2025, 6, 30))
    response = client_for("involved").post(
        reverse("learning:action_update", args=[a.pk]), {"status": "completed", "evidence": ""}
    )
    assert response.status_code == 200
    assert "Give the evidence" in response.content.decode()


def test_actions_are_counted_per_sub_group_and_status(world: World, case_review: SubGroup) -> None:
    by = world.users["officer"]
    action(by, world.la, date(2025, 6, 30), case_review)
    action(by, world.la, date(2025, 6, 30), case_review)
    done = action(by, world.la, date(2025, 6, 30))
    actions.update_action(done, by=by, status=ActionStatus.IN_PROGRESS, evidence="")
    counts = queries.actions_by_sub_group_and_status()
    assert counts["Case Review"]["not_started"] == 2
    assert counts["No sub-group"]["in_progress"] == 1


def test_the_assurance_report_counts_a_sub_groups_actions_and_downloads_as_pdf(
    world: World, case_review: SubGroup, client_for: Callable[[str], Client]
) -> None:
    by = world.users["officer"]
    action(by, world.la, date(2024, 8, 1), case_review, title="Overdue thing")
    signed = action(by, world.la, date(2024, 9, 1), case_review, title="Done thing")
    actions.update_action(signed, by=by, status=ActionStatus.COMPLETED, evidence="x")
    actions.sign_off_action(signed, by=case_review.chair)  # type: ignore[arg-type]
    quarter = queries.Quarter.containing(timezone.localdate())
    report = queries.assurance_report(case_review, quarter)
    assert report["total"] == 2
    assert [a.title for a in report["late"]] == ["Overdue thing"]
    assert [a.title for a in report["signed_off"]] == ["Done thing"]
    url = reverse("learning:assurance_pdf", args=[case_review.pk, quarter.slug])
    response = client_for("executive").get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_quarters_run_with_the_financial_year() -> None:
    q = queries.Quarter.containing(date(2025, 2, 14))
    assert (q.year, q.number) == (2024, 4)
    assert (q.start, q.end) == (date(2025, 1, 1), date(2025, 3, 31))
    assert queries.Quarter.parse("2024-q1") == queries.Quarter(2024, 1)
    assert queries.Quarter.parse("2024-q5") is None
