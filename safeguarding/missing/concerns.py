"""The seam between a return home interview and the exploitation panel.

The issue asks that an exploitation concern raised at a return home interview refers the
child to the exploitation panel in one step. The exploitation app is being built beside
this one; until the two are joined, raising the concern records it (on the interview and
in the audit log) and nothing more. Joining them is one change here: call
`safeguarding.exploitation.actions.refer(request, granted, concerns=..., indicators=[])`
from `exploitation_concern_raised`.
"""

from __future__ import annotations

from django.http import HttpRequest

from safeguarding.core import access, audit
from safeguarding.core.models import AuditAction
from safeguarding.missing.models import ReturnInterview


def exploitation_concern_raised(
    request: HttpRequest, granted: access.ChildAccess, interview: ReturnInterview
) -> None:
    """Called (inside the interview's transaction) when an interview first records an
    exploitation concern."""
    audit.record(
        AuditAction.CHILD_UPDATE,
        request=request,
        object_type="returninterview",
        object_id=str(interview.public_id),
        child_ref=str(granted.child.public_id),
        purpose="exploitation concern raised at a return home interview",
        detail={"referred_to_panel": False},
    )
