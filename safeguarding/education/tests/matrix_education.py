"""The education trackers' pages in the access matrix (core/tests/matrix.py).

A CME case and an EHE record are the council's (the involved practitioner's agency),
about the world's child: caseworkers who may see the child open them; another agency's
practitioner gets the 404 of a child that does not exist. The lists show what each
caseworker may see. The population figure is the partnership officer's; the feeds are
counts for analysts, executives and the officer.
"""

from __future__ import annotations

from typing import Any

from safeguarding.conftest import World
from safeguarding.core.tests.matrix import NOT_FOUND, OK, Entries, expect
from safeguarding.education.tests.conftest import make_case, make_ehe


def case(w: World) -> dict[str, Any]:
    return {"public_id": make_case(w).public_id}


def ehe(w: World) -> dict[str, Any]:
    return {"public_id": make_ehe(w).public_id}


def child(w: World) -> dict[str, Any]:
    return {"public_id": w.child.public_id}


CASEWORK = expect(involved=OK, other_agency=OK, panel_member=OK)
ONE_CHILD = expect(involved=OK, panel_member=OK, other_agency=NOT_FOUND)

ENTRIES: Entries = {
    "education:cases": (lambda w: {}, CASEWORK),
    "education:case_new": (child, ONE_CHILD),
    "education:case": (case, ONE_CHILD),
    "education:case_check": (case, ONE_CHILD),
    "education:case_close": (case, ONE_CHILD),
    "education:ehe": (lambda w: {}, CASEWORK),
    "education:ehe_new": (child, ONE_CHILD),
    "education:ehe_record": (ehe, ONE_CHILD),
    "education:ehe_visit": (ehe, ONE_CHILD),
    "education:ehe_end": (ehe, ONE_CHILD),
    "education:absence": (lambda w: {}, CASEWORK),
    "education:absence_import": (lambda w: {}, expect(data_officer=OK)),
    "education:population": (lambda w: {}, expect(officer=OK)),
    "education:feeds": (lambda w: {}, expect(analyst=OK, executive=OK, officer=OK)),
}
