"""What the access matrix is made of, shared by every app's matrix entries.

An app adds its pages to the matrix in a module `safeguarding/<app>/tests/matrix_*.py`
that defines `ENTRIES`, a dict from URL name to (kwargs builder, statuses); the test in
core/tests/test_view_access_matrix.py collects them all. A kwargs builder gets the world
and may create what its page needs (a candidate pair, an import batch) before returning
the URL's arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from safeguarding.conftest import World

OK, FORBIDDEN, NOT_FOUND, SIGN_IN = 200, 403, 404, "sign-in"
USERS = (
    "involved",
    "other_agency",
    "panel_member",
    "analyst",
    "anonymous",
    "officer",
    "ig_lead",
    "agency_admin",
    "data_officer",
    "linkage_officer",
    "executive",
    "trainer",
)

Entries = dict[str, tuple[Callable[[World], dict[str, Any]], dict[str, Any]]]


def expect(**statuses: Any) -> dict[str, Any]:
    """Every user forbidden (anonymous sent to sign in) but those named."""
    base: dict[str, Any] = dict.fromkeys(USERS, FORBIDDEN)
    base["anonymous"] = SIGN_IN
    base.update(statuses)
    return base


ALL_OK = {name: OK for name in USERS if name != "anonymous"}
