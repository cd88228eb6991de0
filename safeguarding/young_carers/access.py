"""The young carers register's own child-level queries, built from the core family
(safeguarding.core.access). Only the register's child-level models are touched here
(core/tests/test_access_boundary.py, docs/decisions/0040 and 0061).
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from safeguarding.young_carers.models import Review, YoungCarer


def with_last_review(carers: QuerySet[YoungCarer]) -> QuerySet[YoungCarer]:
    """Registrations already read through the rule (`list_rows`), each with its last
    review: the tracking meeting's list, never a list of reviews by itself."""
    last = Review.objects.filter(young_carer=OuterRef("pk")).order_by("-held_on", "-pk")
    return carers.annotate(
        last_review_on=Subquery(last.values("held_on")[:1]),
        last_review_summary=Subquery(last.values("summary")[:1]),
    )
