from __future__ import annotations

from typing import Any

from django import forms

from safeguarding.core.disclosure import POLICY_LABELS
from safeguarding.core.models import Agency
from safeguarding.reports.models import DeathCategory, FinanceLine, YearEntries


class NewReportForm(forms.Form):
    year = forms.IntegerField(
        label="Financial year it starts in",
        help_text="For example, 2024 for April 2024 to March 2025.",
        min_value=2000,
        max_value=2100,
    )


class DisclosureForm(forms.Form):
    policy = forms.ChoiceField(
        label="How small counts of children are shown",
        choices=[(policy.value, label) for policy, label in POLICY_LABELS.items()],
        widget=forms.RadioSelect,
        help_text=(
            "Every count of children in the report follows it: tables, figures and the data "
            "set's charts. A partnership that publishes with its health partners may use "
            "the NHS rule."
        ),
    )


class SectionBlocksForm(forms.Form):
    shown = forms.TypedMultipleChoiceField(
        label="Figures shown under the text",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They appear in this order, under the section's text, in every format.",
    )

    def __init__(self, *args: Any, labels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shown"].choices = list(enumerate(labels))  # type: ignore[attr-defined]


class NarrativeForm(forms.Form):
    text = forms.CharField(
        label="Text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "class": "govuk-textarea"}),
        help_text=(
            "Markdown: a blank line between paragraphs, # for a heading, - for a bullet, "
            "**bold**, *italic*, > for a quotation. No child may be identifiable."
        ),
    )


class EntriesForm(forms.ModelForm):
    class Meta:
        model = YearEntries
        fields = (
            "social_platform",
            "social_followers",
            "newsletter_subscribers",
            "website_visits_per_month",
            "website_visits_change",
            "balance_met_by",
            "young_carers_baseline",
        )
        labels = {
            "social_platform": "Social media platform",
            "social_followers": "Followers",
            "newsletter_subscribers": "E-newsletter subscribers",
            "website_visits_per_month": "Website visits a month",
            "website_visits_change": "Change in visits a month on the year before",
            "balance_met_by": "Agency that met the deficit (or held the surplus)",
            "young_carers_baseline": "Compare young carers identified from (a day in the month)",
        }
        widgets = {"young_carers_baseline": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["balance_met_by"].queryset = Agency.objects.filter(statutory_partner=True)  # type: ignore[attr-defined]


class FinanceLineForm(forms.ModelForm):
    class Meta:
        model = FinanceLine
        fields = ("kind", "agency", "label", "amount")
        labels = {
            "kind": "Kind of line",
            "agency": "Partner (for a contribution)",
            "label": "Description",
            "amount": "Amount (£)",
        }


class AreaFiguresForm(forms.Form):
    file = forms.FileField(
        label="CSV of public health indicators",
        help_text="Columns: group, indicator, value, unit (percentage, rate_1000, rate_10000, count or number), period, source.",
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > 1_000_000:
            raise forms.ValidationError("The file is larger than 1 MB.")
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None


class DeathCountsForm(forms.Form):
    def __init__(
        self, *args: Any, initial_counts: dict[int, tuple[int, int]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        held = initial_counts or {}
        for category in DeathCategory:
            modifiable, other = held.get(category.value, (0, 0))
            self.fields[f"m{category.value}"] = forms.IntegerField(
                label=f"{category.value}. {category.label}: modifiable factors",
                min_value=0,
                initial=modifiable,
            )
            self.fields[f"n{category.value}"] = forms.IntegerField(
                label=f"{category.value}. {category.label}: no modifiable factors",
                min_value=0,
                initial=other,
            )

    def counts(self) -> dict[int, tuple[int, int]]:
        return {
            c.value: (self.cleaned_data[f"m{c.value}"], self.cleaned_data[f"n{c.value}"])
            for c in DeathCategory
        }
