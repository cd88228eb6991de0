"""The need-to-know rule, break-glass and restricted entries (core/access.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core import access
from safeguarding.core.models import AuditAction, AuditEntry, BreakGlass
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import (
    ChildEventFactory,
    ChildFactory,
    PanelChildFactory,
    SourceRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def detail(world: World) -> str:
    return reverse("children:detail", kwargs={"public_id": world.child.public_id})


def test_it_shows_a_child_to_a_practitioner_whose_agency_holds_a_record(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("involved").get(detail(world))
    assert response.status_code == 200
    assert "Jordan Example" in response.content.decode()


def test_it_hides_children_of_other_agencies_with_the_same_404_as_a_missing_child(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("other_agency")
    hidden = client.get(detail(world))
    missing = client.get(
        reverse("children:detail", kwargs={"public_id": "00000000-0000-4000-8000-000000000000"})
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_it_shows_a_child_to_a_member_of_a_panel_that_lists_them(
    world: World, client_for: Callable[[str], Client]
) -> None:
    assert client_for("panel_member").get(detail(world)).status_code == 200


def test_a_panel_member_loses_sight_when_the_child_leaves_the_list(
    world: World, client_for: Callable[[str], Client]
) -> None:
    world.child.panel_entries.update(removed_at=timezone.now())
    assert client_for("panel_member").get(detail(world)).status_code == 404


def test_an_analyst_never_sees_an_identifiable_child_even_in_an_involved_agency(
    world: World,
) -> None:
    analyst = world.users["analyst"]
    assert analyst.agency == world.la
    assert not access.visible_children(analyst).exists()
    assert access.grounds_for(analyst, world.child) is None


def test_an_event_makes_its_agency_involved(world: World) -> None:
    other = world.users["other_agency"]
    record = SourceRecordFactory(agency=other.agency, child=ChildFactory())
    ChildEventFactory(source_record=record, child=world.child, agency=other.agency)
    assert access.grounds_for(other, world.child) == access.Grounds.INVOLVED


def test_the_child_list_holds_only_children_the_user_may_see(
    world: World, client_for: Callable[[str], Client]
) -> None:
    stranger = ChildFactory(given_name="Unseen", family_name="Stranger")
    SourceRecordFactory(agency=world.school, child=stranger)
    page = client_for("involved").get(reverse("children:list")).content.decode()
    assert "Jordan Example" in page
    assert "Unseen" not in page


def test_a_disabled_practitioner_sees_nothing(world: World) -> None:
    user = world.users["involved"]
    user.is_active = False
    user.save()
    assert not access.visible_children(user).exists()


def test_restricted_entries_are_hidden_from_other_involved_agencies(
    world: World, client_for: Callable[[str], Client]
) -> None:
    page = client_for("involved").get(detail(world)).content.decode()
    assert "Contact from the school nurse." in page
    assert "Police intelligence grading B2." not in page


def test_restricted_entries_are_shown_to_the_source_agency_and_the_panel(
    world: World, client_for: Callable[[str], Client]
) -> None:
    police_officer = UserFactory(agency=world.police, roles=[Role.PRACTITIONER])
    client = Client()
    client.force_login(police_officer)
    assert "Police intelligence grading B2." in client.get(detail(world)).content.decode()
    assert (
        "Police intelligence grading B2."
        in client_for("panel_member").get(detail(world)).content.decode()
    )


def test_break_glass_opens_a_record_with_a_reason_and_queues_it_for_review(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("other_agency")
    url = reverse("children:break_glass", kwargs={"public_id": world.child.public_id})
    response = client.post(url, {"reason": "Child brought to our office tonight, need contacts"})
    assert response.status_code == 302
    page = client.get(detail(world)).content.decode()
    assert "You opened this record by break-glass" in page
    assert "Police intelligence grading B2." not in page, (
        "break-glass does not open restricted entries"
    )
    opened = BreakGlass.objects.get()
    assert opened.user == world.users["other_agency"] and opened.reviewed_at is None
    assert AuditEntry.objects.filter(
        action=AuditAction.BREAK_GLASS, child_ref=str(world.child.public_id)
    ).exists()


def test_break_glass_needs_a_real_reason(world: World, client_for: Callable[[str], Client]) -> None:
    url = reverse("children:break_glass", kwargs={"public_id": world.child.public_id})
    response = client_for("other_agency").post(url, {"reason": "need it"})
    assert response.status_code == 200
    assert "Error:" in response.content.decode()
    assert not BreakGlass.objects.exists()


def test_break_glass_expires(world: World, settings: object) -> None:
    other = world.users["other_agency"]
    BreakGlass.objects.create(
        user=other,
        child=world.child,
        reason="x" * 30,
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert access.grounds_for(other, world.child) is None
    BreakGlass.objects.create(
        user=other,
        child=world.child,
        reason="x" * 30,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    assert access.grounds_for(other, world.child) == access.Grounds.BREAK_GLASS


def test_an_analyst_cannot_break_glass(world: World, client_for: Callable[[str], Client]) -> None:
    url = reverse("children:break_glass", kwargs={"public_id": world.child.public_id})
    assert (
        client_for("analyst")
        .post(url, {"reason": "I would like to see this child please now"})
        .status_code
        == 403
    )
    assert not BreakGlass.objects.exists()


def test_the_reviewer_marks_a_break_glass_reviewed_but_not_their_own(
    world: World, client_for: Callable[[str], Client]
) -> None:
    opened = BreakGlass.objects.create(
        user=world.users["other_agency"],
        child=world.child,
        reason="x" * 30,
        expires_at=timezone.now(),
    )
    client = client_for("ig_lead")
    queue = client.get(reverse("core:break_glass_queue")).content.decode()
    assert world.child.pseudonym in queue
    url = reverse("core:break_glass_review", kwargs={"public_id": opened.public_id})
    assert (
        client.post(url, {"outcome": "justified", "note": "Checked with A&E."}).status_code == 302
    )
    opened.refresh_from_db()
    assert opened.reviewed_by == world.users["ig_lead"] and opened.review_outcome == "justified"
    own = BreakGlass.objects.create(
        user=world.users["ig_lead"], child=world.child, reason="x" * 30, expires_at=timezone.now()
    )
    response = client.post(
        reverse("core:break_glass_review", kwargs={"public_id": own.public_id}),
        {"outcome": "justified"},
    )
    assert "You cannot review your own break-glass" in response.content.decode()


def test_every_look_at_a_child_is_in_the_audit_log_with_its_grounds(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client_for("panel_member").get(detail(world))
    entry = AuditEntry.objects.filter(action=AuditAction.CHILD_VIEW).latest("seq")
    assert entry.user_email == "panel@icb.example"
    assert entry.agency_code == "ICB"
    assert entry.child_ref == str(world.child.public_id)
    assert entry.detail == {"grounds": "panel"}
    assert entry.purpose


def test_a_refused_look_is_audited_but_still_a_404(
    world: World, client_for: Callable[[str], Client]
) -> None:
    assert client_for("other_agency").get(detail(world)).status_code == 404
    assert AuditEntry.objects.filter(
        action=AuditAction.CHILD_DENIED, user_email="other@housing.example"
    ).exists()


def test_a_new_kind_of_involvement_can_be_registered(world: World) -> None:
    other = world.users["other_agency"]
    assert access.grounds_for(other, world.child) is None
    access.register_involvement(
        "test action",
        lambda agency_id: PanelChildFactory._meta.model.objects.filter(child=world.child).values(
            "child_id"
        ),
    )
    try:
        assert access.grounds_for(other, world.child) == access.Grounds.INVOLVED
    finally:
        access._involvement_sources.pop("test action")


def test_a_write_to_a_childs_record_is_audited_and_rolls_back_with_the_change(world: World) -> None:
    from django.db import transaction
    from django.test import RequestFactory

    request = RequestFactory().post("/")
    request.user = world.users["involved"]
    granted = access.ChildAccess(child=world.child, grounds=access.Grounds.INVOLVED)
    access.record_write(
        request, granted, object_type="event", object_id="1", created=True, purpose="test"
    )
    entry = AuditEntry.objects.latest("seq")
    assert (entry.action, entry.child_ref, entry.user_email) == (
        AuditAction.CHILD_CREATE,
        str(world.child.public_id),
        "involved@la.example",
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        access.record_write(request, granted, object_type="event", object_id="2", created=False)
        raise RuntimeError("the change failed")
    assert not AuditEntry.objects.filter(object_id="2").exists(), "nothing half-written"


def test_the_home_page_counts_a_practitioners_children_up_to_a_limit(
    world: World, client_for: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeguarding.children import home as children_home

    client = client_for("involved")
    assert 'govuk-tag--blue">1</strong>' in client.get(reverse("core:home")).content.decode()
    SourceRecordFactory(agency=world.la, child=ChildFactory(), record_id="LCS000002")
    SourceRecordFactory(agency=world.la, child=ChildFactory(), record_id="LCS000003")
    monkeypatch.setattr(children_home, "CHILDREN_COUNT_LIMIT", 2)
    page = client.get(reverse("core:home")).content.decode()
    assert 'govuk-tag--blue">More than 2</strong>' in page
