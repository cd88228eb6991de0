"""Each report's disclosure policy becomes its year's one policy (insight.DisclosureYear),
fixed for a published report (docs/decisions/0068-protection-across-linked-tables.md)."""

from django.db import migrations


def copy_policies(apps, schema_editor):
    AnnualReport = apps.get_model("reports", "AnnualReport")
    DisclosureYear = apps.get_model("insight", "DisclosureYear")
    for report in AnnualReport.objects.all():
        DisclosureYear.objects.update_or_create(
            year=report.year,
            defaults={
                "policy": report.disclosure_policy,
                "fixed": report.status == "published",
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_report_files"),
        ("insight", "0003_disclosure_year"),
    ]

    operations = [migrations.RunPython(copy_policies, migrations.RunPython.noop)]
