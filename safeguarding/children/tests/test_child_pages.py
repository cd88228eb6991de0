"""Finding a child, the child's page and chronology, and the chronology's export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core.exports import safe_cell
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
VALID_UPN = "F801200100001"  # check letter F for these 12 digits


def search(client: Client, **terms: str) -> str:
    return client.get(reverse("children:list"), terms).content.decode()


def detail_url(child: Any) -> str:
    return reverse("children:detail", kwargs={"public_id": child.public_id})


def export_url(child: Any) -> str:
    return reverse("children:export", kwargs={"public_id": child.public_id})


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    """A time in Europe/London, as the agencies record it."""
    return datetime(year, month, day, hour, tzinfo=LONDON)


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def known(world: World) -> Any:
    """A second child of the council's, with identifiers on the council's record."""
    child = ChildFactory(
        given_name="Elizabeth",
        family_name="Smith",
        date_of_birth=date(2011, 3, 25),
        nhs_number=VALID_NHS,
        given_name_key="E421",
        family_name_key="S530",
    )
    SourceRecordFactory(
        agency=world.la, child=child, record_id="LCS000777", nhs_number=VALID_NHS, upn=VALID_UPN
    )
    return child


@pytest.fixture(autouse=True)
def keyed_world(world: World) -> None:
    """The factories do not compute search keys; identity.py does in real life."""
    from safeguarding.children.names import name_key

    world.child.given_name_key = name_key(world.child.given_name)
    world.child.family_name_key = name_key(world.child.family_name)
    world.child.save()


# --- Search -----------------------------------------------------------------------------


def test_a_name_with_typos_finds_the_child(
    world: World, client_for: Callable[[str], Client]
) -> None:
    page = search(client_for("involved"), name="Jordn Exampel")
    assert "Jordan Example" in page
    assert "1 child found" in page


def test_a_nickname_finds_the_formal_name_and_the_formal_name_the_nickname(
    world: World, known: Any, client_for: Callable[[str], Client]
) -> None:
    assert "Elizabeth Smith" in search(client_for("involved"), name="Lizzie Smith")
    known.given_name, known.given_name_key = "Lizzie", "L200"
    known.save()
    assert "Lizzie Smith" in search(client_for("involved"), name="Elizabeth Smith")


def test_exact_spellings_come_before_names_that_only_sound_alike(
    world: World, client_for: Callable[[str], Client]
) -> None:
    for given in ("John", "Jon"):
        child = ChildFactory(
            given_name=given, family_name="Aardvark", given_name_key="J500", family_name_key="A631"
        )
        SourceRecordFactory(agency=world.la, child=child)
    page = search(client_for("involved"), name="Jon")
    # Without the ranking, "Aardvark, John" would sort first.
    assert page.index("Jon Aardvark") < page.index("John Aardvark")


def test_a_name_is_found_whichever_order_its_words_are_typed_in(
    world: World, client_for: Callable[[str], Client]
) -> None:
    assert "Jordan Example" in search(client_for("involved"), name="Example, Jordan")


def test_of_two_words_one_must_be_the_family_name(
    world: World, client_for: Callable[[str], Client]
) -> None:
    # Neither word sounds like the family name Example.
    assert "0 children found" in search(client_for("involved"), name="Jordan Jordan")
    assert "1 child found" in search(client_for("involved"), name="Jordan")


def test_a_search_that_finds_too_many_asks_to_be_narrowed(
    world: World, client_for: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeguarding.children import access

    for given in ("Jordan", "Jordon", "Jordyn"):
        child = ChildFactory(
            given_name=given, family_name="Example", given_name_key="J635", family_name_key="E251"
        )
        SourceRecordFactory(agency=world.la, child=child)
    monkeypatch.setattr(access, "SEARCH_LIMIT", 2)
    page = search(client_for("involved"), name="Jordan Example")
    assert "More than 2 children found" in page
    assert "add a date of birth or more of the name" in page
    # Exact spellings first, so the child typed is among those listed.
    assert ">Jordan Example</a>" in page


def test_the_list_of_children_stops_at_its_limit_and_asks_for_a_search(
    world: World, client_for: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeguarding.children import views

    client = client_for("involved")
    assert "1 child</caption>" in client.get(reverse("children:list")).content.decode()
    for family in ("Abbott", "Baker", "Carter"):
        SourceRecordFactory(agency=world.la, child=ChildFactory(family_name=family))
    monkeypatch.setattr(views, "LIST_LIMIT", 2)
    page = client.get(reverse("children:list")).content.decode()
    assert "More than 2 children</caption>" in page
    assert "search above to find a child" in page
    # The first two by name are listed, and no page holds more.
    assert page.count('class="govuk-table__row"') == 1 + 2  # the header and two children


def test_involvement_given_as_a_queryset_of_children_works_too(world: World) -> None:
    from safeguarding.children.models import Child
    from safeguarding.core import access

    other = world.users["other_agency"]
    access.register_involvement(
        "test children", lambda agency_id: Child.objects.filter(pk=world.child.pk)
    )
    try:
        assert access.grounds_for(other, world.child) == access.Grounds.INVOLVED
        assert list(access.visible_children(other)) == [world.child]
    finally:
        access._involvement_sources.pop("test children")


def test_a_date_of_birth_finds_the_child_however_it_is_written(
    world: World, known: Any, client_for: Callable[[str], Client]
) -> None:
    client = client_for("involved")
    for typed in ("25/03/2011", "25 Mar 2011", "2011-03-25", "25.3.2011"):
        page = search(client, date_of_birth=typed)
        assert "Elizabeth Smith" in page, typed
        assert "Jordan Example" not in page, typed


def test_an_ambiguous_date_is_read_day_first_and_the_page_says_so(
    world: World, client_for: Callable[[str], Client]
) -> None:
    page = search(client_for("involved"), date_of_birth="05/03/2012")
    assert "born 5 March 2012" in page


def test_an_nhs_number_finds_the_child_with_or_without_spaces(
    world: World, known: Any, client_for: Callable[[str], Client]
) -> None:
    for typed in (VALID_NHS, "943 476 5919", "943-476-5919"):
        page = search(client_for("involved"), nhs_number=typed)
        assert "Elizabeth Smith" in page
        assert "Jordan Example" not in page


def test_an_nhs_number_held_only_on_an_agency_record_finds_the_child(
    world: World, known: Any, client_for: Callable[[str], Client]
) -> None:
    known.nhs_number = ""
    known.save()
    assert "Elizabeth Smith" in search(client_for("involved"), nhs_number=VALID_NHS)


def test_a_upn_finds_the_child(
    world: World, known: Any, client_for: Callable[[str], Client]
) -> None:
    page = search(client_for("involved"), upn=VALID_UPN.lower())
    assert "Elizabeth Smith" in page
    assert "Jordan Example" not in page


def test_an_agencys_own_reference_finds_the_child(
    world: World, known: Any, client_for: Callable[[str], Client]
) -> None:
    page = search(client_for("involved"), record_id=" LCS000777 ")
    assert "Elizabeth Smith" in page
    assert "Jordan Example" not in page


def test_terms_combine(world: World, known: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("involved")
    assert "Elizabeth Smith" in search(client, name="Smith", date_of_birth="25/3/2011")
    assert "Elizabeth Smith" not in search(client, name="Smith", date_of_birth="26/3/2011")


def test_a_search_never_finds_a_child_the_user_may_not_see(
    world: World, known: Any, client_for: Callable[[str], Client]
) -> None:
    # The same name and identifiers, known only to the school.
    hidden = ChildFactory(
        given_name="Jordan",
        family_name="Example",
        given_name_key="J635",
        family_name_key="E251",
        date_of_birth=date(2011, 3, 25),
    )
    SourceRecordFactory(agency=world.school, child=hidden, record_id="SCH-1", nhs_number=VALID_NHS)
    client = client_for("involved")
    assert "1 child found" in search(client, name="Jordan Example")
    assert str(hidden.public_id) not in search(client, name="Jordan Example")
    assert str(hidden.public_id) not in search(client, record_id="SCH-1")
    assert "0 children found" in search(client, record_id="SCH-1")
    page = search(client_for("other_agency"), nhs_number=VALID_NHS)
    assert "0 children found" in page
    assert "Smith" not in page


def test_a_search_is_recorded_with_its_terms_and_what_it_found(
    world: World, client_for: Callable[[str], Client]
) -> None:
    search(client_for("involved"), name="Jordn Exampel", date_of_birth="17/5/2012")
    entry = AuditEntry.objects.get(action=AuditAction.CHILD_SEARCH)
    assert entry.user_email == "involved@la.example"
    assert entry.detail["terms"] == {"name": "Jordn Exampel", "date_of_birth": "2012-05-17"}
    assert entry.detail["found"] == 1
    assert entry.child_ref == str(world.child.public_id)
    assert "Jordn Exampel" in entry.purpose
    assert "born 17 May 2012" in entry.purpose


def test_a_bad_date_of_birth_is_explained_and_nothing_is_searched(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("involved")
    page = search(client, date_of_birth="31/02/2012")
    assert "Enter the date of birth as a real date" in page
    assert "govuk-error-summary" in page
    future = (timezone.localdate() + timedelta(days=3)).strftime("%d/%m/%Y")
    assert "must be today or in the past" in search(client, date_of_birth=future)
    assert not AuditEntry.objects.filter(action=AuditAction.CHILD_SEARCH).exists()


def test_an_nhs_number_that_fails_its_check_is_explained(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("involved")
    page = search(client, nhs_number="943 476 5918")
    assert "Enter a valid NHS number: the check digit should be 9, not 8" in page
    assert "Enter a valid NHS number: an NHS number has 10 digits" in search(
        client, nhs_number="12345"
    )
    assert "Enter a valid UPN: the check letter should be F, not B" in search(
        client, upn="B801200100001"
    )


def test_an_empty_search_lists_the_children_the_user_works_with(
    world: World, client_for: Callable[[str], Client]
) -> None:
    page = search(client_for("involved"))
    assert "Children you work with" in page
    assert "Jordan Example" in page
    assert "Testshire Council" in page  # the agencies holding a record
    assert AuditEntry.objects.filter(action=AuditAction.CHILD_LIST).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.CHILD_SEARCH).exists()


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


# --- Export -------------------------------------------------------------------------------

PURPOSE = "rapid review of serious incident notification 2025/07"


def export(client: Client, child: Any, file_format: str, query: str = "") -> Any:
    url = export_url(child) + (f"?{query}" if query else "")
    return client.post(url, {"purpose": PURPOSE, "file_format": file_format})


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_export_page_asks_for_a_purpose_and_says_what_will_be_exported(
    world: World, history: None, client_for: Callable[[str], Client]
) -> None:
    page = client_for("involved").get(export_url(world.child) + "?agency=LA").content.decode()
    assert "Why are you exporting this chronology?" in page
    assert "Testshire Council" in page
    assert "6 entries" in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_an_export_without_a_purpose_is_refused_with_a_message(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("involved").post(export_url(world.child), {"file_format": "csv"})
    assert response.status_code == 200
    assert "Enter why you are exporting this chronology." in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_csv_export_holds_the_entries_the_user_may_see_with_the_filters(
    world: World, history: None, client_for: Callable[[str], Client]
) -> None:
    response = export(
        client_for("involved"), world.child, "csv", "date_from=1/1/2025&date_to=31/12/2025"
    )
    assert response["Content-Type"].startswith("text/csv")
    assert world.child.pseudonym in response["Content-Disposition"]
    assert "Jordan" not in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["Date", "Time", "Agency", "What happened", "Summary", "Restricted"]
    summaries = [row[4] for row in rows[1:]]
    assert summaries == ["Police attended a domestic incident.", "Child protection plan started."]
    assert rows[1][:3] == ["2025-03-05", "12:00", "Testshire Police"]


def test_the_csv_export_leaves_restricted_entries_to_those_who_may_see_them(
    world: World, client_for: Callable[[str], Client]
) -> None:
    council = [row[4] for row in csv_rows(export(client_for("involved"), world.child, "csv"))]
    assert "Police intelligence grading B2." not in council
    panel = csv_rows(export(client_for("panel_member"), world.child, "csv"))
    restricted = [row for row in panel if row[4] == "Police intelligence grading B2."]
    assert restricted and restricted[0][5] == "Restricted"


def test_the_csv_export_is_safe_against_formula_injection(
    world: World, client_for: Callable[[str], Client]
) -> None:
    ChildEventFactory(source_record=world.record, summary='=HYPERLINK("http://evil.example")')
    ChildEventFactory(source_record=world.record, summary="@SUM(A1)")
    summaries = [row[4] for row in csv_rows(export(client_for("involved"), world.child, "csv"))]
    assert '\'=HYPERLINK("http://evil.example")' in summaries
    assert "'@SUM(A1)" in summaries
    assert [safe_cell(s) for s in ("+1+1", "-2+3", "-1", "plain")] == [
        "'+1+1",
        "'-2+3",
        "-1",
        "plain",
    ]


def test_the_word_export_names_the_child_the_exporter_and_the_purpose(
    world: World, history: None, client_for: Callable[[str], Client]
) -> None:
    from docx import Document

    response = export(client_for("involved"), world.child, "docx", "agency=POLICE")
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert response["Cache-Control"] == "no-store"
    document = Document(io.BytesIO(response.content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "Multi-agency chronology: Jordan Example" in text
    assert "Date of birth: 17 May 2012" in text
    assert world.child.pseudonym in text
    assert "Exported by: Ina Volved, Testshire Council" in text
    assert f"Purpose: {PURPOSE}" in text
    assert "Entries: Testshire Police" in text
    (table,) = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["Date", "Agency", "What happened", "Summary", "Restricted"]
    assert rows[1:] == [
        [
            "5 March 2025 12:00",
            "Testshire Police",
            "Domestic abuse incident",
            "Police attended a domestic incident.",
            "",
        ]
    ]


def test_an_export_is_recorded_with_its_purpose_and_the_child(
    world: World, client_for: Callable[[str], Client]
) -> None:
    export(client_for("involved"), world.child, "csv", "agency=LA")
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.purpose == PURPOSE
    assert entry.child_ref == str(world.child.public_id)
    assert entry.user_email == "involved@la.example"
    assert entry.detail["format"] == "csv"
    assert entry.detail["filters"] == {"agency": "LA"}


def test_another_agency_cannot_export_and_gets_the_same_404(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("other_agency")
    assert client.get(export_url(world.child)).status_code == 404
    response = export(client, world.child, "csv")
    assert response.status_code == 404
    assert b"Police" not in response.content
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
    assert AuditEntry.objects.filter(
        action=AuditAction.CHILD_DENIED, child_ref=str(world.child.public_id)
    ).exists()


def test_an_analyst_cannot_export(world: World, client_for: Callable[[str], Client]) -> None:
    assert export(client_for("analyst"), world.child, "csv").status_code == 403


# --- Query counts -------------------------------------------------------------------------


def add_events(world: World, count: int) -> None:
    from safeguarding.children.models import ChildEvent

    start = at(2015, 1, 1)
    ChildEvent.objects.bulk_create(
        ChildEvent(
            source_record=world.record,
            child=world.child,
            agency=world.la,
            event_type=("mash_contact", "cp_start", "missing_episode")[n % 3],
            occurred_at=start + timedelta(days=3 * n),
            summary=f"Bulk entry {n}.",
            fingerprint=f"bulk-{n}",
        )
        for n in range(count)
    )


def queries_of(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_childs_page_makes_as_many_queries_for_500_entries_as_for_5(
    world: World,
    client_for: Callable[[str], Client],
    django_assert_max_num_queries: Any,
) -> None:
    from safeguarding.children.models import ChildEvent

    client = client_for("panel_member")
    url = detail_url(world.child) + "?agency=LA&date_from=1/1/2015"
    add_events(world, 5)
    client.get(url)  # the session settles
    few = queries_of(client, url)
    ChildEvent.objects.filter(fingerprint__startswith="bulk-").delete()
    add_events(world, 500)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert "501 entries" in response.content.decode()  # and the world's own contact


def test_the_export_makes_as_many_queries_for_500_entries_as_for_5(
    world: World,
    client_for: Callable[[str], Client],
    django_assert_max_num_queries: Any,
) -> None:
    from safeguarding.children.models import ChildEvent

    client = client_for("panel_member")
    add_events(world, 5)
    export(client, world.child, "docx")
    with CaptureQueriesContext(connection) as captured:
        export(client, world.child, "docx")
    ChildEvent.objects.filter(fingerprint__startswith="bulk-").delete()
    add_events(world, 500)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        response = export(client, world.child, "csv")
    assert len(csv_rows(response)) == 1 + 502  # the header, the bulk and the world's two
