"""Forms of the child pages: the search, the chronology's filters, the export.

Dates are typed as people type them and read with children/dates.py. A numeric date that
could be read either way (05/03/2012) is read day first, as written in the UK, and the
page says how it was read.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django import forms
from django.utils import timezone

from safeguarding.children import dates
from safeguarding.children.queries import ChronologyFilter
from safeguarding.children.search import ChildSearch
from safeguarding.core import identifiers
from safeguarding.core.forms import HubForm

DATE_HINT = "For example, 17/5/2012 or 17 May 2012"


def read_typed_date(text: str, *, what: str) -> date | None:
    """A date a person typed, or a ValidationError that says how to type it."""
    if not text.strip():
        return None
    reading = dates.read_date(text)
    if reading.problem:
        raise forms.ValidationError(f"Enter {what} as a real date, for example 17/5/2012.")
    # A person in England writes the day first; `value` refuses to guess, so choose here.
    found = reading.value(dates.Order.DAY_FIRST)
    if found is None:  # pragma: no cover - read_date gives a problem or a date
        raise forms.ValidationError(f"Enter {what} as a real date, for example 17/5/2012.")
    if not 1900 <= found.year <= 2999:
        raise forms.ValidationError(f"Enter {what} with a four-figure year, for example 2012.")
    return found


class DescribedForm(HubForm):
    """GOV.UK's wiring of a field to its hint and error, and width classes per field."""

    widths: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"
            if name in self.widths:
                field.widget.attrs["class"] += f" {self.widths[name]}"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            attrs = self.fields[name].widget.attrs
            described = attrs.get("aria-describedby", "")
            attrs["aria-describedby"] = f"{described} {self[name].auto_id}-error".strip()
            if attrs.get("class", "").startswith(("govuk-input", "govuk-select")):
                kind = attrs["class"].split()[0]
                attrs["class"] += f" {kind}--error"


class ChildSearchForm(DescribedForm):
    widths: ClassVar[dict[str, str]] = {
        "name": "govuk-!-width-two-thirds",
        "date_of_birth": "govuk-input--width-10",
        "nhs_number": "govuk-input--width-10",
        "upn": "govuk-input--width-20",
        "record_id": "govuk-input--width-20",
    }
    name = forms.CharField(
        required=False,
        max_length=100,
        label="Name",
        help_text="Given name, family name or both. Spellings that sound alike and nicknames are found too.",
    )
    date_of_birth = forms.CharField(
        required=False, max_length=30, label="Date of birth", help_text=DATE_HINT
    )
    nhs_number = forms.CharField(
        required=False,
        max_length=20,
        label="NHS number",
        help_text="10 digits, for example 943 476 5919",
    )
    upn = forms.CharField(
        required=False,
        max_length=20,
        label="Unique pupil number (UPN)",
        help_text="A letter then 12 characters",
    )
    record_id = forms.CharField(
        required=False,
        max_length=100,
        label="An agency's reference",
        help_text="The child's id in an agency's own system, for example LCS000123",
    )

    def clean_date_of_birth(self) -> date | None:
        born = read_typed_date(self.cleaned_data["date_of_birth"], what="the date of birth")
        if born and born > timezone.localdate():
            raise forms.ValidationError("The date of birth must be today or in the past.")
        return born

    def clean_nhs_number(self) -> str:
        text = self.cleaned_data["nhs_number"].strip()
        if not text:
            return ""
        problem = identifiers.nhs_number_problem(text)
        if problem:
            raise forms.ValidationError(f"Enter a valid NHS number: {problem}.")
        return identifiers.normalise_nhs_number(text)

    def clean_upn(self) -> str:
        text = "".join(self.cleaned_data["upn"].split()).upper()
        if not text:
            return ""
        problem = identifiers.upn_problem(text)
        if problem:
            raise forms.ValidationError(f"Enter a valid UPN: {problem}.")
        return text

    def clean_record_id(self) -> str:
        return str(self.cleaned_data["record_id"]).strip()

    def search(self) -> ChildSearch:
        """The checked terms (call after is_valid)."""
        return ChildSearch(**self.cleaned_data)

    @property
    def identifiers_used(self) -> bool:
        """Open the identifiers' section when it holds a value or an error."""
        names = ("nhs_number", "upn", "record_id")
        return any(self.data.get(name) for name in names) or any(n in self.errors for n in names)


class ChronologyFilterForm(DescribedForm):
    """The chronology's filters: a GET form, so a filtered view can be linked and exported."""

    widths: ClassVar[dict[str, str]] = {
        "date_from": "govuk-input--width-10",
        "date_to": "govuk-input--width-10",
    }

    agency = forms.ChoiceField(required=False, label="Agency")
    event_type = forms.ChoiceField(required=False, label="What happened")
    date_from = forms.CharField(
        required=False, max_length=30, label="From", help_text="For example, 1/4/2024"
    )
    date_to = forms.CharField(
        required=False, max_length=30, label="To", help_text="For example, 31/3/2025"
    )
    order = forms.ChoiceField(
        required=False,
        label="Order",
        choices=[("newest", "Newest first"), ("oldest", "Oldest first")],
    )

    def __init__(
        self,
        *args: Any,
        agencies: list[tuple[str, str]],
        event_types: list[tuple[str, list[tuple[str, str]]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "All agencies"), *agencies]  # type: ignore[attr-defined]
        self.fields["event_type"].choices = [("", "Everything"), *event_types]  # type: ignore[attr-defined]

    @classmethod
    def lenient(cls, data: Any) -> ChronologyFilterForm:
        """The filters an export link passed on, whatever agency or type it names: a value
        that no entry has filters to nothing, and the rows are still only those visible."""
        agency, event_type = str(data.get("agency", "")), str(data.get("event_type", ""))
        return cls(
            data or None,
            agencies=[(agency, agency)] if agency else [],
            event_types=[("Chosen", [(event_type, event_type)])] if event_type else [],
        )

    def clean_date_from(self) -> date | None:
        return read_typed_date(self.cleaned_data["date_from"], what="the start date")

    def clean_date_to(self) -> date | None:
        return read_typed_date(self.cleaned_data["date_to"], what="the end date")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be the same as or after the start date.")
        return data

    def filters(self) -> ChronologyFilter:
        """The checked filters; an invalid form filters nothing (its errors are shown)."""
        if not self.is_valid():
            return ChronologyFilter()
        data = self.cleaned_data
        return ChronologyFilter(
            agency=data["agency"],
            event_type=data["event_type"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            oldest_first=data["order"] == "oldest",
        )


class ExportFormat:
    CSV = "csv"
    DOCX = "docx"


class ChronologyExportForm(DescribedForm):
    purpose = forms.CharField(
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why are you exporting this chronology?",
        help_text=(
            "For example: rapid review of serious incident notification 2025/07. "
            "Your reason is recorded with the export."
        ),
        error_messages={
            "required": "Enter why you are exporting this chronology.",
            "min_length": "Say why in at least 10 characters.",
        },
    )
    file_format = forms.ChoiceField(
        label="Format",
        widget=forms.RadioSelect,
        choices=[
            (ExportFormat.DOCX, "Word document (.docx), to edit for a review"),
            (ExportFormat.CSV, "Spreadsheet (.csv)"),
        ],
        initial=ExportFormat.DOCX,
        error_messages={"required": "Choose a format."},
    )
