"""Agency extracts into the child index: read, check every row, then load all or nothing.

The pipeline (docs/decisions/0019-import-pipeline.md):

1. Open the source: a CSV file (UTF-8, or the encoding the uploader chose, read strictly; comma,
   semicolon, tab or bar), an XLSX workbook (its first sheet), or a list of JSON objects
   (the API). Each gives a header and rows of text.
2. Plan the columns: each header goes to a hub field (by the mapping given, else the
   agency's saved mapping, else its own name); problems here refuse the whole file.
3. Check and stage, in one pass: every value of every row is checked in a tight loop,
   each problem kept with its row, column and reason, and each chunk of rows (flagged
   when they have a problem) goes to a writer thread that stages it in a temporary table
   (COPY on PostgreSQL, multi-row INSERT on SQLite) and, for persons, notes which
   existing records it changes and inserts its new records at once, so that the
   database works while Python checks the next chunk. Memory stays bounded whatever the
   size of the file.
4. Whole-file checks, in SQL over the staging table: the day/month order of each date
   column, the same record_id twice, events of person records not in the index, the
   same event twice.
5. Settle and load, set-based: a file refused for its problems is rolled back whole;
   otherwise new records found bad only now are taken out again and month-first dates
   put right, then changed records' old values go to SourceRecordVersion and their new
   values in; events are inserted or updated by fingerprint.

Steps 3 to 5 run in one transaction.atomic: a failure anywhere leaves the database as it
was. The ImportBatch row is written before it and finished after it, so every run, even
a refused or failed one, leaves its batch, and one audit entry.

Row numbers are those a person sees: in a file the header is row 1 and the first data
row is row 2; in a list of JSON objects the first object is row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import queue
import re
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import mul
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from safeguarding.children import catalogue, identifiers
from safeguarding.children.dates import DateReading, Order, read_date, settle_order
from safeguarding.children.identity import refresh_children
from safeguarding.children.models import (
    ColumnMapping,
    ExtractKind,
    ImportBatch,
    ImportChannel,
    ImportStatus,
    Sex,
    event_fingerprint,
)
from safeguarding.core import audit, refusals
from safeguarding.core.access import SystemAccess
from safeguarding.core.models import Agency, AuditAction, User
from safeguarding.core.uploads import (
    ENCODING_NAMES,
    ENCODINGS,
    UploadRefused,
    check_text,
    check_xlsx,
    limited_rows,
)

PERSON_FIELDS = (
    "record_id",
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "nhs_number",
    "upn",
)
EVENT_FIELDS = ("record_id", "event_type", "occurred_at", "summary", "restricted")
FIELDS = {ExtractKind.PERSONS.value: PERSON_FIELDS, ExtractKind.EVENTS.value: EVENT_FIELDS}
REQUIRED = {
    ExtractKind.PERSONS.value: ("record_id",),
    ExtractKind.EVENTS.value: ("record_id", "event_type", "occurred_at"),
}
# The person fields linkage reads: a change to any of them sends the record to be linked again.
IDENTITY_FIELDS = PERSON_FIELDS[1:]

# The longest value each field takes (the model's max_length; a summary is a text field
# but a chronology entry longer than this is a document, not an entry).
MAX_LENGTH = {
    "record_id": 100,
    "given_name": 100,
    "family_name": 100,
    "other_names": 200,
    "address": 300,
    "postcode": 10,
    "summary": 10_000,
}
ATTRIBUTE_MAX_LENGTH = 1_000
# A source record is of a child or young person: the index holds nobody aged 26 or more
# (care leavers and young adult carers are supported up to 25).
OLDEST_AGE = 26
EARLIEST_EVENT = dt.date(1950, 1, 1)
# How far in the future an event may be dated, for clocks that disagree.
CLOCK_SKEW = dt.timedelta(minutes=10)
PROBLEMS_KEPT = 1_000
# Stands in a statement for the condition choosing its rows (one chunk, or some rows).
ROWS = "(/*rows*/)"
CHUNK = 10_000  # rows staged per write, and per call of `progress`
SWITCH_INTERVAL = 0.0001  # seconds; see _Writer
ANALYZE_AFTER = 10_000  # rows created or updated
LONDON = ZoneInfo("Europe/London")
# How a refusal for a byte not of the file's encoding ends: the way to choose another.
CHOOSE_ENCODING = "or choose the file's encoding"
COMMAND_ENCODING = "or give its encoding with --encoding"

SEX_VALUES = {
    "f": Sex.FEMALE.value,
    "female": Sex.FEMALE.value,
    "girl": Sex.FEMALE.value,
    "m": Sex.MALE.value,
    "male": Sex.MALE.value,
    "boy": Sex.MALE.value,
    "x": Sex.OTHER.value,
    "other": Sex.OTHER.value,
    "indeterminate": Sex.OTHER.value,
    "u": Sex.UNKNOWN.value,
    "unknown": Sex.UNKNOWN.value,
    "not known": Sex.UNKNOWN.value,
    "not stated": Sex.UNKNOWN.value,
    "not specified": Sex.UNKNOWN.value,
    "": Sex.UNKNOWN.value,
}
RESTRICTED_VALUES = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
}
SEX_REASON = (
    "is not a sex we know: use F, M, X (other) or U (not known), or Female, Male, Other, Not known"
)
# The values as they usually come, so that most rows need no lower-casing.
SEX_LOOKUP = (
    SEX_VALUES
    | {key.upper(): value for key, value in SEX_VALUES.items()}
    | {key.title(): value for key, value in SEX_VALUES.items()}
)
NHS_WEIGHTS = identifiers.NHS_WEIGHTS
# Digits arrive as ASCII bytes: Σ (byte − 48) × weight = Σ byte × weight − 48 × Σ weight.
NHS_ASCII_OFFSET = 48 * sum(NHS_WEIGHTS)
# A UPN's characters 2..13 are weighted 2..13 (identifiers.upn_check_letter).
UPN_WEIGHTS = tuple(range(2, 14))
UPN_ASCII_OFFSET = 48 * sum(UPN_WEIGHTS)
UPN_LETTERS = identifiers.UPN_CHECK_LETTERS


# --- What a run reports --------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong, where a person can find it. The reason never repeats a name,
    a date of birth or an identifier, so that problems can be shown and kept freely."""

    row: int | None  # header = 1, first data row = 2 (JSON: first object = 1); None: the file
    column: str  # the hub's field, or the file's header for a column the hub has no field for
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}

    def __str__(self) -> str:
        where = ", ".join(
            part for part in (f"row {self.row}" if self.row else "", self.column) if part
        )
        return f"{where}: {self.reason}" if where else self.reason


@dataclass
class ImportResult:
    """What a run did. For a dry run, created/updated/unchanged say what a load would do."""

    batch: ImportBatch
    problems: list[Problem]
    rows_read: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    loaded: bool
    dry_run: bool
    # Persons: columns kept as attributes. Events: columns the hub has no field for, not loaded.
    extra_columns: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.batch.status


class ImportRefused(refusals.Refused):
    """The file as a whole cannot be read: nothing was checked row by row, nothing loaded."""

    code = "children.import_refused"

    def __init__(self, problems: Sequence[Problem], batch: ImportBatch | None = None) -> None:
        self.problems = list(problems)
        self.batch = batch
        super().__init__("; ".join(str(problem) for problem in self.problems))


class ImportFailed(Exception):
    """Something broke while loading; the transaction was rolled back, nothing loaded."""

    def __init__(self, batch: ImportBatch, error: BaseException) -> None:
        self.batch = batch
        super().__init__(
            f"The import failed and nothing was loaded ({type(error).__name__}: {error})."
        )


def _refuse(reason: str, column: str = "", row: int | None = None) -> ImportRefused:
    return ImportRefused([Problem(row, column, reason)])


# --- Reading the source ----------------------------------------------------------------

Rows = Iterator[tuple[int, list[str]]]


@dataclass
class _Table:
    headers: list[str]
    rows: Rows


def _cell_text(value: Any) -> str:
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


def _json_table(objects: list[dict[str, Any]]) -> _Table:
    headers: dict[str, None] = {}
    for number, item in enumerate(objects, start=1):
        if not isinstance(item, dict):
            raise _refuse(f"record {number} is not an object of field names and values")
        for key in item:
            headers.setdefault(str(key), None)
    names = list(headers)

    def rows() -> Rows:
        for number, item in enumerate(objects, start=1):
            cells = [_cell_text(item.get(name)) for name in names]
            for name, cell in zip(names, cells, strict=True):
                if "\x00" in cell:  # the database cannot store it
                    raise _refuse("the value holds a zero byte (NUL)", name, number)
            yield number, cells

    return _Table(names, rows())


def _xlsx_table(stream: BinaryIO) -> _Table:
    """The first sheet, after its zip has been checked against the limits (core/uploads.py);
    its rows are counted while they are read, whatever its dimension says."""
    from openpyxl import load_workbook

    try:
        check_xlsx(stream)
    except UploadRefused as refused:
        raise _refuse(str(refused)) from refused
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise _refuse(
            "the file is not an XLSX workbook that can be read: save it again from the "
            "spreadsheet as .xlsx, or as CSV"
        ) from error
    if not workbook.worksheets:
        raise _refuse("the workbook has no sheets")
    sheet = workbook.worksheets[0]
    # The dimension the sheet states may be false: too small, and rows would be left out;
    # too large, and every row would be padded out to it. Rows are read as they are.
    sheet.reset_dimensions()
    values = limited_rows(sheet.iter_rows(values_only=True))
    try:
        first = next(values, None)
    except UploadRefused as refused:
        workbook.close()
        raise _refuse(str(refused)) from refused
    if first is None:
        workbook.close()
        raise _refuse("the first sheet is empty: its first row must name the columns")
    headers = [_cell_text(value).strip() for value in first[1]]

    def rows() -> Rows:
        try:
            for number, row in values:
                yield number, [_cell_text(value) for value in row]
        except UploadRefused as refused:
            raise _refuse(str(refused)) from refused
        finally:
            workbook.close()

    return _Table(headers, rows())


