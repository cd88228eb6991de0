"""The shipped list of learning themes and a starting audit tool: data, editable afterwards."""

from __future__ import annotations

from typing import Any

from django.db import migrations

THEMES = (
    "Non-accidental injury to under ones",
    "Domestic abuse",
    "Parental mental health",
    "Parental substance misuse",
    "Engagement of fathers and male carers",
    "Neurodiversity",
    "Housing",
    "Transfer between local authorities",
    "Allegations against people in positions of trust",
    "Sexual abuse",
    "Response to emergency calls and hospital attendance",
    "Child exploitation",
    "Serious youth violence",
    "Neglect",
    "Voice of the child",
    "Information sharing",
)

QUESTIONS = "\n".join(
    (
        "Was the child seen, and seen alone, as often as the plan said?",
        "Is the child's voice and lived experience recorded in their own words?",
        "Did agencies share what they knew on time, with the right people?",
        "Were fathers and other significant adults known and involved?",
        "Was the risk assessed and reviewed when circumstances changed?",
        "What difference did the help make to the child?",
    )
)


def ship(apps: Any, schema_editor: Any) -> None:
    Theme = apps.get_model("learning", "Theme")
    for name in THEMES:
        Theme.objects.get_or_create(name=name)
    AuditTemplate = apps.get_model("learning", "AuditTemplate")
    AuditTemplate.objects.get_or_create(
        name="Multi-agency case audit", defaults={"questions": QUESTIONS}
    )


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
