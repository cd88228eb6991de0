"""Reads of the sso app: the registered providers, the accounts they link, the leavers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from safeguarding.core.models import User
from safeguarding.core.roles import Role
from safeguarding.sso import sealing
from safeguarding.sso.models import DisabledLeaver, IdentityProvider

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialAccount, SocialApp

OIDC = "openid_connect"


def providers() -> QuerySet[IdentityProvider]:
    return IdentityProvider.objects.select_related("agency")


def provider(pk: int) -> IdentityProvider:
    return get_object_or_404(providers(), pk=pk)


def sign_in_providers() -> list[IdentityProvider]:
    """The providers offered on the sign-in page: enabled, of an agency still in the partnership."""
    return list(providers().filter(enabled=True, agency__removed_at__isnull=True))


def provider_by_slug(slug: str) -> IdentityProvider | None:
    return providers().filter(slug=slug).first()


def provider_of_agency(agency_id: int | None) -> IdentityProvider | None:
    return providers().filter(agency_id=agency_id).first() if agency_id else None


def social_app(idp: IdentityProvider) -> SocialApp:
    """allauth's app for this provider, built from our row and never saved (its secret
    stays sealed in the database and is opened only here, per request)."""
    from allauth.socialaccount.models import SocialApp

    return SocialApp(
        provider=OIDC,
        provider_id=idp.slug,
        name=idp.agency.name,
        client_id=idp.client_id,
        secret=sealing.unseal(idp.sealed_secret),
        settings={
            "server_url": idp.issuer,
            "oauth_pkce_enabled": idp.pkce,
            "fetch_userinfo": True,
        },
    )


def social_apps(provider: str | None = None, client_id: str | None = None) -> list[SocialApp]:
    return [
        social_app(idp)
        for idp in sign_in_providers()
        if provider in (None, OIDC, idp.slug) and client_id in (None, idp.client_id)
    ]


def user_by_email(email: str) -> User | None:
    return User.objects.select_related("agency").filter(email__iexact=email).first()


def stale_links(idp: IdentityProvider, cutoff: datetime) -> QuerySet[SocialAccount]:
    """Active accounts of the agency linked to its provider and not signed in through it
    since `cutoff`."""
    from allauth.socialaccount.models import SocialAccount

    return SocialAccount.objects.select_related("user").filter(
        provider=idp.slug,
        last_login__lt=cutoff,
        user__is_active=True,
        user__agency_id=idp.agency_id,
    )


def leavers_seen_by(user: User) -> QuerySet[DisabledLeaver]:
    """A system admin sees every agency's disabled leavers; an agency admin their own."""
    rows = DisabledLeaver.objects.select_related("user", "provider__agency")
    if user.has_role(Role.SYSTEM_ADMIN):
        return rows
    if user.agency_id is None:
        return rows.none()
    return rows.filter(provider__agency_id=user.agency_id)
