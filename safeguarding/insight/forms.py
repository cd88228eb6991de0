"""Forms of the data set pages, with GOV.UK classes (core/forms.py)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from safeguarding.core.forms import HubForm, HubModelForm
from safeguarding.insight import actions
from safeguarding.insight.models import Indicator, Spotlight


class IndicatorForm(HubModelForm):
    class Meta:
        model = Indicator
        fields: ClassVar = [
            "code",
            "title",
            "definition",
            "unit",
            "numerator",
            "denominator",
            "better_direction",
            "frequency",
            "summable",
            "source_agency",
            "computed",
            "sub_group",
            "priority",
            "target",
            "rebase_from",
            "active",
        ]
        labels: ClassVar = {
            "better_direction": "Which way is better",
            "source_agency": "Agency that sends the values",
            "sub_group": "Owning sub-group",
            "summable": "The periods add up to a year's total",
            "rebase_from": "Recalculate the limits from (the first day of a period, YYYY-MM-DD)",
        }
        widgets: ClassVar = {"definition": forms.Textarea(attrs={"rows": 4})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("computed") and data.get("source_agency"):
            self.add_error("computed", "A computed indicator has no agency that sends it.")
        return data


class ValueForm(HubForm):
    value = forms.CharField(required=False, label="Value")
    numerator = forms.CharField(required=False, label="Numerator")
    denominator = forms.CharField(required=False, label="Denominator")
    reason = forms.CharField(
        required=False,
        label="Why is the value being corrected?",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, ratio: bool, correcting: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ratio:
            del self.fields["numerator"]
            del self.fields["denominator"]
        else:
            self.fields["value"].help_text = "Or give the numerator and denominator instead."
        if not correcting:
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parsed = actions.Value(None)
        for name, parse in (
            ("value", actions.parse_decimal),
            ("numerator", actions.parse_whole),
            ("denominator", actions.parse_whole),
        ):
            if name not in self.fields:
                continue
            try:
                setattr(parsed, name, parse(data.get(name)))
            except ValueError as error:
                self.add_error(name, str(error).capitalize() + ".")
        data["parsed"] = parsed
        return data


class UploadForm(HubForm):
    file = forms.FileField(label="Filled-in template (.xlsx)")


class ComparatorUploadForm(HubForm):
    file = forms.FileField(
        label="Comparators (CSV)",
        help_text="Columns: indicator, comparator (england, region or statistical_neighbours), "
        "year (such as 2024/25), value, source.",
    )


class CommentaryForm(HubForm):
    text = forms.CharField(
        required=False,
        label="Commentary",
        help_text="What the partnership knows about this period that the numbers do not say. "
        "Leave blank to remove it.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )


class SpotlightForm(HubModelForm):
    class Meta:
        model = Spotlight
        fields: ClassVar = ["title", "summary", "year", "sub_group", "indicators"]
        labels: ClassVar = {"year": "Financial year (its first year, such as 2024)"}
        widgets: ClassVar = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "indicators": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = Indicator.objects.filter(active=True)  # type: ignore[attr-defined]


class ExportForm(HubForm):
    # No choice of policy: the year has one, used by every output of the year
    # (docs/decisions/0068-protection-across-linked-tables.md).
    year = forms.IntegerField(min_value=2000, max_value=2100)
