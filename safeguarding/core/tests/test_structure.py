"""Partnership officers manage the structure; agency admins their own agency's users."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding.conftest import World
from safeguarding.core.models import (
    Agency,
    AuditAction,
    AuditEntry,
    Partnership,
    Priority,
    SubGroup,
    User,
)
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_officer_adds_an_agency_and_it_is_audited(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("officer").post(
        reverse("core:agency_new"),
        {
            "name": "Wealdside Youth Justice Service",
            "code": "yjs",
            "kind": "other",
            "email_domains": "yjs.example",
        },
    )
    assert response.status_code == 302
    agency = Agency.objects.get(code="YJS")
    assert not agency.statutory_partner
    assert AuditEntry.objects.filter(
        action=AuditAction.STRUCTURE_CHANGE, object_type="agency", object_id=str(agency.pk)
    ).exists()


def test_a_bad_agency_form_says_what_is_wrong_and_saves_nothing(
    world: World, client_for: Callable[[str], Client]
) -> None:
    before = Agency.objects.count()
    response = client_for("officer").post(
        reverse("core:agency_new"),
        {"name": "Testshire Council", "code": "has space", "kind": "nonsense"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("govuk-error-message") >= 3
    assert "Agency with this Name already exists." in page
    assert Agency.objects.count() == before


def test_an_officer_sets_up_a_sub_group_whose_chair_is_a_member(
    world: World, client_for: Callable[[str], Client]
) -> None:
    chair, member = world.users["executive"], world.users["analyst"]
    response = client_for("officer").post(
        reverse("core:sub_group_new"),
        {
            "name": "Child Exploitation",
            "purpose": "Oversees exploitation and missing.",
            "chair": chair.pk,
            "members": [member.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    group = SubGroup.objects.get(name="Child Exploitation")
    assert set(group.members.all()) == {chair, member}


def test_priorities_are_numbered_once_per_year(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("officer")
    data = {"year": 2025, "number": 1, "title": "Tackling exploitation"}
    assert client.post(reverse("core:priority_new"), data).status_code == 302
    again = client.post(reverse("core:priority_new"), {**data, "title": "Another"})
    assert again.status_code == 200 and Priority.objects.count() == 1
    listed = client.get(reverse("core:priorities")).content.decode()
    assert "2025 to 2026" in listed and "Tackling exploitation" in listed


def test_an_officer_changes_the_partnership_settings(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("officer")
    response = client.post(
        reverse("core:partnership"),
        {
            "name": "Testshire Children's Partnership",
            "area": "Testshire",
            "financial_year_start_month": 4,
            "financial_year_start_day": 1,
        },
    )
    assert response.status_code == 302
    assert Partnership.objects.get().name == "Testshire Children's Partnership"
    assert (
        "Testshire Children&#x27;s Partnership" in client.get(reverse("core:home")).content.decode()
    )
    bad = client.post(
        reverse("core:partnership"),
        {"name": "X", "area": "Y", "financial_year_start_month": 13, "financial_year_start_day": 1},
    )
    assert (
        bad.status_code == 200
        and "Ensure this value is less than or equal to 12." in bad.content.decode()
    )


def test_an_agency_admin_adds_a_user_to_their_own_agency_only(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("agency_admin")
    response = client.post(
        reverse("core:user_new"),
        {
            "full_name": "Sam Teacher",
            "email": "Sam.Teacher@School.example",
            "job_title": "DSL",
            "agency": world.la.pk,
            "roles": [Role.PRACTITIONER],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="sam.teacher@school.example")
    assert user.agency == world.school, "the agency field is not theirs to choose"
    assert user.roles == {Role.PRACTITIONER}
    assert not user.has_usable_password()


def test_an_agency_admin_cannot_hand_out_partnership_roles(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("agency_admin").post(
        reverse("core:user_new"),
        {"full_name": "Eve Il", "email": "eve@school.example", "roles": [Role.SYSTEM_ADMIN]},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="eve@school.example").exists()


def test_an_agency_admin_sees_only_their_agencys_users(
    world: World, client_for: Callable[[str], Client]
) -> None:
    UserFactory(email="teacher@school.example", agency=world.school, roles=[Role.PRACTITIONER])
    page = client_for("agency_admin").get(reverse("core:users")).content.decode()
    assert "teacher@school.example" in page
    assert "involved@la.example" not in page
    other = world.users["involved"]
    assert (
        client_for("agency_admin")
        .post(reverse("core:user_toggle", kwargs={"pk": other.pk}))
        .status_code
        == 404
    )
    other.refresh_from_db()
    assert other.is_active


def test_an_email_already_in_use_is_refused(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("agency_admin").post(
        reverse("core:user_new"),
        {"full_name": "Dup", "email": "INVOLVED@la.example", "roles": [Role.PRACTITIONER]},
    )
    assert "Another account already uses this email address." in response.content.decode()


def test_an_admin_cannot_disable_themselves(
    world: World, client_for: Callable[[str], Client]
) -> None:
    admin = world.users["agency_admin"]
    client_for("agency_admin").post(reverse("core:user_toggle", kwargs={"pk": admin.pk}))
    admin.refresh_from_db()
    assert admin.is_active


def test_the_home_page_shows_each_role_what_it_can_do(
    world: World, client_for: Callable[[str], Client]
) -> None:
    pages = {
        name: client_for(name).get(reverse("core:home")).content.decode()
        for name in ("involved", "officer", "ig_lead", "analyst")
    }
    assert "Children you work with" in pages["involved"] and "Agencies" not in pages["involved"]
    assert "Sub-groups" in pages["officer"] and "Children you work with" not in pages["officer"]
    assert "Break-glass to review" in pages["ig_lead"]
    assert "Children you work with" not in pages["analyst"] and "Audit log" not in pages["analyst"]


def test_list_pages_do_not_query_per_row(world: World, client_for: Callable[[str], Client]) -> None:
    for n in range(15):
        UserFactory(
            agency=world.school, roles=[Role.PRACTITIONER], mfa=False, email=f"t{n}@school.example"
        )
    client = client_for("agency_admin")
    client.get(reverse("core:users"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("core:users"))
    UserFactory.create_batch(15, agency=world.school, roles=[Role.PRACTITIONER], mfa=False)
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("core:users"))
    assert len(more) == len(few)


def test_an_agency_admin_cannot_manage_partnership_wide_accounts_or_their_own(
    world: World, client_for: Callable[[str], Client]
) -> None:
    ig = UserFactory(email="ig2@school.example", agency=world.school, roles=[Role.IG_LEAD])
    admin = world.users["agency_admin"]
    client = client_for("agency_admin")
    for target in (ig, admin):
        assert client.get(reverse("core:user_edit", kwargs={"pk": target.pk})).status_code == 404
        assert client.post(reverse("core:user_toggle", kwargs={"pk": target.pk})).status_code == 404
    client.post(
        reverse("core:user_edit", kwargs={"pk": admin.pk}),
        {
            "full_name": "Addy Min",
            "email": admin.email,
            "roles": [Role.AGENCY_ADMIN, Role.PRACTITIONER],
        },
    )
    assert world.users["agency_admin"].role_grants.count() == 1
    ig.refresh_from_db()
    assert ig.is_active and ig.roles == {Role.IG_LEAD}
