"""The import pipeline reading persons: every problem with its row, column and reason, and dates read day or month first as their column shows."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import Workbook

from safeguarding.children.imports import (
    ImportRefused,
    Problem,
    import_extract,
)
from safeguarding.children.models import (
    ImportBatch,
    ImportChannel,
    ImportStatus,
    SourceRecord,
)
from safeguarding.core.identifiers import nhs_check_digit, upn_check_letter

pytestmark = pytest.mark.django_db

HEADER = "record_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number,upn"


def nhs(nine: str) -> str:
    check = nhs_check_digit(nine)
    assert check is not None
    return nine + str(check)


def upn(twelve: str) -> str:
    return upn_check_letter(twelve) + twelve


NHS_1 = nhs("943476591")
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
    result = import_extract(agency, path, kind="persons")

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

    result = import_extract(agency, path, kind="persons", load_valid_rows=True)

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

    result = import_extract(agency, stream, kind="persons")

    assert result.created == 1


def test_a_windows_1252_csv_from_older_excel_is_read_when_its_encoding_is_given(
    agency: Any, tmp_path: Path
) -> None:
    path = tmp_path / "old.csv"
    path.write_bytes("record_id;given_name;family_name\nW1;Zoë;Brontë\n".encode("cp1252"))

    with pytest.raises(ImportRefused) as refused:
        import_extract(agency, path, kind="persons")
    assert "line 2, byte 6 is not UTF-8 (0xEB)" in str(refused.value)

    result = import_extract(agency, path, kind="persons", encoding="cp1252")

    assert result.created == 1
    assert records(agency)["W1"].given_name == "Zoë"


def test_json_objects_from_the_api_are_rows_numbered_from_one(agency: Any) -> None:
    result = import_extract(
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

    result = import_extract(agency, path, kind="persons")

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

    result = import_extract(agency, path, kind="persons")

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
    result = import_extract(agency, path, kind="persons", load_valid_rows=True)

    assert problems_of(result) == {(2, "record_id"), (4, "record_id")}
    assert "rows (2, 4)" in result.problems[0].reason
    assert set(records(agency)) == {"D2"}


def test_a_file_without_a_record_id_column_is_refused_whole(agency: Any, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "given_name,family_name\nAmy,Pond\n")

    with pytest.raises(ImportRefused) as refused:
        import_extract(agency, path, kind="persons")

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
        import_extract(agency, path, kind="persons")

    assert reason in str(refused.value)
    assert ImportBatch.objects.get().status == ImportStatus.REFUSED


def test_a_file_holding_a_zero_byte_is_refused_with_its_line(agency: Any, tmp_path: Path) -> None:
    path = tmp_path / "damaged.csv"
    rows = b"".join(b"Z%d,Amy\n" % i for i in range(1, 300))  # past the first 2 KB read
    path.write_bytes(b"record_id,given_name\n" + rows + b"Z300,B\x00en\n")

    with pytest.raises(ImportRefused) as refused:
        import_extract(agency, path, kind="persons")

    assert "zero byte (NUL) on line 301" in refused.value.problems[0].reason
    assert not SourceRecord.objects.filter(agency=agency).exists()
    assert refused.value.batch is not None
    assert refused.value.batch.status == ImportStatus.REFUSED


def test_a_utf_16_export_is_refused_with_a_reason_that_says_so(agency: Any, tmp_path: Path) -> None:
    path = tmp_path / "unicode.csv"
    path.write_bytes("record_id,given_name\nU1,Amy\n".encode("utf-16"))

    with pytest.raises(ImportRefused) as refused:
        import_extract(agency, path, kind="persons")

    assert "UTF-16" in refused.value.problems[0].reason


def test_a_pushed_value_holding_a_zero_byte_is_refused_with_its_row_and_field(
    agency: Any,
) -> None:
    objects = [{"record_id": "J1", "given_name": "Amy"}, {"record_id": "J2", "given_name": "B\x00"}]

    with pytest.raises(ImportRefused) as refused:
        import_extract(agency, objects, kind="persons")

    assert problems_of(refused.value) == {(2, "given_name")}
    assert not SourceRecord.objects.filter(agency=agency).exists()


def test_a_row_with_more_values_than_the_header_is_reported(agency: Any, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "record_id,given_name\nR1,Amy,extra\nR2,Ben\n")

    result = import_extract(agency, path, kind="persons")

    assert problems_of(result) == {(2, "")}
    assert "3 values but the header names 2 columns" in result.problems[0].reason


# --- Dates: day and month ---------------------------------------------------------------------


def test_a_column_that_shows_it_is_day_first_reads_its_ambiguous_dates_so(
    agency: Any, tmp_path: Path
) -> None:
    year = born(9).year
    path = csv_file(tmp_path, f"record_id,date_of_birth\nA1,05/03/{year}\nA2,25/03/{year}\n")

    result = import_extract(agency, path, kind="persons")

    assert not result.problems
    assert records(agency)["A1"].date_of_birth == dt.date(year, 3, 5)


def test_a_column_that_shows_it_is_month_first_reads_its_ambiguous_dates_so(
    agency: Any, tmp_path: Path
) -> None:
    year = born(9).year
    path = csv_file(tmp_path, f"record_id,date_of_birth\nA1,05/03/{year}\nA2,03/25/{year}\n")

    result = import_extract(agency, path, kind="persons")

    assert not result.problems
    assert records(agency)["A1"].date_of_birth == dt.date(year, 5, 3)
    assert records(agency)["A2"].date_of_birth == dt.date(year, 3, 25)


def test_a_truly_ambiguous_date_is_reported_not_guessed(agency: Any, tmp_path: Path) -> None:
    year = born(9).year
    path = csv_file(
        tmp_path, f"record_id,date_of_birth\nA1,05/03/{year}\nA2,{year}-07-30\nA3,07/07/{year}\n"
    )

    result = import_extract(agency, path, kind="persons", load_valid_rows=True)

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

    result = import_extract(agency, path, kind="persons")

    assert problems_of(result) == {(2, "date_of_birth")}
    assert "in the future" in result.problems[0].reason
