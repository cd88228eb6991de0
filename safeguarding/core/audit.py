"""The audit log: append-only and tamper-evident.

Each entry carries sha256(previous hash + the entry's canonical content), so a changed,
removed or inserted row breaks the chain from that point; `safeguarding audit verify`
walks it and names the first broken entry. Appending locks the one AuditHead row, so two
processes never chain onto the same predecessor (on PostgreSQL the UPDATE takes a row
lock; on SQLite it takes the database's write lock).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from safeguarding.core.models import AuditAction, AuditEntry, AuditHead

if TYPE_CHECKING:
    from safeguarding.core.models import User

GENESIS_HASH = "0" * 64
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
        updated = AuditHead.objects.filter(pk=1).update(last_seq=F("last_seq") + 1)
        if not updated:
            AuditHead.objects.get_or_create(pk=1)
            AuditHead.objects.filter(pk=1).update(last_seq=F("last_seq") + 1)
        head = AuditHead.objects.get(pk=1)
        values["seq"] = head.last_seq
        values["prev_hash"] = head.last_hash
        values["hash"] = chain_hash(head.last_hash, values)
        entry = AuditEntry(**values)
        entry.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(last_hash=values["hash"])
    return entry


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


def verify(*, batch_size: int = 5000, progress: Any = None) -> VerifyResult:
    """Walk the chain from the start; report the first entry that does not hold."""
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
        expected_prev = row["hash"]
        expected_seq += 1
        checked += 1
        if progress is not None:
            progress(1)
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq != checked:
        reason = f"the log ends at entry {checked} but {head.last_seq} were written"
        return VerifyResult(checked, ChainBreak(checked + 1, 0, reason))
    return VerifyResult(checked, None)