def _csv_table(stream: BinaryIO, encoding: str, hint: str) -> _Table:
    """The rows of a CSV file in the encoding given (UTF-8 unless the uploader chose
    another), read strictly: a file with a byte not of that encoding is refused, naming
    its line and byte, before any row is read (never read as another encoding by guess).
    The check is one pass over the bytes in chunks, before the rows are read."""
    if stream.seekable():
        try:
            check_text(stream, encoding, hint)
        except UploadRefused as refused:
            raise _refuse(str(refused)) from refused
    name = ENCODING_NAMES.get(encoding, encoding)
    text = io.TextIOWrapper(
        stream, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline=""
    )
    try:
        first_line = text.readline()
    except UnicodeDecodeError as error:
        raise _refuse(f"the file is not {name} text: save it as CSV UTF-8, {hint}") from error
    if not first_line.strip():
        raise _refuse("the file is empty: its first row must name the columns")
    delimiter = max(",;\t|", key=first_line.count)
    try:
        headers = next(csv.reader([first_line], delimiter=delimiter))
    except csv.Error as error:
        raise _refuse(f"the header row cannot be read as CSV ({error})", row=1) from error
    reader = csv.reader(text, delimiter=delimiter)

    def rows() -> Rows:
        number = 1
        try:
            for number, cells in enumerate(reader, start=2):  # noqa: B007 - read after the loop
                yield number, cells
        except csv.Error as error:
            raise _refuse(f"this row cannot be read as CSV ({error})", row=number + 1) from error
        except UnicodeDecodeError as error:
            raise _refuse(
                f"the file is not {name} text from here on: save it as CSV UTF-8, {hint}",
                row=number + 1,
            ) from error

    return _Table([header.strip() for header in headers], rows())


def _open_table(
    source: Path | BinaryIO | list[dict[str, Any]],
    file_name: str,
    encoding: str = "utf-8",
    hint: str = CHOOSE_ENCODING,
) -> _Table:
    if isinstance(source, list):
        return _json_table(source)
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise _refuse(f"there is no file at {path}")
        stream: BinaryIO = path.open("rb")
        file_name = file_name or path.name
    else:
        stream = source
    suffix = Path(file_name).suffix.lower()
    if suffix in {".xls", ".xlsm", ".ods", ".numbers"}:
        raise _refuse(
            f"{suffix} files cannot be read: save the sheet as .xlsx (Excel Workbook) or as CSV"
        )
    head = stream.read(2048)
    stream.seek(0)
    if not head:
        raise _refuse("the file is empty: its first row must name the columns")
    if suffix == ".xlsx" or head.startswith(b"PK\x03\x04"):
        return _xlsx_table(stream)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse("the file is Unicode text (UTF-16): save it again as CSV UTF-8")
    if b"\x00" in head:
        raise _refuse("the file is not text: send a CSV or XLSX file")
    return _csv_table(stream, encoding, hint)


# --- Planning the columns -------------------------------------------------------------


def _header_key(header: str) -> str:
    return " ".join(str(header).split()).casefold()


def _field_named(key: str, fields: Sequence[str]) -> str | None:
    """A header that is a field's own name, in any case, with spaces or hyphens."""
    name = key.replace(" ", "_").replace("-", "_")
    return name if name in fields else None


def check_mapping(kind: str, mapping: dict[str, str]) -> list[Problem]:
    """Problems with a mapping of file headers onto the hub's fields ('' ignores a column)."""
    fields = FIELDS[kind]
    problems = []
    fed: dict[str, str] = {}
    for header, target in mapping.items():
        target = target.strip()
        if target and target not in fields:
            problems.append(
                Problem(
                    None,
                    str(header),
                    f"the mapping sends this column to {target!r}, which is not a field of "
                    f"the {kind} extract (the fields are {', '.join(fields)})",
                )
            )
        elif target and target in fed:
            problems.append(
                Problem(
                    None,
                    target,
                    f"the mapping sends two columns to {target}: {fed[target]!r} and {header!r}",
                )
            )
        elif target:
            fed[target] = str(header)
    return problems


@dataclass
class _Columns:
    index: dict[str, int]  # hub field → position in the row
    extras: list[tuple[int, str]]  # (position, header) of columns the hub has no field for
    width: int


def _plan_columns(kind: str, headers: list[str], mapping: dict[str, str]) -> _Columns:
    problems = check_mapping(kind, mapping)
    if problems:
        raise ImportRefused(problems)
    fields = FIELDS[kind]
    mapped = {_header_key(header): target.strip() for header, target in mapping.items()}
    index: dict[str, int] = {}
    extras: list[tuple[int, str]] = []
    seen: dict[str, str] = {}
    for position, header in enumerate(headers):
        key = _header_key(header)
        if not key:
            continue  # an unnamed column: nothing can be said about its values
        if key in seen:
            problems.append(
                Problem(1, header, f"two columns are called {header!r}: name each column once")
            )
            continue
        seen[key] = header
        target = mapped[key] if key in mapped else _field_named(key, fields)
        if key in mapped and not target:
            continue  # mapped to nothing: ignored on purpose
        if target is None:
            extras.append((position, header))
        elif target in index:
            problems.append(
                Problem(
                    1,
                    target,
                    f"two columns feed {target}: {headers[index[target]]!r} and {header!r}",
                )
            )
        else:
            index[target] = position
    for required in REQUIRED[kind]:
        if required not in index:
            problems.append(
                Problem(
                    1,
                    required,
                    f"the file has no {required} column: name it so in the header, "
                    "or map the column that holds it",
                )
            )
    if problems:
        raise ImportRefused(problems)
    return _Columns(index, extras, len(headers))


# --- Reading values -------------------------------------------------------------------


@dataclass
class _DateColumn:
    """The readings of one date column, cached by text: a column repeats its dates."""

    readings: dict[str, DateReading] = field(default_factory=dict)

    def read(self, text: str) -> DateReading:
        reading = self.readings.get(text)
        if reading is None:
            reading = self.readings[text] = read_date(text)
        return reading

    def order(self) -> Order | None:
        return settle_order(self.readings.values())

    def ambiguous(self) -> bool:
        return any(reading.ambiguous for reading in self.readings.values())


AMBIGUOUS_REASON = (
    "the day and the month could be either way round, and no other date in this column "
    "shows which comes first: write it as 2025-03-05 or 5 Mar 2025"
)

TIME_OF_DAY = re.compile(
    r"^(?P<date>.+?)[T\s]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6})\d*)?)?"
    r"\s*(?P<half>[AaPp][Mm])?\s*(?P<zone>Z|[+-]\d{2}:?\d{2})?$"
)


@dataclass(frozen=True)
class _Moment:
    """An occurred_at text read: its date part's reading and the time of day."""

    reading: DateReading
    time: dt.time | None = None
    zone: dt.tzinfo | None = None
    problem: str | None = None

    def at(self, day: dt.date) -> dt.datetime:
        """The moment in UTC: a time without a zone is Europe/London's."""
        local = dt.datetime.combine(day, self.time or dt.time(0), tzinfo=self.zone or LONDON)
        return local.astimezone(dt.UTC)


def _read_moment(text: str) -> _Moment:
    match = TIME_OF_DAY.match(text)
    if match is None:
        return _Moment(read_date(text))
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or 0)
    micro = int((match["fraction"] or "0").ljust(6, "0"))
    if match["half"]:
        if not 1 <= hour <= 12:
            return _Moment(
                read_date(match["date"]), problem="the hour of a.m./p.m. time is 1 to 12"
            )
        hour = hour % 12 + (12 if match["half"].lower() == "pm" else 0)
    zone: dt.tzinfo | None = None
    if match["zone"]:
        if match["zone"] == "Z":
            zone = dt.UTC
        else:
            sign = 1 if match["zone"][0] == "+" else -1
            digits = match["zone"][1:].replace(":", "")
            zone = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        time = dt.time(hour, minute, second, micro)
    except ValueError:
        return _Moment(read_date(match["date"]), problem="the time of day is not a real time")
    return _Moment(read_date(match["date"]), time, zone)


def _nhs_number(text: str) -> tuple[str, str | None]:
    """The digits of an NHS number and why it is not valid (None when it is)."""
    digits = text if len(text) == 10 else text.replace(" ", "").replace("-", "")
    if len(digits) == 10 and digits.isdigit():
        raw = digits.encode("ascii")
        check = 11 - (sum(map(mul, raw[:9], NHS_WEIGHTS)) - NHS_ASCII_OFFSET) % 11
        if check == 11:
            check = 0
        if check == raw[9] - 48:
            return digits, None
    return digits, identifiers.nhs_number_problem(digits) or "is not a valid NHS number"


def _over_long(column: str, length: int, limit: int) -> str:
    return f"is {length:,} characters long; {column} takes at most {limit:,}"


# --- The database side: staging and set-based SQL -------------------------------------


