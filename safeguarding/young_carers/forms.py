"""Forms of the young carers register, with GOV.UK classes (core/forms.py)."""

from __future__ import annotations

from typing import Any

from django import forms

from safeguarding.core.forms import HubForm
from safeguarding.young_carers.models import AssessmentKind, CaredFor, CareReason, ClosureReason


class DateInput(forms.DateInput):
    input_type = "date"


class RegisterForm(HubForm):
    identified_on = forms.DateField(label="Date identified", widget=DateInput)
    cares_for = forms.ChoiceField(
        label="Whom the child cares for", choices=CaredFor.choices, widget=forms.RadioSelect
    )
    care_reason = forms.ChoiceField(
        label="Why they need care", choices=CareReason.choices, widget=forms.RadioSelect
    )
    caring_detail = forms.CharField(
        label="What the caring involves", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    young_adult_carer = forms.BooleanField(
        label="A young adult carer (aged 18 to 25)", required=False
    )
    assessment_kind = forms.ChoiceField(
        label="Assessment",
        choices=[("", "Not yet assessed"), *AssessmentKind.choices],
        required=False,
    )
    assessed_on = forms.DateField(label="Date assessed", required=False, widget=DateInput)
    support_offered = forms.CharField(
        label="Support offered", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_review_on = forms.DateField(
        label="Next review",
        required=False,
        widget=DateInput,
        help_text="Leave empty for 12 weeks after the date identified.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("assessed_on") and not data.get("assessment_kind"):
            self.add_error("assessment_kind", "Say which assessment was made.")
        if data.get("assessment_kind") and not data.get("assessed_on"):
            self.add_error("assessed_on", "Give the date of the assessment.")
        identified = data.get("identified_on")
        review = data.get("next_review_on")
        if identified and review and review <= identified:
            self.add_error("next_review_on", "The next review must come after the date identified.")
        return data


class ReviewForm(HubForm):
    held_on = forms.DateField(label="Date of the review", widget=DateInput)
    summary = forms.CharField(
        label="What happened", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    support_offered = forms.CharField(
        label="Support now offered",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Leave empty if unchanged.",
    )
    next_review_on = forms.DateField(label="Next review", widget=DateInput)


class CloseForm(HubForm):
    closed_on = forms.DateField(label="Date closed", widget=DateInput)
    reason = forms.ChoiceField(label="Why", choices=ClosureReason.choices, widget=forms.RadioSelect)


class MonthsForm(HubForm):
    start = forms.DateField(label="From", required=False, widget=DateInput)
    end = forms.DateField(label="To", required=False, widget=DateInput)
