"""allauth's social-account adapter for the agencies' identity providers.

Who may come in through an agency's provider is decided here, once, in `admit`: a verified
email of an allowed domain, matching a hub account of that same agency that is active (or,
where the agency allowed it, a new account with no role). Everything else is refused and
audited. The provider's MFA counts only where its ID token says so by the agency's list
(docs/decisions/0066-single-sign-on-per-agency.md).
"""

from __future__ import annotations

from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.http import HttpRequest
from django.shortcuts import render

from safeguarding.core import refusals
from safeguarding.core.auth import MFA_BY_PROVIDER_SESSION_KEY
from safeguarding.core.models import User
from safeguarding.sso import actions, queries
from safeguarding.sso.models import IdentityProvider

# What the person is told, by reason; the audit log keeps the reason's code.
REFUSALS = {
    "provider_unknown": "This agency's sign-in is not available.",
    "no_email": "Your agency's account did not give the hub an email address.",
    "email_not_verified": "Your agency's account did not give the hub a verified email address.",
    "domain_not_allowed": "Your email address is not one of this agency's addresses.",
    "email_changed": "Your agency's account now has a different email address from your hub account.",
    "no_account": "There is no hub account for your email address in this agency.",
    "other_agency": "Your hub account belongs to another agency: sign in with that agency's account.",
    "account_disabled": "Your hub account is disabled.",
}


class SignInRefused(refusals.Refused):
    """The provider's answer does not let this person into the hub; `reason` says why."""

    code = "sso.sign_in_refused"

    def __init__(self, reason: str, email: str = "", user: User | None = None) -> None:
        super().__init__(reason)
        self.reason, self.email, self.user = reason, email, user


def claims_of(sociallogin: SocialLogin) -> tuple[dict[str, Any], dict[str, Any]]:
    """(ID token claims, userinfo and ID token together, userinfo winning)."""
    data = sociallogin.account.extra_data or {}
    id_token = data.get("id_token") or {}
    return id_token, {**id_token, **(data.get("userinfo") or {})}


def match(
    request: HttpRequest, idp: IdentityProvider | None, sociallogin: SocialLogin
) -> tuple[User, bool]:
    """The hub account this sign-in is for, and whether the provider vouched for MFA."""
    if idp is None or not idp.enabled or not idp.agency.is_active:
        raise SignInRefused("provider_unknown")
    id_token, claims = claims_of(sociallogin)
    email = str(claims.get("email") or "").strip().lower()
    if not email:
        raise SignInRefused("no_email")
    if claims.get("email_verified") is not True:
        raise SignInRefused("email_not_verified", email)
    if not idp.allows_email(email):
        raise SignInRefused("domain_not_allowed", email)
    # By the provider's subject once linked, by verified email the first time; never by name.
    user: User | None = sociallogin.user if sociallogin.is_existing else None
    if user is not None and user.email.lower() != email:
        raise SignInRefused("email_changed", email, user)
    user = user or queries.user_by_email(email)
    if user is None:
        if not idp.allow_account_creation:
            raise SignInRefused("no_account", email)
        user = actions.create_account(request, idp, email, str(claims.get("name") or ""))
    if user.agency_id != idp.agency_id:
        raise SignInRefused("other_agency", email, user)
    if not user.is_active:
        raise SignInRefused("account_disabled", email, user)
    return user, idp.asserts_mfa(id_token)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(
        self, request: HttpRequest | None, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        """The apps are the agencies' providers registered in the hub's pages, never
        allauth's own table or settings."""
        return queries.social_apps(provider, client_id)

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # Accounts are made by `match` (where the agency allowed it), never by allauth's form.
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        request.session.pop(MFA_BY_PROVIDER_SESSION_KEY, None)
        slug = sociallogin.account.provider
        idp = queries.provider_by_slug(slug)
        try:
            user, vouched = match(request, idp, sociallogin)
        except SignInRefused as refusal:
            actions.record_refusal(
                request,
                reason=refusal.reason,
                provider=slug,
                email=refusal.email,
                user=refusal.user,
            )
            message = REFUSALS[refusal.reason]
            context = {"message": message, "agency": idp.agency if idp else None}
            response = render(request, "sso/refused.html", context, status=403)
            raise ImmediateHttpResponse(response) from None
        if not sociallogin.is_existing:
            sociallogin.connect(request, user)
        if vouched:
            request.session[MFA_BY_PROVIDER_SESSION_KEY] = {
                "user": user.pk,
                "provider": slug,
                "uid": sociallogin.account.uid,
            }

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        """A refusal before the hub knows who it is (state, token, provider said no)."""
        cause = exception.__cause__ if exception is not None else None
        actions.record_refusal(
            request,
            reason=str(error or "unknown"),
            provider=str(getattr(getattr(provider, "app", None), "provider_id", "") or ""),
            extra={
                "error": request.GET.get("error", "")[:100],
                "exception": repr(exception)[:300] if exception is not None else "",
                "cause": repr(cause)[:300] if cause is not None else "",
            },
        )
