"""A persons extract's run: stage every row (persons_check), check the whole file in SQL,
then load the new and changed records (persons_sql), or nothing."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from safeguarding.children.dates import Order
from safeguarding.children.imports import persons_sql
from safeguarding.children.imports.columns import IDENTITY_FIELDS
from safeguarding.children.imports.persons_check import check_rows
from safeguarding.children.imports.persons_copy import FIRST_LOAD_STAGING, PersonsCopy
from safeguarding.children.imports.run import Outcome, Run
from safeguarding.children.imports.staging import ROWS, Staging, Writer, table_name
from safeguarding.children.imports.values import OLDEST_AGE, oldest_birth

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
# Rows of records the agency does not hold yet (source_id NULL), and of existing records
# the row differs from (a change of attributes only keeps history but is no reason to link
# again).
PERSON_CHANGES = (
    ("line", "integer PRIMARY KEY"),
    ("source_id", "integer"),
    ("identity_changed", "boolean"),
)


class PersonsRun(Run):
    """One persons extract, inside the import's transaction."""

    def run(self) -> Outcome:
        sql = self.sql
        records = table_name(self.system.source_records())
        present = [name for name in IDENTITY_FIELDS if name in self.columns.index]
        built, headers = persons_sql.attributes(self)
        agency, batch, now = self.agency.pk, self.batch.pk, sql.now(self.now)
        # An agency's first load (import_extract holds the agency's lock, so none can start
        # beside it) has no records to compare with. On PostgreSQL its rows go straight
        # into the records table and the staging table keeps only what the whole-file
        # checks read (PersonsCopy); SQLite's INSERT … SELECT from staging is quicker than
        # binding every value of every record from Python.
        first = not self.system.source_records().filter(agency_id=agency).exists()
        with connection.cursor() as cursor:
            extras = [(f"extra_{i}", "text") for i in range(len(self.columns.extras))]
            slim = first and sql.postgres
            written = FIRST_LOAD_STAGING if slim else (*PERSON_STAGING, *extras)
            staging = Staging(cursor, sql, "import_persons_staging", written, ())
            changes = Staging(cursor, sql, "import_persons_changes", PERSON_CHANGES, ())
            name = staging.name
            find_changes = persons_sql.changes_sql(
                self, name, changes.name, records, present, built
            )
            insert = persons_sql.insert_sql(
                self, name, records, built, None if first else changes.name
            )
            copier = (
                PersonsCopy(sql, staging, records, agency, batch, self.now, headers, slim=slim)
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
                with Writer(write) as writer:

                    def put(chunk: list[tuple[Any, ...]]) -> None:
                        writer.put(chunk if copier is None else copier.prepare(chunk, loading()))

                    dates = check_rows(self, put)
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
                [self.today.isoformat(), oldest_birth(self.today).isoformat()],
                "the date of birth is in the future, or makes the person "
                f"{OLDEST_AGE} or older: the index holds children and young people up to 25",
            )
            self.find_duplicates(cursor, name)
            staged, rejected = self.counts(staging)
            outcome = Outcome(
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
                created = inserted - persons_sql.mend_inserted(self, cursor, name, records, order)
            cursor.execute(
                f"SELECT COUNT(*) FROM {changes.name} AS c JOIN {name} AS s ON s.line = c.line "  # noqa: S608
                "WHERE NOT s.bad AND c.source_id IS NOT NULL"
            )
            updated = int(cursor.fetchone()[0])
            outcome.created, outcome.updated = created, updated
            outcome.unchanged = staged - rejected - created - updated
            if not self.dry_run:
                if not first:
                    persons_sql.load(
                        self, cursor, name, changes.name, records, present, built, headers
                    )
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
