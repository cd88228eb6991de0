"""The import pipeline: every problem with its row, column and reason; all or nothing; upsert."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import Workbook

from safeguarding.children import importing
from safeguarding.children.importing import (
    ImportFailed,
    ImportRefused,
    Problem,
    run_import,
    save_mapping,
    saved_mapping,
)
from safeguarding.children.models import (
    ChildEvent,
    ImportBatch,
    ImportChannel,
    ImportStatus,
    SourceRecord,
    SourceRecordVersion,
)
from safeguarding.core.identifiers import nhs_check_digit, upn_check_letter
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.core.tests.factories import AgencyFactory, SourceRecordFactory

pytestmark = pytest.mark.django_db

HEADER = "record_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number,upn"


def nhs(nine: str) -> str:
    check = nhs_check_digit(nine)
    assert check is not None
    return nine + str(check)


def upn(twelve: str) -> str:
    return upn_check_letter(twelve) + twelve


NHS_1 = nhs("943476591")
NHS_2 = nhs("401023213")
UPN_1 = upn("801200001001")


def csv_file(tmp_path: Path, text: str, name: str = "extract.csv") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text).lstrip(), encoding="utf-8")
    return path


def born(years_ago: int, day: int = 5, month: int = 3) -> dt.date:
    return dt.date(timezone.localdate().year - years_ago, month, day)


def dmy(date: dt.date) -> str:
    return date.strftime("%d/%m/%Y")


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


# --- Persons: a clean load ---------------------------------------------------------------


def test_it_loads_a_persons_file_with_values_tidied_and_extra_columns_kept(
    agency: Any, tmp_path: Path
) -> None:
    path = csv_file(
        tmp_path,
        f"""
        Record_ID , Given Name,family-name,date_of_birth,sex,postcode,nhs_number,upn,School,Year
        LA100, Jordan ,Example,{dmy(born(10, 25))},Female,ab1  2cd,{NHS_1[:3]} {NHS_1[3:6]} {NHS_1[6:]},{UPN_1.lower()},Hill Primary,5
        LA101,Sam,Other,{born(8).isoformat()},m,,,,,
        """,
    )
    result = run_import(agency, path, kind="persons")

    assert (result.rows_read, result.created, result.updated, result.rejected) == (2, 2, 0, 0)
    assert result.loaded and not result.problems
    assert result.batch.status == ImportStatus.LOADED
    assert result.extra_columns == ["School", "Year"]
    loaded = records(agency)
    jordan = loaded["LA100"]
    assert (jordan.given_name, jordan.family_name, jordan.sex) == ("Jordan", "Example", "F")
    assert jordan.date_of_birth == born(10, 25)
    assert (jordan.postcode, jordan.nhs_number, jordan.upn) == ("AB1 2CD", NHS_1, UPN_1)
    assert jordan.attributes == {"School": "Hill Primary", "Year": "5"}
    assert jordan.needs_linking and jordan.child is None
    assert jordan.import_batch == result.batch
    assert loaded["LA101"].sex == "M"


def test_it_reads_an_xlsx_workbook_as_it_reads_a_csv(agency: Any, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["record_id", "given_name", "date_of_birth", "nhs_number", "sex"])
    sheet.append(["X1", "Ada", dt.datetime.combine(born(7, 3, 4), dt.time(0)), int(NHS_1), "F"])
    sheet.append(["X2", "Bea", "31/02/2016", int(NHS_1[:9] + "0"), "F"])
    sheet.append([None, None, None, None, None])  # a blank row Excel leaves behind
    path = tmp_path / "extract.xlsx"
    workbook.save(path)

    result = run_import(agency, path, kind="persons", load_valid_rows=True)

    assert result.rows_read == 2
    assert problems_of(result) == {(3, "date_of_birth"), (3, "nhs_number")}
    ada = records(agency)["X1"]
    assert ada.date_of_birth == born(7, 3, 4)
    assert ada.nhs_number == NHS_1


def test_a_workbook_uploaded_without_its_name_is_recognised_by_its_bytes(agency: Any) -> None:
    workbook = Workbook()
    workbook.active.append(["record_id", "given_name"])
    workbook.active.append(["Z1", "Zed"])
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)

    result = run_import(agency, stream, kind="persons")

    assert result.created == 1


def test_a_windows_1252_csv_from_older_excel_is_read_when_its_encoding_is_given(
    agency: Any, tmp_path: Path
) -> None:
    path = tmp_path / "old.csv"
    path.write_bytes("record_id;given_name;family_name\nW1;Zoë;Brontë\n".encode("cp1252"))

    with pytest.raises(ImportRefused) as refused:
        run_import(agency, path, kind="persons")
    assert "line 2, byte 6 is not UTF-8 (0xEB)" in str(refused.value)

    result = run_import(agency, path, kind="persons", encoding="cp1252")

    assert result.created == 1
    assert records(agency)["W1"].given_name == "Zoë"


def test_json_objects_from_the_api_are_rows_numbered_from_one(agency: Any) -> None:
    result = run_import(
        agency,
        [{"record_id": "J1", "given_name": "Jo"}, {"record_id": "J2", "sex": "Q"}],
        kind="persons",
        channel=ImportChannel.API,
    )

    assert result.problems == [Problem(2, "sex", result.problems[0].reason)]
    assert result.batch.channel == ImportChannel.API


# --- Persons: each kind of problem ----------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("date_of_birth", "31/02/2015", "is not a real date"),
        ("date_of_birth", "last Tuesday", "is not a date in a form we read"),
        ("date_of_birth", dmy(timezone.localdate() + dt.timedelta(days=3)), "in the future"),
        ("date_of_birth", dmy(born(26)), "26 or older"),
        ("nhs_number", NHS_1[:9] + str((int(NHS_1[9]) + 1) % 10), "check digit should be"),
        ("nhs_number", "12345", "has 10 digits"),
        ("upn", "Z" + UPN_1[1:] if UPN_1[0] != "Z" else "A" + UPN_1[1:], "check letter should be"),
        ("sex", "Q", "is not a sex we know"),
        ("given_name", "A" * 101, "takes at most 100"),
        ("postcode", "AB1 2CD 3EF 4", "takes at most 10"),
        ("record_id", "", "every row needs the agency's own id"),
    ],
)
def test_each_kind_of_bad_value_is_reported_with_its_row_column_and_reason(
    agency: Any, tmp_path: Path, column: str, value: str, reason: str
) -> None:
    good = {"record_id": "P1", "given_name": "Ali", "date_of_birth": dmy(born(9, 14))}
    bad = {**good, "record_id": "P2", column: value}
    fields = ["record_id", "given_name", "date_of_birth", column]
    fields = list(dict.fromkeys(fields))
    lines = [",".join(fields)] + [",".join(row.get(f, "") for f in fields) for row in (good, bad)]
    path = csv_file(tmp_path, "\n".join(lines) + "\n")

    result = run_import(agency, path, kind="persons")

    assert [(p.row, p.column) for p in result.problems] == [(3, column)]
    assert reason in result.problems[0].reason
    assert result.rejected == 1
    assert result.batch.status == ImportStatus.REFUSED
    assert not records(agency)


def test_a_date_of_birth_or_nhs_number_is_never_repeated_in_a_reason(
    agency: Any, tmp_path: Path
) -> None:
    wrong = NHS_1[:9] + str((int(NHS_1[9]) + 1) % 10)
    path = csv_file(tmp_path, f"{HEADER}\nP1,Ali,Khan,29/02/2015,F,,{wrong},\n")

    result = run_import(agency, path, kind="persons")

    reasons = " ".join(p.reason for p in result.problems)
    assert len(result.problems) == 2
    assert "29/02/2015" not in reasons and wrong not in reasons


def test_the_same_record_id_twice_is_reported_on_every_row_and_neither_loads(
    agency: Any, tmp_path: Path
) -> None:
    path = csv_file(
        tmp_path,
        """
        record_id,given_name
        D1,Amy
        D2,Ben
        D1,Cat
        """,
    )
    result = run_import(agency, path, kind="persons", load_valid_rows=True)

    assert problems_of(result) == {(2, "record_id"), (4, "record_id")}
    assert "rows (2, 4)" in result.problems[0].reason
    assert set(records(agency)) == {"D2"}


def test_a_file_without_a_record_id_column_is_refused_whole(agency: Any, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "given_name,family_name\nAmy,Pond\n")

    with pytest.raises(ImportRefused) as refused:
        run_import(agency, path, kind="persons")

    assert refused.value.problems[0].column == "record_id"
    assert "no record_id column" in refused.value.problems[0].reason
    batch = refused.value.batch
    assert batch is not None and batch.status == ImportStatus.REFUSED
    assert batch.problems == [refused.value.problems[0].as_dict()]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("extract.xls", b"\xd0\xcf\x11\xe0 old excel", ".xls files cannot be read"),
        ("extract.xlsx", b"PK\x03\x04 not really a zip", "not an XLSX workbook"),
        ("extract.csv", b"", "the file is empty"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not text"),
    ],
)
def test_a_file_that_is_not_csv_or_xlsx_is_refused_with_a_reason(
    agency: Any, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(ImportRefused) as refused:
        run_import(agency, path, kind="persons")

    assert reason in str(refused.value)
    assert ImportBatch.objects.get().status == ImportStatus.REFUSED


def test_a_file_holding_a_zero_byte_is_refused_with_its_line(agency: Any, tmp_path: Path) -> None:
    path = tmp_path / "damaged.csv"
    rows = b"".join(b"Z%d,Amy\n" % i for i in range(1, 300))  # past the first 2 KB read
    path.write_bytes(b"record_id,given_name\n" + rows + b"Z300,B\x00en\n")

    with pytest.raises(ImportRefused) as refused:
        run_import(agency, path, kind="persons")

    assert "zero byte (NUL) on line 301" in refused.value.problems[0].reason
    assert not SourceRecord.objects.filter(agency=agency).exists()
    assert refused.value.batch is not None
    assert refused.value.batch.status == ImportStatus.REFUSED


def test_a_utf_16_export_is_refused_with_a_reason_that_says_so(agency: Any, tmp_path: Path) -> None:
    path = tmp_path / "unicode.csv"
    path.write_bytes("record_id,given_name\nU1,Amy\n".encode("utf-16"))

    with pytest.raises(ImportRefused) as refused:
        run_import(agency, path, kind="persons")

    assert "UTF-16" in refused.value.problems[0].reason


def test_a_pushed_value_holding_a_zero_byte_is_refused_with_its_row_and_field(
    agency: Any,
) -> None:
    objects = [{"record_id": "J1", "given_name": "Amy"}, {"record_id": "J2", "given_name": "B\x00"}]

    with pytest.raises(ImportRefused) as refused:
        run_import(agency, objects, kind="persons")

    assert problems_of(refused.value) == {(2, "given_name")}
    assert not SourceRecord.objects.filter(agency=agency).exists()


def test_a_row_with_more_values_than_the_header_is_reported(agency: Any, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "record_id,given_name\nR1,Amy,extra\nR2,Ben\n")

    result = run_import(agency, path, kind="persons")

    assert problems_of(result) == {(2, "")}
    assert "3 values but the header names 2 columns" in result.problems[0].reason


# --- Dates: day and month ---------------------------------------------------------------------


def test_a_column_that_shows_it_is_day_first_reads_its_ambiguous_dates_so(
    agency: Any, tmp_path: Path
) -> None:
    year = born(9).year
    path = csv_file(tmp_path, f"record_id,date_of_birth\nA1,05/03/{year}\nA2,25/03/{year}\n")

    result = run_import(agency, path, kind="persons")

    assert not result.problems
    assert records(agency)["A1"].date_of_birth == dt.date(year, 3, 5)


def test_a_column_that_shows_it_is_month_first_reads_its_ambiguous_dates_so(
    agency: Any, tmp_path: Path
) -> None:
    year = born(9).year
    path = csv_file(tmp_path, f"record_id,date_of_birth\nA1,05/03/{year}\nA2,03/25/{year}\n")

    result = run_import(agency, path, kind="persons")

    assert not result.problems
    assert records(agency)["A1"].date_of_birth == dt.date(year, 5, 3)
    assert records(agency)["A2"].date_of_birth == dt.date(year, 3, 25)


def test_a_truly_ambiguous_date_is_reported_not_guessed(agency: Any, tmp_path: Path) -> None:
    year = born(9).year
    path = csv_file(
        tmp_path, f"record_id,date_of_birth\nA1,05/03/{year}\nA2,{year}-07-30\nA3,07/07/{year}\n"
    )

    result = run_import(agency, path, kind="persons", load_valid_rows=True)

    assert problems_of(result) == {(2, "date_of_birth")}
    assert "either way round" in result.problems[0].reason
    assert set(records(agency)) == {"A2", "A3"}


def test_a_settled_ambiguous_date_is_still_checked_for_the_future(
    agency: Any, tmp_path: Path
) -> None:
    soon = timezone.localdate() + dt.timedelta(days=40)
    if soon.day <= 12 and soon.day != soon.month:
        text = f"{soon.day:02d}/{soon.month:02d}/{soon.year}"
    else:
        soon = dt.date(timezone.localdate().year + 1, 3, 5)
        text = f"05/03/{soon.year}"
    path = csv_file(tmp_path, f"record_id,date_of_birth\nA1,{text}\nA2,25/03/2015\n")

    result = run_import(agency, path, kind="persons")

    assert problems_of(result) == {(2, "date_of_birth")}
    assert "in the future" in result.problems[0].reason


# --- All or nothing, dry runs ----------------------------------------------------------------


def test_a_file_with_problems_loads_nothing_unless_the_valid_rows_are_chosen(
    agency: Any, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, "record_id,sex\nV1,F\nV2,Q\nV3,M\n")

    refused = run_import(agency, path, kind="persons")
    assert (refused.loaded, refused.created, refused.rejected) == (False, 0, 1)
    assert refused.batch.status == ImportStatus.REFUSED
    assert not records(agency)

    chosen = run_import(agency, path, kind="persons", load_valid_rows=True)
    assert (chosen.loaded, chosen.created, chosen.rejected) == (True, 2, 1)
    assert chosen.batch.status == ImportStatus.LOADED_VALID_ROWS
    assert set(records(agency)) == {"V1", "V3"}


def test_a_dry_run_loads_nothing_and_says_what_a_load_would_do(agency: Any, tmp_path: Path) -> None:
    SourceRecordFactory(agency=agency, record_id="V1", child=None, given_name="Amy", family_name="")
    before = snapshot()
    path = csv_file(tmp_path, "record_id,given_name,sex\nV1,Amelia,F\nV2,Ben,Q\nV3,Cat,F\n")

    result = run_import(agency, path, kind="persons", dry_run=True)

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
    monkeypatch.setattr(importing, "CHUNK", 10)
    written: list[int] = []
    original = importing._Staging.execute_raw

    def write_then_break(self: Any, statement: str, params: Any) -> int:
        # In the writer thread, per chunk: note the changed records, insert the new ones.
        if len(written) == 4:  # two chunks staged and their new records inserted already
            raise RuntimeError("the disk is full")
        changed = original(self, statement, params)
        written.append(changed)
        return changed

    monkeypatch.setattr(importing._Staging, "execute_raw", write_then_break)

    with pytest.raises(ImportFailed) as failed:
        run_import(agency, path, kind="persons")

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
    monkeypatch.setattr(importing, "CHUNK", 10)
    chunks: list[int] = []

    def progress(rows: int) -> None:
        chunks.append(rows)
        if len(chunks) == 3:  # two chunks handed to the writer, perhaps written
            raise RuntimeError("the connection dropped")

    with pytest.raises(ImportFailed):
        run_import(agency, path, kind="persons", progress=progress)

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
    monkeypatch.setattr(importing, "CHUNK", 3)
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

    result = run_import(agency, path, kind="persons", load_valid_rows=True)

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
    monkeypatch.setattr(importing, "CHUNK", 3)
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

    result = run_import(agency, path, kind="persons", load_valid_rows=True)

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

    first = run_import(agency, path, kind="persons")

    assert (first.created, first.rejected) == (2, 0), first.problems
    loaded = records(agency)
    awkward = loaded["A\\1"]
    assert (awkward.given_name, awkward.family_name) == ("Zoë", "O'Brien\tSmith")
    assert awkward.address == "1 Flat\nHigh St"
    assert awkward.attributes == {"Team": "\\\\server\\share", "Note": 'said "hi"'}
    assert loaded["A2"].attributes == {"Team": "", "Note": "\\N"}
    assert loaded["A2"].date_of_birth is None

    again = run_import(agency, path, kind="persons")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_failure_after_the_writes_rolls_all_of_them_back(
    agency: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    SourceRecordFactory(agency=agency, record_id="F0", given_name="Old")
    before = snapshot()
    path = csv_file(tmp_path, "record_id,given_name\nF0,New\nF1,Also new\n")

    def broken_refresh(*args: Any) -> None:
        raise RuntimeError("linkage store unavailable")

    monkeypatch.setattr(importing, "refresh_children", broken_refresh)

    with pytest.raises(ImportFailed):
        run_import(agency, path, kind="persons")

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
    run_import(agency, first, kind="persons")
    SourceRecord.objects.filter(agency=agency).update(needs_linking=False)

    second = csv_file(
        tmp_path,
        f"{HEADER},School\nU1,Amelia,Pond,,F,,{NHS_1},,Hill\nU2,Rory,Williams,,M,,,,Vale\n",
        "second.csv",
    )
    result = run_import(agency, second, kind="persons")

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

    again = run_import(agency, second, kind="persons")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert SourceRecordVersion.objects.count() == 2


def test_a_column_missing_from_a_re_import_leaves_that_field_as_it_was(
    agency: Any, tmp_path: Path
) -> None:
    run_import(agency, csv_file(tmp_path, f"record_id,nhs_number\nM1,{NHS_1}\n"), kind="persons")

    run_import(agency, csv_file(tmp_path, "record_id,given_name\nM1,Mo\n", "b.csv"), kind="persons")

    record = records(agency)["M1"]
    assert (record.nhs_number, record.given_name) == (NHS_1, "Mo")


def test_a_changed_record_of_a_linked_child_updates_the_childs_identity(
    world: Any, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, "record_id,given_name,family_name\nLCS000001,Jordana,Example\n")

    run_import(world.la, path, kind="persons")

    world.child.refresh_from_db()
    assert world.child.given_name == "Jordana"


def test_another_agencys_record_with_the_same_id_is_a_different_record(
    world: Any, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, "record_id,given_name\nLCS000001,Someone\n")

    result = run_import(world.police, path, kind="persons")

    assert result.created == 1
    assert records(world.la)["LCS000001"].given_name == "Jordan"


# --- Mappings -------------------------------------------------------------------------------


def test_a_mapping_feeds_fields_from_the_files_own_headers(agency: Any, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Person ID,Forename,DOB\nN1,Nia,2015-06-01\n")

    result = run_import(
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

    result = run_import(agency, path, kind="persons")

    assert saved_mapping(agency, "persons") == {"Person ID": "record_id", "Worker": ""}
    assert result.created == 1
    assert records(agency)["S1"].attributes == {}  # "" in a mapping ignores the column


def test_a_mapping_naming_no_field_of_the_hub_is_refused(agency: Any, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "record_id,Birth\nS1,2015-01-01\n")

    with pytest.raises(ImportRefused) as refused:
        run_import(agency, path, kind="persons", mapping={"Birth": "birthday"})
    assert "'birthday', which is not a field" in str(refused.value)

    with pytest.raises(ImportRefused):
        save_mapping(agency, "persons", {"Birth": "birthday"}, user=None)


def test_two_columns_feeding_one_field_are_refused(agency: Any, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "record_id,Forename,given_name\nS1,Amy,Amy\n")

    with pytest.raises(ImportRefused) as refused:
        run_import(agency, path, kind="persons", mapping={"Forename": "given_name"})

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

    result = run_import(world.la, path, kind="events")

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

    result = run_import(world.la, path, kind="events")

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

    result = run_import(world.la, events_file(tmp_path, rows), kind="events")

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

    result = run_import(world.la, path, kind="events")

    assert ChildEvent.objects.get(import_batch=result.batch).restricted is restricted


def test_re_importing_events_does_not_duplicate_them_and_updates_their_restriction(
    world: Any, tmp_path: Path
) -> None:
    rows = "LCS000001,mash_contact,2025-03-05,Call,no\nLCS000001,cin_start,2025-04-01,Plan,no\n"
    run_import(world.la, events_file(tmp_path, rows), kind="events")
    changed = rows.replace("Plan,no", "Plan,yes")

    result = run_import(world.la, events_file(tmp_path, changed, "again.csv"), kind="events")

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert ChildEvent.objects.filter(agency=world.la, import_batch__isnull=False).count() == 2
    assert ChildEvent.objects.get(event_type="cin_start").restricted


def test_the_same_event_twice_in_a_file_is_reported_and_loaded_once(
    world: Any, tmp_path: Path
) -> None:
    rows = "LCS000001,mash_contact,2025-03-05 09:00,Call,\n" * 2

    result = run_import(world.la, events_file(tmp_path, rows), kind="events", load_valid_rows=True)

    assert [(p.row, p.column) for p in result.problems] == [(3, "")]
    assert "the same event as row 2" in result.problems[0].reason
    assert ChildEvent.objects.filter(import_batch=result.batch).count() == 1


def test_ambiguous_event_dates_settled_month_first_are_loaded_so(
    world: Any, tmp_path: Path
) -> None:
    rows = "LCS000001,mash_contact,03/05/2025,A,\nLCS000001,cin_start,03/25/2025,B,\n"

    result = run_import(world.la, events_file(tmp_path, rows), kind="events")

    assert not result.problems
    contact = ChildEvent.objects.get(import_batch=result.batch, event_type="mash_contact")
    assert contact.occurred_at == dt.datetime(2025, 3, 5, tzinfo=dt.UTC)  # GMT in March
    again = run_import(world.la, events_file(tmp_path, rows, "again.csv"), kind="events")
    assert (again.created, again.unchanged) == (0, 2)


def test_an_events_file_needs_its_type_and_date_columns(world: Any, tmp_path: Path) -> None:
    with pytest.raises(ImportRefused) as refused:
        run_import(world.la, csv_file(tmp_path, "record_id,summary\nX,Y\n"), kind="events")

    assert {p.column for p in refused.value.problems} == {"event_type", "occurred_at"}


# --- The batch, the audit log, who may load -----------------------------------------------------


def test_every_run_leaves_its_batch_and_one_audit_entry(world: Any, tmp_path: Path) -> None:
    user = world.users["data_officer"]
    path = csv_file(tmp_path, "record_id,sex\nB1,F\nB2,Q\n", "la-persons.csv")

    result = run_import(world.la, path, kind="persons", user=user, load_valid_rows=True)

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
    result = run_import(world.la, csv_file(tmp_path, f"record_id,sex\n{rows}"), kind="persons")

    assert len(result.problems) == 1_200
    assert len(result.batch.problems) == 1_000 and result.batch.problem_count == 1_200


def test_a_user_cannot_load_another_agencys_extract(world: Any, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "record_id\nX1\n")

    with pytest.raises(PermissionDenied):
        run_import(world.police, path, kind="persons", user=world.users["data_officer"])

    assert not ImportBatch.objects.exists()


def test_an_agency_that_has_left_the_partnership_has_its_extract_refused(
    tmp_path: Path,
) -> None:
    gone = AgencyFactory(code="GONE", removed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))

    with pytest.raises(ImportRefused, match="left the partnership"):
        run_import(gone, csv_file(tmp_path, "record_id\nX1\n"), kind="persons")
