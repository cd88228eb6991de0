"""The child's page and chronology: best values, filters, paging, restricted entries and merged children."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core.models import AuditAction, AuditEntry, BreakGlass
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import (
    ChildEventFactory,
    ChildFactory,
    SourceRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
VALID_NHS = "9434765919"


def detail_url(child: Any) -> str:
    return reverse("children:detail", kwargs={"public_id": child.public_id})


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    """A time in Europe/London, as the agencies record it."""
    return datetime(year, month, day, hour, tzinfo=LONDON)


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def keyed_world(world: World) -> None:
    """The factories do not compute search keys; identity.py does in real life."""
    from safeguarding.children.names import name_key

    world.child.given_name_key = name_key(world.child.given_name)
    world.child.family_name_key = name_key(world.child.family_name)
    world.child.save()


@pytest.fixture
def history(world: World) -> None:
    """Council entries across 2024 and 2025, and a police domestic abuse incident."""
    for month in (1, 4, 7, 10):
        ChildEventFactory(
            source_record=world.record,
            event_type="mash_contact",
            occurred_at=at(2024, month, 10),
            summary=f"Contact in month {month} of 2024.",
        )
    ChildEventFactory(
        source_record=world.record,
        event_type="cp_start",
        occurred_at=at(2025, 2, 1),
        summary="Child protection plan started.",
    )
    police_record = world.restricted_event.source_record
    ChildEventFactory(
        source_record=police_record,
        event_type="domestic_abuse_incident",
        occurred_at=at(2025, 3, 5),
        summary="Police attended a domestic incident.",
    )


# --- The child's page ---------------------------------------------------------------------


def test_the_page_shows_each_best_value_and_the_agency_that_gave_it(
    world: World, client_for: Callable[[str], Client]
) -> None:
    SourceRecordFactory(agency=world.icb, child=world.child, record_id="NHS-9")
    world.child.nhs_number = VALID_NHS
    world.child.identity_sources = {"nhs_number": "ICB", "given_name": "LA"}
    world.child.save()
    page = client_for("involved").get(detail_url(world.child)).content.decode()
    assert "943 476 5919" in page
    assert "From Testshire ICB" in page
    assert "From Testshire Council" in page
    assert "LCS000001" in page and "NHS-9" in page  # the agencies involved, by their reference
    assert "Child Exploitation Risk Assessment Meeting" in page


def test_the_chronology_shows_every_agencys_entries_with_their_labels(
    world: World, client_for: Callable[[str], Client]
) -> None:
    page = client_for("panel_member").get(detail_url(world.child)).content.decode()
    assert "Contact to the MASH" in page or "MASH" in page
    assert "Police intelligence" in page
    assert "Testshire Police" in page and "Testshire Council" in page


def chronology(client: Client, child: Any, **filters: str) -> str:
    return client.get(detail_url(child), filters).content.decode()


def test_the_chronology_filters_by_agency(
    world: World, history: None, client_for: Callable[[str], Client]
) -> None:
    page = chronology(client_for("involved"), world.child, agency="POLICE")
    assert "Police attended a domestic incident." in page
    assert "Child protection plan started." not in page


def test_the_chronology_filters_by_event_type(
    world: World, history: None, client_for: Callable[[str], Client]
) -> None:
    page = chronology(client_for("involved"), world.child, event_type="cp_start")
    assert "Child protection plan started." in page
    assert "Contact in month 4 of 2024." not in page
    assert "1 entry" in page


def test_the_chronology_filters_by_date_range_as_people_type_dates(
    world: World, history: None, client_for: Callable[[str], Client]
) -> None:
    page = chronology(
        client_for("involved"), world.child, date_from="1/4/2024", date_to="10 Oct 2024"
    )
    assert "Contact in month 4 of 2024." in page
    assert "Contact in month 10 of 2024." in page  # the end date's whole day counts
    assert "Contact in month 1 of 2024." not in page
    assert "Child protection plan started." not in page


def test_the_chronology_can_run_oldest_first(
    world: World, history: None, client_for: Callable[[str], Client]
) -> None:
    page = chronology(client_for("involved"), world.child, order="oldest")
    assert page.index("Contact in month 1 of 2024.") < page.index("Child protection plan started.")
    page = chronology(client_for("involved"), world.child)
    assert page.index("Contact in month 1 of 2024.") > page.index("Child protection plan started.")


def test_bad_filter_dates_are_explained(
    world: World, history: None, client_for: Callable[[str], Client]
) -> None:
    client = client_for("involved")
    page = chronology(client, world.child, date_from="32/1/2024")
    assert "Enter the start date as a real date" in page
    page = chronology(client, world.child, date_from="1/6/2025", date_to="1/1/2025")
    assert "The end date must be the same as or after the start date." in page


def test_the_chronology_is_paginated(world: World, client_for: Callable[[str], Client]) -> None:
    for day in range(1, 61):
        ChildEventFactory(
            source_record=world.record,
            occurred_at=at(2023, 1, 1) + timedelta(days=day),
            summary=f"Entry number {day}.",
        )
    client = client_for("involved")
    first = chronology(client, world.child, order="oldest")
    assert "Entry number 1." in first and "Entry number 55." not in first
    second = chronology(client, world.child, order="oldest", page="2")
    assert "Entry number 55." in second and "Entry number 1." not in second


def test_the_timeline_strip_counts_entries_by_agency(
    world: World, history: None, client_for: Callable[[str], Client]
) -> None:
    page = chronology(client_for("involved"), world.child)
    assert "<svg" in page
    assert "Testshire Council 6" in page  # the five above and the world's open contact
    assert "Testshire Police 1" in page  # the restricted entry is not counted for the council
    assert "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]


# --- Restricted entries -------------------------------------------------------------------


def test_a_restricted_entry_is_seen_by_its_source_agency(world: World) -> None:
    police = client_of(UserFactory(agency=world.police, roles=[Role.PRACTITIONER]))
    assert "Police intelligence grading B2." in chronology(police, world.child)


def test_a_restricted_entry_is_hidden_from_another_involved_agency(
    world: World, client_for: Callable[[str], Client]
) -> None:
    page = chronology(client_for("involved"), world.child)
    assert "Contact from the school nurse." in page
    assert "Police intelligence grading B2." not in page


def test_a_restricted_entry_is_seen_by_the_childs_panel(
    world: World, client_for: Callable[[str], Client]
) -> None:
    page = chronology(client_for("panel_member"), world.child)
    assert "Police intelligence grading B2." in page


def test_break_glass_does_not_open_restricted_entries(
    world: World, client_for: Callable[[str], Client]
) -> None:
    BreakGlass.objects.create(
        user=world.users["other_agency"],
        child=world.child,
        reason="Emergency department asking about this child tonight",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    page = chronology(client_for("other_agency"), world.child)
    assert "Contact from the school nurse." in page
    assert "Police intelligence grading B2." not in page


def test_a_restricted_type_is_not_offered_as_a_filter_to_those_who_may_not_see_it(
    world: World, client_for: Callable[[str], Client]
) -> None:
    assert "police_intelligence" not in chronology(client_for("involved"), world.child)
    assert "police_intelligence" in chronology(client_for("panel_member"), world.child)


# --- Merged children ----------------------------------------------------------------------


def test_a_merged_childs_old_page_leads_to_the_child_it_was_merged_into(
    world: World, client_for: Callable[[str], Client]
) -> None:
    old = ChildFactory(given_name="Jordon", family_name="Example", merged_into=world.child)
    response = client_for("involved").get(detail_url(old))
    assert response.status_code == 302
    assert response["Location"] == detail_url(world.child)
    client_for("involved").get(response["Location"])
    assert AuditEntry.objects.filter(
        action=AuditAction.CHILD_VIEW, child_ref=str(world.child.public_id)
    ).exists()


def test_a_merged_childs_old_page_is_a_404_for_who_may_not_see_the_survivor(
    world: World, client_for: Callable[[str], Client]
) -> None:
    old = ChildFactory(merged_into=world.child)
    missing = reverse(
        "children:detail", kwargs={"public_id": "00000000-0000-4000-8000-000000000000"}
    )
    client = client_for("other_agency")
    hidden = client.get(detail_url(old))
    assert hidden.status_code == 404
    assert hidden.content == client.get(missing).content
