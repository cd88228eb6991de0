"""The domain apps' child-level rows, under the rules of the child index."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest

from safeguarding.children.models import Child, ChildLevel, PanelChild
from safeguarding.core import audit
from safeguarding.core.access.rules import (
    ChildAccess,
    InvolvementSource,
    _casework_user,
    _for_this_child,
    _involvement_sources,
    check_writable,
    get_child,
    record_write,
    signed_in_user,
    visible_children,
)
from safeguarding.core.models import AuditAction, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

_Row = TypeVar("_Row", bound=ChildLevel)

# --- The domain apps' child-level rows ---
# One family of helpers for every domain app's rows about a child (exploitation: referrals,
# agenda items, decisions, the disruption meeting's links; education: CME cases and their
# checks, the EHE register and its visits, absence returns; young carers: registrations
# and reviews; missing: episodes, return home interviews, profiles, school notices), under
# the rules of the child index: through a child the user was granted (`get_child`,
# `child_row`), through a panel the user sits on (rule (b), `panel_rows`), or about the
# children the user may see now (`visible_rows`, `list_rows`); counts for the feeds
# (`counts.rows_for_counts`) and system processes (`system.system_rows`). Every look and write is
# recorded. See docs/decisions/0034, 0037 and 0040.


def _child_row_model(model: type[_Row]) -> type[_Row]:
    """The model, if it is a child-level model with a `child`: the rows these helpers give."""
    if not getattr(model, "child_level", False) or not hasattr(model, "child"):
        raise ValueError(f"{model.__name__} is not a child-level model of a child.")
    return model


def rows_for_child(access: ChildAccess, model: type[_Row]) -> QuerySet[_Row]:
    """A child-level model's rows about a child the user was granted (via get_child)."""
    return _child_row_model(model)._default_manager.filter(child=access.child)


def is_panel_member(user: User | AnonymousUser | None, panel_id: int) -> bool:
    worker = _casework_user(user)
    return worker is not None and worker.panels.filter(pk=panel_id, is_active=True).exists()


def panel_rows(
    user: User | AnonymousUser | None, panel_id: int, model: type[_Row]
) -> QuerySet[_Row]:
    """Rows about the children on a panel's list, for a member of that panel (rule (b));
    none for anyone else."""
    rows = _child_row_model(model)._default_manager.all()
    if not is_panel_member(user, panel_id):
        return rows.none()
    listed = PanelChild.objects.filter(
        panel_id=panel_id, child_id=OuterRef("child_id"), removed_at__isnull=True
    )
    return rows.filter(Exists(listed))


def visible_rows(user: User | AnonymousUser | None, model: type[_Row]) -> QuerySet[_Row]:
    """Rows about any child the user may see by name now (the flag register)."""
    children = visible_children(user).filter(pk=OuterRef("child_id"))
    return _child_row_model(model)._default_manager.filter(Exists(children))


def list_rows(
    request: HttpRequest, model: type[_Row], *, purpose: str, detail: dict[str, Any] | None = None
) -> QuerySet[_Row]:
    """The rows about children the user may see now, for a list page; the listing is
    recorded (which children the page then shows, the caller may add)."""
    audit.record(
        AuditAction.CHILD_LIST,
        request=request,
        object_type=model.__name__.lower(),
        purpose=purpose,
        detail=detail or {},
    )
    return visible_rows(request.user, model)


def child_row(
    request: HttpRequest, model: type[_Row], public_id: str | uuid.UUID, *, purpose: str
) -> tuple[_Row, ChildAccess]:
    """One row by its public id, with the grant of its child; 404 for a row that does not
    exist and for one about a child the user may not see. Recorded as a look at the child."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        raise Http404("No such record.") from None
    row = (
        _child_row_model(model)
        ._default_manager.filter(public_id=key)
        .select_related("child")
        .first()
    )
    if row is None:
        raise Http404("No such record.")
    child = cast(Child, row.child)  # type: ignore[attr-defined]
    access = get_child(request, child.public_id, purpose=purpose)
    return row, access


def agency_rows(agency_id: int, model: type[_Row]) -> QuerySet[_Row]:
    """Rows about the children an agency is involved with (rule (a)), for its system's API
    token: a token acts for the agency, not for a person, so panels do not count."""
    q = Q(pk__in=[])
    for source in _involvement_sources.values():
        q |= Q(Exists(_for_this_child(source(agency_id))))
    children = Child.objects.filter(q, merged_into__isnull=True, pk=OuterRef("child_id"))
    return _child_row_model(model)._default_manager.filter(Exists(children))


def put_on_panel_list(request: HttpRequest, access: ChildAccess, panel_id: int) -> bool:
    """Put the child on a panel's list (rule (b)) unless they are on it; True if added."""
    check_writable(access)
    if PanelChild.objects.filter(
        panel_id=panel_id, child=access.child, removed_at__isnull=True
    ).exists():
        return False
    entry = PanelChild.objects.create(
        panel_id=panel_id, child=access.child, added_by=signed_in_user(request)
    )
    record_write(
        request,
        access,
        object_type="panel_child",
        object_id=str(entry.pk),
        created=True,
        purpose="put on the panel's list",
    )
    return True


