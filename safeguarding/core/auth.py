"""Sign-in: who may, and what allauth is told about this partnership."""

from __future__ import annotations

import time
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.stages import AuthenticateStage as MFAAuthenticateStage
from django import forms
from django.http import HttpRequest

from safeguarding.core import audit
from safeguarding.core.models import AuditAction, User


class AgencyAwareBackend(AuthenticationBackend):
    """A user may sign in, and stays signed in, only while their account and agency are.

    Django asks `user_can_authenticate` again on every request (through get_user), so
    disabling an account or removing an agency signs its users out everywhere at once.
    """

    def user_can_authenticate(self, user: Any) -> bool:
        if not super().user_can_authenticate(user):
            return False
        agency = getattr(user, "agency", None)
        return agency is None or agency.removed_at is None


# --- Single sign-on: a second factor vouched for by an agency's identity provider. ---
# The sso app puts {"user", "provider", "uid"} here when the provider's ID token asserted
# MFA by that agency's list (docs/decisions/0066-single-sign-on-per-agency.md). It counts
# only together with allauth's own record of that sign-in through that provider, so a
# leftover vouch cannot excuse a password sign-in from the hub's second factor.
MFA_BY_PROVIDER_SESSION_KEY = "safeguarding_mfa_by_provider"


def second_factor_vouched(request: HttpRequest, user: Any) -> bool:
    from allauth.account.authentication import get_authentication_records

    vouch = request.session.get(MFA_BY_PROVIDER_SESSION_KEY)
    if not isinstance(vouch, dict) or user is None or vouch.get("user") != user.pk:
        return False
    return any(
        r.get("method") == "socialaccount"
        and r.get("provider") == vouch.get("provider")
        and r.get("uid") == vouch.get("uid")
        for r in get_authentication_records(request, user)
    )


class AuthenticateStage(MFAAuthenticateStage):
    """allauth's MFA stage, passed over when the identity provider vouched for the factor."""

    def _should_handle(self, request: HttpRequest) -> bool:
        if second_factor_vouched(request, self.login.user):
            return False
        return bool(super()._should_handle(request))


# --- end of single sign-on ---


class AccountAdapter(DefaultAccountAdapter):
    """No public sign-up (agency admins create users); lockouts are audited."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """A password typed to sign in a moment ago counts as recent, as a re-authentication
        does: a new user setting up the mandatory authenticator is not asked for it twice."""
        from allauth.account import app_settings
        from allauth.account.authentication import get_authentication_records
        from allauth.core import context

        request = context.request
        if request is not None and request.user.is_authenticated:
            signed_in = [
                r
                for r in get_authentication_records(request, request.user)
                # A sign-in through the agency's provider is as recent as a password.
                if r.get("method") in ("password", "socialaccount")
            ]
            if (
                signed_in
                and time.time() - signed_in[-1]["at"] < app_settings.REAUTHENTICATION_TIMEOUT
            ):
                return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))

    def get_login_stages(self) -> list[str]:
        stages = [str(path) for path in super().get_login_stages()]
        mfa = "allauth.mfa.stages.AuthenticateStage"
        return [f"{__name__}.AuthenticateStage" if p == mfa else p for p in stages]

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError:
            email = str(credentials.get("email", ""))[:254]
            account = User.objects.filter(email__iexact=email).first() if email else None
            audit.record(
                AuditAction.LOCKED_OUT,
                request=request,
                user=account,
                user_email=email,
                detail={"attempted": email},
            )
            raise
