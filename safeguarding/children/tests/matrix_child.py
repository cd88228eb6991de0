"""The child pages in the access matrix (core/tests/test_view_access_matrix.py).

Only the casework roles ever see a child by name: the involved practitioner and the panel
member see the child's pages; a practitioner of an agency with no part in the child gets
the same 404 as for a child that does not exist; the list and the search are open to every
casework user (each sees only their own children).
"""

from __future__ import annotations

from safeguarding.core.tests.matrix import NOT_FOUND, OK, Entries, expect

ENTRIES: Entries = {
    "children:list": (lambda w: {}, expect(involved=OK, other_agency=OK, panel_member=OK)),
    "children:detail": (
        lambda w: {"public_id": w.child.public_id},
        expect(involved=OK, other_agency=NOT_FOUND, panel_member=OK),
    ),
    "children:break_glass": (
        lambda w: {"public_id": w.child.public_id},
        expect(involved=OK, other_agency=OK, panel_member=OK),
    ),
    "children:export": (
        lambda w: {"public_id": w.child.public_id},
        expect(involved=OK, other_agency=NOT_FOUND, panel_member=OK),
    ),
}
