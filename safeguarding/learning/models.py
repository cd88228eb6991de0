"""The learning cycle: serious incidents, rapid reviews, practice reviews, audits, briefings,
and the one action tracker every part of the partnership feeds.

No child's identity is kept here (docs/decisions/0028-learning-cycle-records.md): a review
knows its case by the partnership's own reference and an anonymised summary, never by a
link to the child index. Deadlines are stored, not computed on each read, so the deadlines
page and the reminders can filter and sort by them in the database; they are set by the
actions (learning/actions.py) from the working-day rules (core/calendar.py).
"""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from safeguarding.core.models import Agency, SubGroup, User


class LearningSettings(models.Model):
    """The partnership's configurable rules of the learning cycle. One row."""

    publication_target_months = models.PositiveSmallIntegerField(
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text="A practice review's publication target, in months from the decision.",
    )
    at_risk_working_days = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(0), MaxValueValidator(30)],
        help_text="A deadline this many working days away or fewer is shown as at risk.",
    )
    action_amber_working_days = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
        help_text="An action due within this many working days is amber (see the RAG rule).",
    )

    class Meta:
        verbose_name_plural = "learning settings"

    def __str__(self) -> str:
        return "Learning settings"


class Theme(models.Model):
    """A theme of learning, tagged on reviews, audits and briefings. Shipped as data, editable."""

    name = models.CharField(max_length=200, unique=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class IncidentKind(models.TextChoices):
    CHILD = "child", "Serious incident: a child"
    CARE_LEAVER_DEATH = "care_leaver_death", "Death of a care leaver (up to 24)"


class Notification(models.Model):
    """A serious incident notified to the Child Safeguarding Practice Review Panel."""

    case_reference = models.CharField(
        max_length=40, unique=True, help_text="The partnership's own reference, such as SI-2024-03."
    )
    summary = models.TextField(help_text="Anonymised: no names, dates of birth or addresses.")
    kind = models.CharField(max_length=30, choices=IncidentKind.choices, default=IncidentKind.CHILD)
    # Age only, never a date of birth: enough to check a care leaver's death is in scope.
    age_at_incident = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(24)]
    )
    aware_on = models.DateField(help_text="The day the local authority became aware.")
    # aware_on + 5 working days, set by actions.record_notification.
    due_on = models.DateField(db_index=True)
    sent_on = models.DateField(null=True, blank=True, help_text="Sent to the National Panel.")
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-aware_on", "case_reference"]

    def __str__(self) -> str:
        return self.case_reference


class ReviewDecision(models.TextChoices):
    PENDING = "pending", "Not decided yet"
    LCSPR = "lcspr", "A local child safeguarding practice review follows"
    LOCAL_REVIEW = "local_review", "No LCSPR: a local multi-agency review instead"
    NO_REVIEW = "no_review", "No further review: learning taken forward by action plan"


class RapidReview(models.Model):
    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="rapid_review"
    )
    # 15 working days from the notification (sent_on, or aware_on before it is sent).
    due_on = models.DateField(db_index=True)
    meeting_on = models.DateField(null=True, blank=True)
    decision = models.CharField(
        max_length=20, choices=ReviewDecision.choices, default=ReviewDecision.PENDING
    )
    rationale = models.TextField(blank=True)
    sent_to_panel_on = models.DateField(null=True, blank=True)
    panel_response = models.TextField(blank=True, help_text="The National Panel's response.")
    panel_response_on = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-due_on"]

    def __str__(self) -> str:
        return f"Rapid review of {self.notification.case_reference}"


