"""Signed checkpoints of the audit chain, kept where the database cannot reach.

A checkpoint is the chain's head at a moment (its last sequence number and hash), signed
with an HMAC key that is not in the database (SAFEGUARDING_AUDIT_CHECKPOINT_KEY, or a key
derived from the secret key). `safeguarding audit checkpoint`, run on a schedule, appends
one as a JSON line to `audit-checkpoints.jsonl` in SAFEGUARDING_AUDIT_CHECKPOINT_DIR and
emails it to SAFEGUARDING_AUDIT_CHECKPOINT_EMAILS. `audit verify` then holds the log to
every checkpoint: someone who can rewrite the tables can recompute the chain so that it
holds together, but cannot make it reach and match a checkpoint they cannot change.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from safeguarding.core import audit

FILE_NAME = "audit-checkpoints.jsonl"
VERSION = 1
SIGNED_FIELDS = ("v", "seq", "hash", "written")


class CheckpointError(Exception):
    """Checkpoints cannot be written or read as configured."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    written: datetime
    where: str  # file and line, for messages

    def describe(self) -> str:
        when = timezone.localtime(self.written).strftime("%-d %B %Y, %H:%M")
        return f"the checkpoint of {when} ({self.where})"


def key() -> bytes:
    configured = getattr(settings, "AUDIT_CHECKPOINT_KEY", "") or ""
    if configured:
        return configured.encode("utf-8")
    return hmac.new(
        settings.SECRET_KEY.encode("utf-8"), b"safeguarding audit checkpoint", hashlib.sha256
    ).digest()


def _signature(fields: dict[str, Any]) -> str:
    text = json.dumps({name: fields.get(name) for name in SIGNED_FIELDS}, sort_keys=True)
    return hmac.new(key(), text.encode("utf-8"), hashlib.sha256).hexdigest()


def default_path() -> Path:
    directory = getattr(settings, "AUDIT_CHECKPOINT_DIR", None)
    if directory is None:
        raise CheckpointError(
            "SAFEGUARDING_AUDIT_CHECKPOINT_DIR is not set: checkpoints need a folder outside "
            "the database that its roles cannot reach (see docs/security.md)."
        )
    return Path(directory) / FILE_NAME


def read(path: Path) -> tuple[list[Checkpoint], list[str]]:
    """The file's checkpoints in sequence order, and a problem for each line that does not
    hold (not JSON, or not signed with this key: changed, or forged)."""
    if path.is_dir():
        path = path / FILE_NAME
    if not path.exists():
        return [], []
    found: list[Checkpoint] = []
    problems: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path.name} line {number}"
            try:
                fields = json.loads(line)
                signed = hmac.compare_digest(str(fields.get("mac", "")), _signature(fields))
                checkpoint = Checkpoint(
                    seq=int(fields["seq"]),
                    hash=str(fields["hash"]),
                    written=datetime.fromisoformat(str(fields["written"])),
                    where=where,
                )
            except (ValueError, KeyError, TypeError, AttributeError):
                problems.append(f"{where} cannot be read as a checkpoint")
                continue
            if not signed:
                problems.append(f"{where} is not signed with this key: it was changed or forged")
                continue
            found.append(checkpoint)
    found.sort(key=lambda c: (c.seq, c.written))
    return found, problems


def latest(path: Path) -> Checkpoint | None:
    found, _ = read(path)
    return max(found, key=lambda c: c.written) if found else None


def mismatch(checkpoint: Checkpoint, last_seq: int, stored_hash: str | None) -> str | None:
    """Why the log as it stands does not match `checkpoint`, or None."""
    if checkpoint.seq > last_seq:
        return (
            f"the log ends at entry {last_seq}, but {checkpoint.describe()} recorded "
            f"{checkpoint.seq} entries: entries from {last_seq + 1} on were removed "
            "(the log was emptied, or its end deleted)"
        )
    if stored_hash != checkpoint.hash:
        return (
            f"entry {checkpoint.seq}'s hash differs from {checkpoint.describe()}: the log was "
            "rewritten at or before this entry, and its chain recomputed"
        )
    return None


def check_against(checkpoints: Iterable[Checkpoint]) -> str | None:
    """A quick check of the head against the checkpoints, without walking the chain."""
    last_seq, _ = audit.head()
    for checkpoint in checkpoints:
        problem = mismatch(checkpoint, last_seq, audit.hash_at(checkpoint.seq))
        if problem:
            return problem
    return None


def write(path: Path | None = None) -> tuple[Checkpoint, str]:
    """Append a signed checkpoint of the chain's head; refuse if the log no longer matches
    the latest checkpoint already written (then someone has changed it). Returns the
    checkpoint and the line written."""
    path = path or default_path()
    if path.is_dir():
        path = path / FILE_NAME
    if not path.parent.is_dir():
        raise CheckpointError(f"The checkpoint folder {path.parent} does not exist.")
    previous = latest(path)
    if previous is not None:
        problem = check_against([previous])
        if problem:
            raise CheckpointError(f"No checkpoint written: {problem}.")
    seq, head_hash = audit.head()
    fields: dict[str, Any] = {
        "v": VERSION,
        "seq": seq,
        "hash": head_hash,
        "written": datetime.now(UTC).isoformat(timespec="microseconds"),
    }
    fields["mac"] = _signature(fields)
    line = json.dumps(fields, sort_keys=True)
    # Appended and flushed to the disk: an append-only file (chattr +a) is enough.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, (line + "\n").encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    emails = list(getattr(settings, "AUDIT_CHECKPOINT_EMAILS", []) or [])
    if emails:
        send_mail(
            f"Audit log checkpoint: entry {seq}",
            "The hub's audit log reached this point. Keep this email: `safeguarding audit "
            "verify --checkpoints FILE` checks the log against a file of such lines.\n\n"
            f"{line}\n",
            None,
            emails,
        )
    checkpoint = Checkpoint(
        seq=seq,
        hash=head_hash,
        written=datetime.fromisoformat(fields["written"]),
        where=path.name,
    )
    return checkpoint, line
