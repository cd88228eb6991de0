"""The rule of the child index: who may see a child, and why (see the package's docstring).

Involvement (rule (a)) is a registry each domain app adds to; panels (rule (b)) and
break-glass (rule (c)) are checked here. Every look is written to the audit log here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
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
        q |= Q(Exists(_for_this_child(source(user.agency_id))))
    return q


def _for_this_child(child_keys: QuerySet[Any]) -> QuerySet[Any]:
    """A source's rows for the child at hand, correlated, so the check is an index probe.

    `pk IN (every child of the agency)` ORed with the other rules made PostgreSQL scan the
    agency's children once per child looked at: seconds per search at a million children
    (bench/bench_child.py, docs/decisions/0024). EXISTS probes the (agency, child) index.
    """
    selected = child_keys.query.values_select
    key = selected[0] if len(selected) == 1 else "pk"  # a queryset of children themselves
    return child_keys.filter(**{key: OuterRef("pk")})


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


def children_in_sight(user: User | AnonymousUser | None) -> QuerySet[Child]:
    """Every child the user may open on rule (a) or (b), merged or not: what `get_child`
    allows without break-glass. No action a user takes may add to it, but for a child the
    action itself made (core/tests/test_no_action_widens_sight.py, decision 0054)."""
    worker = _casework_user(user)
    if worker is None:
        return Child.objects.none()
    return Child.objects.filter(_involved_q(worker) | _panel_q(worker))


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


def get_child_to_change(
    request: HttpRequest, public_id: str | uuid.UUID, *, purpose: str
) -> ChildAccess:
    """`get_child` for a page that adds to or changes the child's record: a child opened
    only by break-glass is refused here (403 saying why), before a form is filled in."""
    granted = get_child(request, public_id, purpose=purpose)
    check_writable(granted)
    return granted


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


class ReadOnlyGrounds(PermissionDenied):
    """A write refused because the child was opened by break-glass, which lets a user read
    a record, never add to it: a row written then would make the user's agency (or a
    panel) involved for good, long after the opening ended (docs/decisions/0058)."""

    def __init__(self) -> None:
        super().__init__(
            "You opened this child's record by break-glass: you can read it, but not add to "
            "it or change it. Ask an agency that works with the child to record this, or "
            "the information governance lead."
        )


def check_writable(access: ChildAccess) -> None:
    """Refuse a change to a child opened only by break-glass."""
    if access.grounds == Grounds.BREAK_GLASS:
        raise ReadOnlyGrounds


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
    check_writable(access)
    audit.record(
        AuditAction.CHILD_CREATE if created else AuditAction.CHILD_UPDATE,
        request=request,
        object_type=object_type,
        object_id=object_id,
        child_ref=str(access.child.public_id),
        purpose=purpose,
    )


def resolve_merged(public_id: str | uuid.UUID) -> Child | None:
    """The live child that a merged child's public id now leads to; None when the id is of
    no child or of a child that was not merged.

    A merged child keeps its row and public id (docs/decisions/0022-merge-split-undo.md);
    links and bookmarks to it lead on to the child it was merged into, following a chain
    of merges. The caller must still check the user may see the child it leads to
    (`get_child`), which records the look.
    """
    try:
        wanted = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        return None
    child = Child.objects.filter(public_id=wanted).only("pk", "merged_into_id").first()
    if child is None or child.merged_into_id is None:
        return None
    seen = {child.pk}
    while child.merged_into_id is not None:
        following = Child.objects.filter(pk=child.merged_into_id).first()
        if following is None or following.pk in seen:  # pragma: no cover - a broken chain
            return None
        seen.add(following.pk)
        child = following
    return child


def visible_children_among(
    request: HttpRequest, child_ids: Iterable[int], *, purpose: str
) -> dict[int, Child]:
    """Of these children (found by an aggregate over every row, e.g. repeat missing), the
    ones the user may see, by key; the listing is recorded. Checking the children once
    each is cheaper than checking every row of the aggregate."""
    wanted = list(child_ids)
    audit.record(AuditAction.CHILD_LIST, request=request, object_type="child", purpose=purpose)
    if not wanted:
        return {}
    visible = visible_children(request.user).filter(pk__in=wanted)
    return {
        child.pk: child for child in visible.only("pk", "public_id", "given_name", "family_name")
    }


def record_holders(child: Child, *, kind: str) -> QuerySet[Any]:
    """The agencies of one kind (e.g. schools) holding a record of the child, as keys:
    who is told of something about the child (missing/access.py's school leads)."""
    return SourceRecord.objects.filter(
        child=child, agency__kind=kind, agency__removed_at__isnull=True
    ).values("agency_id")


def children_by_upn(upns: Iterable[str]) -> dict[str, int]:
    """Live children of the index by UPN, as keys: the child's own, or one of its agencies'
    records'. For a return that names pupils by UPN (a school's absence return), which
    links its rows to children and names none of them."""
    wanted = list(upns)
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        for upn, child_id in (
            SourceRecord.objects.filter(
                upn__in=chunk, child__isnull=False, child__merged_into__isnull=True
            )
            # The UPN index is partial (linked records with one): say so, for SQLite.
            .exclude(upn="")
            .values_list("upn", "child_id")
        ):
            found.setdefault(upn, child_id)
        for upn, child_id in Child.objects.filter(
            upn__in=chunk, merged_into__isnull=True
        ).values_list("upn", "pk"):
            found[upn] = child_id
    return found


def public_id_of_pseudonym(pseudonym: str) -> uuid.UUID | None:
    """The public id of the child with this pseudonym (C-XXXXXXXX), for a search of the
    audit log by child (core/queries.py); the search itself is recorded there."""
    found: uuid.UUID | None = (
        Child.objects.filter(pseudonym__iexact=pseudonym.strip())
        .values_list("public_id", flat=True)
        .first()
    )
    return found
