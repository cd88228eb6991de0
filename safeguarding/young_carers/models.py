"""The young carers register: who was identified, for whom they care, how they are supported.

Every model here is child-level (it names a child): read and changed only through the
helpers in core/access/ ("Education and young carers"). The agency that holds a
registration is involved with the child (rule (a)), registered in apps.py.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import ClassVar

from django.db import models
from django.utils import timezone

from safeguarding.core.models import Agency, ChildLevel, User

# How long a registration may stay open before the monthly tracking meeting looks at it
# (DOMAIN.md: "oversees any young carer open more than 6 months").
OVERSIGHT_MONTHS = 6
# A registration is reviewed at least this often unless the practitioner sets a date.
DEFAULT_REVIEW_WEEKS = 12


class CaredFor(models.TextChoices):
    PARENT = "parent", "Parent or step-parent"
    SIBLING = "sibling", "Brother or sister"
    GRANDPARENT = "grandparent", "Grandparent"
    OTHER_RELATIVE = "other_relative", "Other relative"
    OTHER = "other", "Someone else"


class CareReason(models.TextChoices):
    PHYSICAL = "physical", "Physical illness or disability"
    MENTAL_HEALTH = "mental_health", "Mental ill health"
    SUBSTANCE = "substance", "Alcohol or substance misuse"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    NEURODIVERGENCE = "neurodivergence", "Autism or other neurodivergence"
    OLD_AGE = "old_age", "Frailty of old age"
    OTHER = "other", "Other"


class AssessmentKind(models.TextChoices):
    # Under 18: a young carers assessment (Children Act 1989 s17ZA); 18 to 25: a carer's
    # assessment of need as a young adult carer (Care Act 2014).
    YOUNG_CARER = "young_carer", "Young carers assessment"
    YOUNG_ADULT_CARER = "young_adult_carer", "Young adult carers assessment (18 to 25)"


class ClosureReason(models.TextChoices):
    NO_LONGER_CARING = "no_longer_caring", "No longer caring"
    SUPPORT_ENDED = "support_ended", "Support complete"
    MOVED_AWAY = "moved_away", "Moved out of the area"
    ADULT_SERVICES = "adult_services", "Moved on to adult carers' services"
    DECLINED = "declined", "Declined support"


class YoungCarer(ChildLevel):
    """One registration of a child as a young carer (or a young adult carer, 18 to 25)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    # The agency that identified the young carer holds the registration: it is involved.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    identified_on = models.DateField()
    cares_for = models.CharField(max_length=20, choices=CaredFor.choices)
    care_reason = models.CharField(max_length=30, choices=CareReason.choices)
    caring_detail = models.TextField(blank=True)
    young_adult_carer = models.BooleanField(default=False)
    assessment_kind = models.CharField(max_length=20, choices=AssessmentKind.choices, blank=True)
    assessed_on = models.DateField(null=True, blank=True)
    support_offered = models.TextField(blank=True)
    next_review_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Compare-and-set on change (docs/decisions/0035): two practitioners saving at once.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering: ClassVar = ["identified_on", "pk"]
        indexes: ClassVar = [
            # The involvement rule asks "which children does this agency hold registrations for".
            models.Index(fields=["agency", "child"]),
            # The oversight list and the identification chart read open registrations by date.
            models.Index(fields=["closed_on", "identified_on"]),
            models.Index(fields=["child"]),
        ]

    def __str__(self) -> str:
        return f"Young carer {self.child_id} from {self.identified_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def open_on(self, day: date) -> bool:
        return self.identified_on <= day and (self.closed_on is None or self.closed_on > day)

    def review_overdue(self, today: date) -> bool:
        return self.is_open and self.next_review_on < today


class Review(ChildLevel):
    """A review of a young carer's support: what happened, and when the next is due."""

    young_carer = models.ForeignKey(YoungCarer, on_delete=models.PROTECT, related_name="reviews")
    # The child again, so that the access helpers scope reviews as every child-level row.
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    # The date the review was due when it was held: "reviewed in time" compares the two.
    was_due_on = models.DateField()
    summary = models.TextField()
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-held_on", "-pk"]
        indexes: ClassVar = [
            models.Index(fields=["young_carer", "-held_on"]),
            models.Index(fields=["held_on"]),
        ]

    def __str__(self) -> str:
        return f"Review of {self.young_carer_id} on {self.held_on:%Y-%m-%d}"

    @property
    def in_time(self) -> bool:
        return self.held_on <= self.was_due_on


def default_next_review(day: date) -> date:
    return day + timedelta(weeks=DEFAULT_REVIEW_WEEKS)
