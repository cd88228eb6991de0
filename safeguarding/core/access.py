"""Need to know: the one helper family through which child-level data is read or changed.

A child's identifiable record is visible to a user only while

  (a) the user's agency is involved with the child: it holds a source record or an
      event about them, or an open action (each domain app adds its own kind of
      involvement with `register_involvement`);
  (b) the user sits on a panel that has the child on its list; or
  (c) the user opened the record by break-glass, giving a reason, within the last
      BREAK_GLASS_SECONDS.

and only to users who hold a casework role. Otherwise the child does not exist for the
user: the same 404 as for a child that does not exist. Every look and every change is
written to the audit log here, so that checking and recording cannot be separated.

Code elsewhere never queries the child-level models itself (the test
core/tests/test_access_boundary.py fails if it does): it asks these helpers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from safeguarding.children.models import Child, ChildEvent, PanelChild, SourceRecord
from safeguarding.core import audit
from safeguarding.core.models import AuditAction, BreakGlass, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

# An involvement source answers: for this agency, which children is it involved with?
# It returns a queryset of Child primary keys.
InvolvementSource = Callable[[int], QuerySet[Any]]
_involvement_sources: dict[str, InvolvementSource] = {}


def register_involvement(name: str, source: InvolvementSource) -> None:
    """Add a kind of involvement (rule (a)); domain apps call this from AppConfig.ready."""
    _involvement_sources[name] = source


register_involvement(
    "source record",
    lambda agency_id: SourceRecord.objects.filter(agency_id=agency_id, child__isnull=False).values(
        "child_id"
    ),
)
register_involvement(
    "event",
    lambda agency_id: ChildEvent.objects.filter(agency_id=agency_id, child__isnull=False).values(
        "child_id"
    ),
)


class Grounds:
    """Why a user may see a child; shown on the child's page."""

    INVOLVED = "involved"
    PANEL = "panel"
    BREAK_GLASS = "break_glass"


