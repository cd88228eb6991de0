"""The audit log: append-only and tamper-evident.

Each entry carries sha256(previous hash + the entry's canonical content), so a changed,
removed or inserted row breaks the chain from that point; `safeguarding audit verify`
walks it and names the first broken entry. The chain's head is its last entry; appending
first takes a lock (a transaction-level advisory lock on PostgreSQL, the database's write
lock on SQLite, whose transactions are IMMEDIATE), so two processes never chain onto the
same predecessor. The app's database role may only SELECT and INSERT here (core/dbroles.py),
and signed checkpoints kept outside the database anchor the chain (core/checkpoints.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from safeguarding.core.models import AuditAction, AuditEntry

if TYPE_CHECKING:
    from safeguarding.core.checkpoints import Checkpoint
    from safeguarding.core.models import User

GENESIS_HASH = "0" * 64
# pg_advisory_xact_lock's key for appending to the chain: any fixed number, the hub's own.
APPEND_LOCK = 0x5AFE_A0D1
HASHED_FIELDS = (
    "seq",
    "at",
    "user_id",
    "user_email",
    "agency_code",
    "roles",
    "action",
    "object_type",
    "object_id",
    "child_ref",
    "purpose",
    "address",
    "detail",
)

# What an export of the log shows: the hashed fields less the internal user id and the
# free-form detail, with the chain position first.
EXPORTED_FIELDS = tuple(name for name in HASHED_FIELDS if name not in {"user_id", "detail"})


def canonical(values: dict[str, Any]) -> str:
    """The exact text that is hashed: sorted keys, times in UTC to the microsecond."""
    prepared = {}
    for name in HASHED_FIELDS:
        value = values.get(name)
        if isinstance(value, datetime):
            value = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        prepared[name] = value
    return json.dumps(
        prepared, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def chain_hash(prev_hash: str, values: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(values)).encode("utf-8")).hexdigest()


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address as the rate limits see it (ALLAUTH_TRUSTED_PROXY_COUNT)."""
    if request is None:
        return None
    from allauth.core.internal.httpkit import get_client_ip

    try:
        return get_client_ip(request)
    except ImproperlyConfigured:  # a forged or short X-Forwarded-For: record the peer
        return request.META.get("REMOTE_ADDR") or None


def actor_fields(user: User | None) -> dict[str, Any]:
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user_id": None, "user_email": "", "agency_code": "", "roles": ""}
    return {
        "user_id": user.pk,
        "user_email": user.email,
        "agency_code": user.agency.code if user.agency else "",
        "roles": ",".join(sorted(user.roles)),
    }


def record(
    action: AuditAction | str,
    *,
    request: HttpRequest | None = None,
    user: User | None = None,
    object_type: str = "",
    object_id: str | int = "",
    child_ref: str = "",
    purpose: str = "",
    detail: dict[str, Any] | None = None,
    user_email: str = "",
) -> AuditEntry:
    """Append one entry. `user` defaults to the request's user."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    values: dict[str, Any] = {
        **actor_fields(user),
        "action": str(action),
        "object_type": object_type,
        "object_id": str(object_id),
        "child_ref": str(child_ref),
        "purpose": purpose,
        "address": client_address(request),
        "detail": detail or {},
        "at": timezone.now(),
    }
    if user_email and not values["user_email"]:
        values["user_email"] = user_email
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Held until the surrounding transaction ends, like the row lock it replaces.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPEND_LOCK])
        last_seq, last_hash = head()
        values["seq"] = last_seq + 1
        values["prev_hash"] = last_hash
        values["hash"] = chain_hash(last_hash, values)
        entry = AuditEntry(**values)
        entry.save(force_insert=True)
    return entry


def head() -> tuple[int, str]:
    """The chain's last position and hash: (0, GENESIS_HASH) for an empty log."""
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return last if last is not None else (0, GENESIS_HASH)


def hash_at(seq: int) -> str | None:
    """The stored hash of entry `seq`, or None if there is no such entry."""
    if seq == 0:
        return GENESIS_HASH
    return AuditEntry.objects.filter(seq=seq).values_list("hash", flat=True).first()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    pk: int
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _rows(batch_size: int) -> Iterator[dict[str, Any]]:
    fields = ("pk", "prev_hash", "hash", *HASHED_FIELDS)
    last = 0
    while True:
        batch = list(
            AuditEntry.objects.filter(seq__gt=last).order_by("seq").values(*fields)[:batch_size]
        )
        if not batch:
            return
        yield from batch
        last = batch[-1]["seq"]


def verify(
    *,
    batch_size: int = 5000,
    progress: Any = None,
    checkpoints: Sequence[Checkpoint] = (),
) -> VerifyResult:
    """Walk the chain from the start; report the first entry that does not hold.

    With `checkpoints` (core/checkpoints.py), the log must also reach each one and have
    its hash there: a recomputed chain, an emptied log or a deleted end are caught."""
    from safeguarding.core.checkpoints import mismatch

    expected: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        expected.setdefault(checkpoint.seq, []).append(checkpoint)
    for checkpoint in expected.get(0, []):
        problem = mismatch(checkpoint, 0, GENESIS_HASH)
        if problem:
            return VerifyResult(0, ChainBreak(0, 0, problem))
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for row in _rows(batch_size):
        if row["seq"] != expected_seq:
            reason = f"entry {expected_seq} is missing (next found is {row['seq']})"
            return VerifyResult(checked, ChainBreak(expected_seq, row["pk"], reason))
        if row["prev_hash"] != expected_prev:
            return VerifyResult(
                checked, ChainBreak(row["seq"], row["pk"], "does not follow the previous entry")
            )
        if chain_hash(row["prev_hash"], row) != row["hash"]:
            return VerifyResult(
                checked,
                ChainBreak(row["seq"], row["pk"], "its content was changed after it was written"),
            )
        for checkpoint in expected.get(row["seq"], []):
            problem = mismatch(checkpoint, row["seq"], row["hash"])
            if problem:
                return VerifyResult(checked, ChainBreak(row["seq"], row["pk"], problem))
        expected_prev = row["hash"]
        expected_seq += 1
        checked += 1
        if progress is not None:
            progress(1)
    beyond = [c for c in checkpoints if c.seq > checked]
    if beyond:
        problem = mismatch(max(beyond, key=lambda c: c.seq), checked, None)
        return VerifyResult(checked, ChainBreak(checked + 1, 0, str(problem)))
    return VerifyResult(checked, None)
