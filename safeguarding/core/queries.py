"""Reads of the core app. Child-level reads live in core/access/."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Upper
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from safeguarding.core.models import (
    Agency,
    AuditEntry,
    BreakGlass,
    Partnership,
    Priority,
    SubGroup,
    User,
)
from safeguarding.core.roles import PARTNERSHIP_WIDE_ROLES, Role


def partnership() -> Partnership:
    """The partnership's settings; an unsaved default before the first is recorded."""
    return Partnership.objects.first() or Partnership(name="Safeguarding Partnership Hub", area="")


def agencies(*, include_removed: bool = True) -> QuerySet[Agency]:
    queryset = Agency.objects.annotate(user_count=Count("users", filter=Q(users__is_active=True)))
    return queryset if include_removed else queryset.filter(removed_at__isnull=True)


def agency_by_code(code: str) -> Agency:
    found = Agency.objects.filter(code=code).first()
    if found is None:
        raise Http404("No such agency.")
    return found


def sub_groups() -> QuerySet[SubGroup]:
    return SubGroup.objects.select_related("chair", "chair__agency").annotate(
        member_count=Count("members")
    )


def sub_group(pk: int) -> SubGroup:
    return get_object_or_404(SubGroup, pk=pk)


def priorities() -> QuerySet[Priority]:
    return Priority.objects.select_related("sub_group")


def priority(pk: int) -> Priority:
    return get_object_or_404(Priority, pk=pk)


def users_managed_by(admin: User) -> QuerySet[User]:
    """A system admin manages everyone; an agency admin their own agency's users, but
    not those holding partnership-wide roles, nor themselves (no one raises their own
    roles)."""
    queryset = User.objects.select_related("agency").prefetch_related("role_grants")
    if admin.has_role(Role.SYSTEM_ADMIN):
        return queryset
    if admin.has_role(Role.AGENCY_ADMIN) and admin.agency_id:
        return (
            queryset.filter(agency_id=admin.agency_id)
            .exclude(role_grants__role__in=PARTNERSHIP_WIDE_ROLES)
            .exclude(pk=admin.pk)
        )
    return queryset.none()


def managed_user(admin: User, user_id: int) -> User:
    found = users_managed_by(admin).filter(pk=user_id).first()
    if found is None:
        raise Http404("No such user.")
    return found


@dataclass(frozen=True)
class AuditQuery:
    child: str = ""
    user: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.child or self.user or self.action or self.date_from or self.date_to)

    def describe(self) -> dict[str, Any]:
        return {k: str(v) for k, v in self.__dict__.items() if v}


def child_ref(text: str) -> str:
    """A child is searched by public id; a pseudonym is turned into it (via access)."""
    text = text.strip()
    if not text:
        return ""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        from safeguarding.core import access

        found = access.public_id_of_pseudonym(text)
        return str(found) if found else text


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries(query: AuditQuery) -> QuerySet[AuditEntry]:
    """Newest first. Each filter rides an index: (child_ref, -seq), (user_id, -seq), (action, -seq)."""
    entries = AuditEntry.objects.all()
    if query.child:
        entries = entries.filter(child_ref=child_ref(query.child))
    if query.user:
        user_ids = list(
            User.objects.filter(email__iexact=query.user.strip()).values_list("pk", flat=True)
        )
        if user_ids:
            entries = entries.filter(user_id__in=user_ids)
        else:
            # An address that is no account's (attempts on made-up accounts): compared
            # upper-cased, as the audit_by_email index holds it, on either database.
            entries = entries.annotate(email_upper=Upper("user_email")).filter(
                email_upper=query.user.strip().upper()
            )
    if query.action:
        entries = entries.filter(action=query.action)
    if query.date_from:
        entries = entries.filter(at__gte=_day_start(query.date_from))
    if query.date_to:
        entries = entries.filter(at__lt=_day_start(query.date_to + timedelta(days=1)))
    return entries.order_by("-seq")


def break_glass_awaiting_review() -> int:
    return BreakGlass.objects.filter(reviewed_at__isnull=True).count()