@dataclass(frozen=True)
class ChildAccess:
    child: Child
    grounds: str

    @property
    def by_break_glass(self) -> bool:
        return self.grounds == Grounds.BREAK_GLASS


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, who must be signed in (the views' decorators make sure)."""
    if not isinstance(request.user, User) or not request.user.is_active:
        raise PermissionDenied("Sign in first.")
    return request.user


def _casework_user(user: User | AnonymousUser | None) -> User | None:
    if not isinstance(user, User) or not user.is_active:
        return None
    if (
        not user.does_casework
        or user.agency_id is None
        or (user.agency and not user.agency.is_active)
    ):
        return None
    return user


def _involved_q(user: User) -> Q:
    q = Q(pk__in=[])
    if user.agency_id is None:
        return q
    for source in _involvement_sources.values():
        q |= Q(pk__in=source(user.agency_id))
    return q


def _panel_q(user: User) -> Q:
    on_panel = PanelChild.objects.filter(
        child_id=OuterRef("pk"), removed_at__isnull=True, panel__is_active=True, panel__members=user
    )
    return Q(Exists(on_panel))


def _break_glass_q(user: User) -> Q:
    live = BreakGlass.objects.filter(
        child_id=OuterRef("pk"), user=user, expires_at__gt=timezone.now()
    )
    return Q(Exists(live))


def visible_children(user: User | AnonymousUser | None) -> QuerySet[Child]:
    """Every child the user may see by name now. Empty for non-casework roles."""
    worker = _casework_user(user)
    if worker is None:
        return Child.objects.none()
    return Child.objects.filter(merged_into__isnull=True).filter(
        _involved_q(worker) | _panel_q(worker) | _break_glass_q(worker)
    )


def grounds_for(user: User | AnonymousUser | None, child: Child) -> str | None:
    worker = _casework_user(user)
    if worker is None:
        return None
    base = Child.objects.filter(pk=child.pk)
    if base.filter(_involved_q(worker)).exists():
        return Grounds.INVOLVED
    if base.filter(_panel_q(worker)).exists():
        return Grounds.PANEL
    if base.filter(_break_glass_q(worker)).exists():
        return Grounds.BREAK_GLASS
    return None


def _parse_public_id(public_id: str | uuid.UUID) -> uuid.UUID:
    try:
        return public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        raise Http404("No such child.") from None


def get_child(request: HttpRequest, public_id: str | uuid.UUID, *, purpose: str) -> ChildAccess:
    """The child for this request's user, recorded as a view; 404 if not theirs to see."""
    child = Child.objects.filter(public_id=_parse_public_id(public_id)).first()
    grounds = grounds_for(request.user, child) if child else None
    if child is None or grounds is None:
        if child is not None and request.user.is_authenticated:
            # A refused look is worth knowing about; the user still sees only a 404.
            audit.record(
                AuditAction.CHILD_DENIED,
                request=request,
                object_type="child",
                child_ref=str(child.public_id),
                purpose=purpose,
            )
        raise Http404("No such child.")
    audit.record(
        AuditAction.CHILD_VIEW,
        request=request,
        object_type="child",
        object_id=str(child.public_id),
        child_ref=str(child.public_id),
        purpose=purpose,
        detail={"grounds": grounds},
    )
    return ChildAccess(child=child, grounds=grounds)


def list_children(request: HttpRequest, *, purpose: str, search: str = "") -> QuerySet[Child]:
    """The children the user may see, for a list page; the listing itself is recorded."""
    children = visible_children(request.user)
    if search:
        for word in search.split()[:4]:
            children = children.filter(
                Q(given_name__icontains=word) | Q(family_name__icontains=word)
            )
    audit.record(
        AuditAction.CHILD_LIST,
        request=request,
        object_type="child",
        purpose=purpose,
        detail={"search": search[:100]},
    )
    return children


def find_child_for_break_glass(user: User | AnonymousUser, public_id: str | uuid.UUID) -> Child:
    """A child the user may open by break-glass: they need the right, and it must exist."""
    worker = _casework_user(user)
    if worker is None or not worker.may_break_glass:
        raise Http404("No such child.")
    child = Child.objects.filter(public_id=_parse_public_id(public_id)).first()
    if child is None:
        raise Http404("No such child.")
    return child


class BreakGlassRefused(Exception):
    pass


def break_glass(request: HttpRequest, public_id: str | uuid.UUID, *, reason: str) -> BreakGlass:
    """Open a child's record by break-glass; the reason goes to the reviewers' queue."""
    reason = reason.strip()
    if len(reason) < 20:
        raise BreakGlassRefused("Give the reason in at least 20 characters: it will be reviewed.")
    child = find_child_for_break_glass(request.user, public_id)
    user = signed_in_user(request)
    now = timezone.now()
    with transaction.atomic():
        opened = BreakGlass.objects.create(
            user=user,
            child=child,
            reason=reason,
            opened_at=now,
            expires_at=now + timedelta(seconds=settings.BREAK_GLASS_SECONDS),
        )
        audit.record(
            AuditAction.BREAK_GLASS,
            request=request,
            object_type="break_glass",
            object_id=str(opened.public_id),
            child_ref=str(child.public_id),
            purpose=reason,
        )
    return opened


def break_glass_queue(*, reviewed: bool | None = False) -> QuerySet[BreakGlass]:
    """Break-glass openings for the reviewers. The queue names children; only reviewers see it."""
    queryset = BreakGlass.objects.select_related("user", "user__agency", "child", "reviewed_by")
    if reviewed is not None:
        queryset = queryset.filter(reviewed_at__isnull=not reviewed)
    return queryset


def review_break_glass(
    request: HttpRequest, public_id: uuid.UUID, *, outcome: str, note: str
) -> BreakGlass:
    reviewer = signed_in_user(request)
    if not reviewer.reviews_audit:
        raise PermissionDenied("Only the partnership's reviewers review break-glass.")
    with transaction.atomic():
        opened = (
            BreakGlass.objects.select_for_update()
            .filter(public_id=public_id, reviewed_at__isnull=True)
            .first()
        )
        if opened is None:
            raise Http404("No such break-glass awaiting review.")
        if opened.user_id == reviewer.pk:
            raise BreakGlassRefused("You cannot review your own break-glass.")
        opened.reviewed_by = reviewer
        opened.reviewed_at = timezone.now()
        opened.review_outcome = outcome
        opened.review_note = note.strip()
        opened.save(update_fields=["reviewed_by", "reviewed_at", "review_outcome", "review_note"])
        audit.record(
            AuditAction.BREAK_GLASS_REVIEW,
            request=request,
            object_type="break_glass",
            object_id=str(opened.public_id),
            child_ref=str(opened.child.public_id),
            purpose=note.strip()[:500],
            detail={"outcome": outcome},
        )
    return opened


def child_records(user: User | AnonymousUser, access: ChildAccess) -> QuerySet[SourceRecord]:
    """The agencies' records of a child the user has been granted (via get_child)."""
    return SourceRecord.objects.filter(child=access.child).select_related("agency")


def child_events(user: User | AnonymousUser, access: ChildAccess) -> QuerySet[ChildEvent]:
    """The child's chronology, less restricted entries the user may not see.

    A restricted entry is seen by its source agency and by members of a panel that has
    the child on its list; not by break-glass.
    """
    events = ChildEvent.objects.filter(child=access.child).select_related("agency")
    worker = _casework_user(user)
    if worker is None:
        return events.none()
    on_panel = PanelChild.objects.filter(
        child=access.child, removed_at__isnull=True, panel__is_active=True, panel__members=worker
    ).exists()
    if on_panel:
        return events
    return events.filter(Q(restricted=False) | Q(agency_id=worker.agency_id))


def child_panels(access: ChildAccess) -> QuerySet[PanelChild]:
    return PanelChild.objects.filter(child=access.child, removed_at__isnull=True).select_related(
        "panel"
    )


def record_write(
    request: HttpRequest,
    access: ChildAccess,
    *,
    object_type: str,
    object_id: str,
    created: bool,
    purpose: str = "",
) -> None:
    """Actions that change child-level data call this inside their transaction."""
    audit.record(
        AuditAction.CHILD_CREATE if created else AuditAction.CHILD_UPDATE,
        request=request,
        object_type=object_type,
        object_id=object_id,
        child_ref=str(access.child.public_id),
        purpose=purpose,
    )


class SystemAccess:
    """For system processes (imports, linkage, the demo generator), which act for no user.

    It checks nothing and records nothing itself: the process that uses it writes its own
    audit entry (the demo generator writes one per run).
    """

    def __init__(self, purpose: str) -> None:
        self.purpose = purpose

    def children(self) -> QuerySet[Child]:
        return Child.objects.all()

    def source_records(self) -> QuerySet[SourceRecord]:
        return SourceRecord.objects.all()

    def events(self) -> QuerySet[ChildEvent]:
        return ChildEvent.objects.all()

    def panel_entries(self) -> QuerySet[PanelChild]:
        return PanelChild.objects.all()
