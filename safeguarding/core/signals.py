"""Sign-ins, failures, password changes and MFA changes go to the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver
from django.http import HttpRequest

from safeguarding.core import audit
from safeguarding.core.models import AuditAction, User


@receiver(auth_signals.user_logged_in)
def on_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit.record(AuditAction.SIGN_IN, request=request, user=user)


@receiver(auth_signals.user_logged_out)
def on_sign_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(AuditAction.SIGN_OUT, request=request, user=user)


@receiver(auth_signals.user_login_failed)
def on_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    email = str(credentials.get("email") or credentials.get("username") or "")[:254]
    # Attributed to the account that was tried, if there is one, so that "what happened
    # to this user" shows attacks on it.
    account = User.objects.filter(email__iexact=email).first() if email else None
    audit.record(
        AuditAction.SIGN_IN_FAILED,
        request=request,
        user=account,
        user_email=email,
        detail={"attempted": email},
    )


def _record_authenticator_change(action: AuditAction) -> Callable[..., None]:
    def receive(sender: Any, request: HttpRequest, authenticator: Any, **kwargs: Any) -> None:
        audit.record(
            action,
            request=request,
            user=authenticator.user,
            object_type="authenticator",
            object_id=authenticator.pk,
            detail={"type": authenticator.type},
        )

    return receive


# Connected strongly (weak=False): the receivers are made here and held nowhere else.
for signal, action in (
    (mfa_signals.authenticator_added, AuditAction.MFA_ADDED),
    (mfa_signals.authenticator_removed, AuditAction.MFA_REMOVED),
    (mfa_signals.authenticator_reset, AuditAction.MFA_RECOVERY_CODES),
):
    signal.connect(_record_authenticator_change(action), weak=False, dispatch_uid=f"audit-{action}")


@receiver(mfa_signals.authentication_failed)
def on_mfa_failed(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit.record(AuditAction.MFA_FAILED, request=request, user=user)


def _record_password(how: str) -> Callable[..., None]:
    def receive(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
        audit.record(
            AuditAction.PASSWORD_CHANGE,
            request=request,
            user=user,
            object_type="user",
            object_id=user.pk,
            detail={"how": how},
        )

    return receive


# A password changed by its holder, set for the first time, or reset from an emailed link:
# an IG lead can tell a reset nobody asked for from the holder's own change.
for signal, how in (
    (account_signals.password_changed, "changed"),
    (account_signals.password_set, "set"),
    (account_signals.password_reset, "reset"),
):
    signal.connect(_record_password(how), weak=False, dispatch_uid=f"audit-password-{how}")
