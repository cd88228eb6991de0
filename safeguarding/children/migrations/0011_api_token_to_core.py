"""API tokens move to core (decision 0063): the child index forgets the model, the table
stays (core's ApiToken names it), and the content type follows the model, so that
anything keyed by it (permissions) keeps pointing at the tokens."""

from django.db import migrations


def move_content_type(apps, schema_editor):  # type: ignore[no-untyped-def]
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not content_type.objects.using(db).filter(app_label="core", model="apitoken").exists():
        content_type.objects.using(db).filter(app_label="children", model="apitoken").update(
            app_label="core"
        )


def move_content_type_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not content_type.objects.using(db).filter(app_label="children", model="apitoken").exists():
        content_type.objects.using(db).filter(app_label="core", model="apitoken").update(
            app_label="children"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0010_hand_entered_records"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0010_api_token_from_children"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ApiToken")],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back, elidable=True),
    ]
