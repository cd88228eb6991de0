"""The database side of a run: the staging tables, the writer thread and the few
statements that differ between PostgreSQL and SQLite (docs/decisions/0019, 0053)."""

from __future__ import annotations

import datetime as dt
import queue
import sys
import threading
from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any

from django.db import connection

# Stands in a statement for the condition choosing its rows (one chunk, or some rows).
ROWS = "(/*rows*/)"
CHUNK = 10_000  # rows staged per write, and per call of `progress`
SWITCH_INTERVAL = 0.0001  # seconds; see Writer
ANALYZE_AFTER = 10_000  # rows created or updated


class Sql:
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


class TableRows:
    """Writes rows into a table through the DB-API cursor beneath Django's (from the writer
    thread): COPY on PostgreSQL, blocks of many-row INSERTs on SQLite."""

    def __init__(self, sql: Sql, name: str, columns: Sequence[str]) -> None:
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


class Staging(TableRows):
    """A temporary table holding every row of the file as checked, for the set-based steps.

    `write` stages through Django's cursor (the main thread); `write_raw` and
    `execute_raw` through the DB-API cursor beneath it, from the writer thread.
    """

    def __init__(
        self,
        cursor: Any,
        sql: Sql,
        name: str,
        written: Sequence[tuple[str, str]],
        later: Sequence[tuple[str, str]],
    ) -> None:
        """Columns are (name, kind: a type or an attribute of Sql): `written` by the pass,
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


class Writer:
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

    def __enter__(self) -> Writer:
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


def table_name(queryset: Any) -> str:
    return str(queryset.model._meta.db_table)
