"""Changes of state of the sso app, each in one transaction and audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from safeguarding.core import audit, transactions
from safeguarding.core.actions import end_all_sessions
from safeguarding.core.models import AuditAction, User
from safeguarding.sso import queries, sealing
from safeguarding.sso.models import DisabledLeaver, IdentityProvider

ROUTE = "single sign-on"


def save_provider(request: HttpRequest, form: Any) -> IdentityProvider:
    """Save the system admin's form; a secret typed in is sealed, an empty one kept."""
    with transactions.action():
        idp: IdentityProvider = form.save(commit=False)
        created = idp.pk is None
        if created:
            idp.slug = idp.agency.code.lower()
        secret = form.cleaned_data.get("secret") or ""
        if secret:
            idp.sealed_secret = sealing.seal(secret)
        idp.save()
        audit.record(
            AuditAction.STRUCTURE_CHANGE,
            request=request,
            object_type="identityprovider",
            object_id=idp.pk,
            detail={
                "created": created,
                "agency": idp.agency.code,
                "fields": sorted(set(form.changed_data) - {"secret"}),
                "secret_changed": bool(secret),
            },
        )
    return idp


def set_account_creation(request: HttpRequest, idp: IdentityProvider, allowed: bool) -> None:
    """The agency admin's own choice: may a first sign-in create an account (never a role)."""
    with transactions.action():
        idp.allow_account_creation = allowed
        idp.save(update_fields=["allow_account_creation", "changed_at"])
        audit.record(
            AuditAction.STRUCTURE_CHANGE,
            request=request,
            object_type="identityprovider",
            object_id=idp.pk,
            detail={"agency": idp.agency.code, "allow_account_creation": allowed},
        )


def record_refusal(
    request: HttpRequest | None,
    *,
    reason: str,
    provider: str,
    email: str = "",
    user: User | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Every refused single sign-on goes to the audit log as a failed sign-in."""
    audit.record(
        AuditAction.SIGN_IN_FAILED,
        request=request,
        user=user,
        user_email=email[:254],
        detail={
            "route": ROUTE,
            "provider": provider,
            "reason": reason,
            "attempted": email[:254],
            **(extra or {}),
        },
    )


def create_account(request: HttpRequest, idp: IdentityProvider, email: str, name: str) -> User:
    """A first sign-in, where the agency allowed it: an account of that agency, no role,
    no usable password."""
    with transactions.action():
        user = User.objects.create_user(
            email=email, password=None, full_name=name[:200] or email, agency=idp.agency
        )
        audit.record(
            AuditAction.USER_CHANGE,
            request=request,
            user=user,
            object_type="user",
            object_id=user.pk,
            detail={"created": True, "route": ROUTE, "provider": idp.slug, "roles": []},
        )
    return user


def disable_leavers(now: Any = None) -> list[DisabledLeaver]:
    """The nightly check: an account linked to its agency's provider and not signed in
    through it for the agency's number of days is disabled and signed out everywhere."""
    now = now or timezone.now()
    disabled: list[DisabledLeaver] = []
    for idp in queries.providers().filter(enabled=True):
        cutoff = now - timedelta(days=idp.leaver_days)
        for link in queries.stale_links(idp, cutoff):
            with transactions.action():
                user = link.user
                user.is_active = False
                user.save(update_fields=["is_active"])
                ended = end_all_sessions(user)
                row = DisabledLeaver.objects.create(
                    user=user, provider=idp, last_seen=link.last_login, disabled_at=now
                )
                audit.record(
                    AuditAction.USER_CHANGE,
                    object_type="user",
                    object_id=user.pk,
                    detail={
                        "disabled": True,
                        "email": user.email,
                        "route": ROUTE,
                        "reason": "not seen at the provider",
                        "provider": idp.slug,
                        "days": idp.leaver_days,
                        "last_seen": link.last_login.isoformat(),
                        "sessions_ended": ended,
                    },
                )
            disabled.append(row)
    return disabled
