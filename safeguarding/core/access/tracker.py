"""The children behind the one action tracker's actions (docs/decisions/0045, 0055, 0061).

An action in the tracker (learning's) may have been agreed about a child: a panel's
decision, say. The app that owns such actions registers how to tell them and how to find
their children (`register_action_children`); the tracker's pages ask here, so that the
tracker names no app and no app names the tracker's pages. A child's reference is shown
only to a user who may see the child now, and every look is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from safeguarding.core import audit
from safeguarding.core.access.rules import ChildAccess, get_child
from safeguarding.core.models import AuditAction, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from safeguarding.children.models import Child

ChildrenOf = Callable[["User | AnonymousUser | None", list[Any]], "dict[int, Child]"]


@dataclass(frozen=True)
class ActionChildren:
    """One app's actions about children: which they are, and the children of those the
    user may see now (by action primary key)."""

    claims: Callable[[Any], bool]
    children_of: ChildrenOf


_sources: dict[str, ActionChildren] = {}


def register_action_children(
    name: str, claims: Callable[[Any], bool], children_of: ChildrenOf
) -> None:
    """Registering the same name again replaces it (apps' ready() may run twice in tests)."""
    _sources[name] = ActionChildren(claims, children_of)


def is_child_action(action: Any) -> bool:
    """An action of the one tracker that was agreed about a child."""
    return any(source.claims(action) for source in _sources.values())


def _children_of_actions(user: User | AnonymousUser | None, actions: list[Any]) -> dict[int, Child]:
    found: dict[int, Child] = {}
    for source in _sources.values():
        claimed = [action for action in actions if source.claims(action)]
        if claimed:
            found.update(source.children_of(user, claimed))
    return found


def child_actions_shown(request: HttpRequest, actions: list[Any], *, purpose: str) -> set[int]:
    """Of the tracker's actions on a list page, those about a child that the user may see
    by name now: the page shows them with the child's reference, and every other child's
    action without it (docs/decisions/0055). The listing of the children shown is
    recorded."""
    children = _children_of_actions(request.user, actions)
    if children:
        audit.record(
            AuditAction.CHILD_LIST,
            request=request,
            object_type="action",
            purpose=purpose,
            detail={"children": sorted({str(c.public_id) for c in children.values()})},
        )
    return set(children)


def child_action_view(request: HttpRequest, action: Any, *, purpose: str) -> ChildAccess | None:
    """The child of an action about a child, if the user may see them now: the look is
    recorded as a view of the child (get_child). None for any other action, and for a
    child the user may not see (the page then shows the action without the child's
    reference, and nothing about the child is recorded as seen)."""
    child = _children_of_actions(request.user, [action]).get(action.pk)
    if child is None:
        return None
    return get_child(request, child.public_id, purpose=purpose)
