"""Uploads that would take a worker, or garble names, are refused with a clear reason.

The workbooks are built here: a real one saved by openpyxl, then its sheet or its shared
strings replaced by crafted XML (a bomb of repeated rows, a huge shared-strings part, a
sheet whose `<dimension>` lies). A CSV with one stray Windows-1252 byte in UTF-8 is refused
naming the line and byte, and read as Windows-1252 only when the uploader says it is.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from safeguarding.children.imports import ImportRefused, import_extract
from safeguarding.children.models import ImportBatch, ImportStatus, SourceRecord
from safeguarding.conftest import World

HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>record_id</t></is></c><c r="B1" t="inlineStr"><is><t>given_name</t></is></c></row>'


def _row(number: int, record_id: str = "", name: str = "Zed") -> str:
    record_id = record_id or f"X{number}"
    return (
        f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>{record_id}</t></is></c>'
        f'<c r="B{number}" t="inlineStr"><is><t>{name}</t></is></c></row>'
    )


def _sheet(rows: str, dimension: str = "") -> bytes:
    ref = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{ref}<sheetData>{HEADER}{rows}</sheetData></worksheet>"
    ).encode()


def workbook(sheet: bytes, shared_strings: bytes | None = None) -> bytes:
    """A workbook saved by openpyxl, with its first sheet (and shared strings) replaced."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["record_id"])  # type: ignore[union-attr]
    saved = io.BytesIO()
    book.save(saved)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(saved.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet
            target.writestr(item.filename, data)
        if shared_strings is not None:
            target.writestr("xl/sharedStrings.xml", shared_strings)
    return out.getvalue()


@pytest.fixture
def agency(world: World) -> Any:
    return world.school


def nothing_written(agency: Any) -> None:
    assert not SourceRecord.objects.filter(agency=agency).exists()
    batch = ImportBatch.objects.filter(agency=agency).latest("started_at")
    assert batch.status == ImportStatus.REFUSED


# --- XLSX -------------------------------------------------------------------------------


def test_a_bomb_of_repeated_rows_is_refused_before_it_is_read(agency: Any) -> None:
    # 3 million identical rows (a row's number is optional) that compress to under 1 MB.
    same = '<row><c t="inlineStr"><is><t>R</t></is></c><c t="inlineStr"><is><t>S</t></is></c></row>'
    bomb = workbook(_sheet(same * 3_000_000))
    assert len(bomb) < 1024 * 1024

    started = time.monotonic()
    with pytest.raises(ImportRefused) as refused:
        import_extract(agency, io.BytesIO(bomb), kind="persons", file_name="bomb.xlsx")

    assert "expands" in str(refused.value) and "save it as CSV" in str(refused.value)
    assert time.monotonic() - started < 5
    nothing_written(agency)


def test_a_huge_shared_strings_part_is_refused_before_openpyxl_reads_it(
    agency: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.SAFEGUARDING_XLSX_MAX_SHARED_STRINGS_BYTES = 1024 * 1024
    strings = "".join(f"<si><t>name number {n} of many</t></si>" for n in range(60_000))
    shared = (
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{strings}</sst>'
    ).encode()
    assert len(shared) > 1024 * 1024
    import openpyxl

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", never)

    with pytest.raises(ImportRefused) as refused:
        import_extract(
            agency, io.BytesIO(workbook(_sheet(""), shared)), kind="persons", file_name="s.xlsx"
        )

    assert "shared strings) is 2 MB, more than the 1 MB" in str(refused.value)
    nothing_written(agency)


def test_rows_past_the_limit_refuse_the_workbook_and_nothing_is_written(
    agency: Any, settings: Any
) -> None:
    settings.SAFEGUARDING_XLSX_MAX_ROWS = 100
    book = workbook(_sheet("".join(_row(n) for n in range(2, 500)), dimension="A1:B2"))

    with pytest.raises(ImportRefused) as refused:
        import_extract(agency, io.BytesIO(book), kind="persons", file_name="many.xlsx")

    assert "more than 100 rows" in str(refused.value)
    nothing_written(agency)


def test_cells_past_the_limit_refuse_the_workbook(agency: Any, settings: Any) -> None:
    settings.SAFEGUARDING_XLSX_MAX_CELLS = 50
    book = workbook(_sheet("".join(_row(n) for n in range(2, 40))))

    with pytest.raises(ImportRefused) as refused:
        import_extract(agency, io.BytesIO(book), kind="persons", file_name="wide.xlsx")

    assert "more than 50 cells" in str(refused.value)
    nothing_written(agency)


def test_a_sheet_whose_dimension_lies_is_read_as_it_is(agency: Any, settings: Any) -> None:
    # Too small: every row is still read (openpyxl would stop at the stated last row).
    small = workbook(_sheet("".join(_row(n) for n in range(2, 6)), dimension="A1:B2"))
    assert (
        import_extract(agency, io.BytesIO(small), kind="persons", file_name="s.xlsx").created == 4
    )

    # Too large: the rows are not padded out to a million rows of 16,384 columns.
    settings.SAFEGUARDING_XLSX_MAX_CELLS = 1_000
    large = workbook(_sheet(_row(2, "L1"), dimension="A1:XFD1048576"))
    result = import_extract(agency, io.BytesIO(large), kind="persons", file_name="l.xlsx")
    assert result.created == 1 and result.rows_read == 1


def test_a_row_numbered_far_down_counts_the_rows_between(agency: Any, settings: Any) -> None:
    settings.SAFEGUARDING_XLSX_MAX_ROWS = 1_000
    book = workbook(_sheet(_row(2) + _row(1_048_576)))

    with pytest.raises(ImportRefused) as refused:
        import_extract(agency, io.BytesIO(book), kind="persons", file_name="far.xlsx")

    assert "more than 1,000 rows" in str(refused.value)


# --- Encodings --------------------------------------------------------------------------

# "Zoë Brontë" in UTF-8, but for one byte saved as Windows-1252 (0xEB, ë) on line 3.
STRAY = b"record_id,given_name,family_name\n" + "U1,Zoë,Brontë\n".encode() + b"U2,Ana,Bront\xeb\n"


def test_a_stray_windows_1252_byte_refuses_the_file_naming_its_line_and_byte(
    agency: Any, tmp_path: Path
) -> None:
    path = tmp_path / "stray.csv"
    path.write_bytes(STRAY)

    with pytest.raises(ImportRefused) as refused:
        import_extract(agency, path, kind="persons")

    assert str(refused.value) == (
        "line 3, byte 13 is not UTF-8 (0xEB): save the file as CSV UTF-8, or give its "
        "encoding with --encoding"
    )
    nothing_written(agency)


@pytest.fixture
def officer(client_for: Callable[[str], Client], db: Any) -> Client:
    call_command("createcachetable", verbosity=0)
    cache.clear()
    return client_for("data_officer")


def _upload(client: Client, name: str, data: bytes, **fields: Any) -> Any:
    return client.post(
        reverse("imports:upload"),
        {
            "kind": "persons",
            "on_errors": "nothing",
            "extract": SimpleUploadedFile(name, data),
            **fields,
        },
    )


def test_the_upload_page_says_which_line_and_byte_is_not_utf8(
    world: World, officer: Client
) -> None:
    response = _upload(officer, "stray.csv", STRAY)

    assert response.status_code == 200
    assert (
        "Line 3, byte 13 is not UTF-8 (0xEB): save the file as CSV UTF-8, or choose the "
        "file&#x27;s encoding." in response.content.decode()
    )
    assert not SourceRecord.objects.filter(agency=world.la, record_id__startswith="U").exists()


def test_the_encoding_chosen_on_the_upload_page_reads_the_names_whole(
    world: World, officer: Client
) -> None:
    old_excel = "record_id,given_name,family_name\nW1,Zoë,Brontë\n".encode("cp1252")

    response = _upload(officer, "old.csv", old_excel, encoding="cp1252")

    assert response.status_code == 302
    record = SourceRecord.objects.get(agency=world.la, record_id="W1")
    assert (record.given_name, record.family_name) == ("Zoë", "Brontë")


def test_a_held_file_is_loaded_later_in_the_encoding_it_was_uploaded_in(
    world: World, officer: Client
) -> None:
    old_excel = "record_id,given_name,family_name,sex\nW1,Zoë,Brontë,F\nW2,Bad,Sex,Q\n".encode(
        "cp1252"
    )
    response = _upload(officer, "old.csv", old_excel, encoding="cp1252")
    batch = ImportBatch.objects.get(agency=world.la)
    assert response.status_code == 302 and batch.status == ImportStatus.REFUSED

    officer.post(reverse("imports:batch_load", args=[batch.public_id]), {"choice": "valid"})

    assert SourceRecord.objects.get(agency=world.la, record_id="W1").family_name == "Brontë"


def test_the_upload_page_explains_a_workbook_past_the_limits(
    world: World, officer: Client, settings: Any
) -> None:
    settings.SAFEGUARDING_XLSX_MAX_ROWS = 10
    book = workbook(_sheet("".join(_row(n) for n in range(2, 50))))

    response = _upload(officer, "many.xlsx", book)

    page = response.content.decode()
    assert response.status_code == 200
    assert "The sheet has more than 10 rows, the most a workbook may have here" in page
    assert "save it as CSV, which has no such limit" in page
    assert not SourceRecord.objects.filter(agency=world.la, record_id__startswith="X").exists()


def test_a_sample_file_not_in_its_encoding_is_refused_on_the_mapping_page(
    world: World, officer: Client
) -> None:
    sample = SimpleUploadedFile("sample.csv", b"Record ID,Fam\xeblienaam\nLA-1,x\n")
    url = reverse("imports:mapping", args=["persons"])

    refused = officer.post(url, {"read_headers": "1", "sample-sample": sample})
    assert "Line 1, byte 14 is not UTF-8 (0xEB)" in refused.content.decode()

    sample.seek(0)
    chosen = officer.post(
        url, {"read_headers": "1", "sample-sample": sample, "sample-encoding": "cp1252"}
    )
    assert "Famëlienaam" in chosen.content.decode()


def test_the_data_set_upload_refuses_a_workbook_bomb_too(world: World) -> None:
    from safeguarding.insight.actions import Refused
    from safeguarding.insight.workbook import read_upload

    same = '<row><c t="inlineStr"><is><t>R</t></is></c></row>'
    bomb = io.BytesIO(workbook(_sheet(same * 1_000_000)))

    with pytest.raises(Refused) as refused:
        read_upload(None, bomb, user=world.users["data_officer"])

    (problem,) = refused.value.problems
    assert "expands" in str(problem) and "fresh copy of the template" in str(problem)
