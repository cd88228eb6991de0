"""The child index: one child, and what each agency holds about them.

Every model here is child-level: it is read and changed only through the helper family
in core/access.py (a test in core/tests/test_access_boundary.py enforces it). The child
index issue adds linkage, chronology and imports on top of these.
"""

from __future__ import annotations

import secrets
import uuid
from typing import ClassVar

from django.db import models
from django.utils import timezone

from safeguarding.core.models import Agency, Panel, User

PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_pseudonym() -> str:
    """A stable, non-identifying reference for analysts: C- and eight characters."""
    return "C-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(8))


class ChildLevel(models.Model):
    """Marker for models holding data about an identifiable child."""

    child_level: ClassVar[bool] = True

    class Meta:
        abstract = True


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    OTHER = "X", "Other"
    UNKNOWN = "U", "Not known"


class Child(ChildLevel):
    """One child as the partnership sees them, linked from the agencies' records.

    The name and date of birth here are the linkage's best view of the child. URLs carry
    the public id, never the sequential key, so children cannot be counted or guessed.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pseudonym = models.CharField(max_length=12, unique=True, default=new_pseudonym, editable=False)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["family_name", "given_name"]
        verbose_name_plural = "children"

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or "Name not known"


class SourceRecord(ChildLevel):
    """An agency's own record of a child, under the agency's own id (rule (a))."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="source_records")
    record_id = models.CharField(max_length=100, help_text="The agency's own id for the person.")
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, null=True, blank=True, related_name="source_records"
    )
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    postcode = models.CharField(max_length=10, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["agency__name", "record_id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["agency", "record_id"], name="one_record_per_agency_id")
        ]
        # The involvement rule asks "which children does this agency hold records for".
        indexes: ClassVar = [models.Index(fields=["agency", "child"])]

    def __str__(self) -> str:
        return f"{self.agency.code}:{self.record_id}"


class ChildEvent(ChildLevel):
    """Something an agency recorded about a child: a line of the chronology."""

    source_record = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="events")
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="child_events")
    event_type = models.CharField(max_length=60)
    occurred_at = models.DateTimeField()
    summary = models.TextField(blank=True)
    # Restricted entries (police intelligence, for one) are seen only by the source
    # agency and the members of a panel that has the child on its list.
    restricted = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-occurred_at"]
        indexes: ClassVar = [
            models.Index(fields=["child", "-occurred_at"]),
            models.Index(fields=["agency", "child"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} on {self.occurred_at:%Y-%m-%d}"


class PanelChild(ChildLevel):
    """A child on a panel's list: the panel's members may see them (rule (b))."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="list_entries")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="panel_entries")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-added_at"]
        indexes: ClassVar = [models.Index(fields=["panel", "child", "removed_at"])]

    def __str__(self) -> str:
        return f"{self.child_id} on {self.panel}"
