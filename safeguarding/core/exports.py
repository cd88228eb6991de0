"""The one CSV writer of the hub: every CSV a person may open in a spreadsheet goes through it.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula, and Excel
also reads a leading tab or carriage return before one ("CSV injection", OWASP). A child's
name, a failed sign-in's user name, an agency's name or a summary can be typed by anyone,
so every text cell that starts with one of those is written with a leading apostrophe,
which spreadsheets show as text and do not run (the OWASP advice). Every cell is also
quoted, so that a separator inside a value (a semicolon, in a locale whose spreadsheet
splits on it) cannot start a new cell with a formula in it.

A number stays a number: a cell that is an int, float or Decimal, or text that is wholly
a plain decimal number (`-3`, `+44`, `-0.5`, `1e-3`), is written as it is; a spreadsheet
reads it as that number, and no formula can be in it. `-2+3` is not a number and is
written as text. docs/decisions/0056-one-csv-writer-and-upload-limits.md says why.

`tests/test_structure.py` checks that no other module writes CSV with `csv.writer` or
`csv.DictWriter`, and `tests/test_csv_exports.py` walks every CSV export with hostile values.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

from django.http import HttpResponse, StreamingHttpResponse

CONTENT_TYPE = "text/csv; charset=utf-8"
# The first characters a spreadsheet may take as the start of a formula: OWASP's list, and
# the full-width forms of = + - @ that some East Asian versions of Excel also accept.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Text that is wholly a decimal number, read as a number by a spreadsheet: kept as it is.
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value: Any) -> Any:
    """The value as a cell that no spreadsheet runs as a formula (None is an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


class CsvWriter:
    """csv.writer's writerow and writerows, every cell made safe and quoted."""

    def __init__(self, out: _Writable) -> None:
        self._writer = csv.writer(out, quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class CsvDictWriter:
    """csv.DictWriter's writeheader and writerow, every cell made safe and quoted."""

    def __init__(self, out: _Writable, fieldnames: Sequence[str]) -> None:
        self.fieldnames = list(fieldnames)
        self._writer = CsvWriter(out)

    def writeheader(self) -> Any:
        return self._writer.writerow(self.fieldnames)

    def writerow(self, row: Mapping[str, Any]) -> Any:
        unknown = set(row) - set(self.fieldnames)
        if unknown:
            raise ValueError(f"the row has fields the file has no column for: {sorted(unknown)}")
        return self._writer.writerow([row.get(name) for name in self.fieldnames])


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """The rows as CSV text (the first row is usually the header)."""
    out = io.StringIO()
    CsvWriter(out).writerows(rows)
    return out.getvalue()


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The rows as CSV, one line at a time, for a streamed response."""
    writer = CsvWriter(_Echo())
    for row in rows:
        yield writer.writerow(row)


def _attach(response: HttpResponse | StreamingHttpResponse, file_name: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["Cache-Control"] = "no-store"


def csv_response(
    rows: Iterable[Iterable[Any]], file_name: str, *, bom: bool = False
) -> HttpResponse:
    """A CSV file to download. `bom` starts it with a byte-order mark, so that Excel reads
    accented names as UTF-8."""
    text = csv_text(rows)
    response = HttpResponse(
        (("\ufeff" if bom else "") + text).encode("utf-8"), content_type=CONTENT_TYPE
    )
    _attach(response, file_name)
    return response


def csv_streaming_response(rows: Iterable[Iterable[Any]], file_name: str) -> StreamingHttpResponse:
    """A CSV file to download, written while it is sent (for a file of any length)."""
    response = StreamingHttpResponse(csv_lines(rows), content_type=CONTENT_TYPE)
    _attach(response, file_name)
    return response
