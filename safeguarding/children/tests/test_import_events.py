"""The import pipeline: column mappings, events extracts, and the batch, audit entry and who may load."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from safeguarding.children.imports import (
    ImportRefused,
    import_extract,
    save_mapping,
    saved_mapping,
)
from safeguarding.children.models import (
    ChildEvent,
    ImportBatch,
    ImportChannel,
    ImportStatus,
    SourceRecord,
)
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.core.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def csv_file(tmp_path: Path, text: str, name: str = "extract.csv") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text).lstrip(), encoding="utf-8")
    return path


def records(agency: Any) -> dict[str, SourceRecord]:
    return {r.record_id: r for r in SourceRecord.objects.filter(agency=agency)}


@pytest.fixture
def agency(world: Any) -> Any:
    """An agency of the world that holds no records yet."""
    return world.school


# --- Mappings -------------------------------------------------------------------------------


def test_a_mapping_feeds_fields_from_the_files_own_headers(agency: Any, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Person ID,Forename,DOB\nN1,Nia,2015-06-01\n")

    result = import_extract(
        agency,
        path,
        kind="persons",
        mapping={"person  id": "record_id", "FORENAME": "given_name", "DOB": "date_of_birth"},
    )

    assert result.created == 1 and not result.extra_columns
    assert records(agency)["N1"].given_name == "Nia"


def test_the_agencys_saved_mapping_applies_when_none_is_given(agency: Any, tmp_path: Path) -> None:
    save_mapping(agency, "persons", {"Person ID": "record_id", "Worker": ""}, user=None)
    path = csv_file(tmp_path, "Person ID,Worker\nS1,Jane Social\n")

    result = import_extract(agency, path, kind="persons")

    assert saved_mapping(agency, "persons") == {"Person ID": "record_id", "Worker": ""}
    assert result.created == 1
    assert records(agency)["S1"].attributes == {}  # "" in a mapping ignores the column


def test_a_mapping_naming_no_field_of_the_hub_is_refused(agency: Any, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "record_id,Birth\nS1,2015-01-01\n")

    with pytest.raises(ImportRefused) as refused:
        import_extract(agency, path, kind="persons", mapping={"Birth": "birthday"})
    assert "'birthday', which is not a field" in str(refused.value)

    with pytest.raises(ImportRefused):
        save_mapping(agency, "persons", {"Birth": "birthday"}, user=None)


def test_two_columns_feeding_one_field_are_refused(agency: Any, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "record_id,Forename,given_name\nS1,Amy,Amy\n")

    with pytest.raises(ImportRefused) as refused:
        import_extract(agency, path, kind="persons", mapping={"Forename": "given_name"})

    assert "two columns feed given_name" in str(refused.value)


# --- Events -------------------------------------------------------------------------------------


def events_file(tmp_path: Path, rows: str, name: str = "events.csv") -> Path:
    return csv_file(tmp_path, "record_id,event_type,occurred_at,summary,restricted\n" + rows, name)


def test_events_load_against_the_agencys_person_records_and_take_their_child(
    world: Any, tmp_path: Path
) -> None:
    path = events_file(
        tmp_path,
        "LCS000001,mash_contact,2025-03-05,Referral from school,\n"
        "LCS000001,Police protection notice,05/07/2025 14:30,Found at night,no\n"
        "LCS000001,Police intelligence,20/07/2025,Graded B2,\n",
    )

    result = import_extract(world.la, path, kind="events")

    assert (result.created, result.rejected) == (3, 0)
    events = {e.event_type: e for e in ChildEvent.objects.filter(import_batch=result.batch)}
    assert set(events) == {"mash_contact", "police_protection", "police_intelligence"}
    notice = events["police_protection"]
    assert notice.child == world.child and notice.source_record == world.record
    # 14:30 in July is British Summer Time: 13:30 UTC.
    assert notice.occurred_at == dt.datetime(2025, 7, 5, 13, 30, tzinfo=dt.UTC)
    assert not notice.restricted
    assert events["police_intelligence"].restricted  # the catalogue's default for a blank
    assert events["mash_contact"].occurred_at == dt.datetime(2025, 3, 5, 0, 0, tzinfo=dt.UTC)


def test_an_event_of_an_unknown_person_record_says_to_load_persons_first(
    world: Any, tmp_path: Path
) -> None:
    path = events_file(tmp_path, "PN-2,mash_contact,2025-03-05,From police's own record,\n")

    result = import_extract(world.la, path, kind="events")

    assert [(p.row, p.column) for p in result.problems] == [(2, "record_id")]
    assert result.problems[0].reason == (
        "no person record PN-2 from this agency: load the persons extract first"
    )


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("event_type", "tea party", "is not an event type"),
        ("event_type", "", "every event needs its type"),
        ("occurred_at", "2025-13-01", "not a real date"),
        ("occurred_at", "05/03/2025 25:00", "not a real time"),
        ("occurred_at", "", "every event needs its date"),
        ("occurred_at", (timezone.localdate() + dt.timedelta(days=2)).isoformat(), "in the future"),
        ("restricted", "perhaps", "is not yes or no"),
        ("summary", "x" * 10_001, "takes at most 10,000"),
    ],
)
def test_each_kind_of_bad_event_is_reported_with_its_row_column_and_reason(
    world: Any, tmp_path: Path, column: str, value: str, reason: str
) -> None:
    good = {
        "record_id": "LCS000001",
        "event_type": "cin_start",
        "occurred_at": "2025-03-25",
        "summary": "Plan",
        "restricted": "",
    }
    bad = {**good, column: value}
    rows = "".join(",".join(row.values()) + "\n" for row in (good, bad))

    result = import_extract(world.la, events_file(tmp_path, rows), kind="events")

    assert [(p.row, p.column) for p in result.problems] == [(3, column)]
    assert reason in result.problems[0].reason
    assert not ChildEvent.objects.filter(import_batch=result.batch).exists()


@pytest.mark.parametrize(
    ("text", "restricted"),
    [
        ("yes", True),
        ("Y", True),
        ("TRUE", True),
        ("1", True),
        ("no", False),
        ("n", False),
        ("False", False),
        ("0", False),
    ],
)
def test_restricted_is_read_from_each_way_systems_write_yes_and_no(
    world: Any, tmp_path: Path, text: str, restricted: bool
) -> None:
    path = events_file(tmp_path, f"LCS000001,mash_contact,2025-03-05,Call,{text}\n")

    result = import_extract(world.la, path, kind="events")

    assert ChildEvent.objects.get(import_batch=result.batch).restricted is restricted


def test_re_importing_events_does_not_duplicate_them_and_updates_their_restriction(
    world: Any, tmp_path: Path
) -> None:
    rows = "LCS000001,mash_contact,2025-03-05,Call,no\nLCS000001,cin_start,2025-04-01,Plan,no\n"
    import_extract(world.la, events_file(tmp_path, rows), kind="events")
    changed = rows.replace("Plan,no", "Plan,yes")

    result = import_extract(world.la, events_file(tmp_path, changed, "again.csv"), kind="events")

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert ChildEvent.objects.filter(agency=world.la, import_batch__isnull=False).count() == 2
    assert ChildEvent.objects.get(event_type="cin_start").restricted


def test_the_same_event_twice_in_a_file_is_reported_and_loaded_once(
    world: Any, tmp_path: Path
) -> None:
    rows = "LCS000001,mash_contact,2025-03-05 09:00,Call,\n" * 2

    result = import_extract(
        world.la, events_file(tmp_path, rows), kind="events", load_valid_rows=True
    )

    assert [(p.row, p.column) for p in result.problems] == [(3, "")]
    assert "the same event as row 2" in result.problems[0].reason
    assert ChildEvent.objects.filter(import_batch=result.batch).count() == 1


def test_ambiguous_event_dates_settled_month_first_are_loaded_so(
    world: Any, tmp_path: Path
) -> None:
    rows = "LCS000001,mash_contact,03/05/2025,A,\nLCS000001,cin_start,03/25/2025,B,\n"

    result = import_extract(world.la, events_file(tmp_path, rows), kind="events")

    assert not result.problems
    contact = ChildEvent.objects.get(import_batch=result.batch, event_type="mash_contact")
    assert contact.occurred_at == dt.datetime(2025, 3, 5, tzinfo=dt.UTC)  # GMT in March
    again = import_extract(world.la, events_file(tmp_path, rows, "again.csv"), kind="events")
    assert (again.created, again.unchanged) == (0, 2)


def test_an_events_file_needs_its_type_and_date_columns(world: Any, tmp_path: Path) -> None:
    with pytest.raises(ImportRefused) as refused:
        import_extract(world.la, csv_file(tmp_path, "record_id,summary\nX,Y\n"), kind="events")

    assert {p.column for p in refused.value.problems} == {"event_type", "occurred_at"}


# --- The batch, the audit log, who may load -----------------------------------------------------


def test_every_run_leaves_its_batch_and_one_audit_entry(world: Any, tmp_path: Path) -> None:
    user = world.users["data_officer"]
    path = csv_file(tmp_path, "record_id,sex\nB1,F\nB2,Q\n", "la-persons.csv")

    result = import_extract(world.la, path, kind="persons", user=user, load_valid_rows=True)

    batch = ImportBatch.objects.get()
    assert batch == result.batch
    assert (batch.rows_read, batch.rows_created, batch.rows_rejected) == (2, 1, 1)
    assert batch.problems == [{"row": 3, "column": "sex", "reason": result.problems[0].reason}]
    assert batch.problem_count == 1 and batch.by == user and batch.finished_at
    assert batch.file_name == "la-persons.csv" and batch.channel == ImportChannel.COMMAND
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert entry.object_type == "import_batch" and entry.object_id == str(batch.public_id)
    assert entry.user_email == user.email
    assert entry.detail["status"] == ImportStatus.LOADED_VALID_ROWS
    assert (entry.detail["created"], entry.detail["rejected"]) == (1, 1)


def test_a_batch_keeps_the_first_thousand_problems_and_counts_them_all(
    world: Any, tmp_path: Path
) -> None:
    rows = "".join(f"K{i},Q\n" for i in range(1_200))
    result = import_extract(world.la, csv_file(tmp_path, f"record_id,sex\n{rows}"), kind="persons")

    assert len(result.problems) == 1_200
    assert len(result.batch.problems) == 1_000 and result.batch.problem_count == 1_200


def test_a_user_cannot_load_another_agencys_extract(world: Any, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "record_id\nX1\n")

    with pytest.raises(PermissionDenied):
        import_extract(world.police, path, kind="persons", user=world.users["data_officer"])

    assert not ImportBatch.objects.exists()


def test_an_agency_that_has_left_the_partnership_has_its_extract_refused(
    tmp_path: Path,
) -> None:
    gone = AgencyFactory(code="GONE", removed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))

    with pytest.raises(ImportRefused, match="left the partnership"):
        import_extract(gone, csv_file(tmp_path, "record_id\nX1\n"), kind="persons")
