from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms

from safeguarding.core.models import Agency
from safeguarding.sso.models import IdentityProvider


class ProviderForm(forms.ModelForm):
    """The system admin's registration of an agency's OpenID Connect provider."""

    secret = forms.CharField(
        label="Client secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="Kept sealed and never shown again. Leave empty to keep the one saved.",
    )

    class Meta:
        model = IdentityProvider
        fields: ClassVar = [
            "agency",
            "issuer",
            "client_id",
            "allowed_domains",
            "pkce",
            "trusted_amr",
            "trusted_acr",
            "allow_account_creation",
            "leaver_days",
            "enabled",
        ]
        labels: ClassVar = {
            "client_id": "Client ID",
            "pkce": "Use PKCE",
            "trusted_amr": "Trust the provider's MFA when amr contains",
            "trusted_acr": "Trust the provider's MFA when acr is one of",
            "allow_account_creation": "A first sign-in may create an account (with no role)",
            "leaver_days": "Days unseen before an account is disabled",
            "enabled": "Offer this sign-in",
        }
        widgets: ClassVar = {"allowed_domains": forms.TextInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.filter(removed_at__isnull=True)
        if self.instance.pk:
            self.fields["agency"].disabled = True
        else:
            agencies = agencies.filter(identity_provider__isnull=True)
        agency_field = cast(forms.ModelChoiceField, self.fields["agency"])
        agency_field.queryset = agencies

    def clean_issuer(self) -> str:
        issuer = str(self.cleaned_data["issuer"]).rstrip("/")
        if issuer.endswith("/.well-known/openid-configuration"):
            issuer = issuer.removesuffix("/.well-known/openid-configuration")
        return issuer

    def clean_allowed_domains(self) -> str:
        domains = [
            d.strip().lstrip("@").lower()
            for d in self.cleaned_data["allowed_domains"].replace(",", " ").split()
        ]
        bad = [d for d in domains if "." not in d or "@" in d or "/" in d]
        if not domains or bad:
            raise forms.ValidationError(
                "Enter the agency's email domains, like council.gov.uk, separated by spaces."
            )
        return " ".join(dict.fromkeys(domains))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.instance.sealed_secret and not cleaned.get("secret"):
            self.add_error("secret", "Enter the client secret the provider gave the hub.")
        return cleaned


class AccountCreationForm(forms.Form):
    """The agency admin's choice for their own agency."""

    allow_account_creation = forms.BooleanField(
        required=False,
        label="A first sign-in through our provider may create a hub account, with no role",
    )
