"""The app's PostgreSQL role owns nothing and can only read and add to the audit log.

These run when the suite runs as the restricted role (DATABASE_URL) with the owner in
DATABASE_OWNER_URL, as .ci/run sets up; `make test` without them skips the role tests
but still runs the deploy check's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from safeguarding.core import audit, dbroles
from safeguarding.core.checks import check_audit_checkpoints, check_database_role
from safeguarding.core.models import AuditAction

pytestmark = pytest.mark.django_db

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no roles: one user, one file"
)
restricted = pytest.mark.skipif(
    not dbroles.is_separate(connection),
    reason="the suite runs as one role: set DATABASE_OWNER_URL (as .ci/run does)",
)


def refused(sql: str) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as error:
        return "permission denied" in str(error) or "must be owner" in str(error)
    return False


@postgresql
@restricted
def test_the_owner_works_in_this_workers_own_test_database() -> None:
    """Under pytest-xdist every worker has its own test database (test_<name>_gw0, ...):
    the owner that made and migrated it, and grants the app its privileges there, must be
    connected to that same database, and its settings must say so."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        app_database = cursor.fetchone()[0]
    with dbroles.as_owner() as owner, owner.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_user")
        owner_database, owner_role = cursor.fetchone()
    assert owner_role != dbroles.app_role_name()
    assert owner_database == app_database
    assert (dbroles.owner_settings() or {}).get("NAME") == app_database
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        assert app_database.endswith(f"_{worker}")


@postgresql
@restricted
def test_the_app_role_cannot_update_delete_or_truncate_the_audit_log() -> None:
    entry = audit.record(AuditAction.CHILD_VIEW, object_type="child", purpose="test")
    for sql in (
        "UPDATE core_auditentry SET purpose = 'rewritten'",
        "DELETE FROM core_auditentry",
        "TRUNCATE core_auditentry",
        "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only",
        "DROP TABLE core_auditentry",
        "INSERT INTO django_migrations (app, name, applied) VALUES ('core', 'x', now())",
        "CREATE TABLE core_auditentry_copy (id int)",
    ):
        assert refused(sql), sql
    # What it needs it can do: add to the log and read it.
    later = audit.record(AuditAction.CHILD_VIEW, object_type="child", purpose="test")
    assert later.seq == entry.seq + 1
    assert audit.verify().ok


@postgresql
@restricted
def test_the_app_role_may_read_and_write_every_other_table_and_owns_none() -> None:
    """Walks every table in the schema, so a new app's tables are covered with no new case."""
    with connection.cursor() as cursor:
        assert dbroles.connection_problems(cursor) == []
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename <> ALL(%s) AND NOT has_table_privilege(current_user, "
            "format('%%I.%%I', schemaname, tablename), 'SELECT, INSERT, UPDATE, DELETE')",
            [list(dbroles.APPEND_ONLY_TABLES + dbroles.READ_ONLY_TABLES)],
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
            "AND has_table_privilege(current_user, format('%I.%I', schemaname, tablename), "
            "'TRUNCATE')"
        )
        assert cursor.fetchone()[0] == 0


@postgresql
@restricted
def test_the_app_role_refreshes_statistics_through_the_owners_function() -> None:
    """The import ANALYZEs the records table; ANALYZE itself needs the owner."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT safeguarding_analyze('children_sourcerecord'::regclass)")
        cursor.execute(
            "SELECT relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) "
            "FROM pg_class WHERE relname = 'children_sourcerecord'"
        )
        assert cursor.fetchone()[0] is False


@postgresql
@restricted
def test_grants_refuse_an_app_role_that_could_undo_them() -> None:
    with dbroles.as_owner() as owner, owner.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner_role = cursor.fetchone()[0]
        assert dbroles.app_role_problem(cursor, owner_role, owner_role) is not None
        assert dbroles.app_role_problem(cursor, "no_such_role_here", owner_role) is not None
        assert dbroles.app_role_problem(cursor, dbroles.app_role_name(), owner_role) is None


@postgresql
def test_the_deploy_check_warns_when_the_app_connects_as_owner_or_superuser() -> None:
    """As the owner (or, with one role, the superuser the tests run as): a warning."""
    with dbroles.as_owner():
        (warning,) = check_database_role()
    assert warning.id == "safeguarding.W001"
    assert "owner of" in warning.msg or "superuser" in warning.msg
    if dbroles.is_separate(connection):
        assert check_database_role() == []


def test_the_deploy_check_says_nothing_of_roles_on_sqlite() -> None:
    if connection.vendor == "postgresql":
        pytest.skip("the PostgreSQL case is the test above")
    assert check_database_role() == []


def test_the_statements_grant_the_audit_log_only_select_and_insert() -> None:
    statements = dbroles.privilege_statements("hub_app", "hub_owner", "hub", "public", True)
    audit_grants = [s for s in statements if "core_auditentry" in s and s.startswith("GRANT")]
    assert audit_grants == ['GRANT SELECT, INSERT ON "public"."core_auditentry" TO "hub_app"']
    # The revocation comes after the schema-wide grant, so it wins.
    last_wide = max(i for i, s in enumerate(statements) if "ON ALL TABLES" in s)
    revoke = statements.index('REVOKE ALL ON "public"."core_auditentry" FROM "hub_app"')
    assert revoke > last_wide


def test_the_deploy_check_warns_when_the_log_has_no_checkpoint_folder(
    settings: Any, tmp_path: Path
) -> None:
    settings.AUDIT_CHECKPOINT_DIR = None
    (warning,) = check_audit_checkpoints()
    assert warning.id == "safeguarding.W003"
    settings.AUDIT_CHECKPOINT_DIR = tmp_path
    assert check_audit_checkpoints() == []
