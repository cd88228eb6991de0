"""Forms of the core app, rendered with GOV.UK Frontend's classes."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from safeguarding.core.models import Agency, Partnership, Priority, SubGroup, User
from safeguarding.core.roles import PARTNERSHIP_WIDE_ROLES, Role

WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.CheckboxSelectMultiple: "govuk-checkboxes__input",
    forms.SelectMultiple: "govuk-select",
    forms.RadioSelect: "govuk-radios__input",
}


class HubForm(forms.Form):
    """Adds GOV.UK classes to widgets; errors are shown by core/includes/form_fields.html."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


def style_fields(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        css = next((c for kind, c in WIDGET_CLASSES.items() if type(widget) is kind), "govuk-input")
        if form.is_bound and getattr(form, "_errors", None) and field in form.errors:
            css += " govuk-input--error" if css == "govuk-input" else ""
        widget.attrs["class"] = css


class HubModelForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class PartnershipForm(HubModelForm):
    class Meta:
        model = Partnership
        fields: ClassVar = [
            "name",
            "area",
            "financial_year_start_month",
            "financial_year_start_day",
        ]
        labels: ClassVar = {
            "financial_year_start_month": "Financial year starts in month (1 to 12)"
        }


class AgencyForm(HubModelForm):
    class Meta:
        model = Agency
        fields: ClassVar = ["name", "code", "kind", "statutory_partner", "email_domains"]
        labels: ClassVar = {"statutory_partner": "Statutory safeguarding partner"}

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).upper()


class SubGroupForm(HubModelForm):
    class Meta:
        model = SubGroup
        fields: ClassVar = ["name", "purpose", "chair", "members", "is_active"]
        widgets: ClassVar = {"members": forms.CheckboxSelectMultiple}
        labels: ClassVar = {"is_active": "Meets now"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True).select_related("agency").order_by("full_name")
        self.fields["chair"].queryset = people  # type: ignore[attr-defined]
        self.fields["members"].queryset = people  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chair, members = data.get("chair"), data.get("members")
        if chair is not None and members is not None and chair not in members:
            data["members"] = [*members, chair]
        return data


class PriorityForm(HubModelForm):
    class Meta:
        model = Priority
        fields: ClassVar = ["year", "number", "title", "description", "sub_group"]
        labels: ClassVar = {
            "year": "Year it starts (2025 means 2025 to 2026)",
            "sub_group": "Owning sub-group",
        }


class UserForm(HubModelForm):
    roles = forms.MultipleChoiceField(choices=Role.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = User
        fields: ClassVar = ["full_name", "email", "job_title", "agency"]

    def __init__(self, *args: Any, admin: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.admin = admin
        if self.instance.pk:
            self.initial["roles"] = sorted(self.instance.roles)
        if admin.has_role(Role.SYSTEM_ADMIN):
            self.fields["agency"].queryset = Agency.objects.filter(removed_at__isnull=True)  # type: ignore[attr-defined]
        else:
            # An agency admin manages their own agency's users, and cannot hand out the
            # partnership-wide roles.
            del self.fields["agency"]
            roles_field = self.fields["roles"]
            assert isinstance(roles_field, forms.MultipleChoiceField)  # noqa: S101 - narrows the type
            roles_field.choices = [
                (value, label)
                for value, label in Role.choices
                if value not in PARTNERSHIP_WIDE_ROLES
            ]
        if self.instance.pk and self.instance.pk == admin.pk:
            # Separation of duties (docs/decisions/0058-break-glass-brake.md): no one changes
            # their own roles or agency; another administrator does.
            for name in ("roles", "agency"):
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = "Another administrator changes this for you."

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        clash = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Another account already uses this email address.")
        return email


class AuditSearchForm(HubForm):
    child = forms.CharField(
        required=False,
        label="Child",
        help_text="The child's reference (the id in the address of their page, or their pseudonym).",
    )
    user = forms.EmailField(required=False, label="User's email address")
    action = forms.ChoiceField(required=False, label="What happened", choices=[("", "Anything")])
    date_from = forms.DateField(required=False, label="From (for example 5/3/2025)")
    date_to = forms.DateField(required=False, label="To")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from safeguarding.core.models import AuditAction

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Anything"), *AuditAction.choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start date must be on or before the end date.")
        return data


class BreakGlassForm(HubForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=20,
        max_length=2000,
        label="Why do you need to open this record now?",
        help_text="Your reason is recorded and reviewed by the partnership's information governance lead.",
    )


class BreakGlassReviewForm(HubForm):
    outcome = forms.ChoiceField(
        choices=[("justified", "Justified"), ("not_justified", "Not justified: refer on")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
