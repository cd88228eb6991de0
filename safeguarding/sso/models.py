"""An agency's identity provider (OpenID Connect), and the accounts the leaver check disabled."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models


def _words(text: str) -> list[str]:
    return [w.strip().lower() for w in text.replace(",", " ").split() if w.strip()]


class IdentityProvider(models.Model):
    """One agency's OpenID Connect provider. Its `slug` is allauth's `provider_id`."""

    agency = models.OneToOneField(
        "core.Agency", on_delete=models.PROTECT, related_name="identity_provider"
    )
    slug = models.SlugField(max_length=60, unique=True)
    issuer = models.URLField(
        max_length=300,
        help_text="The provider's issuer, as in its /.well-known/openid-configuration.",
    )
    client_id = models.CharField(max_length=200)
    # Fernet token (sso/sealing.py), never the secret itself.
    sealed_secret = models.TextField(blank=True)
    allowed_domains = models.TextField(
        help_text="Email domains of this agency's staff, separated by spaces or commas."
    )
    pkce = models.BooleanField(
        default=True, help_text="Proof Key for Code Exchange (S256). Leave on."
    )
    trusted_amr = models.CharField(
        max_length=200,
        blank=True,
        help_text=(
            "amr values that mean the provider did multi-factor authentication, for "
            "example: mfa. Leave empty to always ask for the hub's own second factor."
        ),
    )
    trusted_acr = models.CharField(
        max_length=300,
        blank=True,
        help_text="acr values that mean the same. Leave empty if the provider sends none.",
    )
    allow_account_creation = models.BooleanField(
        default=False,
        help_text=(
            "A first sign-in with no hub account creates one in this agency, with no role. "
            "The agency admin decides."
        ),
    )
    leaver_days = models.PositiveIntegerField(
        default=30,
        validators=[MinValueValidator(1)],
        help_text="Disable a hub account not signed in through the provider for this many days.",
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["agency__name"]

    def __str__(self) -> str:
        return f"{self.agency.name} ({self.issuer})"

    @property
    def domains(self) -> list[str]:
        return [d.lstrip("@") for d in _words(self.allowed_domains)]

    @property
    def amr_values(self) -> set[str]:
        return set(_words(self.trusted_amr))

    @property
    def acr_values(self) -> set[str]:
        return set(self.trusted_acr.split())

    def allows_email(self, email: str) -> bool:
        domain = email.rpartition("@")[2].lower()
        return bool(domain) and domain in self.domains

    def asserts_mfa(self, claims: dict[str, object]) -> bool:
        """Whether the ID token's amr or acr says the provider did MFA, by this agency's list."""
        amr = claims.get("amr")
        amr_values = {str(v).lower() for v in amr} if isinstance(amr, list) else set()
        if amr_values & self.amr_values:
            return True
        acr = claims.get("acr")
        return isinstance(acr, str) and acr in self.acr_values


class DisabledLeaver(models.Model):
    """An account the nightly leaver check disabled: what the agency admin is shown."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_disablings"
    )
    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="disabled_leavers"
    )
    last_seen = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-disabled_at"]

    def __str__(self) -> str:
        return f"{self.user} disabled {self.disabled_at:%Y-%m-%d}"
