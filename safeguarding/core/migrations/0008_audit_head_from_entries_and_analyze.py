"""The audit chain's head is its last entry: no AuditHead row for the app to UPDATE.

And on PostgreSQL, `safeguarding_analyze(regclass)`: ANALYZE needs the table's owner
(before PostgreSQL 17), and the app's role owns nothing, so the import refreshes
statistics through this function, which runs as the owner and can do nothing else.
See docs/decisions/0057-two-database-roles-and-audit-checkpoints.md.
"""

from django.db import migrations

CREATE_ANALYZE = """
CREATE OR REPLACE FUNCTION safeguarding_analyze(target regclass) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    EXECUTE format('ANALYZE %s', target);
END;
$$;
REVOKE ALL ON FUNCTION safeguarding_analyze(regclass) FROM PUBLIC;
"""

DROP_ANALYZE = "DROP FUNCTION IF EXISTS safeguarding_analyze(regclass);"


def create_analyze(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_ANALYZE, params=None)


def drop_analyze(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_ANALYZE, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_dsl_role_share_and_notice")]

    operations = [
        migrations.DeleteModel(name="AuditHead"),
        migrations.RunPython(create_analyze, drop_analyze),
    ]
