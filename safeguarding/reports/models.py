"""The annual report: one per financial year, its sections, their narrative with history,
and the year's entries that no module holds (docs/decisions/0049-report-model.md).

A section's figures are not stored: they are worked out from the modules each time the
report is drawn (blocks.py), until the report is published. Publishing freezes them: the
report keeps a snapshot of every figure and every section's text as published, and is
drawn from that snapshot from then on.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from safeguarding.core.calendar import year_label
from safeguarding.core.disclosure import POLICY_LABELS, Policy
from safeguarding.core.models import Agency


def year_slug(year: int) -> str:
    """2024 → "2024-25", the year in a URL and on the command line."""
    return f"{year}-{(year + 1) % 100:02d}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class AnnualReport(models.Model):
    """The partnership's annual report for a financial year (2024 means April 2024 to March
    2025)."""

    year = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    status = models.CharField(
        max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set when published: {"sections": [...as drawn...], "figures": {key: shown value}}.
    snapshot = models.JSONField(null=True, blank=True)
    # How the counts of children are controlled (DOMAIN.md): the DfE rule by default, the
    # NHS one where the partnership publishes with its health partners' rule.
    disclosure_policy = models.CharField(
        max_length=3,
        choices=[(policy.value, label) for policy, label in POLICY_LABELS.items()],
        default=Policy.DFE.value,
    )

    class Meta:
        ordering: ClassVar = ["-year"]

    def __str__(self) -> str:
        return f"Annual report {self.label}"

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def slug(self) -> str:
        return year_slug(self.year)

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED


class Section(models.Model):
    """One section of a report, in the reference report's order. `blocks` names the data
    blocks drawn under the narrative (blocks.REGISTRY), with their arguments."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField()
    blocks = models.JSONField(default=list, blank=True)

    class Meta:
        ordering: ClassVar = ["order"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["report", "key"], name="one_section_key_per_report")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def current(self) -> NarrativeVersion | None:
        versions = list(self.versions.all())
        return versions[0] if versions else None


class NarrativeVersion(models.Model):
    """One saved version of a section's text, in Markdown. The newest is the section's
    text; the older ones are its history (nothing is overwritten)."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="versions")
    text = models.TextField(blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    saved_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-saved_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.section} at {self.saved_at:%Y-%m-%d %H:%M}"


# --- The year's entries that no module holds -------------------------------------------


class AreaFigure(models.Model):
    """A public health figure about the area's children ("the children of the area in
    numbers"), imported from a CSV of public health indicators."""

    year = models.PositiveSmallIntegerField()
    group = models.CharField(max_length=120, help_text="The heading it is shown under.")
    indicator = models.CharField(max_length=300)
    value = models.DecimalField(max_digits=12, decimal_places=3)
    unit = models.CharField(max_length=20, help_text="percentage, rate_1000, count or number")
    period = models.CharField(max_length=40, blank=True, help_text="The figure's own period.")
    source = models.CharField(max_length=200, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["year", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


class YearEntries(models.Model):
    """The year's communication statistics and who met the finance deficit (or kept the
    surplus): figures entered once a year by the partnership officer."""

    year = models.PositiveSmallIntegerField(unique=True)
    social_followers = models.PositiveIntegerField(null=True, blank=True)
    social_platform = models.CharField(max_length=60, blank=True, default="X (formerly Twitter)")
    newsletter_subscribers = models.PositiveIntegerField(null=True, blank=True)
    website_visits_per_month = models.PositiveIntegerField(null=True, blank=True)
    website_visits_change = models.IntegerField(
        null=True, blank=True, help_text="Change in visits a month on the previous year."
    )
    balance_met_by = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The month the young carers' figures are compared from (the reference: June 2023).
    young_carers_baseline = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Entries {year_label(self.year)}"


class FinanceKind(models.TextChoices):
    CONTRIBUTION = "contribution", "Contribution"
    IN_KIND = "in_kind", "Contribution in kind"
    SPEND = "spend", "Spend"


class FinanceLine(models.Model):
    """One line of the year's budget: a partner's contribution, a contribution in kind
    (not counted in the balance), or a heading of spend."""

    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=FinanceKind.choices)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    label = models.CharField(max_length=200)
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering: ClassVar = ["year", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"


class DeathCategory(models.IntegerChoices):
    """The child death review categories (DOMAIN.md)."""

    ABUSE = 1, "Deliberately inflicted injury, abuse or neglect"
    SUICIDE = 2, "Suicide or deliberate self-inflicted harm"
    TRAUMA = 3, "Trauma and other external factors"
    MALIGNANCY = 4, "Malignancy"
    ACUTE = 5, "Acute medical or surgical condition"
    CHRONIC = 6, "Chronic medical condition"
    CONGENITAL = 7, "Chromosomal, genetic and congenital anomalies"
    PERINATAL = 8, "Perinatal or neonatal event"
    INFECTION = 9, "Infection"
    SUDDEN = 10, "Sudden unexpected, unexplained death"


class ChildDeathCount(models.Model):
    """Reviews completed by the child death overview panel in the year, by category and by
    whether modifiable factors were found."""

    year = models.PositiveSmallIntegerField()
    category = models.PositiveSmallIntegerField(choices=DeathCategory.choices)
    modifiable = models.PositiveIntegerField(default=0)
    not_modifiable = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["year", "category"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["year", "category"], name="one_death_count_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"{year_label(self.year)} category {self.category}"


class ReportFile(models.Model):
    """A published report as a file (PDF, Word or HTML), built once when the report is
    published and served from storage from then on, so that no reader's request builds a
    document (docs/decisions/0055-published-files-and-public-limits.md). A report
    published before files were kept gets its file on the first request for it."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="files")
    fmt = models.CharField(max_length=8)
    # Under MEDIA_ROOT, which has no URL: the file is served by the download view only.
    file = models.FileField(upload_to="reports/")
    size = models.PositiveIntegerField()
    built_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["report", "fmt"], name="one_file_per_report_format")
        ]

    def __str__(self) -> str:
        return f"{self.report} ({self.fmt})"


@receiver(post_delete, sender=ReportFile)
def _remove_the_file(sender: Any, instance: ReportFile, **kwargs: Any) -> None:
    """A kept file goes from storage with its row, once the deletion is committed (a
    rolled-back deletion keeps both)."""
    name, storage = str(instance.file.name or ""), instance.file.storage

    def remove() -> None:
        # Not if a file built since under the same name (one that had gone from storage
        # and was built again) is kept in its place.
        if not ReportFile.objects.filter(file=name).exists():
            storage.delete(name)

    if name:
        transaction.on_commit(remove)
