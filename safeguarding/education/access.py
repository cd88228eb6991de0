"""The education trackers' own child-level queries, built from the core family
(safeguarding.core.access). Only the trackers' child-level models are touched here
(core/tests/test_access_boundary.py, docs/decisions/0040 and 0061).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, OuterRef, QuerySet, Subquery

from safeguarding.education.models import (
    AbsenceImport,
    AbsenceRecord,
    CmeCase,
    CmeCheck,
    EheRecord,
    EheVisit,
)


def with_checks_shown(cases: QuerySet[CmeCase]) -> QuerySet[CmeCase]:
    """Cases already read through the rule (`list_rows`), each with how many checks it has
    and its last one: the case list's columns, never a list of checks by itself."""
    last = CmeCheck.objects.filter(case=OuterRef("pk")).order_by("-made_on", "-pk")
    return cases.annotate(
        check_count=Count("checks"),
        last_check_on=Subquery(last.values("made_on")[:1]),
        last_check_kind=Subquery(last.values("kind")[:1]),
    )


def with_last_visit(records: QuerySet[EheRecord]) -> QuerySet[EheRecord]:
    """EHE records already read through the rule, each with its last visit."""
    last = EheVisit.objects.filter(record=OuterRef("pk")).order_by("-visited_on")
    return records.annotate(
        last_visit_on=Subquery(last.values("visited_on")[:1]),
        last_visit_outcome=Subquery(last.values("outcome")[:1]),
    )


def replace_absence_rows(
    batch: AbsenceImport, rows: Sequence[AbsenceRecord], *, replacing: bool
) -> None:
    """A school's return for a term, in place of the rows of its earlier return if it
    replaces one; the caller (education/actions.py) records the import."""
    if replacing:
        AbsenceRecord.objects.filter(batch=batch).delete()
    AbsenceRecord.objects.bulk_create(rows, batch_size=5000)
