"""The audit log: append-only, hash-chained, verifiable, searchable."""

from __future__ import annotations

import csv
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding.conftest import World
from safeguarding.core import audit, dbroles
from safeguarding.core.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def write(n: int) -> list[AuditEntry]:
    return [
        audit.record(
            AuditAction.CHILD_VIEW, object_type="child", child_ref=f"child-{i}", purpose="test"
        )
        for i in range(n)
    ]


def tamper(sql: str, params: list[object] | None = None) -> None:
    """What an attacker with the owner's access does: bypass the app and the trigger.

    As the owner of the tables (DATABASE_OWNER_URL) when the tests run as the restricted
    app role, on a connection of its own: the tests that tamper commit their entries first
    (transaction=True), so that the owner sees them."""
    with dbroles.as_owner() as owner, owner.cursor() as cursor:
        if owner.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only"
            )
        cursor.execute(sql, params)
        if owner.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")


# Entries committed, so that the owner's own connection can tamper with them.
committed = pytest.mark.django_db(transaction=True)


def test_the_chain_verifies_when_nothing_was_touched() -> None:
    write(5)
    result = audit.verify()
    assert result.ok and result.checked == 5


def test_each_entry_is_chained_to_the_one_before() -> None:
    first, second = write(2)
    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert second.seq == first.seq + 1


@committed
def test_verify_names_the_first_changed_entry() -> None:
    entries = write(6)
    tamper(
        "UPDATE core_auditentry SET purpose = %s WHERE seq = %s", ["nothing to see", entries[3].seq]
    )
    result = audit.verify(batch_size=2)
    assert not result.ok
    assert result.first_break is not None and result.first_break.seq == entries[3].seq
    assert "changed" in result.first_break.reason
    assert result.checked == 3


@committed
def test_verify_finds_a_deleted_entry() -> None:
    entries = write(4)
    tamper("DELETE FROM core_auditentry WHERE seq = %s", [entries[1].seq])
    result = audit.verify()
    assert result.first_break is not None and result.first_break.seq == entries[1].seq


@committed
def test_the_command_reports_a_whole_chain_and_names_a_broken_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    entries = write(3)
    call_command("audit", "verify", "--no-progress")
    assert "3 entries checked" in capsys.readouterr().out
    tamper(
        "UPDATE core_auditentry SET user_email = %s WHERE seq = %s",
        ["someone@else.example", entries[1].seq],
    )
    with pytest.raises(CommandError, match=f"broken at entry {entries[1].seq}"):
        call_command("audit", "verify", "--no-progress")


def test_the_code_has_no_way_to_change_or_delete_an_entry() -> None:
    (entry,) = write(1)
    entry.purpose = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(purpose="rewritten")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@committed
def test_postgresql_refuses_update_and_delete_of_an_entry_even_to_the_owner() -> None:
    (entry,) = write(1)
    with dbroles.as_owner() as owner:
        for sql in (
            "UPDATE core_auditentry SET purpose = 'x' WHERE id = %s",
            "DELETE FROM core_auditentry WHERE id = %s",
        ):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                owner.cursor() as cursor,
            ):
                cursor.execute(sql, [entry.pk])


def test_the_ig_lead_sees_who_looked_at_a_child(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client_for("involved").get(
        reverse("children:detail", kwargs={"public_id": world.child.public_id})
    )
    page = (
        client_for("ig_lead")
        .get(reverse("core:audit"), {"child": str(world.child.public_id)})
        .content.decode()
    )
    assert "involved@la.example" in page
    assert "Viewed a child" in page
    by_pseudonym = (
        client_for("ig_lead")
        .get(reverse("core:audit"), {"child": world.child.pseudonym})
        .content.decode()
    )
    assert "involved@la.example" in by_pseudonym


def test_the_ig_lead_sees_what_a_user_looked_at(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client_for("panel_member").get(
        reverse("children:detail", kwargs={"public_id": world.child.public_id})
    )
    page = (
        client_for("ig_lead")
        .get(reverse("core:audit"), {"user": "panel@icb.example"})
        .content.decode()
    )
    assert str(world.child.public_id) in page
    assert "involved@la.example" not in page


def test_searching_and_exporting_the_log_are_themselves_audited(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client_for("involved").get(
        reverse("children:detail", kwargs={"public_id": world.child.public_id})
    )
    client = client_for("ig_lead")
    client.get(reverse("core:audit"), {"child": str(world.child.public_id)})
    response = client.get(reverse("core:audit_export"), {"child": str(world.child.public_id)})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    lines = body.strip().splitlines()
    assert next(csv.reader(lines))[:3] == ["seq", "at", "user_email"]
    assert any("involved@la.example" in line for line in lines[1:])
    assert AuditEntry.objects.filter(
        action=AuditAction.AUDIT_SEARCH, user_email="ig@la.example"
    ).exists()
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, user_email="ig@la.example").exists()


def test_a_search_with_a_backwards_date_range_is_refused_clearly(
    world: World, client_for: Callable[[str], Client]
) -> None:
    page = (
        client_for("ig_lead")
        .get(reverse("core:audit"), {"date_from": "5/3/2025", "date_to": "1/3/2025"})
        .content.decode()
    )
    assert "The start date must be on or before the end date." in page


def test_an_ig_leads_search_for_a_child_shows_in_who_looked_at_that_child(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client_for("ig_lead").get(reverse("core:audit"), {"child": world.child.pseudonym})
    entry = AuditEntry.objects.filter(action=AuditAction.AUDIT_SEARCH).latest("seq")
    assert entry.child_ref == str(world.child.public_id)


def test_the_audit_page_before_a_search_does_not_count_the_whole_log(
    world: World, client_for: Callable[[str], Client]
) -> None:
    write(3)
    client = client_for("ig_lead")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("core:audit")).content.decode()
    assert "Latest entries" in page
    assert not any(
        "COUNT(" in q["sql"].upper() and "core_auditentry" in q["sql"]
        for q in queries.captured_queries
    )


def test_attempts_on_an_address_that_is_no_account_are_found_whatever_its_case(
    world: World, client_for: Callable[[str], Client]
) -> None:
    Client().post(
        reverse("account_login"),
        {"login": "Nobody@Nowhere.example", "password": "guess-guess-guess"},
    )
    page = (
        client_for("ig_lead")
        .get(reverse("core:audit"), {"user": "NOBODY@nowhere.EXAMPLE"})
        .content.decode()
    )
    assert "Sign-in failed" in page and "1 entries found" in page


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's test database is one in-memory file"
)
@committed
def test_appends_from_many_connections_chain_one_after_another() -> None:
    """The head is the last entry: without the append lock two writers would chain onto
    the same predecessor (and one would fail on the unique seq)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def append(worker: int) -> None:
        try:
            for i in range(15):
                with transaction.atomic():
                    audit.record(AuditAction.CHILD_VIEW, object_type="child", object_id=i)
                    # Hold the transaction a moment, as a view that writes more would.
                    AuditEntry.objects.count()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(append, range(4)))
    result = audit.verify()
    assert result.ok and result.checked == 60
