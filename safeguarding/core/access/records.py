"""A practitioner's own record of a child the hub does not know (docs/decisions/0054)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from safeguarding.children.models import Child, SourceRecord
from safeguarding.core import refusals
from safeguarding.core.access.rules import (
    ChildAccess,
    Grounds,
    _casework_user,
    record_write,
    signed_in_user,
)


class RecordIdTaken(refusals.Refused):
    """The user's agency already holds a record under the id typed: nothing was saved."""

    code = "core.record_id_taken"


# How a record typed by a practitioner came to its child (SourceRecord.link_method).
ENTERED_BY_HAND = "entered by hand"


def record_new_child(request: HttpRequest, values: dict[str, Any]) -> ChildAccess:
    """A practitioner's own record of a child the hub does not know, and a new child that
    holds only that record: the user sees exactly what they typed, nothing more.

    No import and no linkage run here, and nothing is compared with other children, so
    the answer is the same whether or not the hub knows the child: a name and a date of
    birth open nothing. The record waits for the next `safeguarding link`, which never
    joins a record typed by hand to anything itself (`entered_by_hand`): any likely match
    goes to the linkage officer as a pair, and the agency is involved with the other child
    only once the officer confirms it (docs/decisions/0054).
    """
    from safeguarding.children import identity

    user = signed_in_user(request)
    worker = _casework_user(user)
    if worker is None or worker.agency is None:
        raise PermissionDenied("Only a practitioner of an agency records a child.")
    now = timezone.now()
    taken = RecordIdTaken(
        "Your agency already has a record with this id: use your agency's id for this "
        "child, or find the child in the hub."
    )
    with transaction.atomic():
        if SourceRecord.objects.filter(
            agency=worker.agency, record_id=values["record_id"]
        ).exists():
            raise taken
        view = identity.RecordView(worker.agency.code, worker.agency.kind, now, values)
        child = Child.objects.create(
            created_at=now, updated_at=now, **identity.identity_fields([view])
        )
        try:
            with transaction.atomic():
                record = SourceRecord.objects.create(
                    agency=worker.agency,
                    child=child,
                    entered_by_hand=True,
                    needs_linking=True,
                    link_method=ENTERED_BY_HAND,
                    created_at=now,
                    **values,
                )
        except IntegrityError:
            # The same id saved meanwhile (an import, a colleague): the unique constraint.
            raise taken from None
        granted = ChildAccess(child=child, grounds=Grounds.INVOLVED)
        record_write(
            request,
            granted,
            object_type="source_record",
            object_id=f"{worker.agency.code}:{record.record_id}",
            created=True,
            purpose="record a child the hub does not know",
        )
    return granted
