"""The set-based SQL of a persons load: which staged rows are new or changed, inserting
the new, putting right what was inserted before the whole file was known, and writing the
changed records with their history (step 5 of docs/decisions/0019)."""

from __future__ import annotations

from typing import Any

from safeguarding.children.dates import Order
from safeguarding.children.identity import refresh_children
from safeguarding.children.imports.columns import IDENTITY_FIELDS
from safeguarding.children.imports.run import Run
from safeguarding.children.imports.staging import ROWS, table_name


def attributes(
    run: Run,
) -> tuple[str | None, list[str]]:
    """The SQL building a staged row's attributes object, and its parameters (the
    headers); None when the file has no extra columns. Built by the database, not
    per row in Python, for speed."""
    if not run.columns.extras:
        return None, []
    cast = "::text" if run.sql.postgres else ""
    pairs = [(f"%s{cast}", f"s.extra_{i}") for i in range(len(run.columns.extras))]
    return run.sql.json_build(pairs), [header for _, header in run.columns.extras]


def changes_sql(
    run: Run, name: str, changes: str, records: str, present: list[str], built: str | None
) -> str:
    """Notes staged rows whose record is new (source_id NULL) or exists (and is not one
    this batch inserted) and differs in identity or attributes: one lookup of each
    row's record, and nothing more for an unchanged one. Parameters: the attributes'
    headers, the agency, the batch; ROWS stands for the rows' condition."""
    sql = run.sql
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


def insert_sql(run: Run, name: str, records: str, built: str | None, changes: str | None) -> str:
    """Inserts staged rows as new records: those `changes_sql` found new, or (when
    `changes` is None, an agency's first load) every row. Parameters: the agency, the
    attributes' headers, the batch, created_at, updated_at; ROWS stands for the rows'
    condition. A record_id twice in the file conflicts with itself: the second is
    skipped here, and both are rejected and the first removed after the pass
    (mend_inserted)."""
    sql = run.sql
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


def mend_inserted(run: Run, cursor: Any, name: str, records: str, order: Order | None) -> int:
    """Put right what the writer thread inserted before the whole file was known;
    returns how many inserted records were taken out again."""
    batch = run.batch.pk
    cursor.execute(
        f"DELETE FROM {records} WHERE agency_id = %s AND import_batch_id = %s "  # noqa: S608
        f"AND record_id IN (SELECT record_id FROM {name} WHERE bad)",
        [run.agency.pk, batch],
    )
    removed = int(cursor.rowcount)
    if order is Order.MONTH_FIRST:
        cursor.execute(
            f"UPDATE {records} SET date_of_birth = s.date_of_birth FROM {name} AS s "  # noqa: S608
            f"WHERE {records}.agency_id = %s AND {records}.import_batch_id = %s "
            f"AND {records}.record_id = s.record_id AND s.date_of_birth_alt IS NOT NULL",
            [run.agency.pk, batch],
        )
    return removed


def load(
    run: Run,
    cursor: Any,
    name: str,
    changes: str,
    records: str,
    present: list[str],
    built: str | None,
    headers: list[str],
) -> None:
    """Existing records that changed: their old values into history, then the new."""
    sql = run.sql
    now = sql.now(run.now)
    batch = run.batch.pk
    versions = table_name(run.system.versions())
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
        refresh_children(run.system, relinked_children)
