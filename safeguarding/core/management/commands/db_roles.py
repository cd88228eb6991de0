"""`safeguarding db_roles`: make the app's PostgreSQL role and give it exactly its privileges.

Runs as the owner (DATABASE_OWNER_URL). Creates DATABASE_URL's role if it does not exist
(LOGIN, with DATABASE_URL's password; the owner needs CREATEROLE for that, else a DBA
creates it), then grants. `migrate` does the granting by itself after every migration;
this command is for the first set-up and for `--sql`, which prints the statements.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from safeguarding.core import dbroles


class Command(BaseCommand):
    help = "Create the app's restricted PostgreSQL role if missing and grant its privileges."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sql", action="store_true", help="print the grants instead of running them"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connections["default"].vendor != "postgresql":
            raise CommandError("Database roles are for PostgreSQL; SQLite has one user.")
        if not dbroles.is_separate():
            raise CommandError(
                "Set DATABASE_OWNER_URL to the owner of the tables and DATABASE_URL to the "
                "app's own role (a different one): see docs/security.md."
            )
        app_role = dbroles.app_role_name()
        with dbroles.as_owner() as owner, owner.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database(), current_schema()")
            owner_role, database, schema = cursor.fetchone()
            if options["sql"]:
                cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [dbroles.ANALYZE_FUNCTION])
                has_analyze = cursor.fetchone()[0]
                for statement in dbroles.privilege_statements(
                    app_role,
                    owner_role,
                    database,
                    schema,
                    has_analyze,
                    dbroles.existing_tables(cursor),
                ):
                    self.stdout.write(statement + ";")
                return
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app_role])
            if cursor.fetchone() is None:
                password = str(connections["default"].settings_dict.get("PASSWORD") or "")
                try:
                    cursor.execute(
                        f"CREATE ROLE {dbroles._ident(app_role)} LOGIN NOSUPERUSER NOCREATEDB "
                        "NOCREATEROLE NOINHERIT" + (" PASSWORD %s" if password else ""),
                        [password] if password else None,
                    )
                except Exception as error:
                    raise CommandError(
                        f"Could not create the role {app_role!r} as {owner_role!r} ({error}). "
                        "Ask a database administrator to create it with LOGIN and a password."
                    ) from None
                self.stdout.write(f"Created the role {app_role}.")
        try:
            dbroles.grant_app_privileges()
        except PermissionError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{app_role} may read and write the hub's tables, and only read and add to "
                f"the audit log; {owner_role} owns them."
            )
        )
