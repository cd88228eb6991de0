"""The import pipeline loading: all or nothing, dry runs, failures rolled back, and re-imports that update, keep history and never duplicate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from django.utils import timezone

from safeguarding.children.imports import (
    ImportFailed,
    import_extract,
    persons_sql,
    staging,
)
from safeguarding.children.models import (
    ChildEvent,
    ImportBatch,
    ImportStatus,
    SourceRecord,
    SourceRecordVersion,
)
from safeguarding.core.identifiers import nhs_check_digit, upn_check_letter
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.core.tests.factories import SourceRecordFactory

pytestmark = pytest.mark.django_db

HEADER = "record_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number,upn"


def nhs(nine: str) -> str:
    check = nhs_check_digit(nine)
    assert check is not None
    return nine + str(check)


def upn(twelve: str) -> str:
    return upn_check_letter(twelve) + twelve


NHS_1 = nhs("943476591")


def csv_file(tmp_path: Path, text: str, name: str = "extract.csv") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text).lstrip(), encoding="utf-8")
    return path


def born(years_ago: int, day: int = 5, month: int = 3) -> dt.date:
    return dt.date(timezone.localdate().year - years_ago, month, day)


def problems_of(result: Any) -> set[tuple[int | None, str]]:
    return {(p.row, p.column) for p in result.problems}


def records(agency: Any) -> dict[str, SourceRecord]:
    return {r.record_id: r for r in SourceRecord.objects.filter(agency=agency)}


@pytest.fixture
def agency(world: Any) -> Any:
    """An agency of the world that holds no records yet."""
    return world.school


def snapshot() -> dict[str, list[Any]]:
    """Every child-level row that an import can touch, to compare before and after."""
    return {
        "records": list(SourceRecord.objects.order_by("pk").values()),
        "versions": list(SourceRecordVersion.objects.order_by("pk").values()),
        "events": list(ChildEvent.objects.order_by("pk").values()),
    }


# --- All or nothing, dry runs ----------------------------------------------------------------


def test_a_file_with_problems_loads_nothing_unless_the_valid_rows_are_chosen(
    agency: Any, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, "record_id,sex\nV1,F\nV2,Q\nV3,M\n")

    refused = import_extract(agency, path, kind="persons")
    assert (refused.loaded, refused.created, refused.rejected) == (False, 0, 1)
    assert refused.batch.status == ImportStatus.REFUSED
    assert not records(agency)

    chosen = import_extract(agency, path, kind="persons", load_valid_rows=True)
    assert (chosen.loaded, chosen.created, chosen.rejected) == (True, 2, 1)
    assert chosen.batch.status == ImportStatus.LOADED_VALID_ROWS
    assert set(records(agency)) == {"V1", "V3"}


def test_a_dry_run_loads_nothing_and_says_what_a_load_would_do(agency: Any, tmp_path: Path) -> None:
    SourceRecordFactory(agency=agency, record_id="V1", child=None, given_name="Amy", family_name="")
    before = snapshot()
    path = csv_file(tmp_path, "record_id,given_name,sex\nV1,Amelia,F\nV2,Ben,Q\nV3,Cat,F\n")

    result = import_extract(agency, path, kind="persons", dry_run=True)

    assert snapshot() == before
    assert result.dry_run and not result.loaded
    assert (result.created, result.updated, result.unchanged, result.rejected) == (1, 1, 0, 1)
    assert result.batch.status == ImportStatus.CHECKED
    assert problems_of(result) == {(3, "sex")}


def test_a_failure_half_way_through_the_rows_leaves_the_database_as_it_was(
    agency: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    SourceRecordFactory(agency=agency, record_id="F0", child=None, given_name="Old", family_name="")
    before = snapshot()
    rows = "\n".join(f"F{i},Name{i}" for i in range(50))
    path = csv_file(tmp_path, f"record_id,given_name\n{rows}\n")
    monkeypatch.setattr(staging, "CHUNK", 10)
    written: list[int] = []
    original = staging.Staging.execute_raw

    def write_then_break(self: Any, statement: str, params: Any) -> int:
        # In the writer thread, per chunk: note the changed records, insert the new ones.
        if len(written) == 4:  # two chunks staged and their new records inserted already
            raise RuntimeError("the disk is full")
        changed = original(self, statement, params)
        written.append(changed)
        return changed

    monkeypatch.setattr(staging.Staging, "execute_raw", write_then_break)

    with pytest.raises(ImportFailed) as failed:
        import_extract(agency, path, kind="persons")

    # Noted: F0 changed and F1–F9 new; inserted: F1–F9; then F10–F19 noted and inserted.
    assert written == [10, 9, 10, 10]
    assert snapshot() == before
    assert failed.value.batch.status == ImportStatus.FAILED
    assert ImportBatch.objects.get().status == ImportStatus.FAILED


def test_a_failure_half_way_through_an_agencys_first_load_leaves_nothing_behind(
    agency: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = "\n".join(f"F{i},Name{i}" for i in range(50))
    path = csv_file(tmp_path, f"record_id,given_name\n{rows}\n")
    monkeypatch.setattr(staging, "CHUNK", 10)
    chunks: list[int] = []

    def progress(rows: int) -> None:
        chunks.append(rows)
        if len(chunks) == 3:  # two chunks handed to the writer, perhaps written
            raise RuntimeError("the connection dropped")

    with pytest.raises(ImportFailed):
        import_extract(agency, path, kind="persons", progress=progress)

    assert not SourceRecord.objects.filter(agency=agency).exists()
    assert ImportBatch.objects.get().status == ImportStatus.FAILED


def test_a_file_read_in_many_chunks_loads_exactly_as_one_read_whole(
    agency: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New records are inserted chunk by chunk before the whole file is known; what the
    end of the file decides (a duplicate, the order of day and month) must still hold."""
    SourceRecordFactory(
        agency=agency, record_id="C01", child=None, given_name="Old", family_name=""
    )
    monkeypatch.setattr(staging, "CHUNK", 3)
    year = born(9).year
    rows = [
        f"C01,New,05/03/{year}",  # an existing record, changed
        f"C02,Dup,06/03/{year}",  # the first of a duplicate
        f"C03,Ann,07/04/{year}",
        f"C04,Bad,99/99/{year}",  # a problem of its own
        f"C05,Bob,01/02/{year}",
        f"C02,Dup,06/03/{year}",  # the duplicate, three chunks later
        f"C06,Cal,08/09/{year}",
        f"C07,Dee,03/25/{year}",  # settles the column as month first, last of all
    ]
    path = csv_file(tmp_path, "record_id,given_name,date_of_birth\n" + "\n".join(rows) + "\n")

    result = import_extract(agency, path, kind="persons", load_valid_rows=True)

    assert problems_of(result) == {(5, "date_of_birth"), (3, "record_id"), (7, "record_id")}
    assert (result.created, result.updated, result.rejected) == (4, 1, 3)
    loaded = records(agency)
    assert set(loaded) == {"C01", "C03", "C05", "C06", "C07"}
    assert loaded["C01"].given_name == "New"
    assert loaded["C01"].date_of_birth == dt.date(year, 5, 3)
    assert loaded["C03"].date_of_birth == dt.date(year, 7, 4)
    assert loaded["C06"].date_of_birth == dt.date(year, 8, 9)
    assert loaded["C07"].date_of_birth == dt.date(year, 3, 25)


