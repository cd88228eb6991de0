"""Small builders for the learning tests, through the app's own actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from safeguarding.core.models import Agency, SubGroup, User
from safeguarding.learning import actions
from safeguarding.learning.models import (
    Action,
    IncidentKind,
    Notification,
    PracticeReview,
    ReviewKind,
    SourceKind,
)


def notification(
    by: User, reference: str = "SI-2024-01", aware_on: date = date(2024, 6, 3), **fields: Any
) -> Notification:
    fields.setdefault("kind", IncidentKind.CHILD)
    fields.setdefault("summary", "An infant under one was admitted with an unexplained injury.")
    return actions.save_notification(
        Notification(case_reference=reference, aware_on=aware_on, owner=by, **fields), by=by
    )


def practice_review(
    by: User, reference: str = "LCSPR-2024-01", decided_on: date = date(2024, 7, 1), **fields: Any
) -> PracticeReview:
    fields.setdefault("kind", ReviewKind.LCSPR)
    fields.setdefault("summary", "Anonymised summary.")
    return actions.save_practice_review(
        PracticeReview(case_reference=reference, decided_on=decided_on, owner=by, **fields), by=by
    )


def action(
    by: User | None,
    agency: Agency,
    due_on: date,
    sub_group: SubGroup | None = None,
    **fields: Any,
) -> Action:
    fields.setdefault("title", "Refresh the guidance on bruising in non-mobile babies")
    fields.setdefault("source_kind", SourceKind.RAPID_REVIEW)
    return actions.create_action(
        owner_agency=agency, due_on=due_on, sub_group=sub_group, by=by, **fields
    )