def save_child_row(
    request: HttpRequest,
    access: ChildAccess,
    row: ChildLevel,
    *,
    action: AuditAction | None = None,
    purpose: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Save a row about the granted child and record it (CHILD_CREATE/UPDATE unless an
    action is named, e.g. PANEL_DECISION or SHARE)."""
    _child_row_model(type(row))
    check_writable(access)
    if getattr(row, "child_id", None) != access.child.pk:
        raise PermissionDenied("The row is not about the child you were granted.")
    created = row._state.adding
    row.save()
    object_id = str(getattr(row, "public_id", row.pk))
    object_type = type(row).__name__.lower()
    audit.record(
        action or (AuditAction.CHILD_CREATE if created else AuditAction.CHILD_UPDATE),
        request=request,
        object_type=object_type,
        object_id=object_id,
        child_ref=str(access.child.public_id),
        purpose=purpose,
        detail=detail,
    )


def update_if_version(
    access: ChildAccess, model: type[_Row], pk: int, version: int, **values: Any
) -> bool:
    """Compare and set: change the granted child's row only if it is still at `version`,
    raising the version; False if someone saved it since (docs/decisions/0035)."""
    from django.db.models import F

    check_writable(access)

    updated = (
        rows_for_child(access, model)
        .filter(pk=pk, version=version)
        .update(version=F("version") + 1, **values)
    )
    return bool(updated)


def update_panel_rows(rows: QuerySet[_Row], **values: Any) -> int:
    """Change rows got from `panel_rows` or `rows_for_child` (already checked)."""
    return rows.update(**values)


def create_panel_rows(user: User | AnonymousUser | None, panel_id: int, rows: list[_Row]) -> None:
    """Insert rows about children on a panel's list, for a member of that panel (the
    meeting's agenda); refused for any child not on the list."""
    if not rows:
        return
    if not is_panel_member(user, panel_id):
        raise PermissionDenied("Only the panel's members work on its list.")
    listed = set(
        PanelChild.objects.filter(
            panel_id=panel_id,
            removed_at__isnull=True,
            child_id__in=[getattr(row, "child_id", None) for row in rows],
        ).values_list("child_id", flat=True)
    )
    if any(getattr(row, "child_id", None) not in listed for row in rows):
        raise PermissionDenied("A child is not on the panel's list.")
    _child_row_model(type(rows[0]))._default_manager.bulk_create(rows)


# --- Education and young carers ---
# Their rows are read through the helpers above (docs/decisions/0040).


def tracker_involvement(model: type[ChildLevel]) -> InvolvementSource:
    """Rule (a) for a tracker: the agency holding a row (a CME case, a registration) about
    a child is involved with the child."""
    manager: Any = _child_row_model(model)._default_manager
    return lambda agency_id: manager.filter(agency_id=agency_id).values("child_id")


class CheckedKeys(Generic[_Row]):
    """The keys of the first rows of a list one of the helpers above returned (the rule
    in it), in the list's order: read once, with the rule checked once, so that a list
    page can count them and then read its rows by key (missing/listing.py). Counting the
    list and then reading the page checked the rule twice, and compiled it twice."""

    def __init__(self, rows: QuerySet[_Row], limit: int) -> None:
        self.model: type[_Row] = rows.model
        self.keys: list[int] = list(rows.values_list("pk", flat=True)[:limit])

    def rows(self, start: int, stop: int) -> QuerySet[_Row]:
        """The rows of keys[start:stop], by key (in no order: the caller restores it)."""
        return self.model._default_manager.filter(pk__in=self.keys[start:stop])
