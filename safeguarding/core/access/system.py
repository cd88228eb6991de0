"""Child-level data for system processes, which act for no user (imports, linkage, the
demo, scheduled processes). Who may build a `SystemAccess` is an allow-list
(core/tests/test_access_boundary.py); each one built is written to the audit log with
its purpose (docs/decisions/0061)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar, cast

from django.db import connections, router
from django.db.models import Field, QuerySet
from django.http import HttpRequest

from safeguarding.children.models import (
    Child,
    ChildEvent,
    ChildLevel,
    IdentityChange,
    LinkCandidate,
    PanelChild,
    SourceRecord,
    SourceRecordVersion,
)
from safeguarding.core import audit
from safeguarding.core.access.rows import _child_row_model
from safeguarding.core.models import AuditAction

_Row = TypeVar("_Row", bound=ChildLevel)


class SystemAccess:
    """For system processes (imports, linkage, the demo generator, scheduled processes),
    which act for no user, and for a linkage officer's work on the whole index.

    It checks nothing: who may build one is an allow-list of modules
    (core/tests/test_access_boundary.py), and none of them is a view or an action a
    request runs for a user. Its first use writes an entry to the audit log with its
    purpose and the module that built it (inside the process's transaction, so that a
    run that fails and leaves nothing behind leaves no entry either); what the process
    then does, it records itself (the demo generator writes one entry per run, a linkage
    officer's merge one per child).
    """

    def __init__(self, purpose: str, *, request: HttpRequest | None = None) -> None:
        if not purpose.strip():
            raise ValueError("A process says what it opens the whole index for.")
        self.purpose = purpose
        self._request = request
        self._built_by = sys._getframe(1).f_globals.get("__name__", "")
        self._recorded = False

    def _use(self) -> None:
        """Record the opening of the index, once, at the first use."""
        if self._recorded:
            return
        audit.record(
            AuditAction.SYSTEM_ACCESS,
            request=self._request,
            object_type="system_access",
            purpose=self.purpose[:500],
            detail={"module": self._built_by},
        )
        self._recorded = True

    def children(self) -> QuerySet[Child]:
        self._use()
        return Child.objects.all()

    def source_records(self) -> QuerySet[SourceRecord]:
        self._use()
        return SourceRecord.objects.all()

    def events(self) -> QuerySet[ChildEvent]:
        self._use()
        return ChildEvent.objects.all()

    def panel_entries(self) -> QuerySet[PanelChild]:
        self._use()
        return PanelChild.objects.all()

    def candidates(self) -> QuerySet[LinkCandidate]:
        self._use()
        return LinkCandidate.objects.all()

    def identity_changes(self) -> QuerySet[IdentityChange]:
        self._use()
        return IdentityChange.objects.all()

    def versions(self) -> QuerySet[SourceRecordVersion]:
        """Source records as they were before an import changed them."""
        self._use()
        return SourceRecordVersion.objects.all()

    def create_rows(self, objects: Sequence[_Row]) -> Sequence[_Row]:
        """Insert many new rows of one child-level model and set their primary keys.

        On PostgreSQL the keys are drawn from the table's sequence and the rows written
        with COPY: Django's bulk_create turns every column into an array in Python first,
        most of the time a first linkage spends making its 400,000 children. SQLite's
        multi-row INSERT is quick already, so there it is bulk_create.
        """
        if not objects:
            return objects
        self._use()
        model = type(objects[0])
        if not getattr(model, "child_level", False):
            raise ValueError(f"{model.__name__} is not a child-level model.")
        alias = router.db_for_write(model)
        connection = connections[alias]
        if connection.vendor != "postgresql":
            return model._default_manager.bulk_create(objects, batch_size=5000)
        meta = model._meta
        pk = meta.pk
        fields = [field for field in meta.concrete_fields if not field.primary_key]
        quote = connection.ops.quote_name
        names = ", ".join(quote(str(field.column)) for field in (pk, *fields))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(objects)],
            )
            keys = [key for (key,) in cursor.fetchall()]
            with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({names}) FROM STDIN") as copy:
                for row, key in zip(objects, keys, strict=True):
                    row.pk = key
                    copy.write_row(
                        [
                            key,
                            *(
                                field.get_db_prep_save(field.pre_save(row, True), connection)
                                for field in fields
                            ),
                        ]
                    )
        for row in objects:
            row._state.adding, row._state.db = False, alias
        return objects

    def update_rows(
        self, model: type[ChildLevel], fields: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> int:
        """Set `fields` on many rows of a child-level model; each row is (pk, *values).

        The rows go into a temporary table (COPY on PostgreSQL) and one UPDATE … FROM
        sets them all, for processes that change hundreds of thousands of rows at once
        (linkage, identity). QuerySet.bulk_update builds a CASE per field and row in
        Python (minutes at 100,000 rows); an UPDATE per row costs a round trip and a
        statement each (most of a first linkage of a million records on PostgreSQL,
        bench/bench_linkage.py). Returns the rows given.
        """
        if not getattr(model, "child_level", False):
            raise ValueError(f"{model.__name__} is not a child-level model.")
        self._use()
        connection = connections[router.db_for_write(model)]
        quote = connection.ops.quote_name
        meta = model._meta
        pk = meta.pk
        columns = [cast("Field[Any, Any]", meta.get_field(name)) for name in fields]
        table, temporary = quote(meta.db_table), quote(f"rows_for_{meta.db_table}")
        names = [f"c{i}" for i in range(len(columns))]
        definition = ", ".join(
            [
                f"pk {pk.rel_db_type(connection)} PRIMARY KEY",
                *(
                    f"{name} {column.db_type(connection)}"
                    for name, column in zip(names, columns, strict=True)
                ),
            ]
        )
        postgres = connection.vendor == "postgresql"
        insert = "INSERT INTO {} VALUES ({})".format(  # noqa: S608 - names from the model
            temporary, ", ".join(["%s"] * (len(columns) + 1))
        )
        done = 0
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {temporary}")
            cursor.execute(f"CREATE TEMPORARY TABLE {temporary} ({definition})")
            batch: list[list[Any]] = []

            def write() -> None:
                if postgres:
                    with cursor.cursor.copy(f"COPY {temporary} FROM STDIN") as copy:
                        for row in batch:
                            copy.write_row(row)
                else:
                    cursor.executemany(insert, batch)

            for key, *values in rows:
                batch.append(
                    [
                        key,
                        *(
                            column.get_db_prep_save(value, connection)
                            for column, value in zip(columns, values, strict=True)
                        ),
                    ]
                )
                if len(batch) == 5000:
                    write()
                    done += len(batch)
                    batch = []
            if batch:
                write()
                done += len(batch)
            if done:
                # UPDATE … FROM: SET names the target's columns bare (SQLite 3.33 or later).
                sets = ", ".join(
                    f"{quote(str(column.column))} = {temporary}.{name}"
                    for name, column in zip(names, columns, strict=True)
                )
                cursor.execute(
                    f"UPDATE {table} SET {sets} FROM {temporary} "  # noqa: S608
                    f"WHERE {table}.{quote(str(pk.column))} = {temporary}.pk"
                )
            cursor.execute(f"DROP TABLE {temporary}")
        return done


def system_rows(system: SystemAccess, model: type[_Row]) -> QuerySet[_Row]:
    """Every row of a child-level model, for a system process that acts for no user
    (making episodes from imported events, sending due notices, the demo, a benchmark);
    the process writes its own audit entry."""
    system._use()
    return _child_row_model(model)._default_manager.all()
