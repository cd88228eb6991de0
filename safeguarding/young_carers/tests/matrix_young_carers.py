"""The young carers pages in the access matrix (core/tests/matrix.py).

A registration is the council's (the involved practitioner's agency), about the world's
child: caseworkers who may see the child open it; another agency's practitioner gets the
404 of a child that does not exist. The register and the tracking meeting's list show
what each caseworker may see. The identification chart is a count, for analysts and
leaders too.
"""

from __future__ import annotations

from typing import Any

from safeguarding.conftest import World
from safeguarding.core.tests.matrix import NOT_FOUND, OK, Entries, expect
from safeguarding.young_carers.tests.conftest import make_carer


def carer(w: World) -> dict[str, Any]:
    return {"public_id": make_carer(w).public_id}


CASEWORK = expect(involved=OK, other_agency=OK, panel_member=OK)
ONE_CHILD = expect(involved=OK, panel_member=OK, other_agency=NOT_FOUND)

ENTRIES: Entries = {
    "young_carers:index": (lambda w: {}, CASEWORK),
    "young_carers:oversight": (lambda w: {}, CASEWORK),
    "young_carers:identification": (
        lambda w: {},
        expect(involved=OK, other_agency=OK, panel_member=OK, analyst=OK, executive=OK, officer=OK),
    ),
    "young_carers:register": (lambda w: {"public_id": w.child.public_id}, ONE_CHILD),
    "young_carers:detail": (carer, ONE_CHILD),
    "young_carers:review": (carer, ONE_CHILD),
    "young_carers:close": (carer, ONE_CHILD),
}
