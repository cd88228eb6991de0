"""The chronology's export, with its purpose recorded, and the child pages' query counts."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding.conftest import World
from safeguarding.core.exports import safe_cell
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.core.tests.factories import (
    ChildEventFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def detail_url(child: Any) -> str:
    return reverse("children:detail", kwargs={"public_id": child.public_id})


def export_url(child: Any) -> str:
    return reverse("children:export", kwargs={"public_id": child.public_id})


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    """A time in Europe/London, as the agencies record it."""
    return datetime(year, month, day, hour, tzinfo=LONDON)


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
