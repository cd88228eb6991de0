"""The partnership data set: indicators, the values agencies submit, comparators, and the
partnership officers' spotlight topics and commentary.

Only aggregates live here: counts, rates and percentages per period. No row names or
points at a child, so analysts and executives can read all of it
(docs/decisions/0031-insight-aggregates-and-spc.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from django.db import models
from django.utils import timezone

from safeguarding.core.models import Agency, Priority, SubGroup, User
from safeguarding.insight.periods import Frequency, Period
from safeguarding.insight.spc import Direction


class Unit(models.TextChoices):
    COUNT = "count", "Count"
    RATE = "rate_10000", "Rate per 10,000 children"
    PERCENTAGE = "percentage", "Percentage"
    DAYS = "days", "Days"


class BetterDirection(models.TextChoices):
    UP = Direction.UP.value, "Higher is better"
    DOWN = Direction.DOWN.value, "Lower is better"
    NEITHER = Direction.NEITHER.value, "Neither: watch for change"


class FrequencyChoice(models.TextChoices):
    MONTHLY = Frequency.MONTHLY.value, "Monthly"
    QUARTERLY = Frequency.QUARTERLY.value, "Quarterly"


class Indicator(models.Model):
    """One measure in the partnership's data set, as the catalogue defines it."""

    code = models.SlugField(
        max_length=60, unique=True, help_text="Short code used in templates, the API and exports."
    )
    title = models.CharField(max_length=200)
    definition = models.TextField(help_text="What is counted, from which system, and when.")
    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.COUNT)
    numerator = models.CharField(
        max_length=200, blank=True, help_text="For rates and percentages: what is counted."
    )
    denominator = models.CharField(
        max_length=200, blank=True, help_text="For rates and percentages: out of what."
    )
    better_direction = models.CharField(
        max_length=10, choices=BetterDirection.choices, default=BetterDirection.NEITHER
    )
    frequency = models.CharField(
        max_length=10, choices=FrequencyChoice.choices, default=FrequencyChoice.MONTHLY
    )
    # Which agency submits the values; blank with `computed` set means the hub works them
    # out from its own record-level modules.
    source_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="indicators"
    )
    computed = models.BooleanField(
        default=False, help_text="Worked out by the hub from its own records, not submitted."
    )
    # A count of events adds up over a year; a count taken at each period's end (children
    # on a register) or of distinct children in a period does not, so no total is shown.
    summable = models.BooleanField(
        default=True,
        help_text="Untick for a count taken at each period's end, or of distinct children "
        "in a period: its periods do not add up to a year's figure.",
    )
    sub_group = models.ForeignKey(
        SubGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="indicators"
    )
    priority = models.ForeignKey(
        Priority, on_delete=models.SET_NULL, null=True, blank=True, related_name="indicators"
    )
    target = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # The limits are recalculated from this period on (a change in the process: a new
    # service, a new definition), as Making Data Count advises.
    rebase_from = models.DateField(
        null=True, blank=True, help_text="Recalculate the limits from the period starting on."
    )
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def direction(self) -> Direction:
        return Direction(self.better_direction)

    def period(self, start: dt.date) -> Period:
        return Period(start, Frequency(self.frequency))


class Channel(models.TextChoices):
    FORM = "form", "Form"
    UPLOAD = "upload", "Template upload"
    API = "api", "API"
    COMPUTED = "computed", "Computed by the hub"
    DEMO = "demo", "Demo data"


class Submission(models.Model):
    """An agency's value of an indicator for a period. Corrections keep the old value."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="submissions")
    period_start = models.DateField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="submissions")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["indicator", "period_start"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["indicator", "period_start", "agency"], name="one_value_per_agency_period"
            )
        ]
        # Series are read by indicator in period order; the late list by agency and period.
        indexes: ClassVar = [models.Index(fields=["agency", "period_start"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_start}: {self.value}"

    @property
    def period(self) -> Period:
        return self.indicator.period(self.period_start)

    @property
    def was_late(self) -> bool:
        return timezone.localdate(self.submitted_at) > self.period.due


class Correction(models.Model):
    """The value a submission held before a correction, who changed it, and why."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="corrections")
    old_value = models.DecimalField(max_digits=14, decimal_places=2)
    old_numerator = models.PositiveIntegerField(null=True, blank=True)
    old_denominator = models.PositiveIntegerField(null=True, blank=True)
    new_value = models.DecimalField(max_digits=14, decimal_places=2)
    reason = models.TextField()
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-at"]

    def __str__(self) -> str:
        return f"{self.old_value} → {self.new_value}"


class Reminder(models.Model):
    """A reminder sent to an agency for a missing value, so none is sent twice a day."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="reminders")
    period_start = models.DateField()
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    recipients = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["-sent_on"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["indicator", "period_start", "agency", "sent_on"],
                name="one_reminder_a_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_start} → {self.agency.code}"


class ComparatorKind(models.TextChoices):
    ENGLAND = "england", "England"
    REGION = "region", "Region"
    NEIGHBOURS = "statistical_neighbours", "Statistical neighbours"


class Comparator(models.Model):
    """A published figure to compare an indicator with, for a financial year."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="comparators")
    kind = models.CharField(max_length=30, choices=ComparatorKind.choices)
    year = models.PositiveSmallIntegerField(help_text="Financial year, by its first year.")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering: ClassVar = ["indicator", "-year", "kind"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["indicator", "kind", "year"], name="one_comparator")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.kind} {self.year}: {self.value}"


class Commentary(models.Model):
    """A partnership officer's words on an indicator for a period, shown beside its chart."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="commentary")
    period_start = models.DateField()
    text = models.TextField()
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-period_start"]
        verbose_name_plural = "commentary"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["indicator", "period_start"], name="one_commentary_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_start}"


class Spotlight(models.Model):
    """A topic the data set points to, taken to a sub-group with experts to look closer."""

    title = models.CharField(max_length=200)
    summary = models.TextField()
    year = models.PositiveSmallIntegerField(help_text="Financial year, by its first year.")
    sub_group = models.ForeignKey(
        SubGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="spotlights"
    )
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="spotlights")
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-year", "title"]

    def __str__(self) -> str:
        return self.title


def as_decimal(value: float | int | str | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


class DisclosureYear(models.Model):
    """The one disclosure policy of a financial year, used by every output for the year:
    the data set's CSVs, the annual report, its tables and charts
    (docs/decisions/0068-protection-across-linked-tables.md). A year with no row follows
    the DfE policy. Once the year's report is published the policy is fixed: the same
    table under two policies gives hidden counts away."""

    year = models.PositiveSmallIntegerField(unique=True)
    policy = models.CharField(max_length=3, default="dfe")
    fixed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.year}: {self.policy}"
