"""Sign-in: who may, and what allauth is told about this partnership."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.auth_backends import AuthenticationBackend
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


class AccountAdapter(DefaultAccountAdapter):
    """No public sign-up (agency admins create users); lockouts are audited."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

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