def test_an_agencys_first_load_read_in_many_chunks_loads_exactly_as_one_read_whole(
    agency: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An agency's first load writes its records as it goes (on PostgreSQL straight into
    the records table): a duplicate within a chunk or across chunks, and a column that
    settles as month first at its end, must still come out as the whole file decides."""
    monkeypatch.setattr(staging, "CHUNK", 3)
    year = born(9).year
    rows = [
        f"C01,Ann,05/03/{year}",
        f"C02,Dup,06/03/{year}",  # the first of a duplicate two chunks apart
        f"C04,Bad,99/99/{year}",  # a problem of its own
        f"C03,Twin,07/04/{year}",  # a duplicate within one chunk
        f"C03,Twin,07/04/{year}",
        f"C05,Bob,01/02/{year}",
        f"C06,Cal,08/09/{year}",
        f"C02,Dup,06/03/{year}",
        f"C07,Dee,03/25/{year}",  # settles the column as month first, last of all
    ]
    path = csv_file(tmp_path, "record_id,given_name,date_of_birth\n" + "\n".join(rows) + "\n")

    result = import_extract(agency, path, kind="persons", load_valid_rows=True)

    assert problems_of(result) == {
        (3, "record_id"),
        (9, "record_id"),
        (5, "record_id"),
        (6, "record_id"),
        (4, "date_of_birth"),
    }
    assert (result.created, result.updated, result.rejected) == (4, 0, 5)
    loaded = records(agency)
    assert set(loaded) == {"C01", "C05", "C06", "C07"}
    assert loaded["C01"].date_of_birth == dt.date(year, 5, 3)
    assert loaded["C06"].date_of_birth == dt.date(year, 8, 9)
    assert loaded["C07"].date_of_birth == dt.date(year, 3, 25)
    assert all(record.needs_linking and record.child_id is None for record in loaded.values())
    assert {record.import_batch_id for record in loaded.values()} == {result.batch.pk}


def test_awkward_characters_load_as_written_and_a_re_import_finds_them_unchanged(
    agency: Any, tmp_path: Path
) -> None:
    """Tabs, backslashes, quotes, line breaks and accents inside values, in the hub's
    fields and in a kept column, on a first load and on the re-import that compares."""
    path = tmp_path / "awkward.csv"
    path.write_text(
        "record_id,given_name,family_name,address,Team,Note\n"
        'A\\1,Zoë,"O\'Brien\tSmith","1 Flat\nHigh St",\\\\server\\share,"said ""hi"""\n'
        "A2,Jo,Lee,2 Low St,,\\N\n",
        encoding="utf-8",
    )

    first = import_extract(agency, path, kind="persons")

    assert (first.created, first.rejected) == (2, 0), first.problems
    loaded = records(agency)
    awkward = loaded["A\\1"]
    assert (awkward.given_name, awkward.family_name) == ("Zoë", "O'Brien\tSmith")
    assert awkward.address == "1 Flat\nHigh St"
    assert awkward.attributes == {"Team": "\\\\server\\share", "Note": 'said "hi"'}
    assert loaded["A2"].attributes == {"Team": "", "Note": "\\N"}
    assert loaded["A2"].date_of_birth is None

    again = import_extract(agency, path, kind="persons")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_failure_after_the_writes_rolls_all_of_them_back(
    agency: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    SourceRecordFactory(agency=agency, record_id="F0", given_name="Old")
    before = snapshot()
    path = csv_file(tmp_path, "record_id,given_name\nF0,New\nF1,Also new\n")

    def broken_refresh(*args: Any) -> None:
        raise RuntimeError("linkage store unavailable")

    monkeypatch.setattr(persons_sql, "refresh_children", broken_refresh)

    with pytest.raises(ImportFailed):
        import_extract(agency, path, kind="persons")

    assert snapshot() == before
    entry = AuditEntry.objects.filter(action=AuditAction.IMPORT).get()
    assert entry.detail["status"] == ImportStatus.FAILED
    assert entry.detail["error"] == "RuntimeError"


# --- Re-imports: update, keep history, never duplicate -----------------------------------------


def test_re_importing_a_record_updates_it_keeps_its_history_and_never_duplicates(
    agency: Any, tmp_path: Path
) -> None:
    first = csv_file(
        tmp_path, f"{HEADER},School\nU1,Amy,Pond,,F,,{NHS_1},,Hill\nU2,Rory,Williams,,M,,,,Dale\n"
    )
    import_extract(agency, first, kind="persons")
    SourceRecord.objects.filter(agency=agency).update(needs_linking=False)

    second = csv_file(
        tmp_path,
        f"{HEADER},School\nU1,Amelia,Pond,,F,,{NHS_1},,Hill\nU2,Rory,Williams,,M,,,,Vale\n",
        "second.csv",
    )
    result = import_extract(agency, second, kind="persons")

    assert (result.created, result.updated, result.unchanged) == (0, 2, 0)
    assert SourceRecord.objects.filter(agency=agency).count() == 2
    amy, rory = records(agency)["U1"], records(agency)["U2"]
    assert amy.given_name == "Amelia" and amy.needs_linking
    assert amy.import_batch == result.batch
    # A change of attributes only is kept in history but is no reason to link again.
    assert rory.attributes == {"School": "Vale"} and not rory.needs_linking
    old = SourceRecordVersion.objects.get(source_record=amy)
    assert old.data["given_name"] == "Amy" and old.data["nhs_number"] == NHS_1
    assert old.data["attributes"] == {"School": "Hill"}
    assert old.replaced_by_batch == result.batch
    assert SourceRecordVersion.objects.get(source_record=rory).data["attributes"] == {
        "School": "Dale"
    }

    again = import_extract(agency, second, kind="persons")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert SourceRecordVersion.objects.count() == 2


def test_a_column_missing_from_a_re_import_leaves_that_field_as_it_was(
    agency: Any, tmp_path: Path
) -> None:
    import_extract(
        agency, csv_file(tmp_path, f"record_id,nhs_number\nM1,{NHS_1}\n"), kind="persons"
    )

    import_extract(
        agency, csv_file(tmp_path, "record_id,given_name\nM1,Mo\n", "b.csv"), kind="persons"
    )

    record = records(agency)["M1"]
    assert (record.nhs_number, record.given_name) == (NHS_1, "Mo")


def test_a_changed_record_of_a_linked_child_updates_the_childs_identity(
    world: Any, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, "record_id,given_name,family_name\nLCS000001,Jordana,Example\n")

    import_extract(world.la, path, kind="persons")

    world.child.refresh_from_db()
    assert world.child.given_name == "Jordana"


def test_another_agencys_record_with_the_same_id_is_a_different_record(
    world: Any, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, "record_id,given_name\nLCS000001,Someone\n")

    result = import_extract(world.police, path, kind="persons")

    assert result.created == 1
    assert records(world.la)["LCS000001"].given_name == "Jordan"
