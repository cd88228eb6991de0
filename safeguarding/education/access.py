"""The education trackers' own child-level queries, built from the core family
(safeguarding.core.access). Only the trackers' child-level models are touched here
(core/tests/test_access_boundary.py, docs/decisions/0040 and 0061).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import OuterRef, QuerySet

from safeguarding.education.models import AbsenceImport, AbsenceRecord, CmeCheck, EheVisit


def last_check_of_listed_case() -> QuerySet[CmeCheck]:
    """The checks of the case in the outer query (`OuterRef("pk")`), last first: a
    subquery for a list of cases already read through the rule (`list_rows`), showing
    each one's last check. Never a list of checks by itself."""
    return CmeCheck.objects.filter(case=OuterRef("pk")).order_by("-made_on", "-pk")


def last_visit_of_listed_record() -> QuerySet[EheVisit]:
    """The visits of the EHE record in the outer query, last first: a subquery for the
    register's list (already read through the rule), showing each one's last visit."""
    return EheVisit.objects.filter(record=OuterRef("pk")).order_by("-visited_on")


def replace_absence_rows(
    batch: AbsenceImport, rows: Sequence[AbsenceRecord], *, replacing: bool
) -> None:
    """A school's return for a term, in place of the rows of its earlier return if it
    replaces one; the caller (education/actions.py) records the import."""
    if replacing:
        AbsenceRecord.objects.filter(batch=batch).delete()
    AbsenceRecord.objects.bulk_create(rows, batch_size=5000)
