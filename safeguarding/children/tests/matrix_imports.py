"""The import pages and the import API in the access matrix (core/tests/matrix.py).

The import pages are the data officer's (of the council, in the world): every other user
is forbidden, and the anonymous are sent to sign in. The API ignores sessions: it answers
every caller alike, 401 without a bearer token and 405 for a method it does not take; its
documentation is public.
"""

from __future__ import annotations

from typing import Any

from safeguarding.children.models import ImportBatch, ImportChannel, ImportStatus
from safeguarding.conftest import World
from safeguarding.core.models import ApiToken
from safeguarding.core.tests.matrix import OK, USERS, Entries, expect

EVERYONE_OK = dict.fromkeys(USERS, OK)


def everyone(status: int) -> dict[str, Any]:
    return dict.fromkeys(USERS, status)


def council_batch(w: World) -> dict[str, Any]:
    batch = ImportBatch.objects.create(
        agency=w.la,
        kind="persons",
        channel=ImportChannel.UPLOAD,
        status=ImportStatus.REFUSED,
        rows_read=2,
        rows_rejected=1,
        problems=[{"row": 2, "column": "date_of_birth", "reason": "not a date"}],
        problem_count=1,
        by=w.users["data_officer"],
    )
    return {"public_id": batch.public_id}


def council_token(w: World) -> dict[str, Any]:
    token = ApiToken.objects.create(
        agency=w.la,
        name="Case system",
        prefix="abcd2345",
        token_hash="0" * 64,
        created_by=w.users["data_officer"],
    )
    return {"prefix": token.prefix}


ENTRIES: Entries = {
    "imports:list": (lambda w: {}, expect(data_officer=OK)),
    "imports:upload": (lambda w: {}, expect(data_officer=OK)),
    "imports:batch": (council_batch, expect(data_officer=OK)),
    "imports:batch_problems": (council_batch, expect(data_officer=OK)),
    "imports:batch_load": (council_batch, expect(data_officer=405)),
    "imports:mappings": (lambda w: {}, expect(data_officer=OK)),
    "imports:mapping": (lambda w: {"kind": "persons"}, expect(data_officer=OK)),
    "imports:tokens": (lambda w: {}, expect(data_officer=OK)),
    "imports:token_revoke": (council_token, expect(data_officer=405)),
    "api:index": (lambda w: {}, EVERYONE_OK),
    "api:openapi": (lambda w: {}, EVERYONE_OK),
    "api:persons": (lambda w: {}, everyone(405)),
    "api:events": (lambda w: {}, everyone(405)),
    "api:batch": (council_batch, everyone(401)),
}
