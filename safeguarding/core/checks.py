"""Deployment checks (`safeguarding check --deploy`) of the database role and the audit
log's checkpoints: the two things that keep the log from being rewritten unseen."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError, connections


@register(Tags.security, deploy=True)
def check_database_role(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """The app must not connect as a superuser or as the owner of the tables."""
    from safeguarding.core import dbroles

    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            problems = dbroles.connection_problems(cursor)
            cursor.execute("SELECT current_user")
            role = cursor.fetchone()[0]
    except DatabaseError as error:
        return [
            Warning(
                f"Could not check the database role the app connects as: {error}",
                id="safeguarding.W002",
            )
        ]
    if not problems:
        return []
    return [
        Warning(
            f"The app connects to PostgreSQL as {role!r}, which is {' and '.join(problems)}: "
            "it could change or empty the audit log, or drop its trigger.",
            hint=(
                "Connect the app (DATABASE_URL) as a role that owns nothing, with the owner "
                "in DATABASE_OWNER_URL for migrations only, and run `safeguarding db_roles`: "
                "see docs/security.md, 'Two database roles'."
            ),
            id="safeguarding.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_audit_checkpoints(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if getattr(settings, "AUDIT_CHECKPOINT_DIR", None) is not None:
        return []
    return [
        Warning(
            "SAFEGUARDING_AUDIT_CHECKPOINT_DIR is not set: the audit log is not anchored "
            "outside the database, so a recomputed chain or a deleted end would pass "
            "`audit verify`.",
            hint="Set it to a folder the database cannot reach and schedule "
            "`safeguarding audit checkpoint` (docs/security.md).",
            id="safeguarding.W003",
        )
    ]
