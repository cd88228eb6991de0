"""Forms of the missing tracker, rendered with GOV.UK Frontend's classes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from safeguarding.core.forms import HubForm
from safeguarding.core.models import Agency
from safeguarding.missing.actions import PHOTO_MAX_BYTES, InterviewChange
from safeguarding.missing.models import Classification, InterviewStatus, RiskGrading

TIME_HELP = "Date and time, London time. For example, 2025-03-07 18:30"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"


def moment(label: str, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, widget=DateTimeInput(), help_text=TIME_HELP
    )


class EpisodeForm(HubForm):
    reported_at = moment("Reported missing at")
    classification = forms.ChoiceField(
        label="Missing or absent",
        choices=Classification.choices,
        initial=Classification.MISSING,
        widget=forms.RadioSelect,
    )
    risk_grading = forms.ChoiceField(
        label="Risk grading when reported", choices=RiskGrading.choices, required=False
    )
    looked_after = forms.BooleanField(label="The child is looked after", required=False)
    returned_at = moment("Found or returned at", required=False)
    where_found = forms.CharField(label="Where found", max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("where_found") and not data.get("returned_at"):
            self.add_error("returned_at", "Give the time found or returned, or leave where empty.")
        return data


class CorrectionForm(HubForm):
    """An episode's details, to correct; the return only once it is recorded."""

    reported_at = moment("Reported missing at")
    classification = forms.ChoiceField(
        label="Missing or absent", choices=Classification.choices, widget=forms.RadioSelect
    )
    risk_grading = forms.ChoiceField(
        label="Risk grading when reported", choices=RiskGrading.choices, required=False
    )
    looked_after = forms.BooleanField(label="The child is looked after", required=False)
    returned_at = moment("Found or returned at")
    where_found = forms.CharField(label="Where found", max_length=300, required=False)
    reason = forms.CharField(
        label="Why the correction is made",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example, the police's report gave the wrong time.",
    )

    def __init__(self, *args: Any, returned: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not returned:
            del self.fields["returned_at"]
            del self.fields["where_found"]


class ReturnForm(HubForm):
    returned_at = moment("Found or returned at")
    where_found = forms.CharField(label="Where found", max_length=300, required=False)


class InterviewForm(HubForm):
    status = forms.ChoiceField(label="Where it stands", choices=InterviewStatus.choices)
    by_agency = forms.ModelChoiceField(
        label="Offered by",
        queryset=Agency.objects.filter(removed_at__isnull=True),
        required=False,
        help_text="Someone independent: not the agency that reported the child missing.",
    )
    offered_at = moment("Offered at", required=False)
    completed_at = moment("Completed at", required=False)
    push_factors = forms.CharField(
        label="Push factors (what made the child leave)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    pull_factors = forms.CharField(
        label="Pull factors (what drew the child away)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    concerns = forms.CharField(
        label="Concerns raised",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    exploitation_concern = forms.BooleanField(
        label="The interview raised a concern of exploitation", required=False
    )

    def change(self) -> InterviewChange:
        data = self.cleaned_data
        offered: datetime | None = data.get("offered_at")
        completed: datetime | None = data.get("completed_at")
        return InterviewChange(
            status=data["status"],
            by_agency=data.get("by_agency"),
            offered_at=offered,
            completed_at=completed,
            push_factors=data.get("push_factors", ""),
            pull_factors=data.get("pull_factors", ""),
            concerns=data.get("concerns", ""),
            exploitation_concern=bool(data.get("exploitation_concern")),
        )


class ProfileForm(HubForm):
    description = forms.CharField(
        label="Description",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Height, build, hair, distinguishing marks, clothes usually worn.",
    )
    photo = forms.ImageField(
        label="Photograph", required=False, help_text="A recent photograph, at most 2 MB."
    )
    associates = forms.CharField(
        label="Associates",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    places = forms.CharField(
        label="Places frequented",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    health_needs = forms.CharField(
        label="Health needs and medication",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    consent_given_by = forms.CharField(
        label="Consent given by",
        max_length=200,
        help_text="The young person, or their parent or carer: nothing is kept without consent.",
    )
    consent_on = forms.DateField(label="Consent given on", widget=DateInput)

    def clean_photo(self) -> UploadedFile | None:
        photo: UploadedFile | None = self.cleaned_data.get("photo")
        if photo and (photo.size or 0) > PHOTO_MAX_BYTES:
            raise ValidationError("The photograph must be 2 MB or smaller.")
        return photo

    def clean_consent_on(self) -> date:
        given: date = self.cleaned_data["consent_on"]
        if given > date.today():  # noqa: DTZ011 - a calendar date the user typed
            raise ValidationError("Consent cannot be given in the future.")
        return given


class SchoolHolidayForm(HubForm):
    name = forms.CharField(
        label="Name", max_length=100, help_text="For example, February half-term 2026"
    )
    first_day = forms.DateField(label="First day", widget=DateInput())
    last_day = forms.DateField(label="Last day", widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", "The last day cannot be before the first.")
        return data
