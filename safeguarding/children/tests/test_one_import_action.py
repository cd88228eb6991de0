"""One import action: the upload page, the API and `safeguarding import` all go through
`imports.actions.import_extract`, with the same checks, the same batch and the same audit
entry (docs/decisions/0064-pipelines-as-packages.md)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from safeguarding.children.imports import actions as import_actions
from safeguarding.children.models import ImportBatch, ImportStatus, SourceRecord
from safeguarding.conftest import World
from safeguarding.core import tokens
from safeguarding.core.models import ApiToken, AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

PLAIN = "sgh_wxyz2345_" + "y" * 43
FIELDS = ("record_id", "given_name", "family_name", "date_of_birth", "team")
ROWS = [
    ("LA-1", "Amara", "Okafor", "2014-03-05", "North"),
    ("LA-2", "Ben", "Smith", "21/11/2012", "South"),
    ("LA-3", "Cara", "Jones", "2013-06-01", ""),
]
# The same extract with problems: a date that is not real, and a row without its record_id.
FAULTY = [*ROWS[:2], ("LA-3", "Cara", "Jones", "2013-02-31", ""), ("", "Amy", "Hill", "", "")]


def as_csv(rows: list[tuple[str, ...]]) -> str:
    return "\n".join(",".join(row) for row in [FIELDS, *rows]) + "\n"


def through_upload(world: World, client: Client, rows: list[tuple[str, ...]]) -> ImportBatch:
    extract = SimpleUploadedFile("extract.csv", as_csv(rows).encode("utf-8"))
    data = {"kind": "persons", "on_errors": "nothing", "dry_run": "on", "extract": extract}
    response = client.post(reverse("imports:upload"), data)
    assert response.status_code == 302, response.content
    return ImportBatch.objects.filter(agency=world.la).latest("started_at")


def through_api(world: World, rows: list[tuple[str, ...]]) -> ImportBatch:
    ApiToken.objects.get_or_create(
        prefix=PLAIN.split("_")[1],
        defaults={
            "agency": world.la,
            "name": "Case system",
            "token_hash": tokens.token_hash(PLAIN),
            "created_by": world.users["data_officer"],
        },
    )
    body = {"records": [dict(zip(FIELDS, row, strict=True)) for row in rows], "dry_run": True}
    response = Client().post(
        reverse("api:persons"),
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {PLAIN}"},
    )
    assert response.status_code in (200, 422), response.content
    return ImportBatch.objects.get(public_id=response.json()["batch"])


def through_command(
    world: World, tmp_path: Path, rows: list[tuple[str, ...]], *, fails: bool = False
) -> ImportBatch:
    path = tmp_path / "extract.csv"
    path.write_text(as_csv(rows), encoding="utf-8")
    arguments = ("import", "LA", str(path), "--kind", "persons", "--dry-run", "--no-progress")
    if fails:
        with pytest.raises(CommandError):
            call_command(*arguments, stdout=io.StringIO())
    else:
        call_command(*arguments, stdout=io.StringIO())
    return ImportBatch.objects.filter(agency=world.la).latest("started_at")


@pytest.fixture
def channels(monkeypatch: pytest.MonkeyPatch, db: Any) -> list[str]:
    """The channel of each call of the one import action, in order."""
    call_command("createcachetable", verbosity=0)
    cache.clear()
    seen: list[str] = []
    action = import_actions.import_extract

    def recorded(*args: Any, **kwargs: Any) -> Any:
        seen.append(str(kwargs["channel"]))
        return action(*args, **kwargs)

    monkeypatch.setattr(import_actions, "import_extract", recorded)
    return seen


def counts(batch: ImportBatch) -> tuple[Any, ...]:
    return (
        batch.kind,
        batch.status,
        batch.rows_read,
        batch.rows_created,
        batch.rows_updated,
        batch.rows_unchanged,
        batch.rows_rejected,
        batch.problem_count,
    )


def audit_detail(batch: ImportBatch) -> dict[str, Any]:
    """The batch's one audit entry, without what names the channel itself."""
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT, object_id=str(batch.public_id))
    return {key: value for key, value in entry.detail.items() if key not in ("channel", "file")}


def test_the_upload_the_api_and_the_command_each_call_the_one_import_action(
    world: World, client_for: Callable[[str], Client], tmp_path: Path, channels: list[str]
) -> None:
    through_upload(world, client_for("data_officer"), ROWS)
    through_api(world, ROWS)
    through_command(world, tmp_path, ROWS)

    assert channels == ["upload", "api", "command"]


def test_the_same_extract_by_each_route_gives_the_same_batch_and_the_same_audit_entry(
    world: World, client_for: Callable[[str], Client], tmp_path: Path, channels: list[str]
) -> None:
    before = set(SourceRecord.objects.filter(agency=world.la).values_list("pk", flat=True))

    batches = [
        through_upload(world, client_for("data_officer"), ROWS),
        through_api(world, ROWS),
        through_command(world, tmp_path, ROWS),
    ]

    assert [batch.channel for batch in batches] == ["upload", "api", "command"]
    assert {counts(batch) for batch in batches} == {
        ("persons", ImportStatus.CHECKED, 3, 3, 0, 0, 0, 0)
    }
    details = [audit_detail(batch) for batch in batches]
    assert details[0] == details[1] == details[2]
    assert details[0]["agency"] == "LA"
    after = set(SourceRecord.objects.filter(agency=world.la).values_list("pk", flat=True))
    assert after == before  # each was a dry run


def test_the_same_faulty_extract_by_each_route_gets_the_same_problems(
    world: World, client_for: Callable[[str], Client], tmp_path: Path, channels: list[str]
) -> None:
    batches = [
        through_upload(world, client_for("data_officer"), FAULTY),
        through_api(world, FAULTY),
        through_command(world, tmp_path, FAULTY, fails=True),
    ]

    assert channels == ["upload", "api", "command"]
    assert len({counts(batch) for batch in batches}) == 1
    assert batches[0].problem_count == 2
    # A file's header is its row 1; the API's first record is its row 1.
    shifted = [{**problem, "row": problem["row"] - 1} for problem in batches[0].problems]
    assert shifted == batches[1].problems
    assert batches[0].problems == batches[2].problems
    details = [audit_detail(batch) for batch in batches]
    assert details[0] == details[1] == details[2]
