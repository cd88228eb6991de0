"""Staged person rows as PostgreSQL COPY text, made in the checking thread and written by
the writer thread (docs/decisions/0053)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from safeguarding.children.imports.staging import Sql, Staging, TableRows

# What an agency's first load stages: only what the whole-file checks read (the rows
# themselves go straight into the records table).
FIRST_LOAD_STAGING = (
    ("line", "integer PRIMARY KEY"),
    ("record_id", "text"),
    ("date_of_birth", "date"),
    ("date_of_birth_alt", "date"),
    ("bad", "boolean"),
)


@dataclass
class Prepared:
    """A chunk as COPY text, made by the checking thread (PostgreSQL)."""

    chunk: list[tuple[Any, ...]]
    staged: str
    records: str = ""  # an agency's first load: its valid rows as records
    count: int = 0


COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
COPY_NULL = "\\N"
COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def copy_escaped(text: str) -> str:
    """A value for PostgreSQL's COPY text format: backslash, tab and line ends escaped."""
    return COPY_SPECIAL.sub(lambda found: COPY_ESCAPES[found.group()], text)


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
        "{" + ", ".join(key + string(row[at]) for key, at in zip(keys, places, strict=True)) + "}"
    )


def staged_text(chunk: list[tuple[Any, ...]], extras: int) -> str:
    """Every staged column as COPY text."""
    null, tabs = COPY_NULL, 8 + extras
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
            text = "\t".join(map(copy_escaped, fields))
        born, alt = row[5], row[6]
        append(
            f"{row[0]}\t{text}\t{null if born is None else born}\t"
            f"{null if alt is None else alt}\t{'t' if row[12] else 'f'}\n"
        )
    return "".join(lines)


def slim_text(chunk: list[tuple[Any, ...]]) -> str:
    """FIRST_LOAD_STAGING's columns as COPY text."""
    special = COPY_SPECIAL.search
    null = COPY_NULL
    return "".join(
        f"{row[0]}\t{copy_escaped(row[1]) if special(row[1]) else row[1]}\t"
        f"{null if row[5] is None else row[5]}\t{null if row[6] is None else row[6]}\t"
        f"{'t' if row[12] else 'f'}\n"
        for row in chunk
    )


class PersonsCopy:
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
        sql: Sql,
        staging: Staging,
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
        self.staging = TableRows(sql, staging.name, columns)
        self.records_table = TableRows(sql, records, self.RECORD_COLUMNS)
        self.agency = agency
        self.attributes = attributes_of(headers)
        self.head = f"{agency}\t"
        self.tail = f"\tt\t\t{batch}\t{now.isoformat()}\t{now.isoformat()}\n"

    def prepare(self, chunk: list[tuple[Any, ...]], loading: bool) -> Prepared:
        """In the checking thread: the chunk as the writer thread will write it."""
        if not self.slim:
            return Prepared(chunk, staged_text(chunk, self.extras))
        staged = slim_text(chunk)
        if not loading:
            return Prepared(chunk, staged)
        records, count = self.records(chunk)
        return Prepared(chunk, staged, records, count)

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
                text = "\t".join(map(copy_escaped, fields))
            born = row[5]
            append(f"{head}{text}\t{null if born is None else born}{tail}")
        return "".join(lines), len(lines)

    def write(self, prepared: Prepared) -> int:
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
