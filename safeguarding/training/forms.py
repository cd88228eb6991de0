"""Forms of training, rendered with GOV.UK Frontend's classes (core/forms.py)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from safeguarding.core.forms import HubForm, HubModelForm
from safeguarding.core.models import Agency, User
from safeguarding.core.roles import Role
from safeguarding.training.models import (
    PLACE_STATUSES,
    Course,
    EvaluationStage,
    TrainingSession,
    TrainingSettings,
)

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CourseForm(HubModelForm):
    class Meta:
        model = Course
        fields: ClassVar = ["title", "audience", "learning_outcomes", "level", "is_active"]
        labels: ClassVar = {"is_active": "Taking bookings"}
        widgets: ClassVar = {"level": forms.RadioSelect}


class SessionForm(HubModelForm):
    class Meta:
        model = TrainingSession
        fields: ClassVar = [
            "course",
            "starts_at",
            "ends_at",
            "mode",
            "venue",
            "capacity",
            "trainer",
        ]
        labels: ClassVar = {"starts_at": "Starts", "ends_at": "Ends", "mode": "How it is delivered"}
        widgets: ClassVar = {
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "mode": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True, role_grants__role=Role.TRAINER
        ).order_by("full_name")
        self.fields["trainer"].help_text = "Only they, and partnership officers, see its register."
        self.fields["course"].queryset = Course.objects.filter(is_active=True)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The session must end after it starts.")
        capacity = data.get("capacity")
        if self.instance.pk and capacity is not None:
            taken = self.instance.bookings.filter(status__in=PLACE_STATUSES).count()
            if capacity < taken:
                self.add_error(
                    "capacity",
                    f"{taken} places are booked: the capacity cannot be less. "
                    "Ask learners to cancel first.",
                )
        return data


class SettingsForm(HubModelForm):
    class Meta:
        model = TrainingSettings
        fields: ClassVar = [
            "cancellation_working_days",
            "follow_up_weeks",
            "reminder_days",
            "late_cancellation_charge",
            "no_show_charge",
        ]
        labels: ClassVar = {
            "cancellation_working_days": "Working days' notice to cancel without charge",
            "follow_up_weeks": "Weeks after the course for the follow-up evaluation",
            "reminder_days": "Days before the course for the reminder",
            "late_cancellation_charge": "Charge for a late cancellation, in pounds (0 for none)",
            "no_show_charge": "Charge for not attending, in pounds (0 for none)",
        }


class RegisterForm(HubForm):
    full_name = forms.CharField(max_length=200, label="Full name")
    email = forms.EmailField(
        label="Work email address",
        help_text="Your work address at a partner agency. We send your bookings link to it.",
    )
    job_title = forms.CharField(max_length=200, label="Job title")
    organisation = forms.CharField(
        max_length=200,
        required=False,
        label="Organisation",
        help_text="Where you work, if your email address is not one of a partner agency's.",
    )


class SendLinkForm(HubForm):
    email = forms.EmailField(label="Work email address")


class DecisionForm(HubForm):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("refuse", "Refuse")],
        widget=forms.RadioSelect,
        label="Decision",
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.filter(removed_at__isnull=True),
        required=False,
        label="Their agency",
        help_text="Needed to approve.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "approve" and not data.get("agency"):
            self.add_error("agency", "Choose the agency they work for.")
        return data


SCALE = [
    (n, label) for n, label in enumerate(["1 – not at all", "2", "3", "4", "5 – very"], start=1)
]


class EvaluationForm(HubForm):
    confidence = forms.TypedChoiceField(
        choices=SCALE, coerce=int, widget=forms.RadioSelect, label=""
    )
    usefulness = forms.TypedChoiceField(
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        label="How useful was the course to your work?",
    )
    comments = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    impact = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="What have you done differently since the course, and what did it change for a "
        "child or family? Please leave out names and anything that would identify them.",
    )
    may_quote = forms.BooleanField(
        required=False,
        label="The partnership may quote this, without my name, in its reports",
    )

    def __init__(self, *args: Any, stage: str, course: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confidence"].label = f"How confident do you feel in the subject of “{course}”?"
        if stage == EvaluationStage.BEFORE:
            self.fields["comments"].label = "What do you hope to learn?"
            del self.fields["usefulness"], self.fields["impact"], self.fields["may_quote"]
        elif stage == EvaluationStage.AFTER:
            self.fields["comments"].label = "What will you do differently?"
            del self.fields["impact"], self.fields["may_quote"]
        else:
            del self.fields["usefulness"], self.fields["comments"]


class ELearningUploadForm(HubForm):
    file = forms.FileField(
        label="The completions file (CSV)",
        help_text="Columns: module, learner_name, email, completed_on (2025-03-05 or 05/03/2025).",
    )