class InformationRequest(models.Model):
    """A request to one agency for what it knew, and the day its return came back."""

    rapid_review = models.ForeignKey(
        RapidReview, on_delete=models.CASCADE, related_name="information_requests"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField()
    due_on = models.DateField(db_index=True)
    returned_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["agency__name"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["rapid_review", "agency"], name="one_request_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} for {self.rapid_review}"


class ReviewKind(models.TextChoices):
    LCSPR = "lcspr", "Local child safeguarding practice review"
    LOCAL = "local", "Local multi-agency case review"


class PracticeReview(models.Model):
    """A local child safeguarding practice review, or a local multi-agency case review."""

    kind = models.CharField(max_length=10, choices=ReviewKind.choices, default=ReviewKind.LCSPR)
    case_reference = models.CharField(max_length=40, unique=True)
    summary = models.TextField(help_text="Anonymised.")
    rapid_review = models.OneToOneField(
        RapidReview,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practice_review",
    )
    decided_on = models.DateField()
    terms_of_reference = models.TextField(blank=True)
    reviewer = models.CharField(max_length=200, blank=True, help_text="The independent reviewer.")
    # decided_on + the configured months (LearningSettings), changeable per review.
    publication_target_on = models.DateField(db_index=True)
    published_on = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="practice_reviews")

    class Meta:
        ordering: ClassVar = ["-decided_on"]

    def __str__(self) -> str:
        return self.case_reference


class Milestone(models.Model):
    review = models.ForeignKey(PracticeReview, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField(db_index=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["due_on"]

    def __str__(self) -> str:
        return self.title


class AuditKind(models.TextChoices):
    MULTI_AGENCY = "multi_agency", "Multi-agency audit"
    SINGLE_AGENCY = "single_agency", "Single-agency audit reported to the partnership"


class AuditTemplate(models.Model):
    """An editable audit tool: its questions, one a line. An audit copies them when it starts."""

    name = models.CharField(max_length=200, unique=True)
    questions = models.TextField(help_text="One question a line.")

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def question_list(self) -> list[str]:
        return [line.strip() for line in self.questions.splitlines() if line.strip()]


class Grade(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


class PracticeAudit(models.Model):
    kind = models.CharField(max_length=20, choices=AuditKind.choices)
    title = models.CharField(max_length=200)
    # The agency that ran a single-agency audit; empty for a multi-agency one.
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sub_group = models.ForeignKey(
        SubGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    held_on = models.DateField(db_index=True)
    # Case references sampled, one a line: the partnership's references, never names.
    cases_sampled = models.TextField(blank=True)
    # Copied from the template when the audit is set up, so editing a template later
    # never changes what an earlier audit asked.
    questions = models.JSONField(default=list, blank=True)
    grade = models.CharField(max_length=30, choices=Grade.choices, blank=True)
    findings = models.TextField(blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="audits")

    class Meta:
        ordering: ClassVar = ["-held_on"]

    def __str__(self) -> str:
        return self.title

    @property
    def case_list(self) -> list[str]:
        return [line.strip() for line in self.cases_sampled.splitlines() if line.strip()]


class AuditReturn(models.Model):
    """One agency's return to a multi-agency audit."""

    audit = models.ForeignKey(PracticeAudit, on_delete=models.CASCADE, related_name="returns")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=list, blank=True)
    grade = models.CharField(max_length=30, choices=Grade.choices, blank=True)
    returned_on = models.DateField(null=True, blank=True)
    returned_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["agency__name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["audit", "agency"], name="one_return_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency} return to {self.audit}"


class Briefing(models.Model):
    """A short structured learning briefing ("7-minute briefing", "learning on a page")."""

    title = models.CharField(max_length=200)
    source_label = models.CharField(max_length=200, blank=True, help_text="The review or audit.")
    case_in_brief = models.TextField(help_text="Anonymised.")
    what_we_learned = models.TextField()
    what_to_do_differently = models.TextField()
    themes = models.ManyToManyField(Theme, blank=True, related_name="briefings")
    published_on = models.DateField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-published_on", "title"]

    def __str__(self) -> str:
        return self.title


class Cascade(models.Model):
    """An agency confirms it cascaded a briefing to its staff."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="cascades")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    confirmed_on = models.DateField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["briefing", "agency"], name="one_cascade_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency} cascaded {self.briefing}"


class SourceKind(models.TextChoices):
    RAPID_REVIEW = "rapid_review", "Rapid review"
    PRACTICE_REVIEW = "practice_review", "Practice review"
    AUDIT = "audit", "Audit"
    SUB_GROUP = "sub_group", "Sub-group"
    PANEL = "panel", "Panel"
    OTHER = "other", "Other"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed: awaiting sign-off"
    SIGNED_OFF = "signed_off", "Signed off"


OPEN_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


class Action(models.Model):
    """One action of any plan: from a review, an audit, a sub-group or a panel.

    The source is generic (a kind and a reference such as "rapid_review:12" with a label
    for people) so that other apps create actions through actions.create_action without
    this app knowing their models.
    """

    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    source_kind = models.CharField(max_length=20, choices=SourceKind.choices)
    source_ref = models.CharField(max_length=100, blank=True, db_index=True)
    source_label = models.CharField(max_length=200, blank=True)
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner_person = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The sub-group that monitors the action; its chair signs it off.
    sub_group = models.ForeignKey(
        SubGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    evidence = models.TextField(blank=True, help_text="What shows the action is done.")
    completed_on = models.DateField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_off_on = models.DateField(null=True, blank=True)
    created_on = models.DateField()

    class Meta:
        ordering: ClassVar = ["due_on", "pk"]
        indexes: ClassVar = [
            # The deadlines page and the reminders: open actions by due date.
            models.Index(fields=["status", "due_on"], name="action_status_due"),
            # The assurance report and a sub-group's list.
            models.Index(fields=["sub_group", "status"], name="action_sub_group_status"),
            # An agency's own actions.
            models.Index(fields=["owner_agency", "due_on"], name="action_agency_due"),
        ]

    def __str__(self) -> str:
        return self.title


class ReminderSent(models.Model):
    """That a reminder went, so the daily command never sends the same one twice."""

    # What it was about, as "<kind>:<pk>" (action:12, notification:3, milestone:7, ...).
    subject = models.CharField(max_length=60)
    due_on = models.DateField()
    stage = models.CharField(max_length=10, choices=[("at_risk", "At risk"), ("missed", "Missed")])
    recipient = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["subject", "due_on", "stage", "recipient"], name="one_reminder_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage} reminder for {self.subject}"