class _Sql:
    """What differs between PostgreSQL and SQLite in the few statements the load needs.

    Everything else is the same SQL on both (UPDATE … FROM needs SQLite 3.33 or later).
    """

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.boolean = "boolean" if self.postgres else "integer"
        self.date = "date" if self.postgres else "text"
        self.timestamp = "timestamptz" if self.postgres else "text"
        self.json = "jsonb" if self.postgres else "text"
        self.true = "TRUE" if self.postgres else "1"
        self.false = "FALSE" if self.postgres else "0"
        self.distinct = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        self.empty_json = "'{}'::jsonb" if self.postgres else "'{}'"

    def json_merge(self, old: str, new: str) -> str:
        return f"({old} || {new})" if self.postgres else f"json_patch({old}, {new})"

    def json_same(self, old: str, new: str) -> str:
        # SQLite holds JSON as text as Django wrote it; json() minifies it for comparison.
        return f"({old} = {new})" if self.postgres else f"(json({old}) = {new})"

    def json_object(self, pairs: Sequence[tuple[str, str]]) -> str:
        """An object from field names (our own, so safe to quote) and SQL expressions."""
        return self.json_build([(f"'{key}'", value) for key, value in pairs])

    def json_build(self, pairs: Sequence[tuple[str, str]]) -> str:
        function = "jsonb_build_object" if self.postgres else "json_object"
        return f"{function}({', '.join(f'{key}, {value}' for key, value in pairs)})"

    def record_of(self, staged: str, records: str) -> str:
        """Join each staged row to the agency's record of its record_id, if there is one,
        as `r`; one parameter, the agency.

        On PostgreSQL a LATERAL sub-select with LIMIT 1 makes it one probe of the unique
        index per row, whatever the statistics say: right after a large load they are
        stale, and a hash join over all the agency's records per chunk is quadratic.
        SQLite's planner probes the index anyway.
        """
        if self.postgres:
            return (
                f"LEFT JOIN LATERAL (SELECT * FROM {records} AS found WHERE found.agency_id = %s "  # noqa: S608
                f"AND found.record_id = {staged}.record_id LIMIT 1) AS r ON TRUE"
            )
        return f"LEFT JOIN {records} AS r ON r.agency_id = %s AND r.record_id = {staged}.record_id"

    def json_value(self, expression: str) -> str:
        return expression if self.postgres else f"json({expression})"

    def now(self, moment: dt.datetime) -> Any:
        return connection.ops.adapt_datetimefield_value(moment)


class _TableRows:
    """Writes rows into a table through the DB-API cursor beneath Django's (from the writer
    thread): COPY on PostgreSQL, blocks of many-row INSERTs on SQLite."""

    def __init__(self, sql: _Sql, name: str, columns: Sequence[str]) -> None:
        self.sql = sql
        self.name = name
        names = ", ".join(columns)
        self._copy = f"COPY {name} ({names}) FROM STDIN"
        self._insert = f"INSERT INTO {name} ({names}) VALUES ({', '.join(['?'] * len(columns))})"  # noqa: S608
        # SQLite: many rows per statement, so the writer thread takes the GIL back once
        # per block rather than once per row (a parameter limit of 32,766 since 3.32).
        self.block = max(1, min(500, 30_000 // len(columns)))
        one = f"({', '.join(['?'] * len(columns))})"
        self._insert_block = f"INSERT INTO {name} ({names}) VALUES {', '.join([one] * self.block)}"  # noqa: S608
        connection.ensure_connection()
        self.raw = connection.connection.cursor()

    def execute_raw(self, statement: str, params: Sequence[Any]) -> int:
        """Run a statement on the DB-API cursor (the writer thread's), %s placeholders;
        returns the rows it changed."""
        if not self.sql.postgres:
            statement = statement.replace("%s", "?")
        self.raw.execute(statement, params)
        return int(self.raw.rowcount)

    def write_raw(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Write rows through the DB-API cursor (from the writer thread)."""
        if not rows:
            return
        if self.sql.postgres:
            with self.raw.copy(self._copy) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        block = self.block
        whole = len(rows) - len(rows) % block
        if whole:
            self.raw.executemany(
                self._insert_block,
                [
                    list(chain.from_iterable(rows[start : start + block]))
                    for start in range(0, whole, block)
                ],
            )
        if whole < len(rows):
            self.raw.executemany(self._insert, rows[whole:])

    def write_text(self, text: str) -> None:
        """Write rows given as COPY text (PostgreSQL)."""
        if text:
            with self.raw.copy(self._copy) as copy:
                copy.write(text)

    def close(self) -> None:
        self.raw.close()


class _Staging(_TableRows):
    """A temporary table holding every row of the file as checked, for the set-based steps.

    `write` stages through Django's cursor (the main thread); `write_raw` and
    `execute_raw` through the DB-API cursor beneath it, from the writer thread.
    """

    def __init__(
        self,
        cursor: Any,
        sql: _Sql,
        name: str,
        written: Sequence[tuple[str, str]],
        later: Sequence[tuple[str, str]],
    ) -> None:
        """Columns are (name, kind: a type or an attribute of _Sql): `written` by the pass,
        in the order of its tuples, and set `later` by the SQL steps."""
        self.cursor = cursor
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        definition = ", ".join(
            f"{column} {getattr(sql, kind, kind)}" for column, kind in (*written, *later)
        )
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ({definition})")
        super().__init__(sql, name, [column for column, _ in written])

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.sql.postgres:
            with self.cursor.cursor.copy(self._copy) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            self.cursor.executemany(self._insert.replace("?", "%s"), rows)

    def drop(self) -> None:
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
        self.close()


class _Writer:
    """Hands chunks of rows to a second thread, so that the database stages, compares and
    inserts one chunk while Python checks the next (docs/decisions/0019).

    The thread uses the same database connection, and so the same transaction; the main
    thread does not touch the connection until the writer is closed. sqlite3 and psycopg
    release the GIL while the database works, which is what makes the overlap pay.
    """

    def __init__(self, work: Callable[[Any], None]) -> None:
        self.work = work
        self.chunks: queue.Queue[Any] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="import-writer", daemon=True)

    def __enter__(self) -> _Writer:
        # The writer gives up the GIL for every statement and must win it back from the
        # checking thread, which holds it for up to the switch interval (5 ms) each time:
        # a convoy that cost a million-row import a quarter of its time. A shorter interval
        # while the two work together (bench/bench_import.py).
        self.switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self.switch_interval, SWITCH_INTERVAL))
        self.thread.start()
        return self

    def put(self, chunk: Any) -> None:
        if self.error is not None:
            raise self.error
        self.chunks.put(chunk)

    def _run(self) -> None:
        while (chunk := self.chunks.get()) is not None:
            if self.error is None:
                try:
                    self.work(chunk)
                except BaseException as error:  # raised in the main thread by put/exit
                    self.error = error

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
        self.chunks.put(None)
        self.thread.join()
        sys.setswitchinterval(self.switch_interval)
        if self.error is not None and value is None:
            raise self.error


def _table(queryset: Any) -> str:
    return str(queryset.model._meta.db_table)


# --- The run ----------------------------------------------------------------------------


@dataclass
class _Outcome:
    problems: list[Problem]
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    loaded: bool = False
    extra_columns: list[str] = field(default_factory=list)


class _Run:
    """One import inside its transaction: check and stage, whole-file checks, load."""

    def __init__(
        self,
        agency: Agency,
        batch: ImportBatch,
        table: _Table,
        columns: _Columns,
        *,
        dry_run: bool,
        load_valid_rows: bool,
        progress: Callable[[int], object] | None,
    ) -> None:
        self.agency = agency
        self.batch = batch
        self.table = table
        self.columns = columns
        self.dry_run = dry_run
        self.load_valid_rows = load_valid_rows
        self.progress = progress
        self.system = SystemAccess("import")
        self.sql = _Sql()
        self.problems: list[Problem] = []
        self.rows_read = 0
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)

    def report(self, row: int | None, column: str, reason: str) -> None:
        self.problems.append(Problem(row, column, reason))

    def odd_width(self, line: int, cells: list[str]) -> bool:
        """A row wider than the header with values beyond it has a problem; a shorter
        one is padded (spreadsheets drop trailing empty cells)."""
        width = self.columns.width
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            self.report(
                line, "", f"this row has {len(cells)} values but the header names {width} columns"
            )
            return True
        return False

    def position(self, name: str) -> int:
        """Where a field is in a row; absent fields read the empty cell appended to each row."""
        return self.columns.index.get(name, self.columns.width)

    def finish_problems(self, fields: Sequence[str]) -> None:
        order = {name: place for place, name in enumerate(fields)}
        self.problems.sort(
            key=lambda p: (p.row or 0, order.get(p.column, len(order)), p.column, p.reason)
        )

    def counts(self, staging: _Staging) -> tuple[int, int]:
        """(rows staged, rows with a problem)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN bad THEN 1 ELSE 0 END), 0) FROM {staging.name}"  # noqa: S608
            )
            staged, bad = cursor.fetchone()
        return int(staged), int(bad)

    def settle_dates(
        self,
        cursor: Any,
        staging: _Staging,
        column: str,
        dates: _DateColumn,
        range_check: str,
        range_params: list[Any],
        range_reason: str,
        extra_alt: Sequence[str] = (),
    ) -> Order | None:
        """Read the column's ambiguous dates in the order the column settles, or report them.

        The pass staged each ambiguous value read day first in `column` and month first in
        `column_alt`. A settled month-first column takes the alternatives; a range check
        (not in the future, not too old) then applies to what was chosen.
        """
        if not dates.ambiguous():
            return None
        name = staging.name
        alt = f"{column}_alt"
        order = dates.order()
        if order is None:
            cursor.execute(f"SELECT line FROM {name} WHERE {alt} IS NOT NULL ORDER BY line")  # noqa: S608
            for (line,) in cursor.fetchall():
                self.report(line, column, AMBIGUOUS_REASON)
            cursor.execute(f"UPDATE {name} SET bad = {self.sql.true} WHERE {alt} IS NOT NULL")  # noqa: S608
            return None
        if order is Order.MONTH_FIRST:
            moves = ", ".join(f"{c} = {c}_alt" for c in (column, *extra_alt))
            cursor.execute(f"UPDATE {name} SET {moves} WHERE {alt} IS NOT NULL")  # noqa: S608
        cursor.execute(
            f"SELECT line FROM {name} WHERE {alt} IS NOT NULL AND ({range_check}) ORDER BY line",  # noqa: S608
            range_params,
        )
        for (line,) in cursor.fetchall():
            self.report(line, column, range_reason)
        cursor.execute(
            f"UPDATE {name} SET bad = {self.sql.true} WHERE {alt} IS NOT NULL AND ({range_check})",  # noqa: S608
            range_params,
        )
        return order

    def analyze(self, cursor: Any, table: str, changed: int) -> None:
        """After a large load, fresh statistics on PostgreSQL: the linkage and the searches
        that follow an import would otherwise be planned for the table as it was."""
        if self.sql.postgres and changed >= ANALYZE_AFTER:
            # Through the owner's function: the app's role owns no table (core/dbroles.py).
            cursor.execute("SELECT safeguarding_analyze(%s::regclass)", [table])

    def run(self) -> _Outcome:
        raise NotImplementedError


