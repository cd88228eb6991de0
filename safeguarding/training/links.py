"""Signed links for learners, who have no password (docs/decisions/0026-learners-are-not-users.md).

A link carries the learner's public id, signed with the hub's SECRET_KEY and a salt of its
own, and stamped with the time it was made: it works for LINK_DAYS and cannot be forged
or turned into a link for someone else. Whoever holds the link can manage that learner's
bookings, which is why it only ever goes to the learner's own work email.
"""

from __future__ import annotations

from django.core import signing
from django.http import Http404

from safeguarding.training.models import Learner

SALT = "safeguarding.training.learner"
LINK_DAYS = 60


def learner_token(learner: Learner) -> str:
    return signing.dumps(str(learner.public_id), salt=SALT, compress=False)


def learner_for_token(token: str, *, max_age_days: int = LINK_DAYS) -> Learner:
    """The learner a link belongs to; 404 for a link that is forged, expired or refused."""
    try:
        public_id = signing.loads(token, salt=SALT, max_age=max_age_days * 86400)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        raise Http404("This link does not work. Ask for a new one.") from None
    learner = Learner.objects.select_related("agency").filter(public_id=public_id).first()
    if learner is None or learner.status == "refused":
        raise Http404("This link does not work. Ask for a new one.")
    return learner
