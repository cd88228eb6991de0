"""Forms of the learning cycle, with GOV.UK classes (core.forms)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from safeguarding.core.forms import HubForm, HubModelForm
from safeguarding.core.models import Agency, SubGroup, User
from safeguarding.learning.models import (
    ActionStatus,
    AuditTemplate,
    Briefing,
    Grade,
    LearningSettings,
    Notification,
    PracticeAudit,
    PracticeReview,
    RapidReview,
    SourceKind,
    Theme,
)

DATE = forms.DateInput(attrs={"type": "date"})


def _themes_field(form: forms.BaseForm) -> None:
    if "themes" in form.fields:
        field = form.fields["themes"]
        field.queryset = Theme.objects.filter(is_active=True)  # type: ignore[attr-defined]
        field.required = False


def _people() -> Any:
    return User.objects.filter(is_active=True).select_related("agency").order_by("full_name")


class NotificationForm(HubModelForm):
    class Meta:
        model = Notification
        fields: ClassVar = [
            "case_reference",
            "summary",
            "kind",
            "age_at_incident",
            "aware_on",
            "sent_on",
            "owner",
            "themes",
        ]
        widgets: ClassVar = {
            "aware_on": DATE,
            "sent_on": DATE,
            "kind": forms.RadioSelect,
            "themes": forms.CheckboxSelectMultiple,
        }
        labels: ClassVar = {
            "aware_on": "Date the local authority became aware",
            "sent_on": "Date sent to the National Panel",
            "age_at_incident": "Age at the time (a care leaver: 18 to 24)",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _themes_field(self)
        self.fields["owner"].queryset = _people()  # type: ignore[attr-defined]


class RapidReviewForm(HubModelForm):
    class Meta:
        model = RapidReview
        fields: ClassVar = [
            "meeting_on",
            "decision",
            "rationale",
            "sent_to_panel_on",
            "panel_response",
            "panel_response_on",
            "owner",
        ]
        widgets: ClassVar = {
            "meeting_on": DATE,
            "sent_to_panel_on": DATE,
            "panel_response_on": DATE,
            "decision": forms.RadioSelect,
        }
        labels: ClassVar = {
            "meeting_on": "Date of the rapid review meeting",
            "sent_to_panel_on": "Date the rapid review was sent to the National Panel",
            "panel_response_on": "Date of the National Panel's response",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _people()  # type: ignore[attr-defined]


class InformationRequestForm(HubForm):
    agency = forms.ModelChoiceField(queryset=Agency.objects.filter(removed_at__isnull=True))
    requested_on = forms.DateField(widget=DATE, label="Date requested")
    due_on = forms.DateField(
        widget=DATE,
        required=False,
        label="Return due",
        help_text="Leave empty for 5 working days after the request.",
    )


class ReturnForm(HubForm):
    returned_on = forms.DateField(widget=DATE, label="Date returned")


class PracticeReviewForm(HubModelForm):
    class Meta:
        model = PracticeReview
        fields: ClassVar = [
            "kind",
            "case_reference",
            "summary",
            "rapid_review",
            "decided_on",
            "terms_of_reference",
            "reviewer",
            "publication_target_on",
            "published_on",
            "owner",
            "themes",
        ]
        widgets: ClassVar = {
            "decided_on": DATE,
            "publication_target_on": DATE,
            "published_on": DATE,
            "kind": forms.RadioSelect,
            "themes": forms.CheckboxSelectMultiple,
        }
        labels: ClassVar = {
            "decided_on": "Date of the decision to review",
            "publication_target_on": "Publication target",
        }
        help_texts: ClassVar = {
            "publication_target_on": "Leave empty for the configured months after the decision."
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _themes_field(self)
        self.fields["publication_target_on"].required = False
        self.fields["owner"].queryset = _people()  # type: ignore[attr-defined]
        self.fields["rapid_review"].queryset = RapidReview.objects.select_related(  # type: ignore[attr-defined]
            "notification"
        )


class MilestoneForm(HubForm):
    title = forms.CharField(max_length=200)
    due_on = forms.DateField(widget=DATE, label="Due")


class ActionForm(HubForm):
    title = forms.CharField(max_length=300)
    detail = forms.CharField(widget=forms.Textarea, required=False)
    source_kind = forms.ChoiceField(choices=SourceKind.choices, label="Where it comes from")
    source_label = forms.CharField(
        max_length=200, required=False, label="Which review, audit or meeting"
    )
    owner_agency = forms.ModelChoiceField(
        queryset=Agency.objects.filter(removed_at__isnull=True), label="Owner agency"
    )
    owner_person = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    sub_group = forms.ModelChoiceField(
        queryset=SubGroup.objects.filter(is_active=True),
        required=False,
        label="Sub-group that monitors it",
    )
    due_on = forms.DateField(widget=DATE, label="Due")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_person"].queryset = _people()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        person, agency = data.get("owner_person"), data.get("owner_agency")
        if person and agency and person.agency_id != agency.pk:
            self.add_error("owner_person", "The owner must work for the owner agency.")
        return data


class ActionUpdateForm(HubForm):
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in ActionStatus if s != ActionStatus.SIGNED_OFF],
        widget=forms.RadioSelect,
    )
    evidence = forms.CharField(
        widget=forms.Textarea,
        required=False,
        help_text="Needed to mark the action completed: what shows it is done.",
    )


class AuditForm(HubModelForm):
    template = forms.ModelChoiceField(
        queryset=AuditTemplate.objects.all(),
        required=False,
        label="Audit tool",
        help_text="Its questions are copied into the audit.",
    )
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.filter(removed_at__isnull=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Agencies asked for a return",
    )

    class Meta:
        model = PracticeAudit
        fields: ClassVar = [
            "kind",
            "title",
            "agency",
            "sub_group",
            "held_on",
            "cases_sampled",
            "grade",
            "findings",
            "themes",
        ]
        widgets: ClassVar = {
            "held_on": DATE,
            "kind": forms.RadioSelect,
            "themes": forms.CheckboxSelectMultiple,
        }
        labels: ClassVar = {
            "agency": "Agency (single-agency audits)",
            "held_on": "Date held",
            "cases_sampled": "Cases sampled (case references, one a line)",
            "grade": "Overall grading",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _themes_field(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "single_agency" and not data.get("agency"):
            self.add_error("agency", "Say which agency ran the single-agency audit.")
        return data


class AuditReturnForm(HubForm):
    grade = forms.ChoiceField(choices=Grade.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, questions: list[str], answers: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for index, question in enumerate(questions):
            self.fields[f"answer_{index}"] = forms.CharField(
                label=question,
                widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
                initial=answers[index] if index < len(answers) else "",
            )
        self.order_fields([*(f"answer_{i}" for i in range(len(questions))), "grade"])
        self.question_count = len(questions)

    def answers(self) -> list[str]:
        return [self.cleaned_data[f"answer_{i}"] for i in range(self.question_count)]


class AuditTemplateForm(HubModelForm):
    class Meta:
        model = AuditTemplate
        fields: ClassVar = ["name", "questions"]


class ThemeForm(HubModelForm):
    class Meta:
        model = Theme
        fields: ClassVar = ["name", "is_active"]
        labels: ClassVar = {"is_active": "Offered when tagging"}


class BriefingForm(HubModelForm):
    class Meta:
        model = Briefing
        fields: ClassVar = [
            "title",
            "source_label",
            "case_in_brief",
            "what_we_learned",
            "what_to_do_differently",
            "themes",
        ]
        widgets: ClassVar = {"themes": forms.CheckboxSelectMultiple}
        labels: ClassVar = {
            "case_in_brief": "The case in brief",
            "source_label": "From which review or audit",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _themes_field(self)


class SettingsForm(HubModelForm):
    class Meta:
        model = LearningSettings
        fields: ClassVar = [
            "publication_target_months",
            "at_risk_working_days",
            "action_amber_working_days",
        ]