# --- Persons ----------------------------------------------------------------------------

# What the pass writes for each row (then extra_0, extra_1, … for the columns the hub has
# no field for).
PERSON_STAGING = (
    ("line", "integer PRIMARY KEY"),
    ("record_id", "text"),
    ("given_name", "text"),
    ("family_name", "text"),
    ("other_names", "text"),
    ("date_of_birth", "date"),
    ("date_of_birth_alt", "date"),
    ("sex", "text"),
    ("address", "text"),
    ("postcode", "text"),
    ("nhs_number", "text"),
    ("upn", "text"),
    ("bad", "boolean"),
)
# What an agency's first load stages: only what the whole-file checks read (the rows
# themselves go straight into the records table).
FIRST_LOAD_STAGING = (
    ("line", "integer PRIMARY KEY"),
    ("record_id", "text"),
    ("date_of_birth", "date"),
    ("date_of_birth_alt", "date"),
    ("bad", "boolean"),
)
# Rows of records the agency does not hold yet (source_id NULL), and of existing records
# the row differs from (a change of attributes only keeps history but is no reason to link
# again).
PERSON_CHANGES = (
    ("line", "integer PRIMARY KEY"),
    ("source_id", "integer"),
    ("identity_changed", "boolean"),
)


@dataclass
class _Prepared:
    """A chunk as COPY text, made by the checking thread (PostgreSQL)."""

    chunk: list[tuple[Any, ...]]
    staged: str
    records: str = ""  # an agency's first load: its valid rows as records
    count: int = 0


COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
COPY_NULL = "\\N"
COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _copy_escaped(text: str) -> str:
    """A value for PostgreSQL's COPY text format: backslash, tab and line ends escaped."""
    return COPY_SPECIAL.sub(lambda found: COPY_ESCAPES[found.group()], text)


class _PersonsCopy:
    """Staged person rows as PostgreSQL COPY text, made in the checking thread, and
    written by the writer thread (docs/decisions/0053).

    Staged tuples are (line, record_id, given, family, other, born, born_alt, sex,
    address, postcode, nhs, upn, bad, *extras). Their values are text already, and
    psycopg's adaptation of every value of every row cost more than the checking; made
    here, Python's work stays on the checking thread and the writer thread only waits
    for the database.

    On an agency's first load the valid rows go straight into the records table (one
    write each rather than staging and then INSERT … SELECT, and no lookup of a record
    that cannot exist), and the staging table keeps only FIRST_LOAD_STAGING for the
    whole-file checks. A record_id repeated within a chunk is written once; one repeated
    across chunks breaks that chunk's write on the unique constraint, and the chunk is
    written again without the record_ids already there. Either way the file's duplicates
    are rejected, and the copy written removed, after the pass (`find_duplicates`,
    `mend_inserted`).
    """

    # The identity fields that are text, in the order both COPYs write them: staged
    # tuples' indexes 1–4 and 7–11.
    TEXT_COLUMNS = (
        "record_id",
        "given_name",
        "family_name",
        "other_names",
        "sex",
        "address",
        "postcode",
        "nhs_number",
        "upn",
    )
    # The records': the text fields, then the date of birth (the one that may be NULL),
    # then what is the same on every row.
    RECORD_COLUMNS = (
        "agency_id",
        *TEXT_COLUMNS,
        "attributes",
        "date_of_birth",
        "needs_linking",
        "link_method",
        "import_batch_id",
        "created_at",
        "updated_at",
    )

    def __init__(
        self,
        sql: _Sql,
        staging: _Staging,
        records: str,
        agency: int,
        batch: int,
        now: dt.datetime,
        headers: list[str],
        *,
        slim: bool,
    ) -> None:
        self.slim = slim
        self.extras = len(headers)
        if slim:
            columns: Sequence[str] = [column for column, _ in FIRST_LOAD_STAGING]
        else:
            extras = [f"extra_{i}" for i in range(self.extras)]
            columns = (
                "line",
                *self.TEXT_COLUMNS,
                *extras,
                "date_of_birth",
                "date_of_birth_alt",
                "bad",
            )
        self.staging = _TableRows(sql, staging.name, columns)
        self.records_table = _TableRows(sql, records, self.RECORD_COLUMNS)
        self.agency = agency
        self.attributes = self.attributes_of(headers)
        self.head = f"{agency}\t"
        self.tail = f"\tt\t\t{batch}\t{now.isoformat()}\t{now.isoformat()}\n"

    @staticmethod
    def attributes_of(headers: list[str]) -> Callable[[tuple[Any, ...]], str]:
        """What makes a staged row's attributes (its values from index 13 on) a JSON object,
        in the key order of the headers, as the database's json_build would."""
        string = json.encoder.encode_basestring
        keys = [json.dumps(header) + ": " for header in headers]
        if not keys:
            return lambda row: "{}"
        if len(keys) == 1:
            opening = "{" + keys[0]
            return lambda row: opening + string(row[13]) + "}"
        places = range(13, 13 + len(keys))
        return lambda row: (
            "{"
            + ", ".join(key + string(row[at]) for key, at in zip(keys, places, strict=True))
            + "}"
        )

    def prepare(self, chunk: list[tuple[Any, ...]], loading: bool) -> _Prepared:
        """In the checking thread: the chunk as the writer thread will write it."""
        if not self.slim:
            return _Prepared(chunk, self.staged_text(chunk))
        staged = self.slim_text(chunk)
        if not loading:
            return _Prepared(chunk, staged)
        records, count = self.records(chunk)
        return _Prepared(chunk, staged, records, count)

    def staged_text(self, chunk: list[tuple[Any, ...]]) -> str:
        """Every staged column as COPY text."""
        null, tabs, extras = COPY_NULL, 8 + self.extras, self.extras
        lines: list[str] = []
        append = lines.append
        for row in chunk:
            text = (
                f"{row[1]}\t{row[2]}\t{row[3]}\t{row[4]}\t{row[7]}\t{row[8]}\t{row[9]}\t"
                f"{row[10]}\t{row[11]}"
            )
            if extras:
                text = text + "\t" + "\t".join(row[13:])
            if text.count("\t") != tabs or "\\" in text or "\n" in text or "\r" in text:
                fields = (*row[1:5], *row[7:12], *row[13:])
                text = "\t".join(map(_copy_escaped, fields))
            born, alt = row[5], row[6]
            append(
                f"{row[0]}\t{text}\t{null if born is None else born}\t"
                f"{null if alt is None else alt}\t{'t' if row[12] else 'f'}\n"
            )
        return "".join(lines)

    def slim_text(self, chunk: list[tuple[Any, ...]]) -> str:
        """FIRST_LOAD_STAGING's columns as COPY text."""
        special = COPY_SPECIAL.search
        null = COPY_NULL
        return "".join(
            f"{row[0]}\t{_copy_escaped(row[1]) if special(row[1]) else row[1]}\t"
            f"{null if row[5] is None else row[5]}\t{null if row[6] is None else row[6]}\t"
            f"{'t' if row[12] else 'f'}\n"
            for row in chunk
        )

    def records(self, chunk: list[tuple[Any, ...]]) -> tuple[str, int]:
        """The chunk's valid rows as records in COPY text, and how many."""
        attributes = self.attributes
        seen: set[str] = set()
        add = seen.add
        head, tail, null = self.head, self.tail, COPY_NULL
        lines: list[str] = []
        append = lines.append
        for row in chunk:
            if row[12] or row[1] in seen:
                continue
            add(row[1])
            text = (
                f"{row[1]}\t{row[2]}\t{row[3]}\t{row[4]}\t{row[7]}\t{row[8]}\t{row[9]}\t"
                f"{row[10]}\t{row[11]}\t{attributes(row)}"
            )
            if text.count("\t") != 9 or "\\" in text or "\n" in text or "\r" in text:
                fields = (*row[1:5], *row[7:12], attributes(row))
                text = "\t".join(map(_copy_escaped, fields))
            born = row[5]
            append(f"{head}{text}\t{null if born is None else born}{tail}")
        return "".join(lines), len(lines)

    def write(self, prepared: _Prepared) -> int:
        """In the writer thread: stage the chunk and, on a first load, write its valid rows
        as records; returns how many records were written."""
        self.staging.write_text(prepared.staged)
        if not prepared.count:
            return 0
        raw = self.records_table.raw
        raw.execute("SAVEPOINT import_chunk")
        try:
            self.records_table.write_text(prepared.records)
            written = prepared.count
        except connection.Database.IntegrityError:  # type: ignore[attr-defined]  # the driver's, from a raw cursor
            raw.execute("ROLLBACK TO SAVEPOINT import_chunk")
            there = self.existing(prepared.chunk)
            records, written = self.records([row for row in prepared.chunk if row[1] not in there])
            self.records_table.write_text(records)
        raw.execute("RELEASE SAVEPOINT import_chunk")
        return written

    def existing(self, chunk: list[tuple[Any, ...]]) -> set[str]:
        """Which of the chunk's record_ids the agency's records already hold."""
        raw = self.records_table.raw
        raw.execute(
            f"SELECT record_id FROM {self.records_table.name} WHERE agency_id = %s "  # noqa: S608
            "AND record_id = ANY(%s)",
            [self.agency, [row[1] for row in chunk]],
        )
        return {record_id for (record_id,) in raw.fetchall()}

    def close(self) -> None:
        self.staging.close()
        self.records_table.close()


