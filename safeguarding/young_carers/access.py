"""The young carers register's own child-level queries, built from the core family
(safeguarding.core.access). Only the register's child-level models are touched here
(core/tests/test_access_boundary.py, docs/decisions/0040 and 0061).
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet

from safeguarding.young_carers.models import Review


def last_review_of_listed_carer() -> QuerySet[Review]:
    """The reviews of the young carer in the outer query (`OuterRef("pk")`), last first:
    a subquery for the tracking meeting's list (already read through the rule), showing
    each one's last review. Never a list of reviews by itself."""
    return Review.objects.filter(young_carer=OuterRef("pk")).order_by("-held_on", "-pk")
