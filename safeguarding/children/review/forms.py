"""Forms of the linkage review pages: decide a pair, merge, split, undo."""

from __future__ import annotations

from typing import Any

from django import forms

from safeguarding.core.forms import HubForm

REASON_HELP = "Recorded with the change and in the audit log."


class DecisionForm(HubForm):
    """The two buttons under a pair carry the decision; the note is optional."""

    decision = forms.ChoiceField(
        choices=[("same", "Same child"), ("different", "Different children")],
        widget=forms.HiddenInput,
        error_messages={"required": "Choose whether these are the same child or not."},
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        label="Note",
        help_text="What decided it, for whoever looks at this pair later.",
    )

    @property
    def same_child(self) -> bool:
        return bool(self.cleaned_data.get("decision") == "same")


class MergeForm(HubForm):
    other = forms.CharField(
        max_length=40,
        label="The other child's pseudonym or reference",
        help_text="For example C-7KQ2M9XP, or the id in the address of their page.",
        error_messages={"required": "Enter the pseudonym or reference of the other child."},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=2000,
        label="Why are they the same child?",
        help_text=REASON_HELP,
        error_messages={"required": "Say why these are the same child."},
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class SplitForm(HubForm):
    records = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="Records to split off onto a new child",
        error_messages={"required": "Choose at least one record to split off."},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=2000,
        label="Why are these records of a different child?",
        help_text=REASON_HELP,
        error_messages={"required": "Say why these records are of a different child."},
    )

    def __init__(self, *args: Any, records: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["records"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - narrows the type
        field.choices = [(str(pk), label) for pk, label in records]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("records") or []
        choices = self.fields["records"].choices  # type: ignore[attr-defined]
        if chosen and len(chosen) >= len(choices):
            self.add_error("records", "At least one record must stay with this child.")
        return data

    @property
    def record_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("records", [])]


class UndoForm(HubForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=2000,
        label="Why undo it?",
        help_text=REASON_HELP,
        error_messages={"required": "Say why this change should be undone."},
    )