class _PersonsRun(_Run):
    def dob_reading(
        self, text: str, dates: _DateColumn
    ) -> tuple[str | None, str | None, str | None]:
        """(day-first ISO or the date, month-first ISO when ambiguous, problem)."""
        reading = dates.read(text)
        if reading.problem is not None:
            # read_date's reasons repeat the text; a date of birth is not repeated.
            if "not a real date" in reading.problem:
                return None, None, "is not a real date: check the day and the month"
            return (
                None,
                None,
                "is not a date in a form we read (2025-03-05, 05/03/2025, 5 Mar 2025)",
            )
        if reading.ambiguous:
            assert reading.day_first is not None and reading.month_first is not None  # noqa: S101
            return reading.day_first.isoformat(), reading.month_first.isoformat(), None
        born = reading.value(None)
        assert born is not None  # noqa: S101
        problem = self.dob_problem(born)
        return born.isoformat(), None, problem

    def oldest_birth(self) -> dt.date:
        """The earliest date of birth the index takes: the day after the 26th birthday."""
        try:
            limit = self.today.replace(year=self.today.year - OLDEST_AGE)
        except ValueError:  # 29 February
            limit = self.today.replace(year=self.today.year - OLDEST_AGE, day=28)
        return limit + dt.timedelta(days=1)

    def dob_problem(self, born: dt.date) -> str | None:
        if born > self.today:
            return "the date of birth is in the future"
        if born < self.oldest_birth():
            return (
                f"the date of birth makes the person {OLDEST_AGE} or older: the index holds "
                "children and young people up to 25"
            )
        return None

    def stage(self, write: Callable[[list[tuple[Any, ...]]], None]) -> _DateColumn:
        """The one pass over the rows: check each value, hand each chunk of rows to `write`.

        Written for speed (docs/decisions/0019): one loop, local names, every check that
        repeats (dates, postcodes, sex) cached by the raw text, the NHS number and UPN
        checked on their bytes, and the slower shared checks only for values that fail.
        """
        report = self.report
        dates = _DateColumn()
        dob_cache: dict[str, tuple[str | None, str | None, str | None]] = {}
        postcode_cache: dict[str, str] = {}
        index = self.columns.index
        width = self.columns.width
        position = self.position
        i_record, i_given, i_family, i_other = (
            position(name) for name in ("record_id", "given_name", "family_name", "other_names")
        )
        i_dob, i_sex, i_address, i_postcode = (
            position(name) for name in ("date_of_birth", "sex", "address", "postcode")
        )
        i_nhs, i_upn = position("nhs_number"), position("upn")
        has_dob, has_sex, has_postcode, has_nhs, has_upn = (
            name in index for name in ("date_of_birth", "sex", "postcode", "nhs_number", "upn")
        )
        extra_positions = [place for place, _ in self.columns.extras]
        extra_headers = [header for _, header in self.columns.extras]
        sex_values = SEX_LOOKUP
        nhs_weights, nhs_offset = NHS_WEIGHTS, NHS_ASCII_OFFSET
        upn_weights, upn_offset, upn_letters = UPN_WEIGHTS, UPN_ASCII_OFFSET, UPN_LETTERS
        progress = self.progress
        chunk: list[tuple[Any, ...]] = []
        append = chunk.append
        read = 0
        for line, cells in self.table.rows:
            bad = False
            if len(cells) != width:
                bad = self.odd_width(line, cells)
                cells = (cells + [""] * width)[:width]
            if not any(cells):
                continue
            cells.append("")
            read += 1
            record_id = cells[i_record].strip()
            if not record_id or len(record_id) > 100:
                report(
                    line,
                    "record_id",
                    _over_long("record_id", len(record_id), 100)
                    if record_id
                    else "is empty: every row needs the agency's own id for the person",
                )
                bad = True
            given = cells[i_given].strip()
            family = cells[i_family].strip()
            other = cells[i_other].strip()
            address = cells[i_address].strip()
            if len(given) > 100 or len(family) > 100 or len(other) > 200 or len(address) > 300:
                bad = self.over_long_names(line, given, family, other, address)
            born = born_alt = None
            if has_dob:
                text = cells[i_dob]
                if text:
                    cached = dob_cache.get(text)
                    if cached is None:
                        cached = dob_cache[text] = self.dob_reading(text.strip(), dates)
                    born, born_alt, problem = cached
                    if problem is not None:
                        report(line, "date_of_birth", problem)
                        bad = True
            sex = "U"
            if has_sex:
                text = cells[i_sex]
                found = sex_values.get(text) or sex_values.get(text.strip().lower())
                if found is None:
                    report(line, "sex", SEX_REASON)
                    bad = True
                else:
                    sex = found
            postcode = ""
            if has_postcode:
                text = cells[i_postcode]
                if text:
                    postcode = postcode_cache.get(text) or postcode_cache.setdefault(
                        text, " ".join(text.upper().split())
                    )
                    if len(postcode) > 10:
                        report(line, "postcode", _over_long("postcode", len(postcode), 10))
                        bad = True
            nhs = ""
            if has_nhs:
                nhs = cells[i_nhs]
                if nhs:
                    if len(nhs) == 10 and nhs.isdigit():
                        raw = nhs.encode("ascii")
                        check = 11 - (sum(map(mul, raw, nhs_weights)) - nhs_offset) % 11
                        valid = (check if check != 11 else 0) == raw[9] - 48
                    else:
                        valid = False
                    if not valid:
                        nhs, problem = _nhs_number(nhs.strip())
                        if problem is not None:
                            report(line, "nhs_number", problem)
                            bad = True
            upn = ""
            if has_upn:
                upn = cells[i_upn]
                if upn:
                    if len(upn) == 13 and upn[1:].isdigit():
                        total = sum(map(mul, upn[1:].encode("ascii"), upn_weights)) - upn_offset
                        valid = upn_letters[total % 23] == upn[0]
                    else:
                        valid = False
                    if not valid:
                        upn = upn.strip().upper()
                        if (problem := identifiers.upn_problem(upn)) is not None:
                            report(line, "upn", problem)
                            bad = True
            row = (line, record_id, given, family, other, born, born_alt, sex, address)
            if extra_positions:
                extras = [cells[place].strip() for place in extra_positions]
                if max(map(len, extras)) > ATTRIBUTE_MAX_LENGTH:
                    for header, value in zip(extra_headers, extras, strict=True):
                        if len(value) > ATTRIBUTE_MAX_LENGTH:
                            report(
                                line,
                                header,
                                _over_long(header, len(value), ATTRIBUTE_MAX_LENGTH),
                            )
                    bad = True
                append((*row, postcode, nhs, upn, bad, *extras))
            else:
                append((*row, postcode, nhs, upn, bad))
            if len(chunk) >= CHUNK:
                write(chunk)
                chunk = []
                append = chunk.append
                if progress is not None:
                    progress(CHUNK)
        if chunk:
            write(chunk)
            if progress is not None:
                progress(len(chunk))
        self.rows_read = read
        return dates

    def over_long_names(self, line: int, *values: str) -> bool:
        for name, value in zip(
            ("given_name", "family_name", "other_names", "address"), values, strict=True
        ):
            if len(value) > MAX_LENGTH[name]:
                self.report(line, name, _over_long(name, len(value), MAX_LENGTH[name]))
        return True

    def run(self) -> _Outcome:
        sql = self.sql
        records = _table(self.system.source_records())
        present = [name for name in IDENTITY_FIELDS if name in self.columns.index]
        built, headers = self.attributes()
        agency, batch, now = self.agency.pk, self.batch.pk, sql.now(self.now)
        # An agency's first load (run_import holds the agency's lock, so none can start
        # beside it) has no records to compare with. On PostgreSQL its rows go straight
        # into the records table and the staging table keeps only what the whole-file
        # checks read (_PersonsCopy); SQLite's INSERT … SELECT from staging is quicker than
        # binding every value of every record from Python.
        first = not self.system.source_records().filter(agency_id=agency).exists()
        with connection.cursor() as cursor:
            extras = [(f"extra_{i}", "text") for i in range(len(self.columns.extras))]
            slim = first and sql.postgres
            written = FIRST_LOAD_STAGING if slim else (*PERSON_STAGING, *extras)
            staging = _Staging(cursor, sql, "import_persons_staging", written, ())
            changes = _Staging(cursor, sql, "import_persons_changes", PERSON_CHANGES, ())
            name = staging.name
            find_changes = self.changes_sql(name, changes.name, records, present, built)
            insert = self.insert_sql(name, records, built, None if first else changes.name)
            copier = (
                _PersonsCopy(sql, staging, records, agency, batch, self.now, headers, slim=slim)
                if sql.postgres
                else None
            )
            inserted = 0

            def loading() -> bool:
                return not self.dry_run and (self.load_valid_rows or not self.problems)

            def write(item: Any) -> None:
                """In the writer thread: stage the chunk, note which of its existing records
                changed and, unless this is a dry run or a refused file, insert its new
                records at once."""
                nonlocal inserted
                if copier is None:
                    chunk = item
                    staging.write_raw(chunk)
                else:
                    inserted += copier.write(item)
                    if slim:
                        return
                    chunk = item.chunk
                lines = [chunk[0][0], chunk[-1][0]]
                rows = "s.line BETWEEN %s AND %s"
                if not first:
                    staging.execute_raw(
                        find_changes.replace(ROWS, rows), [*headers, agency, batch, *lines]
                    )
                if loading():
                    inserted += staging.execute_raw(
                        insert.replace(ROWS, rows), [agency, *headers, batch, now, now, *lines]
                    )

            try:
                with _Writer(write) as writer:

                    def put(chunk: list[tuple[Any, ...]]) -> None:
                        writer.put(chunk if copier is None else copier.prepare(chunk, loading()))

                    dates = self.stage(put)
            finally:
                if copier is not None:
                    copier.close()
            if first:
                # Before the steps that read the records: planned on an empty table's
                # statistics, removing a duplicate's record would scan them all.
                self.analyze(cursor, records, inserted)
            if not slim:
                cursor.execute(f"CREATE INDEX {name}_record ON {name} (record_id)")
            if sql.postgres:
                cursor.execute(f"ANALYZE {name}")
            order = self.settle_dates(
                cursor,
                staging,
                "date_of_birth",
                dates,
                "date_of_birth > %s OR date_of_birth < %s",
                [self.today.isoformat(), self.oldest_birth().isoformat()],
                "the date of birth is in the future, or makes the person "
                f"{OLDEST_AGE} or older: the index holds children and young people up to 25",
            )
            self.find_duplicates(cursor, name)
            staged, rejected = self.counts(staging)
            outcome = _Outcome(
                self.problems,
                rows_read=self.rows_read,
                rejected=rejected,
                extra_columns=[header for _, header in self.columns.extras],
            )
            if self.problems and not (self.load_valid_rows or self.dry_run):
                # Records inserted before the first problem was found go with the rollback.
                transaction.set_rollback(True)
                return outcome
            if order is Order.MONTH_FIRST and not first:  # (a first load has nothing to compare)
                # Existing records were compared on the day-first reading: compare again.
                alt = "s.date_of_birth_alt IS NOT NULL"
                cursor.execute(
                    f"DELETE FROM {changes.name} WHERE line IN (SELECT line FROM {name} AS s WHERE {alt})"  # noqa: S608
                )
                cursor.execute(find_changes.replace(ROWS, alt), [*headers, agency, batch])
            if self.dry_run:
                cursor.execute(
                    f"SELECT COUNT(*) FROM {name} AS s WHERE NOT s.bad AND NOT EXISTS ("  # noqa: S608
                    f"SELECT 1 FROM {records} AS r WHERE r.agency_id = %s AND r.record_id = s.record_id)",
                    [agency],
                )
                created = int(cursor.fetchone()[0])
            else:
                created = inserted - self.mend_inserted(cursor, name, records, order)
            cursor.execute(
                f"SELECT COUNT(*) FROM {changes.name} AS c JOIN {name} AS s ON s.line = c.line "  # noqa: S608
                "WHERE NOT s.bad AND c.source_id IS NOT NULL"
            )
            updated = int(cursor.fetchone()[0])
            outcome.created, outcome.updated = created, updated
            outcome.unchanged = staged - rejected - created - updated
            if not self.dry_run:
                if not first:
                    self.load(cursor, name, changes.name, records, present, built, headers)
                outcome.loaded = created + updated > 0
                if not first:
                    self.analyze(cursor, records, created + updated)
            changes.drop()
            staging.drop()
        return outcome

    def find_duplicates(self, cursor: Any, name: str) -> None:
        cursor.execute(
            f"SELECT record_id, line FROM {name} WHERE record_id IN ("  # noqa: S608
            f"SELECT record_id FROM {name} WHERE record_id <> '' GROUP BY record_id HAVING COUNT(*) > 1"
            ") ORDER BY record_id, line"
        )
        lines: dict[str, list[int]] = {}
        for record_id, line in cursor.fetchall():
            lines.setdefault(record_id, []).append(line)
        for record_id, rows in lines.items():
            shown = ", ".join(str(row) for row in rows[:5]) + (" …" if len(rows) > 5 else "")
            for row in rows:
                self.report(
                    row,
                    "record_id",
                    f"record_id {record_id} is on {len(rows)} rows ({shown}): each person "
                    "must be on one row only, so none of them is loaded",
                )
        if lines:
            cursor.execute(
                f"UPDATE {name} SET bad = {self.sql.true} WHERE record_id IN ("  # noqa: S608
                f"SELECT record_id FROM {name} WHERE record_id <> '' GROUP BY record_id HAVING COUNT(*) > 1)"
            )

    def attributes(self) -> tuple[str | None, list[str]]:
        """The SQL building a staged row's attributes object, and its parameters (the
        headers); None when the file has no extra columns. Built by the database, not
        per row in Python, for speed."""
        if not self.columns.extras:
            return None, []
        cast = "::text" if self.sql.postgres else ""
        pairs = [(f"%s{cast}", f"s.extra_{i}") for i in range(len(self.columns.extras))]
        return self.sql.json_build(pairs), [header for _, header in self.columns.extras]

    def changes_sql(
        self, name: str, changes: str, records: str, present: list[str], built: str | None
    ) -> str:
        """Notes staged rows whose record is new (source_id NULL) or exists (and is not one
        this batch inserted) and differs in identity or attributes: one lookup of each
        row's record, and nothing more for an unchanged one. Parameters: the attributes'
        headers, the agency, the batch; ROWS stands for the rows' condition."""
        sql = self.sql
        identity = " OR ".join(f"s.{f} {sql.distinct} r.{f}" for f in present) or sql.false
        attributes = (
            f"NOT {sql.json_same('r.attributes', sql.json_merge('r.attributes', built))}"
            if built
            else sql.false
        )
        return (
            f"INSERT INTO {changes} (line, source_id, identity_changed) "  # noqa: S608
            f"SELECT line, source_id, identity_changed FROM (SELECT s.line AS line, "
            f"r.id AS source_id, ({identity}) AS identity_changed, ({attributes}) AS "
            f"attributes_changed FROM {name} AS s {sql.record_of('s', records)} "
            f"WHERE NOT s.bad AND (r.id IS NULL OR r.import_batch_id {sql.distinct} %s) "
            f"AND {ROWS}) AS compared "
            "WHERE source_id IS NULL OR identity_changed OR attributes_changed"
        )

    def insert_sql(self, name: str, records: str, built: str | None, changes: str | None) -> str:
        """Inserts staged rows as new records: those `changes_sql` found new, or (when
        `changes` is None, an agency's first load) every row. Parameters: the agency, the
        attributes' headers, the batch, created_at, updated_at; ROWS stands for the rows'
        condition. A record_id twice in the file conflicts with itself: the second is
        skipped here, and both are rejected and the first removed after the pass
        (mend_inserted)."""
        sql = self.sql
        fields = ", ".join(IDENTITY_FIELDS)
        source = (
            f"{name} AS s"
            if changes is None
            else f"{changes} AS c JOIN {name} AS s ON s.line = c.line AND c.source_id IS NULL"
        )
        return (
            f"INSERT INTO {records} (agency_id, record_id, child_id, {fields}, attributes, "  # noqa: S608
            f"needs_linking, link_method, link_probability, import_batch_id, created_at, updated_at) "
            f"SELECT %s, s.record_id, NULL, {', '.join(f's.{f}' for f in IDENTITY_FIELDS)}, "
            f"{built or sql.empty_json}, {sql.true}, '', NULL, %s, %s, %s FROM {source} "
            f"WHERE NOT s.bad AND {ROWS} ON CONFLICT (agency_id, record_id) DO NOTHING"
        )

    def mend_inserted(self, cursor: Any, name: str, records: str, order: Order | None) -> int:
        """Put right what the writer thread inserted before the whole file was known;
        returns how many inserted records were taken out again."""
        batch = self.batch.pk
        cursor.execute(
            f"DELETE FROM {records} WHERE agency_id = %s AND import_batch_id = %s "  # noqa: S608
            f"AND record_id IN (SELECT record_id FROM {name} WHERE bad)",
            [self.agency.pk, batch],
        )
        removed = int(cursor.rowcount)
        if order is Order.MONTH_FIRST:
            cursor.execute(
                f"UPDATE {records} SET date_of_birth = s.date_of_birth FROM {name} AS s "  # noqa: S608
                f"WHERE {records}.agency_id = %s AND {records}.import_batch_id = %s "
                f"AND {records}.record_id = s.record_id AND s.date_of_birth_alt IS NOT NULL",
                [self.agency.pk, batch],
            )
        return removed

    def load(
        self,
        cursor: Any,
        name: str,
        changes: str,
        records: str,
        present: list[str],
        built: str | None,
        headers: list[str],
    ) -> None:
        """Existing records that changed: their old values into history, then the new."""
        sql = self.sql
        now = sql.now(self.now)
        batch = self.batch.pk
        versions = _table(self.system.versions())
        kept = [(f, f"r.{f}") for f in ("record_id", *IDENTITY_FIELDS)]
        kept.append(("attributes", sql.json_value("r.attributes")))
        changed = (
            f"{changes} AS c JOIN {name} AS s ON s.line = c.line AND NOT s.bad "
            "AND c.source_id IS NOT NULL"
        )
        cursor.execute(
            f"INSERT INTO {versions} (source_record_id, data, replaced_at, replaced_by_batch_id) "  # noqa: S608
            f"SELECT r.id, {sql.json_object(kept)}, %s, %s FROM {changed} "
            f"JOIN {records} AS r ON r.id = c.source_id",
            [now, batch],
        )
        cursor.execute(
            f"SELECT DISTINCT r.child_id FROM {changed} JOIN {records} AS r ON r.id = c.source_id "  # noqa: S608
            "WHERE c.identity_changed AND r.child_id IS NOT NULL"
        )
        relinked_children = [child_id for (child_id,) in cursor.fetchall()]
        # UPDATE … FROM: SET takes the target's columns bare, on both.
        target = records
        sets = [f"{f} = s.{f}" for f in present]
        params: list[Any] = []
        if built:
            sets.append(f"attributes = {sql.json_merge(f'{target}.attributes', built)}")
            params += headers
        sets.append(f"needs_linking = ({target}.needs_linking OR c.identity_changed)")
        sets += ["import_batch_id = %s", "updated_at = %s"]
        cursor.execute(
            f"UPDATE {target} SET {', '.join(sets)} FROM {changed} "  # noqa: S608
            f"WHERE {target}.id = c.source_id",
            [*params, batch, now],
        )
        if relinked_children:
            refresh_children(self.system, relinked_children)


