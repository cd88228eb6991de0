"""Reads for the imports: an agency's batches, mappings and tokens.

None of these models is child-level (a batch holds counts and problems by row, column and
reason, never the values), so they are read here directly. Each read is scoped to one
agency: a data officer's own, or the agency of the token the API was called with. Another
agency's batch is the same 404 as a batch that does not exist.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from safeguarding.children.imports import problems
from safeguarding.children.models import ColumnMapping, ImportBatch
from safeguarding.core.models import Agency, ApiToken, User

# ImportBatch.problems keeps at most this many (the model says "the first thousand").
PROBLEMS_KEPT = problems.PROBLEMS_KEPT


def own_agency(user: User) -> Agency:
    """The data officer's agency; the views' role check has made sure there is one."""
    if user.agency is None:
        raise Http404("You belong to no agency.")
    return user.agency


def agency_batches(agency: Agency) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(agency=agency).select_related("by").order_by("-started_at")


def agency_batch(agency: Agency, public_id: uuid.UUID | str) -> ImportBatch:
    """One of the agency's batches; 404 for a batch of another agency or none at all."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        raise Http404("No such import.") from None
    batch = ImportBatch.objects.filter(agency=agency, public_id=key).select_related("by").first()
    if batch is None:
        raise Http404("No such import.")
    return batch


def agency_mapping(agency: Agency, kind: str) -> ColumnMapping | None:
    return (
        ColumnMapping.objects.filter(agency=agency, kind=kind).select_related("updated_by").first()
    )


def agency_tokens(agency: Agency) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(agency=agency).select_related("created_by")


def agency_token(agency: Agency, prefix: str) -> ApiToken:
    token = ApiToken.objects.filter(agency=agency, prefix=prefix).first()
    if token is None:
        raise Http404("No such token.")
    return token


def batch_summary(batch: ImportBatch) -> dict[str, Any]:
    """The counts of a batch, as the pages and the API show them."""
    return {
        "rows_read": batch.rows_read,
        "created": batch.rows_created,
        "updated": batch.rows_updated,
        "unchanged": batch.rows_unchanged,
        "rejected": batch.rows_rejected,
        "problem_count": batch.problem_count,
    }


def saved_mapping(agency: Agency, kind: str) -> dict[str, str]:
    """The agency's saved mapping of its file headers onto the hub's fields; {} if none."""
    saved = ColumnMapping.objects.filter(agency=agency, kind=kind).first()
    return dict(saved.mapping) if saved else {}
