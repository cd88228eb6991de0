"""An events extract's run: check and stage every row, find events of unknown records and
the same event twice in SQL, then insert the new events and update the changed ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from safeguarding.children import catalogue
from safeguarding.children.imports import staging as staging_module
from safeguarding.children.imports.columns import MAX_LENGTH
from safeguarding.children.imports.run import Outcome, Run
from safeguarding.children.imports.staging import Staging, table_name
from safeguarding.children.imports.values import (
    CLOCK_SKEW,
    EARLIEST_EVENT,
    LONDON,
    RESTRICTED_VALUES,
    DateColumn,
    over_long,
    read_when,
)
from safeguarding.children.models import event_fingerprint

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


def check_rows(run: Run, staging: Staging) -> DateColumn:
    """The one pass over an events extract's rows: check each value, stage each chunk."""
    report = run.report
    now = run.now
    chunk_size = staging_module.CHUNK
    dates = DateColumn()
    whens: dict[str, tuple[dt.datetime, dt.datetime | None, None] | tuple[None, None, str]] = {}
    types: dict[str, catalogue.EventType | None] = {}
    i_record = run.position("record_id")
    i_type = run.position("event_type")
    i_when = run.position("occurred_at")
    i_summary = run.position("summary")
    i_restricted = run.position("restricted")
    postgres = run.sql.postgres
    adapt = connection.ops.adapt_datetimefield_value

    def stored(moment: dt.datetime) -> str:
        return moment.isoformat() if postgres else str(adapt(moment))

    width = run.columns.width
    progress = run.progress
    read = 0
    chunk: list[tuple[Any, ...]] = []
    for line, cells in run.table.rows:
        bad = False
        if len(cells) != width:
            bad = run.odd_width(line, cells)
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
            report(line, "record_id", over_long("record_id", len(record_id), 100))
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
            report(line, "summary", over_long("summary", len(summary), MAX_LENGTH["summary"]))
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
            when = whens[when_text] = read_when(when_text.strip(), dates, now)
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
        if len(chunk) >= chunk_size:
            staging.write(chunk)
            chunk.clear()
            if progress is not None:
                progress(chunk_size)
    staging.write(chunk)
    if progress is not None and chunk:
        progress(len(chunk))
    run.rows_read = read
    return dates


class EventsRun(Run):
    """One events extract, inside the import's transaction."""

    def run(self) -> Outcome:
        sql = self.sql
        records = table_name(self.system.source_records())
        events = table_name(self.system.events())
        with connection.cursor() as cursor:
            staging = Staging(
                cursor, sql, "import_events_staging", EVENT_STAGING, EVENT_STAGING_LATER
            )
            dates = check_rows(self, staging)
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
            outcome = Outcome(
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
