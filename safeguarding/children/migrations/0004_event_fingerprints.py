from django.db import migrations, models


def fingerprint_existing_events(apps, schema_editor):
    """Events loaded before fingerprints existed get one from their own key: unique."""
    import hashlib

    ChildEvent = apps.get_model("children", "ChildEvent")
    for event in ChildEvent.objects.filter(fingerprint="").only("pk").iterator():
        digest = hashlib.sha256(f"legacy:{event.pk}".encode()).hexdigest()
        ChildEvent.objects.filter(pk=event.pk).update(fingerprint=digest)


class Migration(migrations.Migration):
    # Apart from 0003 so that PostgreSQL does not alter a table with pending updates.
    dependencies = [("children", "0003_child_index")]

    operations = [
        migrations.RunPython(fingerprint_existing_events, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='childevent',
            constraint=models.UniqueConstraint(fields=('agency', 'fingerprint'), name='one_event_per_fingerprint'),
        ),
    ]
