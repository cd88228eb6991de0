"""Break-glass (rule (c)): opening a child's record with a reason, and its review.

The brake (core/brakes.py) is applied before anything opens; every attempt is counted
and recorded (docs/decisions/0058).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from safeguarding.children.models import Child
from safeguarding.core import audit, refusals
from safeguarding.core.access.rules import (
    _casework_user,
    _parse_public_id,
    resolve_merged,
    signed_in_user,
)
from safeguarding.core.models import AuditAction, BreakGlass, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def check_may_break_glass(user: User | AnonymousUser) -> User:
    """The user, if their role lets them break glass at all; 404 otherwise.

    Whether the child exists is not checked here: the break-glass page answers the same
    for a child that exists and one that does not, so it tells nobody which ids are real.
    """
    worker = _casework_user(user)
    if worker is None or not worker.may_break_glass:
        raise Http404("No such child.")
    return worker


class BreakGlassRefused(refusals.Refused):
    """The brake stopped a break-glass: the message says why."""

    code = "core.break_glass_refused"


def break_glass(
    request: HttpRequest, public_id: str | uuid.UUID, *, reason: str
) -> BreakGlass | None:
    """Open a child's record by break-glass; the reason goes to the reviewers' queue.

    The brake (core/brakes.py) is applied first: a reason that says something, a role held
    long enough, and the daily limit. An attempt at an id that is no child is recorded and
    counted like an opening, and opens nothing (None), so the answer does not depend on
    whether the child exists until a reasoned, counted, reviewed break-glass is made.
    """
    from safeguarding.core import brakes

    worker = check_may_break_glass(request.user)
    child_id = _parse_public_id(public_id)
    reason = reason.strip()
    problem = brakes.reason_problem(reason) or brakes.role_age_problem(worker)
    if problem:
        raise BreakGlassRefused(problem)
    now = timezone.now()
    with transaction.atomic():
        # One user's openings are counted one at a time, so parallel requests cannot all
        # pass the limit together.
        User.objects.select_for_update().filter(pk=worker.pk).first()
        count = brakes.openings_today(worker) + 1  # this one included
        limit = brakes.limit_problem(count)
        opened = None
        if limit:
            audit.record(
                AuditAction.CHILD_DENIED,
                request=request,
                object_type="break_glass",
                child_ref=str(child_id),
                purpose=reason[:500],
                detail={"refused": "break-glass daily limit", "in_24_hours": count},
            )
        else:
            child = resolve_merged(child_id) or Child.objects.filter(public_id=child_id).first()
            if child is not None:
                opened = BreakGlass.objects.create(
                    user=worker,
                    child=child,
                    reason=reason,
                    opened_at=now,
                    expires_at=now + timedelta(seconds=settings.BREAK_GLASS_SECONDS),
                )
            audit.record(
                AuditAction.BREAK_GLASS,
                request=request,
                object_type="break_glass",
                object_id=str(opened.public_id) if opened else "",
                child_ref=str(child_id),
                purpose=reason,
                detail={
                    "found": child is not None,
                    "in_24_hours": count,
                    "alert": brakes.alert_due(count),
                },
            )
        if brakes.alert_due(count):
            transaction.on_commit(lambda: brakes.send_alert(worker, count=count))
    if limit:
        raise BreakGlassRefused(limit)
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