# --- Events -----------------------------------------------------------------------------

EVENT_STAGING = (
    ("line", "integer PRIMARY KEY"),
    ("record_id", "text"),
    ("event_type", "text"),
    ("occurred_at", "timestamp"),
    ("occurred_at_alt", "timestamp"),
    ("summary", "text"),
    ("restricted", "boolean"),
    ("fingerprint", "text"),
    ("fingerprint_alt", "text"),
    ("bad", "boolean"),
)
EVENT_STAGING_LATER = (
    ("source_record_id", "integer"),
    ("child_id", "integer"),
    ("existing_id", "integer"),
)


class _EventsRun(_Run):
    def read_when(
        self, text: str, dates: _DateColumn
    ) -> tuple[dt.datetime, dt.datetime | None, None] | tuple[None, None, str]:
        """An occurred_at text as (the moment, the other reading when day and month are
        ambiguous, or a problem); cached by text in the pass."""
        if not text:
            return None, None, "is empty: every event needs its date"
        moment = _read_moment(text)
        reading = moment.reading
        dates.readings.setdefault(reading.text, reading)
        if moment.problem is not None:
            return None, None, moment.problem
        if reading.problem is not None:
            return None, None, reading.problem
        if reading.ambiguous:
            assert reading.day_first and reading.month_first  # noqa: S101
            return moment.at(reading.day_first), moment.at(reading.month_first), None
        day = reading.value(None)
        assert day is not None  # noqa: S101
        at = moment.at(day)
        if at > self.now + CLOCK_SKEW:
            return None, None, "is in the future"
        if at < dt.datetime.combine(EARLIEST_EVENT, dt.time(0), tzinfo=LONDON):
            return None, None, f"is before {EARLIEST_EVENT.year}: check the year"
        return at, None, None

    def stage(self, staging: _Staging) -> _DateColumn:
        report = self.report
        dates = _DateColumn()
        whens: dict[str, tuple[dt.datetime, dt.datetime | None, None] | tuple[None, None, str]] = {}
        types: dict[str, catalogue.EventType | None] = {}
        i_record = self.position("record_id")
        i_type = self.position("event_type")
        i_when = self.position("occurred_at")
        i_summary = self.position("summary")
        i_restricted = self.position("restricted")
        postgres = self.sql.postgres
        adapt = connection.ops.adapt_datetimefield_value

        def stored(moment: dt.datetime) -> str:
            return moment.isoformat() if postgres else str(adapt(moment))

        width = self.columns.width
        progress = self.progress
        read = 0
        chunk: list[tuple[Any, ...]] = []
        for line, cells in self.table.rows:
            bad = False
            if len(cells) != width:
                bad = self.odd_width(line, cells)
                cells = (cells + [""] * width)[:width]
            if not any(cells):
                continue
            cells.append("")
            read += 1
            record_id = cells[i_record].strip()
            if not record_id:
                report(line, "record_id", "is empty: every event needs the record_id of its person")
                bad = True
            elif len(record_id) > 100:
                report(line, "record_id", _over_long("record_id", len(record_id), 100))
                bad = True
            type_text = cells[i_type].strip()
            if type_text in types:
                event_type = types[type_text]
            else:
                event_type = types[type_text] = catalogue.find(type_text)
            code = ""
            if event_type is None:
                report(
                    line,
                    "event_type",
                    "is empty: every event needs its type"
                    if not type_text
                    else f"{type_text[:60]!r} is not an event type of the hub's catalogue "
                    "(give its code or its label)",
                )
                bad = True
            else:
                code = event_type.code
            summary = cells[i_summary].strip()
            if len(summary) > MAX_LENGTH["summary"]:
                report(line, "summary", _over_long("summary", len(summary), MAX_LENGTH["summary"]))
                bad = True
            restricted_text = cells[i_restricted].strip().lower()
            restricted: bool | None
            if restricted_text:
                restricted = RESTRICTED_VALUES.get(restricted_text)
                if restricted is None:
                    report(line, "restricted", "is not yes or no (or y/n, true/false, 1/0)")
                    bad = True
            else:
                restricted = event_type.restricted_by_default if event_type else False
            when_text = cells[i_when]
            occurred = occurred_alt = fingerprint = fingerprint_alt = None
            when = whens.get(when_text)
            if when is None:
                when = whens[when_text] = self.read_when(when_text.strip(), dates)
            first, second, problem = when
            if first is None:
                report(line, "occurred_at", str(problem))
                bad = True
            elif second is not None:  # ambiguous: settled after the pass
                occurred, occurred_alt = stored(first), stored(second)
                if not bad:
                    fingerprint = event_fingerprint(record_id, code, first, summary)
                    fingerprint_alt = event_fingerprint(record_id, code, second, summary)
            else:
                occurred = stored(first)
                if not bad:
                    fingerprint = event_fingerprint(record_id, code, first, summary)
            chunk.append(
                (
                    line,
                    record_id,
                    code,
                    occurred,
                    occurred_alt,
                    summary,
                    restricted,
                    fingerprint,
                    fingerprint_alt,
                    bad,
                )
            )
            if len(chunk) >= CHUNK:
                staging.write(chunk)
                chunk.clear()
                if progress is not None:
                    progress(CHUNK)
        staging.write(chunk)
        if progress is not None and chunk:
            progress(len(chunk))
        self.rows_read = read
        return dates

    def run(self) -> _Outcome:
        sql = self.sql
        records = _table(self.system.source_records())
        events = _table(self.system.events())
        with connection.cursor() as cursor:
            staging = _Staging(
                cursor, sql, "import_events_staging", EVENT_STAGING, EVENT_STAGING_LATER
            )
            dates = self.stage(staging)
            name = staging.name
            cursor.execute(f"CREATE INDEX {name}_record ON {name} (record_id)")
            self.settle_dates(
                cursor,
                staging,
                "occurred_at",
                dates,
                "occurred_at > %s OR occurred_at < %s",
                [
                    sql.now(self.now + CLOCK_SKEW),
                    sql.now(dt.datetime.combine(EARLIEST_EVENT, dt.time(0), tzinfo=LONDON)),
                ],
                f"is in the future or before {EARLIEST_EVENT.year}",
                extra_alt=("fingerprint",),
            )
            self.find_unknown_records(cursor, name, records)
            self.find_duplicates(cursor, name)
            staged, rejected = self.counts(staging)
            outcome = _Outcome(
                self.problems,
                rows_read=self.rows_read,
                rejected=rejected,
                extra_columns=[header for _, header in self.columns.extras],
            )
            if self.problems and not (self.load_valid_rows or self.dry_run):
                staging.drop()
                return outcome
            cursor.execute(
                f"UPDATE {name} AS s SET existing_id = e.id FROM {events} AS e "  # noqa: S608
                f"WHERE e.agency_id = %s AND e.fingerprint = s.fingerprint AND NOT s.bad",
                [self.agency.pk],
            )
            cursor.execute(
                f"SELECT COALESCE(SUM(CASE WHEN s.existing_id IS NULL THEN 1 ELSE 0 END), 0), "  # noqa: S608
                f"COALESCE(SUM(CASE WHEN s.existing_id IS NOT NULL "
                f"AND e.restricted {sql.distinct} s.restricted THEN 1 ELSE 0 END), 0) "
                f"FROM {name} AS s LEFT JOIN {events} AS e ON e.id = s.existing_id WHERE NOT s.bad"
            )
            created, updated = (int(value) for value in cursor.fetchone())
            outcome.created, outcome.updated = created, updated
            outcome.unchanged = staged - rejected - created - updated
            if not self.dry_run:
                self.load(cursor, name, events)
                outcome.loaded = created + updated > 0
                self.analyze(cursor, events, created + updated)
            staging.drop()
        return outcome

    def find_unknown_records(self, cursor: Any, name: str, records: str) -> None:
        cursor.execute(
            f"UPDATE {name} AS s SET source_record_id = r.id, child_id = r.child_id "  # noqa: S608
            f"FROM {records} AS r WHERE r.agency_id = %s AND r.record_id = s.record_id",
            [self.agency.pk],
        )
        cursor.execute(
            f"SELECT line, record_id FROM {name} "  # noqa: S608
            f"WHERE source_record_id IS NULL AND record_id <> '' AND LENGTH(record_id) <= 100 ORDER BY line"
        )
        unknown = cursor.fetchall()
        for line, record_id in unknown:
            self.report(
                line,
                "record_id",
                f"no person record {record_id} from this agency: load the persons extract first",
            )
        if unknown:
            cursor.execute(
                f"UPDATE {name} SET bad = {self.sql.true} WHERE source_record_id IS NULL"  # noqa: S608
            )

    def find_duplicates(self, cursor: Any, name: str) -> None:
        """The same event twice in the file: the first is kept, the others reported."""
        cursor.execute(
            f"SELECT fingerprint, line FROM {name} WHERE NOT bad AND fingerprint IN ("  # noqa: S608
            f"SELECT fingerprint FROM {name} WHERE NOT bad GROUP BY fingerprint HAVING COUNT(*) > 1"
            ") ORDER BY fingerprint, line"
        )
        first: dict[str, int] = {}
        again: list[int] = []
        for fingerprint, line in cursor.fetchall():
            if fingerprint in first:
                again.append(line)
                self.report(
                    line,
                    "",
                    f"the same event as row {first[fingerprint]} (the same person, type, "
                    "time and summary): it is loaded once",
                )
            else:
                first[fingerprint] = line
        for start in range(0, len(again), 500):
            part = again[start : start + 500]
            cursor.execute(
                f"UPDATE {name} SET bad = {self.sql.true} WHERE line IN ({', '.join(['%s'] * len(part))})",  # noqa: S608
                part,
            )

    def load(self, cursor: Any, name: str, events: str) -> None:
        sql = self.sql
        now = sql.now(self.now)
        batch = self.batch.pk
        cursor.execute(
            f"UPDATE {events} SET restricted = s.restricted, import_batch_id = %s "  # noqa: S608
            f"FROM {name} AS s WHERE {events}.id = s.existing_id AND NOT s.bad "
            f"AND {events}.restricted {sql.distinct} s.restricted",
            [batch],
        )
        cursor.execute(
            f"INSERT INTO {events} (source_record_id, child_id, agency_id, event_type, occurred_at, "  # noqa: S608
            f"summary, restricted, fingerprint, import_batch_id, created_at) "
            f"SELECT s.source_record_id, s.child_id, %s, s.event_type, s.occurred_at, s.summary, "
            f"s.restricted, s.fingerprint, %s, %s FROM {name} AS s "
            f"WHERE NOT s.bad AND s.existing_id IS NULL",
            [self.agency.pk, batch, now],
        )


