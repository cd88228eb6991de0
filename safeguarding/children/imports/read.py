"""Reading the source: a CSV file, an XLSX workbook's first sheet, or the API's list of
JSON objects, each as a header and rows of text (step 1 of docs/decisions/0019)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from safeguarding.children.imports.problems import refuse
from safeguarding.core.uploads import (
    ENCODING_NAMES,
    UploadRefused,
    check_text,
    check_xlsx,
    limited_rows,
)

# How a refusal for a byte not of the file's encoding ends: the way to choose another.
CHOOSE_ENCODING = "or choose the file's encoding"
COMMAND_ENCODING = "or give its encoding with --encoding"

Rows = Iterator[tuple[int, list[str]]]


@dataclass
class Table:
    headers: list[str]
    rows: Rows


def cell_text(value: Any) -> str:
    """A spreadsheet's or a JSON object's value as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        if value.tzinfo is None and value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def json_table(objects: list[dict[str, Any]]) -> Table:
    headers: dict[str, None] = {}
    for number, item in enumerate(objects, start=1):
        if not isinstance(item, dict):
            raise refuse(f"record {number} is not an object of field names and values")
        for key in item:
            headers.setdefault(str(key), None)
    names = list(headers)

    def rows() -> Rows:
        for number, item in enumerate(objects, start=1):
            cells = [cell_text(item.get(name)) for name in names]
            for name, cell in zip(names, cells, strict=True):
                if "\x00" in cell:  # the database cannot store it
                    raise refuse("the value holds a zero byte (NUL)", name, number)
            yield number, cells

    return Table(names, rows())


def xlsx_table(stream: BinaryIO) -> Table:
    """The first sheet, after its zip has been checked against the limits (core/uploads.py);
    its rows are counted while they are read, whatever its dimension says."""
    from openpyxl import load_workbook

    try:
        check_xlsx(stream)
    except UploadRefused as refused:
        raise refuse(str(refused)) from refused
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise refuse(
            "the file is not an XLSX workbook that can be read: save it again from the "
            "spreadsheet as .xlsx, or as CSV"
        ) from error
    if not workbook.worksheets:
        raise refuse("the workbook has no sheets")
    sheet = workbook.worksheets[0]
    # The dimension the sheet states may be false: too small, and rows would be left out;
    # too large, and every row would be padded out to it. Rows are read as they are.
    sheet.reset_dimensions()
    values = limited_rows(sheet.iter_rows(values_only=True))
    try:
        first = next(values, None)
    except UploadRefused as refused:
        workbook.close()
        raise refuse(str(refused)) from refused
    if first is None:
        workbook.close()
        raise refuse("the first sheet is empty: its first row must name the columns")
    headers = [cell_text(value).strip() for value in first[1]]

    def rows() -> Rows:
        try:
            for number, row in values:
                yield number, [cell_text(value) for value in row]
        except UploadRefused as refused:
            raise refuse(str(refused)) from refused
        finally:
            workbook.close()

    return Table(headers, rows())


def csv_table(stream: BinaryIO, encoding: str, hint: str) -> Table:
    """The rows of a CSV file in the encoding given (UTF-8 unless the uploader chose
    another), read strictly: a file with a byte not of that encoding is refused, naming
    its line and byte, before any row is read (never read as another encoding by guess).
    The check is one pass over the bytes in chunks, before the rows are read."""
    if stream.seekable():
        try:
            check_text(stream, encoding, hint)
        except UploadRefused as refused:
            raise refuse(str(refused)) from refused
    name = ENCODING_NAMES.get(encoding, encoding)
    text = io.TextIOWrapper(
        stream, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline=""
    )
    try:
        first_line = text.readline()
    except UnicodeDecodeError as error:
        raise refuse(f"the file is not {name} text: save it as CSV UTF-8, {hint}") from error
    if not first_line.strip():
        raise refuse("the file is empty: its first row must name the columns")
    delimiter = max(",;\t|", key=first_line.count)
    try:
        headers = next(csv.reader([first_line], delimiter=delimiter))
    except csv.Error as error:
        raise refuse(f"the header row cannot be read as CSV ({error})", row=1) from error
    reader = csv.reader(text, delimiter=delimiter)

    def rows() -> Rows:
        number = 1
        try:
            for number, cells in enumerate(reader, start=2):  # noqa: B007 - read after the loop
                yield number, cells
        except csv.Error as error:
            raise refuse(f"this row cannot be read as CSV ({error})", row=number + 1) from error
        except UnicodeDecodeError as error:
            raise refuse(
                f"the file is not {name} text from here on: save it as CSV UTF-8, {hint}",
                row=number + 1,
            ) from error

    return Table([header.strip() for header in headers], rows())


def open_table(
    source: Path | BinaryIO | list[dict[str, Any]],
    file_name: str,
    encoding: str = "utf-8",
    hint: str = CHOOSE_ENCODING,
) -> Table:
    if isinstance(source, list):
        return json_table(source)
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise refuse(f"there is no file at {path}")
        stream: BinaryIO = path.open("rb")
        file_name = file_name or path.name
    else:
        stream = source
    suffix = Path(file_name).suffix.lower()
    if suffix in {".xls", ".xlsm", ".ods", ".numbers"}:
        raise refuse(
            f"{suffix} files cannot be read: save the sheet as .xlsx (Excel Workbook) or as CSV"
        )
    head = stream.read(2048)
    stream.seek(0)
    if not head:
        raise refuse("the file is empty: its first row must name the columns")
    if suffix == ".xlsx" or head.startswith(b"PK\x03\x04"):
        return xlsx_table(stream)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse("the file is Unicode text (UTF-16): save it again as CSV UTF-8")
    if b"\x00" in head:
        raise refuse("the file is not text: send a CSV or XLSX file")
    return csv_table(stream, encoding, hint)
