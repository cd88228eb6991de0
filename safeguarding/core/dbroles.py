"""Two PostgreSQL roles: the owner of the tables, and the app that owns nothing.

The app (DATABASE_URL) may read and write every table it needs, but may only SELECT
and INSERT into the audit log: no UPDATE, DELETE or TRUNCATE, and as a non-owner it
cannot drop the append-only trigger either. Migrations, the test flush and the cache
table's creation run as the owner (DATABASE_OWNER_URL), and after every migration the
owner grants the app exactly its privileges again, so new tables are covered
(docs/decisions/0057-two-database-roles-and-audit-checkpoints.md).

With no DATABASE_OWNER_URL, or on SQLite, there is one connection and all of this is
a no-op: the demo and development work as before.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

# Tables the app may read and add to, never change, empty or delete from.
APPEND_ONLY_TABLES = ("core_auditentry",)
# Tables the app may only read: the migration history is the owner's.
READ_ONLY_TABLES = ("django_migrations",)
# ANALYZE needs the table's owner (before PostgreSQL 17's MAINTAIN privilege): the import
# refreshes statistics through this function, which runs as its owner (core 0008).
ANALYZE_FUNCTION = "safeguarding_analyze(regclass)"

OWNER_CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


def owner_settings() -> dict[str, Any] | None:
    """The owner's connection settings, or None when the app has only one role."""
    owner: dict[str, Any] | None = getattr(settings, "DATABASE_OWNER", None)
    return owner or None


def is_separate(connection: BaseDatabaseWrapper | None = None) -> bool:
    """Whether the app connects as its own role, with the owner configured apart."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    owner = owner_settings()
    return bool(
        owner
        and connection.vendor == "postgresql"
        and connection.alias == DEFAULT_DB_ALIAS
        and owner.get("USER") != app_role_name()
    )


def app_role_name() -> str:
    return str(settings.DATABASES[DEFAULT_DB_ALIAS].get("USER") or "")


@contextmanager
def as_owner(alias: str = DEFAULT_DB_ALIAS) -> Iterator[BaseDatabaseWrapper]:
    """Inside, `connections[alias]` (and so django.db.connection) is the owner's, in this
    thread only; the app's own connection is untouched and comes back afterwards."""
    app = connections[alias]
    if not is_separate(app) or getattr(app, "safeguarding_owner", False):
        yield app
        return
    owner_dict = dict(app.settings_dict)
    owner_dict.update({key: owner_settings_value(key) for key in OWNER_CREDENTIALS})
    owner = load_backend(owner_dict["ENGINE"]).DatabaseWrapper(owner_dict, alias)
    owner.safeguarding_owner = True
    connections[alias] = owner
    try:
        yield owner
    finally:
        owner.close()
        connections[alias] = app


def owner_settings_value(key: str) -> Any:
    owner = owner_settings() or {}
    return owner.get(key, "")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def privilege_statements(
    app_role: str,
    owner_role: str,
    database: str,
    schema: str,
    has_analyze: bool,
    existing: Collection[str] | None = None,
) -> list[str]:
    """What the owner runs, in one transaction, to give the app exactly its privileges.

    `existing`: which of the named tables exist (all if None); before the first migration
    none do, and the schema-wide statements and default privileges are enough."""
    app, owner, schema_q = _ident(app_role), _ident(owner_role), _ident(schema)
    statements = [
        f"GRANT CONNECT, TEMPORARY ON DATABASE {_ident(database)} TO {app}",
        f"GRANT USAGE ON SCHEMA {schema_q} TO {app}",
        # Start from nothing, so a privilege given by hand or by an older version goes.
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema_q} FROM {app}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema_q} FROM {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema_q} TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema_q} TO {app}",
        # Tables made later by the owner (createcachetable, a new migration before this
        # runs again) are usable at once; the append-only ones are narrowed below.
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema_q} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema_q} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ]

    def present(table: str) -> bool:
        return existing is None or table in existing

    for table in filter(present, APPEND_ONLY_TABLES):
        qualified = f"{schema_q}.{_ident(table)}"
        statements += [
            f"REVOKE ALL ON {qualified} FROM PUBLIC",
            f"REVOKE ALL ON {qualified} FROM {app}",
            f"GRANT SELECT, INSERT ON {qualified} TO {app}",
        ]
    for table in filter(present, READ_ONLY_TABLES):
        qualified = f"{schema_q}.{_ident(table)}"
        statements += [
            f"REVOKE ALL ON {qualified} FROM {app}",
            f"GRANT SELECT ON {qualified} TO {app}",
        ]
    if has_analyze:
        statements += [
            f"REVOKE ALL ON FUNCTION {schema_q}.{ANALYZE_FUNCTION} FROM PUBLIC",
            f"GRANT EXECUTE ON FUNCTION {schema_q}.{ANALYZE_FUNCTION} TO {app}",
        ]
    return statements


def grant_app_privileges(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """As the owner, give the app role exactly its privileges; returns the statements.

    Refuses an app role that is a superuser, or that is (or is a member of) the owner:
    such a role could undo every refusal here.
    """
    from django.db import transaction

    app_role = app_role_name()
    with as_owner(alias) as owner, owner.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, current_database(), current_schema(), "
            "to_regprocedure(%s) IS NOT NULL",
            [f"{ANALYZE_FUNCTION}"],
        )
        owner_role, database, schema, has_analyze = cursor.fetchone()
        problem = app_role_problem(cursor, app_role, owner_role)
        if problem:
            raise PermissionError(problem)
        statements = privilege_statements(
            app_role, owner_role, database, schema, has_analyze, existing_tables(cursor)
        )
        with transaction.atomic(using=alias):
            for statement in statements:
                cursor.execute(statement)
    return statements


def existing_tables(cursor: Any) -> set[str]:
    """Which of the append-only and read-only tables exist in the current schema."""
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename = ANY(%s)",
        [list(APPEND_ONLY_TABLES + READ_ONLY_TABLES)],
    )
    return {row[0] for row in cursor.fetchall()}


def app_role_problem(cursor: Any, app_role: str, owner_role: str) -> str | None:
    """Why `app_role` would not be restricted, or None."""
    cursor.execute(
        "SELECT rolsuper, pg_has_role(%s, %s, 'MEMBER') FROM pg_roles WHERE rolname = %s",
        [app_role, owner_role, app_role],
    )
    row = cursor.fetchone()
    if row is None:
        return f"The app's database role {app_role!r} does not exist: run `safeguarding db_roles`."
    superuser, member = row
    if superuser:
        return f"The app's database role {app_role!r} is a superuser: it must not be."
    if member:
        return (
            f"The app's database role {app_role!r} is, or is a member of, the owner "
            f"{owner_role!r}: it must be a separate role."
        )
    return None


def on_post_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """After every migrate (and test flush), as the owner: the app's privileges again."""
    if sender.label != "core" or not is_separate(connections[using]):
        return
    grant_app_privileges(using)


def connection_problems(cursor: Any) -> list[str]:
    """What is wrong with the role this cursor's connection runs as, for the app.

    A superuser, or the owner of any of the app's tables, can change or empty the
    audit log and drop its trigger."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    problems = []
    if row and row[0]:
        problems.append("superuser")
    cursor.execute(
        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
        "AND pg_has_role(current_user, tableowner, 'MEMBER')"
    )
    owned = cursor.fetchone()[0]
    if owned:
        problems.append(f"the owner of {owned} table{'s' if owned != 1 else ''}")
    return problems