# --- The public interface ---------------------------------------------------------------


def run_import(
    agency: Agency,
    source: Path | BinaryIO | list[dict[str, Any]],
    *,
    kind: str,
    file_name: str = "",
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    load_valid_rows: bool = False,
    channel: str = ImportChannel.COMMAND,
    user: User | None = None,
    request: HttpRequest | None = None,
    progress: Callable[[int], object] | None = None,
    encoding: str = "utf-8",
) -> ImportResult:
    """Check an agency's extract and load it: all of it, the valid rows, or (dry run) none.

    A CSV file is read in `encoding` (one of core.uploads.ENCODINGS), strictly.

    Raises ImportRefused for a file that cannot be read as a whole (its batch saved as
    refused), ImportFailed when loading broke (rolled back; its batch saved as failed).
    `progress` is called with the number of rows read since its last call.
    """
    if kind not in FIELDS:
        raise ValueError(f"An extract is of kind persons or events, not {kind!r}.")
    if encoding not in ENCODINGS:
        raise ValueError(f"The encodings are {', '.join(ENCODINGS)}, not {encoding!r}.")
    if user is None and request is not None and isinstance(request.user, User):
        user = request.user
    if user is not None and user.agency_id != agency.pk:
        raise PermissionDenied("Only an agency's own users load its extracts.")
    if isinstance(source, str | Path) and not file_name:
        file_name = Path(source).name
    batch = ImportBatch.objects.create(
        agency=agency,
        kind=kind,
        channel=channel,
        file_name=file_name[:255],
        # Until the run finishes: a batch left so by a process that died loaded nothing.
        status=ImportStatus.FAILED,
        by=user,
    )
    try:
        if not agency.is_active:
            raise _refuse("the agency has left the partnership: its extracts are not loaded")
        hint = COMMAND_ENCODING if channel == ImportChannel.COMMAND else CHOOSE_ENCODING
        table = _open_table(source, file_name, encoding, hint)
        columns = _plan_columns(
            kind, table.headers, saved_mapping(agency, kind) if mapping is None else mapping
        )
        run_class = _PersonsRun if kind == ExtractKind.PERSONS else _EventsRun
        with transaction.atomic():
            # One load per agency at a time: two would race to create the same records.
            Agency.objects.select_for_update().filter(pk=agency.pk).first()
            run = run_class(
                agency,
                batch,
                table,
                columns,
                dry_run=dry_run,
                load_valid_rows=load_valid_rows,
                progress=progress,
            )
            outcome = run.run()
            run.finish_problems(FIELDS[kind])
    except ImportRefused as refused:
        _finish(batch, ImportStatus.REFUSED, refused.problems, request=request, user=user)
        refused.batch = batch
        raise
    except Exception as error:
        _finish(batch, ImportStatus.FAILED, [], request=request, user=user, error=error)
        raise ImportFailed(batch, error) from error
    if dry_run:
        status = ImportStatus.CHECKED
    elif outcome.problems and not load_valid_rows:
        status = ImportStatus.REFUSED
    elif outcome.problems:
        status = ImportStatus.LOADED_VALID_ROWS
    else:
        status = ImportStatus.LOADED
    _finish(batch, status, outcome.problems, request=request, user=user, outcome=outcome)
    return ImportResult(
        batch=batch,
        problems=outcome.problems,
        rows_read=outcome.rows_read,
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        rejected=outcome.rejected,
        loaded=outcome.loaded,
        dry_run=dry_run,
        extra_columns=outcome.extra_columns,
    )


