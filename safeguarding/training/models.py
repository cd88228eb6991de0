"""The partnership's multi-agency training: courses, sessions, learners, bookings,
evaluations and e-learning completions.

Learners are not hub users (docs/decisions/0026-learners-are-not-users.md): they are
partners' staff who book with a work email and reach their bookings through signed links.
Nothing here points at a child.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from safeguarding.core.models import Agency, User


class TrainingSettings(models.Model):
    """The training offer's rules. One row (pk 1), made with its defaults on first read."""

    cancellation_working_days = models.PositiveSmallIntegerField(
        default=2,
        validators=[MaxValueValidator(30)],
        help_text="A booking may be cancelled without charge up to this many working days "
        "before the session (England's bank holidays are not working days).",
    )
    follow_up_weeks = models.PositiveSmallIntegerField(
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="How long after the session the follow-up evaluation is asked for.",
    )
    reminder_days = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="How many days before the session the reminder is sent.",
    )
    # Charges are optional: 0 means none. Kept as money, in pounds.
    late_cancellation_charge = models.DecimalField(
        max_digits=7, decimal_places=2, default=Decimal("0.00")
    )
    no_show_charge = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal("0.00"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "training settings"

    def __str__(self) -> str:
        return "Training settings"


class CourseLevel(models.TextChoices):
    AWARENESS = "awareness", "Awareness (all staff)"
    CORE = "core", "Core (working with children and families)"
    ADVANCED = "advanced", "Advanced (specialist and lead practitioners)"


class Course(models.Model):
    title = models.CharField(max_length=200, unique=True)
    audience = models.TextField(help_text="Who the course is for.")
    learning_outcomes = models.TextField(help_text="One outcome a line.")
    level = models.CharField(max_length=20, choices=CourseLevel.choices)
    is_active = models.BooleanField(default=True, help_text="Open for new sessions and bookings.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def outcomes(self) -> list[str]:
        return [line.strip() for line in self.learning_outcomes.splitlines() if line.strip()]


class SessionMode(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    ONLINE = "online", "Online"


class TrainingSession(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    mode = models.CharField(max_length=20, choices=SessionMode.choices)
    venue = models.CharField(
        max_length=300, blank=True, help_text="The address, or the online meeting's name."
    )
    capacity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    trainer = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="training_sessions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["starts_at", "pk"]
        indexes: ClassVar = [
            # The public list is "sessions from now on, soonest first".
            models.Index(fields=["starts_at"], name="training_session_by_start"),
            # A trainer's own sessions.
            models.Index(fields=["trainer", "starts_at"], name="training_session_by_trainer"),
            # The report: a course's sessions in a year.
            models.Index(fields=["course", "starts_at"], name="training_session_by_course"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="training_session_ends_after"
            )
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.course.title}, {local:%-d %B %Y}"


class LearnerStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class Learner(models.Model):
    """A partner's member of staff who books training. Not a hub user: no password, no MFA,
    and no way near child data. Their links are signed with their public id."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(max_length=200)
    # Lower-cased on the way in (actions.register_learner): one learner per address.
    email = models.EmailField(unique=True)
    job_title = models.CharField(max_length=200, blank=True)
    # Matched from Agency.email_domains; None while an unknown domain waits for an officer.
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="learners"
    )
    organisation = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where they say they work, when the domain is unknown.",
    )
    status = models.CharField(max_length=20, choices=LearnerStatus.choices)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["full_name"]
        indexes: ClassVar = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.email})"

    @property
    def may_book(self) -> bool:
        return self.status == LearnerStatus.APPROVED


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    WAITING = "waiting", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"
    LATE_CANCELLED = "late_cancelled", "Cancelled late"
    ATTENDED = "attended", "Attended"
    NO_SHOW = "no_show", "Did not attend"


# A booking that holds a place (or held it, once the register is taken).
PLACE_STATUSES = (BookingStatus.BOOKED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW)
# A booking that still counts: one of these per learner and session at most.
LIVE_STATUSES = (*PLACE_STATUSES, BookingStatus.WAITING)


class Booking(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="bookings")
    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(max_length=20, choices=BookingStatus.choices)
    # The waiting list is first come, first served: ordered by created_at, then pk.
    created_at = models.DateTimeField(default=timezone.now)
    # When the learner got the place: at booking, or when the waiting list moved.
    placed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    marked_at = models.DateTimeField(null=True, blank=True)
    marked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set by a late cancellation or a no-show when the settings charge for them.
    charge = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal("0.00"))
    reminded_at = models.DateTimeField(null=True, blank=True)
    follow_up_asked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["created_at", "pk"]
        indexes: ClassVar = [
            # Places taken and the waiting list of a session: counted on every booking page.
            models.Index(fields=["session", "status", "created_at"], name="booking_by_session"),
            models.Index(fields=["learner", "status"], name="booking_by_learner"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["session", "learner"],
                condition=Q(status__in=[s.value for s in LIVE_STATUSES]),
                name="one_live_booking_per_learner_and_session",
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner} on {self.session}: {self.get_status_display()}"


class EvaluationStage(models.TextChoices):
    BEFORE = "before", "Before the course"
    AFTER = "after", "After the course"
    FOLLOW_UP = "follow_up", "Follow-up"


RATING = [MinValueValidator(1), MaxValueValidator(5)]


class Evaluation(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="evaluations")
    stage = models.CharField(max_length=20, choices=EvaluationStage.choices)
    # "How confident do you feel ...", 1 (not at all) to 5 (very): asked at every stage,
    # so that the report can show the change before and after.
    confidence = models.PositiveSmallIntegerField(validators=RATING)
    # "How useful was the course", after the course only.
    usefulness = models.PositiveSmallIntegerField(null=True, blank=True, validators=RATING)
    comments = models.TextField(blank=True)
    # At follow-up: what changed for children because of the training; may be quoted,
    # without the learner's name, if they agree.
    impact = models.TextField(blank=True)
    may_quote = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["submitted_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["booking", "stage"], name="one_evaluation_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} evaluation of {self.booking_id}"


class ELearningImport(models.Model):
    """One learning platform CSV, loaded whole or not at all."""

    filename = models.CharField(max_length=255)
    rows = models.PositiveIntegerField()
    added = models.PositiveIntegerField()
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.rows} rows)"


class ELearningCompletion(models.Model):
    module = models.CharField(max_length=200)
    learner_name = models.CharField(max_length=200)
    email = models.EmailField()
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_on = models.DateField()
    source = models.ForeignKey(
        ELearningImport, on_delete=models.PROTECT, related_name="completions"
    )

    class Meta:
        ordering: ClassVar = ["-completed_on"]
        indexes: ClassVar = [models.Index(fields=["completed_on", "module"])]
        constraints: ClassVar = [
            # The platform's export repeats earlier completions: loading it again adds none.
            models.UniqueConstraint(
                fields=["email", "module", "completed_on"], name="one_completion_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner_name}: {self.module} on {self.completed_on}"
