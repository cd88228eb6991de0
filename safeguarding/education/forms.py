"""Forms of the education trackers, with GOV.UK classes (core/forms.py)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from safeguarding.core.forms import HubForm
from safeguarding.core.models import Agency
from safeguarding.education.models import CheckKind, Destination, EheReason, Term, VisitOutcome


class DateInput(forms.DateInput):
    input_type = "date"


class CaseForm(HubForm):
    referred_on = forms.DateField(label="Date referred", widget=DateInput)
    referred_by = forms.ModelChoiceField(
        label="Referred by",
        queryset=Agency.objects.filter(removed_at__isnull=True),
        required=False,
        empty_label="Not known",
    )
    reason = forms.CharField(
        label="Why the child is thought to be missing education",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CheckForm(HubForm):
    kind = forms.ChoiceField(label="Check made", choices=CheckKind.choices)
    made_on = forms.DateField(label="Date", widget=DateInput)
    found = forms.BooleanField(label="This check found where the child is", required=False)
    note = forms.CharField(
        label="What it found", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseCaseForm(HubForm):
    closed_on = forms.DateField(label="Date closed", widget=DateInput)
    destination = forms.ChoiceField(
        label="Destination", choices=Destination.choices, widget=forms.RadioSelect
    )
    destination_detail = forms.CharField(
        label="Which school, authority or country", required=False, max_length=200
    )


class EheForm(HubForm):
    started_on = forms.DateField(label="Home education started", widget=DateInput)
    reason = forms.ChoiceField(label="Reason given", choices=EheReason.choices)


class VisitForm(HubForm):
    visited_on = forms.DateField(label="Date of the visit", widget=DateInput)
    outcome = forms.ChoiceField(
        label="Outcome", choices=VisitOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class EndEheForm(HubForm):
    ended_on = forms.DateField(label="Home education ended", widget=DateInput)
    returned_to_school = forms.BooleanField(label="Returned to school", required=False)
    end_note = forms.CharField(label="Where the child went", required=False, max_length=200)


class PopulationForm(HubForm):
    label = forms.CharField(
        label="What the figure counts", initial="Children of compulsory school age", max_length=200
    )
    count = forms.IntegerField(label="Number", min_value=1)
    from_date = forms.DateField(label="In force from", widget=DateInput)


class YearForm(HubForm):
    year = forms.IntegerField(
        label="Financial year starting in April of", min_value=2000, max_value=2100, required=False
    )

    def year_or(self, default: int) -> int:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        return int(data.get("year") or default)


class AbsenceImportForm(HubForm):
    school = forms.ModelChoiceField(label="School", queryset=Agency.objects.none())
    academic_year = forms.IntegerField(
        label="School year starting in September of", min_value=2000, max_value=2100
    )
    term = forms.ChoiceField(label="Term", choices=Term.choices, widget=forms.RadioSelect)
    file = forms.FileField(
        label="Absence return (CSV)",
        help_text="Columns: upn, sessions_possible, sessions_missed, child_in_need, "
        "child_protection_plan, send, free_school_meals (Y or N).",
    )

    def __init__(self, *args: Any, schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["school"])
        field.queryset = schools


class AbsenceFilterForm(HubForm):
    term = forms.ChoiceField(label="Term", required=False, choices=[])
    vulnerable = forms.BooleanField(label="Only children with a vulnerability", required=False)
    severe = forms.BooleanField(label="Only severe absence (50% or more)", required=False)

    def __init__(self, *args: Any, terms: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Term.choices)
        field = cast(forms.ChoiceField, self.fields["term"])
        field.choices = [
            (f"{year}-{term}", f"{labels.get(term, term)} {year} to {year + 1}")
            for year, term in terms
        ]
        self.terms = terms

    def chosen_term(self) -> tuple[int, str] | None:
        """The term asked for, or the latest loaded."""
        wanted = self.cleaned_data.get("term") if self.is_valid() else ""
        for year, term in self.terms:
            if wanted == f"{year}-{term}":
                return year, term
        return self.terms[0] if self.terms else None
