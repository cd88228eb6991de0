"""The linkage officers' pages in the access matrix (core/tests/test_view_access_matrix.py).

Only linkage officers may open them; everyone else gets 403 (anonymous: sign in). The
POST-only endpoints answer a linkage officer's GET with 405.
"""

from __future__ import annotations

from typing import Any, cast

from safeguarding.children.models import (
    Child,
    IdentityChange,
    IdentityChangeKind,
    LinkageModel,
    LinkageRun,
    LinkCandidate,
    SourceRecord,
)
from safeguarding.conftest import World
from safeguarding.core.tests.factories import ChildFactory, SourceRecordFactory
from safeguarding.core.tests.matrix import OK, Entries, expect


def make_pair(world: World, *, probability: float = 0.8, **record_fields: Any) -> LinkCandidate:
    """A pending pair: a new police record (with its own new child) and the council's record."""
    model = LinkageModel.objects.first() or LinkageModel.objects.create(
        name="test model", settings={}, is_active=True
    )
    run = LinkageRun.objects.create(model=model)
    fields = {"given_name": "Jordon", "family_name": "Example", **record_fields}
    new_child = ChildFactory(given_name=fields["given_name"], family_name=fields["family_name"])
    record = cast(
        SourceRecord,
        SourceRecordFactory(agency=world.police, child=new_child, link_method="new", **fields),
    )
    return LinkCandidate.objects.create(
        record=record,
        candidate=world.record,
        run=run,
        match_probability=probability,
        match_weight=2.0,
        comparisons=[
            {"field": "given_name", "level": "similar (typo)", "weight": 3.1},
            {"field": "family_name", "level": "exact", "weight": 6.4},
            {"field": "postcode", "level": "different", "weight": -2.3},
        ],
    )


def make_change(world: World) -> IdentityChange:
    other = cast(Child, ChildFactory())
    return IdentityChange.objects.create(
        kind=IdentityChangeKind.MERGE, child=world.child, other=other, records={"records": []}
    )


LINKAGE_ONLY = expect(linkage_officer=OK)

ENTRIES: Entries = {
    "linkage:queue": (lambda w: {}, LINKAGE_ONLY),
    "linkage:pair": (lambda w: {"public_id": make_pair(w).public_id}, LINKAGE_ONLY),
    "linkage:child": (lambda w: {"public_id": w.child.public_id}, LINKAGE_ONLY),
    "linkage:history": (lambda w: {}, LINKAGE_ONLY),
    "linkage:merge": (lambda w: {"public_id": w.child.public_id}, expect(linkage_officer=405)),
    "linkage:split": (lambda w: {"public_id": w.child.public_id}, expect(linkage_officer=405)),
    "linkage:undo": (
        lambda w: {"public_id": make_change(w).public_id},
        expect(linkage_officer=405),
    ),
}
