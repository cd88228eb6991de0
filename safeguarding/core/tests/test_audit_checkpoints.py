"""Signed checkpoints anchor the audit chain outside the database.

Each tampering here is done as the owner of the tables (core/dbroles.py), the most a
database insider can do: the chain can then be made to hold together, but not to match
a checkpoint the database cannot reach.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from safeguarding.core import audit, checkpoints, dbroles
from safeguarding.core.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)  # committed, for the owner to see


@pytest.fixture
def checkpoint_dir(settings: Any, tmp_path: Path) -> Path:
    settings.AUDIT_CHECKPOINT_DIR = tmp_path
    settings.AUDIT_CHECKPOINT_KEY = "a key that is not in the database"
    settings.AUDIT_CHECKPOINT_EMAILS = []
    return tmp_path


def write(n: int) -> list[AuditEntry]:
    return [
        audit.record(AuditAction.CHILD_VIEW, object_type="child", child_ref=f"c{i}", purpose="t")
        for i in range(n)
    ]


def as_owner(*statements: tuple[str, list[Any] | None]) -> None:
    with dbroles.as_owner() as owner, owner.cursor() as cursor:
        postgres = owner.vendor == "postgresql"
        if postgres:
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)
        if postgres:
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")


def recompute_from(seq: int, purpose: str) -> None:
    """Change entry `seq` and recompute every hash after it, so the chain holds again."""
    with dbroles.as_owner():
        rows = list(
            AuditEntry.objects.order_by("seq").values("pk", "prev_hash", *audit.HASHED_FIELDS)
        )
    updates = []
    prev = audit.GENESIS_HASH
    for row in rows:
        if row["seq"] == seq:
            row["purpose"] = purpose
        if row["seq"] >= seq:
            new_hash = audit.chain_hash(prev, row)
            updates.append(
                (
                    "UPDATE core_auditentry SET purpose = %s, prev_hash = %s, hash = %s "
                    "WHERE seq = %s",
                    [row["purpose"], prev, new_hash, row["seq"]],
                )
            )
            prev = new_hash
        else:
            prev = audit.chain_hash(prev, row)
    as_owner(*updates)


def verify_against(directory: Path) -> audit.VerifyResult:
    found, problems = checkpoints.read(directory)
    assert found and not problems
    return audit.verify(checkpoints=found)


def test_a_checkpoint_is_a_signed_line_and_an_untouched_log_matches_it(
    checkpoint_dir: Path,
) -> None:
    write(3)
    call_command("audit", "checkpoint")
    (line,) = (checkpoint_dir / checkpoints.FILE_NAME).read_text().splitlines()
    fields = json.loads(line)
    assert fields["seq"] == 3 and fields["hash"] == audit.head()[1]
    assert len(fields["mac"]) == 64
    write(2)
    result = verify_against(checkpoint_dir)
    assert result.ok and result.checked == 5


def test_an_emptied_log_is_caught(checkpoint_dir: Path) -> None:
    write(4)
    checkpoints.write()
    as_owner(("DELETE FROM core_auditentry", None))  # TRUNCATE below, where it exists
    assert audit.verify().ok  # on its own an empty chain holds
    result = verify_against(checkpoint_dir)
    assert result.first_break is not None
    assert "were removed" in result.first_break.reason
    assert "ends at entry 0" in result.first_break.reason


def test_a_truncated_log_is_caught_on_postgresql(checkpoint_dir: Path) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; the test above empties the log with DELETE")
    write(2)
    checkpoints.write()
    as_owner(("TRUNCATE core_auditentry", None))
    result = verify_against(checkpoint_dir)
    assert result.first_break is not None and "were removed" in result.first_break.reason


def test_a_deleted_end_is_caught_even_when_new_entries_follow(checkpoint_dir: Path) -> None:
    write(5)
    checkpoints.write()
    as_owner(("DELETE FROM core_auditentry WHERE seq > %s", [2]))
    assert audit.verify().ok  # the head is the last entry: nothing in the database is wrong
    result = verify_against(checkpoint_dir)
    assert result.first_break is not None and result.first_break.seq == 3
    assert "entries from 3 on were removed" in result.first_break.reason
    # The head "reset" and the log carried on past the checkpoint's length: still caught.
    write(4)
    result = verify_against(checkpoint_dir)
    assert result.first_break is not None and result.first_break.seq == 5
    assert "rewritten" in result.first_break.reason


def test_a_recomputed_chain_is_caught(checkpoint_dir: Path) -> None:
    write(6)
    checkpoints.write()
    recompute_from(2, "nothing to see here")
    assert audit.verify().ok  # the chain holds together again
    result = verify_against(checkpoint_dir)
    assert result.first_break is not None and result.first_break.seq == 6
    assert "differs from the checkpoint" in result.first_break.reason


def test_the_command_names_the_tampering_and_fails(checkpoint_dir: Path) -> None:
    write(3)
    call_command("audit", "checkpoint")
    recompute_from(1, "rewritten")
    with pytest.raises(CommandError, match="broken at entry 3: entry 3's hash differs"):
        call_command("audit", "verify", "--no-progress")
    # Nor will it anchor the rewritten log with a new checkpoint.
    with pytest.raises(CommandError, match="No checkpoint written"):
        call_command("audit", "checkpoint")


def test_verify_reports_the_checkpoints_it_matched(
    checkpoint_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(2)
    call_command("audit", "checkpoint")
    write(1)
    call_command("audit", "checkpoint")
    call_command("audit", "verify", "--no-progress")
    assert "3 entries checked, the chain is whole, and it matches 2 signed checkpoints" in (
        capsys.readouterr().out
    )


def test_a_changed_or_forged_checkpoint_is_reported(checkpoint_dir: Path) -> None:
    write(2)
    checkpoints.write()
    path = checkpoint_dir / checkpoints.FILE_NAME
    fields = json.loads(path.read_text())
    fields["seq"] = 1  # moved back, as if the log had been shorter
    with path.open("a") as lines:
        lines.write(json.dumps(fields) + "\n")
    with pytest.raises(CommandError, match="line 2 is not signed with this key"):
        call_command("audit", "verify", "--no-progress")


def test_without_checkpoints_verify_says_it_checked_the_chain_only(
    settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.AUDIT_CHECKPOINT_DIR = None
    write(1)
    call_command("audit", "verify", "--no-progress")
    assert "checked against itself only" in capsys.readouterr().out
    with pytest.raises(CommandError, match="SAFEGUARDING_AUDIT_CHECKPOINT_DIR is not set"):
        call_command("audit", "checkpoint")


def test_the_checkpoint_is_emailed_when_addresses_are_set(
    checkpoint_dir: Path, settings: Any
) -> None:
    settings.AUDIT_CHECKPOINT_EMAILS = ["ig@partnership.example"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    write(2)
    _, line = checkpoints.write()
    (message,) = mail.outbox
    assert message.to == ["ig@partnership.example"]
    assert line in message.body
    # The line kept from the email verifies the log on its own.
    kept = checkpoint_dir / "kept.jsonl"
    kept.write_text(line + "\n")
    call_command("audit", "verify", "--no-progress", "--checkpoints", str(kept))
