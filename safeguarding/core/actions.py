"""Every change of state in the core app, each in one transaction and audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from safeguarding.core import audit, transactions
from safeguarding.core.access import signed_in_user
from safeguarding.core.models import Agency, AuditAction, RoleGrant, User


def _changed(
    form_instance: Model,
    request: HttpRequest,
    *,
    created: bool,
    action: AuditAction,
    detail: dict[str, Any] | None = None,
) -> None:
    audit.record(
        action,
        request=request,
        object_type=form_instance._meta.model_name or "",
        object_id=str(form_instance.pk),
        detail={"created": created, **(detail or {})},
    )


def save_structure(request: HttpRequest, form: Any) -> Model:
    """Save a validated ModelForm of the partnership's structure (agency, sub-group, priority, settings)."""
    with transactions.action():
        created = form.instance.pk is None
        instance: Model = form.save()
        _changed(
            instance,
            request,
            created=created,
            action=AuditAction.STRUCTURE_CHANGE,
            detail={"fields": sorted(form.changed_data)},
        )
    return instance


def end_all_sessions(user: User) -> int:
    """Sign a user out everywhere: every session they hold is ended."""
    from allauth.usersessions.models import UserSession

    ended = 0
    for session in UserSession.objects.filter(user=user):
        session.end()
        ended += 1
    return ended


def remove_agency(request: HttpRequest, agency: Agency) -> int:
    """An agency leaves the partnership: its users are signed out everywhere at once."""
    with transactions.action():
        agency.removed_at = timezone.now()
        agency.save(update_fields=["removed_at"])
        ended = sum(end_all_sessions(user) for user in agency.users.all())
        _changed(
            agency,
            request,
            created=False,
            action=AuditAction.STRUCTURE_CHANGE,
            detail={"removed": True, "sessions_ended": ended},
        )
    return ended


def restore_agency(request: HttpRequest, agency: Agency) -> None:
    with transactions.action():
        agency.removed_at = None
        agency.save(update_fields=["removed_at"])
        _changed(
            agency,
            request,
            created=False,
            action=AuditAction.STRUCTURE_CHANGE,
            detail={"restored": True},
        )


def set_roles(user: User, roles: Iterable[str]) -> None:
    wanted = set(roles)
    RoleGrant.objects.filter(user=user).exclude(role__in=wanted).delete()
    have = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r) for r in sorted(wanted - have)])
    user.__dict__.pop("_roles_cache", None)


def save_user(request: HttpRequest, form: Any) -> User:
    """Create or change a user. An agency admin's users always belong to the admin's agency."""
    admin = signed_in_user(request)
    own = form.instance.pk is not None and form.instance.pk == admin.pk
    if own and (
        set(form.cleaned_data["roles"]) != set(admin.roles)
        or ("agency" in form.cleaned_data and form.cleaned_data["agency"] != admin.agency)
    ):
        raise PermissionDenied(
            "No one changes their own roles or agency: ask another administrator."
        )
    with transactions.action():
        created = form.instance.pk is None
        user: User = form.save(commit=False)
        if "agency" not in form.fields:
            user.agency = admin.agency
        if created:
            # No password yet: the user sets one through the emailed reset link.
            user.set_unusable_password()
        user.save()
        set_roles(user, form.cleaned_data["roles"])
        _changed(
            user,
            request,
            created=created,
            action=AuditAction.USER_CHANGE,
            detail={"roles": sorted(form.cleaned_data["roles"])},
        )
    return user


def disable_user(request: HttpRequest, user: User) -> int:
    """A disabled account is signed out everywhere at once and cannot sign in."""
    with transactions.action():
        user.is_active = False
        user.save(update_fields=["is_active"])
        ended = end_all_sessions(user)
        _changed(
            user,
            request,
            created=False,
            action=AuditAction.USER_CHANGE,
            detail={"disabled": True, "sessions_ended": ended},
        )
    return ended


def enable_user(request: HttpRequest, user: User) -> None:
    with transactions.action():
        user.is_active = True
        user.save(update_fields=["is_active"])
        _changed(
            user, request, created=False, action=AuditAction.USER_CHANGE, detail={"enabled": True}
        )
