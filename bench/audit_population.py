"""The audit log the audit benchmark measures: entries appended after the chain's head.

Generated in batches with the same hash chain as the hub writes (see bench_audit.py).
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

BATCH = 20_000  # entries built, then inserted, per transaction
INSERT_BATCH = 5_000  # bulk_create's batch_size
SEED = 20261124
AGENCY_CODE = "BENCH"

# Generated entries are spread over two years from here, about one a minute at 1 million.
LOG_STARTS = datetime(2024, 11, 1, tzinfo=UTC)
LOG_SPAN = timedelta(days=730)

# What the generated log holds: (action, weight, kind). "child" entries concern one of the
# children (about two thirds of the log, some 33 per child at 1 million); "outsider" ones
# are failed sign-ins with an address that is no user's, so user_id is empty.
MIX: tuple[tuple[str, int, str], ...] = (
    ("child_view", 50, "child"),
    ("child_update", 10, "child"),
    ("child_create", 3, "child"),
    ("export", 2, "child"),
    ("child_denied", 1, "child"),
    ("break_glass", 1, "child"),
    ("child_list", 8, "plain"),
    ("sign_in", 12, "plain"),
    ("sign_out", 8, "plain"),
    ("session_ended", 2, "plain"),
    ("audit_search", 1, "plain"),
    ("sign_in_failed", 2, "outsider"),
)
PURPOSES = {
    "child_view": "casework",
    "export": "strategy meeting",
    "break_glass": "out of hours: police protection",
}


def load_entries(
    target: int,
    practitioners: Sequence[tuple[int, str]],
    refs: Sequence[str],
    outsiders: Sequence[str],
) -> None:
    """Append generated entries after the chain's head until the log holds `target`.

    Values are built in Python and hashed with audit.chain_hash, as audit.record would;
    each batch is one transaction and the chain's head is its last entry, so an
    interrupted load resumes where it stopped.
    """
    from django.db import transaction
    from tqdm import tqdm

    from safeguarding.core.audit import chain_hash, head
    from safeguarding.core.models import AuditEntry

    first_seq, first_hash = head()
    if first_seq >= target:
        print(f"The log already holds {first_seq:,} entries: generation skipped.")
        return

    actions = [action for action, _, _ in MIX]
    kinds = {action: kind for action, _, kind in MIX}
    weights = [weight for _, weight, _ in MIX]
    step_us = max(1, int(LOG_SPAN / timedelta(microseconds=1)) // target)
    seq, prev_hash = first_seq, first_hash
    rng = random.Random(SEED + seq)
    started = time.perf_counter()
    with tqdm(
        total=target,
        initial=seq,
        unit=" entries",
        unit_scale=True,
        desc="Generating the log",
        mininterval=2,
    ) as progress:
        while seq < target:
            count = min(BATCH, target - seq)
            batch = []
            for action in rng.choices(actions, weights, k=count):
                seq += 1
                values = generated_values(
                    seq, action, kinds[action], step_us, rng, practitioners, refs, outsiders
                )
                entry_hash = chain_hash(prev_hash, values)
                batch.append(AuditEntry(**values, prev_hash=prev_hash, hash=entry_hash))
                prev_hash = entry_hash
            with transaction.atomic():
                AuditEntry.objects.bulk_create(batch, batch_size=INSERT_BATCH)
            progress.update(count)
    elapsed = time.perf_counter() - started
    added = seq - first_seq
    print(f"Generated {added:,} entries in {elapsed:.0f} s ({added / elapsed:,.0f} entries/s).")


def generated_values(
    seq: int,
    action: str,
    kind: str,
    step_us: int,
    rng: random.Random,
    practitioners: Sequence[tuple[int, str]],
    refs: Sequence[str],
    outsiders: Sequence[str],
) -> dict[str, Any]:
    """The hashed fields of one generated entry, shaped like audit.record's."""
    user_id, email = rng.choice(practitioners)
    values: dict[str, Any] = {
        "seq": seq,
        "at": LOG_STARTS + timedelta(microseconds=seq * step_us + rng.randrange(step_us)),
        "user_id": user_id,
        "user_email": email,
        "agency_code": AGENCY_CODE,
        "roles": "practitioner",
        "action": action,
        "object_type": "",
        "object_id": "",
        "child_ref": "",
        "purpose": PURPOSES.get(action, ""),
        "address": f"10.{user_id // 256 % 256}.{user_id % 256}.{rng.randrange(1, 255)}",
        "detail": {},
    }
    if kind == "child":
        index = rng.randrange(len(refs))
        values.update(object_type="child", object_id=str(index + 1), child_ref=refs[index])
        if action == "child_update":
            values["detail"] = {"fields": ["address", "school"]}
    elif kind == "outsider":
        attempted = rng.choice(outsiders)
        values.update(
            user_id=None,
            user_email=attempted,
            agency_code="",
            roles="",
            detail={"attempted": attempted},
        )
    return values


def existing_refs(candidates: Sequence[str]) -> list[str]:
    from safeguarding.core.models import AuditEntry

    return [ref for ref in candidates if AuditEntry.objects.filter(child_ref=ref).exists()]