def _finish(
    batch: ImportBatch,
    status: str,
    problems: list[Problem],
    *,
    request: HttpRequest | None,
    user: User | None,
    outcome: _Outcome | None = None,
    error: BaseException | None = None,
) -> None:
    """Write the batch's final state and its audit entry, outside the load's transaction."""
    batch.status = status
    batch.problems = [problem.as_dict() for problem in problems[:PROBLEMS_KEPT]]
    batch.problem_count = len(problems)
    if outcome is not None:
        batch.rows_read = outcome.rows_read
        batch.rows_created = outcome.created
        batch.rows_updated = outcome.updated
        batch.rows_unchanged = outcome.unchanged
        batch.rows_rejected = outcome.rejected
    batch.finished_at = timezone.now()
    with transaction.atomic():
        batch.save()
        detail: dict[str, Any] = {
            # Named here as well as by the user: an API import has no user, only the
            # agency's token (named in the file name).
            "agency": batch.agency.code,
            "file": batch.file_name,
            "kind": batch.kind,
            "channel": batch.channel,
            "status": status,
            "rows_read": batch.rows_read,
            "created": batch.rows_created,
            "updated": batch.rows_updated,
            "unchanged": batch.rows_unchanged,
            "rejected": batch.rows_rejected,
            "problem_count": batch.problem_count,
        }
        if error is not None:
            detail["error"] = type(error).__name__
        audit.record(
            AuditAction.IMPORT,
            request=request,
            user=user,
            object_type="import_batch",
            object_id=str(batch.public_id),
            detail=detail,
        )


def saved_mapping(agency: Agency, kind: str) -> dict[str, str]:
    """The agency's saved mapping of its file headers onto the hub's fields; {} if none."""
    saved = ColumnMapping.objects.filter(agency=agency, kind=kind).first()
    return dict(saved.mapping) if saved else {}


def save_mapping(
    agency: Agency, kind: str, mapping: dict[str, str], *, user: User | None
) -> ColumnMapping:
    """Save (replace) the agency's mapping for a kind; ImportRefused if it names no field."""
    if kind not in FIELDS:
        raise ValueError(f"An extract is of kind persons or events, not {kind!r}.")
    cleaned = {
        " ".join(str(header).split()): target.strip()
        for header, target in mapping.items()
        if str(header).strip()
    }
    problems = check_mapping(kind, cleaned)
    if problems:
        raise ImportRefused(problems)
    saved, _ = ColumnMapping.objects.update_or_create(
        agency=agency,
        kind=kind,
        defaults={"mapping": cleaned, "updated_at": timezone.now(), "updated_by": user},
    )
    return saved
