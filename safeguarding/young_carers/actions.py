"""Every change to the young carers register, each in one transaction and recorded."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest

from safeguarding.core import access, refusals, transactions
from safeguarding.young_carers.models import (
    AssessmentKind,
    Review,
    YoungCarer,
    default_next_review,
)


class RegisterRefused(refusals.Refused):
    code = "young_carers.register_refused"


def register(request: HttpRequest, granted: access.ChildAccess, **fields: Any) -> YoungCarer:
    """Register the granted child as a young carer, held by the user's agency."""
    user = access.signed_in_user(request)
    if user.agency_id is None:
        raise RegisterRefused("Only a user of an agency registers a young carer.")
    already = access.rows_for_child(granted, YoungCarer).filter(closed_on__isnull=True)
    if already.exists():
        raise RegisterRefused("This child is already on the register as a young carer.")
    identified_on: date = fields["identified_on"]
    if not fields.get("next_review_on"):
        fields["next_review_on"] = default_next_review(identified_on)
    if fields.get("young_adult_carer") and not fields.get("assessment_kind"):
        fields["assessment_kind"] = AssessmentKind.YOUNG_ADULT_CARER
    with transactions.action():
        carer = YoungCarer(child=granted.child, agency_id=user.agency_id, created_by=user, **fields)
        access.save_child_row(request, granted, carer, purpose="register a young carer")
    return carer


def record_review(
    request: HttpRequest,
    granted: access.ChildAccess,
    carer: YoungCarer,
    *,
    held_on: date,
    summary: str,
    next_review_on: date,
    support_offered: str = "",
) -> Review:
    """A review held: what happened, when it was due, and the next date."""
    if carer.child_id != granted.child.pk:
        raise RegisterRefused("The registration is not about this child.")
    if carer.closed_on is not None:
        raise RegisterRefused("The registration is closed.")
    if next_review_on <= held_on:
        raise RegisterRefused("The next review must come after this one.")
    with transactions.action():
        review = Review(
            young_carer=carer,
            child=granted.child,
            held_on=held_on,
            was_due_on=carer.next_review_on,
            summary=summary.strip(),
            by=access.signed_in_user(request),
        )
        access.save_child_row(request, granted, review, purpose="review a young carer's support")
        carer.next_review_on = next_review_on
        if support_offered.strip():
            carer.support_offered = support_offered.strip()
        carer.version += 1
        access.save_child_row(request, granted, carer, purpose="review a young carer's support")
    return review


def close(
    request: HttpRequest,
    granted: access.ChildAccess,
    carer: YoungCarer,
    *,
    closed_on: date,
    reason: str,
) -> YoungCarer:
    if carer.closed_on is not None:
        raise RegisterRefused("The registration is closed already.")
    if closed_on < carer.identified_on:
        raise RegisterRefused("A registration cannot close before the child was identified.")
    with transactions.action():
        carer.closed_on = closed_on
        carer.closure_reason = reason
        carer.version += 1
        access.save_child_row(request, granted, carer, purpose="close a young carer's registration")
    return carer
