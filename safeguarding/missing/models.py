"""Missing from home and care: episodes, return home interviews, profiles, school notices.

Every model here names a child, so each is child-level (`ChildLevel`): read and changed
only through the access helpers (core/access/, missing/access.py).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.utils import timezone

from safeguarding.core.models import Agency, ChildLevel, User


class RiskGrading(models.TextChoices):
    """The police's grading when the child is reported (College of Policing APP)."""

    HIGH = "high", "High risk"
    MEDIUM = "medium", "Medium risk"
    LOW = "low", "Low risk"
    NO_APPARENT = "no_apparent", "No apparent risk"
    NOT_GRADED = "", "Not graded"


class Classification(models.TextChoices):
    # Missing: whereabouts not known. Absent: known not to be where expected, but not
    # thought at risk (a category some forces still record; statutory guidance counts both).
    MISSING = "missing", "Missing"
    ABSENT = "absent", "Absent"


class EpisodeOrigin(models.TextChoices):
    RECORDED = "recorded", "Recorded in the hub"
    IMPORTED = "imported", "From an agency's extract"


class Episode(ChildLevel):
    """One episode: from when the child is reported missing to when found or returned."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    # The agency that reported or recorded it: involved with the child (rule (a)).
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    origin = models.CharField(
        max_length=10, choices=EpisodeOrigin.choices, default=EpisodeOrigin.RECORDED
    )
    # An imported episode keeps its event, so that making episodes again changes nothing.
    source_event = models.OneToOneField(
        "children.ChildEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField()
    returned_at = models.DateTimeField(null=True, blank=True)
    where_found = models.CharField(max_length=300, blank=True)
    risk_grading = models.CharField(max_length=12, choices=RiskGrading.choices, blank=True)
    looked_after = models.BooleanField(default=False)
    classification = models.CharField(
        max_length=8, choices=Classification.choices, default=Classification.MISSING
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-reported_at"]
        indexes: ClassVar = [
            # A child's episodes, and the repeat-missing count over a window.
            models.Index(fields=["child", "-reported_at"]),
            # The tracker pages order by report time; the feeds count by period.
            models.Index(fields=["-reported_at"]),
            # The involvement rule asks which children an agency recorded episodes of.
            models.Index(fields=["agency", "child"]),
            # The figures count returns by period (the interviews' 72 hours).
            models.Index(fields=["returned_at"], name="episode_returned"),
            # The tracker's first page: children missing now, longest first.
            models.Index(
                fields=["reported_at"],
                name="open_episodes",
                condition=models.Q(returned_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Episode of {self.child_id} from {self.reported_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None


class EpisodeCorrection(ChildLevel):
    """A correction of an episode's details: what changed (old and new, as shown), who
    changed it, when and why. The episode page lists them; the audit log records each."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    # {field label: [old, new]}, as the episode page shows them.
    changes = models.JSONField()
    reason = models.TextField()
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-at", "-pk"]
        indexes: ClassVar = [models.Index(fields=["episode", "-at"])]

    def __str__(self) -> str:
        return f"Correction of {self.episode_id} at {self.at:%Y-%m-%d %H:%M}"


class InterviewStatus(models.TextChoices):
    DUE = "due", "To be offered"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    COMPLETED = "completed", "Completed"


class ReturnInterview(ChildLevel):
    """The return home interview of an episode, made when the child returns.

    `due_at` is the return plus 72 elapsed hours (missing/clock.py,
    docs/decisions/0038); it is stored so that the overdue list is one indexed read.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="interview")
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=InterviewStatus.choices, default=InterviewStatus.DUE
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    # Who offers it: an independent agency, never the one that reported the episode
    # (docs/decisions/0039).
    by_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    push_factors = models.TextField(blank=True)
    pull_factors = models.TextField(blank=True)
    concerns = models.TextField(blank=True)
    exploitation_concern = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [
            # Overdue: still to be offered, past due.
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["child"]),
        ]

    def __str__(self) -> str:
        return f"Return interview of {self.episode_id}"


class MissingProfile(ChildLevel):
    """Details kept in advance, handed to police only when the child goes missing."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.OneToOneField("children.Child", on_delete=models.PROTECT, related_name="+")
    description = models.TextField(blank=True)
    # Stored with Django's default storage; served only by the access-checked view.
    photo = models.ImageField(upload_to="missing/photos/", blank=True)
    associates = models.TextField(blank=True)
    places = models.TextField(blank=True)
    health_needs = models.TextField(blank=True)
    # Nothing is kept without consent: who gave it (the young person or a parent or
    # carer) and when.
    consent_given_by = models.CharField(max_length=200)
    consent_on = models.DateField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Missing profile of {self.child_id}"


class SchoolNotice(ChildLevel):
    """A school's designated safeguarding lead told that a pupil returned from missing."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # The next school day after the return: the notice shows and is emailed from then.
    due_on = models.DateField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-due_on"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["episode", "recipient"], name="one_notice_per_dsl")
        ]
        indexes: ClassVar = [
            models.Index(fields=["recipient", "-due_on"]),
            models.Index(fields=["emailed_at", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"Notice of {self.episode_id} to {self.recipient_id}"


class SchoolHoliday(models.Model):
    """A school holiday in the area (the council's published term dates): no school day,
    so a notice of a return falls due on the first day back (docs/decisions/0047)."""

    name = models.CharField(max_length=100)
    first_day = models.DateField()
    last_day = models.DateField()
    # None when kept by the demo or a command.
    added_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["first_day", "pk"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="school_holiday_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.first_day} to {self.last_day})"
