"""A return home interview's exploitation concern refers the child to the exploitation
panel in one step (issue 5): the referral is the exploitation app's own (the child goes
on the risk assessment meeting's list, so its members see them), with the interview's
concerns as its reason. Where the partnership has no such panel, the concern is still
recorded on the interview and in the audit log.
"""

from __future__ import annotations

from django.http import HttpRequest

from safeguarding.core import access, audit
from safeguarding.core.models import AuditAction
from safeguarding.exploitation import actions as exploitation
from safeguarding.missing.models import ReturnInterview


def exploitation_concern_raised(
    request: HttpRequest, granted: access.ChildAccess, interview: ReturnInterview
) -> None:
    """Called (inside the interview's transaction) when an interview first records an
    exploitation concern."""
    said = interview.concerns or "no detail given"
    try:
        referral = exploitation.refer(
            request,
            granted,
            concerns=f"Raised at a return home interview after a missing episode: {said}",
            indicators=[],
        )
    except exploitation.NoPanel:
        referral = None
    audit.record(
        AuditAction.CHILD_UPDATE,
        request=request,
        object_type="returninterview",
        object_id=str(interview.public_id),
        child_ref=str(granted.child.public_id),
        purpose="exploitation concern raised at a return home interview",
        detail={
            "referred_to_panel": referral is not None,
            "referral": str(referral.public_id) if referral is not None else "",
        },
    )
