"""Every CSV the hub writes is safe to open in a spreadsheet (core/exports.py).

Three checks keep it so without anyone remembering to add a case:

* no module writes CSV but the one writer (`csv.writer`/`csv.DictWriter` and the
  text/csv content type appear nowhere else), so a new export cannot bypass it;
* every function that uses the writer is listed here with the URL (or command) that
  runs it, so a new export fails until it is walked;
* the walk: hostile values planted in everything a person can type that an export shows
  (a child's name, a failed sign-in's user name, agency names, summaries, an indicator's
  title, an import's problems), then every page of the access matrix fetched by every
  user who may use it, and every export asked for as its form asks; every CSV that comes
  back is parsed and no cell may start a formula.
"""

from __future__ import annotations

import ast
import csv
import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import safeguarding
from safeguarding.conftest import World
from safeguarding.core.exports import FORMULA_STARTS, NUMBER, csv_text, safe_cell
from safeguarding.core.tests.matrix import FORBIDDEN, NOT_FOUND, OK, SIGN_IN, USERS
from safeguarding.core.tests.savepoints import undo_savepoint
from safeguarding.core.tests.test_view_access_matrix import MATRIX, matrix_world  # noqa: F401

ROOT = Path(safeguarding.__file__).resolve().parent
REPOSITORY = ROOT.parent
WRITER = ROOT / "core" / "exports.py"
# Modules that write CSV files that are not exports for people: each is an extract an
# agency's system would send, read back by the importer, and must hold exactly what the
# agency's system would write.
NOT_EXPORTS = {
    ROOT / "demo" / "extracts.py": "writes the demo's synthetic agency extracts, for the importer",
    REPOSITORY / "bench" / "bench_import.py": "writes synthetic extracts for the import benchmark",
}
WRITER_NAMES = {"csv_response", "csv_streaming_response", "csv_text", "csv_lines", "CsvWriter"}
WRITER_NAMES |= {"CsvDictWriter"}
# Each function that writes CSV with the writer, and what runs it: a URL name (walked
# below) or "command:<name>" (tested below).
CSV_SOURCES = {
    "core/views.py:audit_export": "core:audit_export",
    "children/exports.py:chronology_csv": "children:export",
    "children/imports/views.py:batch_problems_csv": "imports:batch_problems",
    "exploitation/views.py:register_csv": "exploitation:register_csv",
    "insight/views.py:export": "insight:export",
    "children/management/commands/import.py:show_problems": "command:import",
}

HOSTILE = ('=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1")


def _sources() -> list[Path]:
    paths = [path for path in ROOT.rglob("*.py") if "tests" not in path.relative_to(ROOT).parts]
    paths += sorted((REPOSITORY / "bench").glob("*.py"))
    return [path for path in paths if "migrations" not in path.parts]


def test_no_module_but_the_one_writer_writes_csv() -> None:
    offenders = []
    for path in _sources():
        if path == WRITER or path in NOT_EXPORTS:
            continue
        text = path.read_text(encoding="utf-8")
        if "text/csv" in text:
            offenders.append(f"{path}: names the text/csv content type")
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"writer", "DictWriter"}
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
            ) or (
                isinstance(node, ast.ImportFrom)
                and node.module == "csv"
                and {alias.name for alias in node.names} & {"writer", "DictWriter", "*"}
            ):
                offenders.append(f"{path}:{node.lineno}: writes CSV past core/exports.py")
    assert not offenders, "\n".join(offenders)


def _writer_users() -> set[str]:
    """`path:function` of every function that calls the writer (outside core/exports.py)."""
    found = set()
    for path in _sources():
        if path == WRITER:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                name = (
                    node.id
                    if isinstance(node, ast.Name)
                    else node.attr
                    if isinstance(node, ast.Attribute)
                    else ""
                )
                if name in WRITER_NAMES:
                    found.add(f"{path.relative_to(ROOT).as_posix()}:{function.name}")
    return found


def test_every_use_of_the_writer_is_walked_by_these_tests() -> None:
    unknown = _writer_users() - set(CSV_SOURCES)
    assert not unknown, (
        f"new CSV exports {sorted(unknown)}: add each to CSV_SOURCES with the URL that "
        "runs it (and to CSV_REQUESTS if it needs a form), so that it is walked"
    )
    urls = {source for source in CSV_SOURCES.values() if not source.startswith("command:")}
    assert urls <= set(MATRIX), f"not URL names of the matrix: {sorted(urls - set(MATRIX))}"
    assert set(CSV_REQUESTS) <= urls
    gone = set(CSV_SOURCES) - _writer_users()
    assert not gone, f"CSV_SOURCES names functions that no longer write CSV: {sorted(gone)}"


# --- The rule itself --------------------------------------------------------------------


def test_a_cell_that_would_start_a_formula_is_written_as_text() -> None:
    for value in (*HOSTILE, "-", "=", "\rSUM", "\uff1d1+1", "-3+", "+44 20 7946 0000"):
        assert safe_cell(value) == "'" + value, value


def test_a_number_stays_a_number() -> None:
    # A spreadsheet reads these as numbers; nothing in them can run.
    for value in ("-3", "+3", "-0.5", "-.5", "1e-3", "-2E+5"):
        assert safe_cell(value) == value, value
    assert safe_cell(-3) == -3 and safe_cell(2.5) == 2.5
    assert safe_cell(None) == "" and safe_cell("plain") == "plain"
    assert list(csv.reader(io.StringIO(csv_text([[-3, "-3", "-2+3"]])))) == [["-3", "-3", "'-2+3"]]


def test_a_separator_inside_a_value_cannot_start_a_cell() -> None:
    # Every cell is quoted: a spreadsheet that splits on semicolons keeps this one cell.
    assert csv_text([["a;=1+1", "b"]]).strip() == '"a;=1+1","b"'


# --- The walk ---------------------------------------------------------------------------


def _is_formula(cell: str) -> bool:
    return cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell)


def assert_safe_csv(content: bytes, where: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    bad = [cell for row in rows for cell in row if _is_formula(cell)]
    assert not bad, f"{where}: cells that a spreadsheet would run: {bad}"
    return rows


@pytest.fixture
def hostile_world(matrix_world: World) -> World:  # noqa: F811 - the matrix's fixture
    from safeguarding.children.models import ImportBatch, ImportChannel, ImportStatus
    from safeguarding.core import audit
    from safeguarding.core.models import AuditAction
    from safeguarding.core.tests.factories import ChildEventFactory
    from safeguarding.exploitation.models import Decision, Meeting
    from safeguarding.insight.models import Indicator

    w = matrix_world
    w.child.given_name, w.child.family_name = HOSTILE[0], HOSTILE[1]
    w.child.save()
    for agency, name in ((w.la, HOSTILE[3]), (w.police, HOSTILE[2])):
        agency.name = name
        agency.save()
    for summary in HOSTILE:
        ChildEventFactory(source_record=w.record, summary=summary)
    audit.record(
        AuditAction.SIGN_IN_FAILED,
        user_email="=cmd|'/Ccalc'!A0@x.example",
        purpose=HOSTILE[0],
        detail={"attempted": HOSTILE[0]},
    )
    w.hostile_batch = ImportBatch.objects.create(  # type: ignore[attr-defined]
        agency=w.la,
        kind="persons",
        channel=ImportChannel.UPLOAD,
        status=ImportStatus.REFUSED,
        problems=[{"row": 2, "column": HOSTILE[0], "reason": HOSTILE[1]}],
        problem_count=1,
        by=w.users["data_officer"],
    )
    member = w.users["panel_member"]
    meeting = Meeting.objects.create(
        panel=w.panel, held_on=timezone.localdate(), chair=member, created_by=member
    )
    Decision.objects.create(
        meeting=meeting,
        child=w.child,
        outcome="at_risk",
        criminal="high",
        overall="high",
        rationale=HOSTILE[0],
        next_review=timezone.localdate() + timedelta(days=30),
        recorded_by=member,
        updated_by=member,
    )
    Indicator.objects.create(
        code="missing-episodes",
        title=HOSTILE[0],
        definition=HOSTILE[1],
        source_agency=w.la,
        better_direction="down",
    )
    return w


Request = Callable[[Client, World, str], Any]
# The exports that need a form filled in first: how to ask for the file.
CSV_REQUESTS: dict[str, Request] = {
    "core:audit_export": lambda client, w, url: client.get(url, {"action": "sign_in_failed"}),
    "children:export": lambda client, w, url: client.post(
        url, {"purpose": "Rapid review of the child's case", "file_format": "csv"}
    ),
    "insight:export": lambda client, w, url: client.get(
        url, {"year": str(timezone.localdate().year), "policy": "dfe"}
    ),
    "imports:batch_problems": lambda client, w, url: client.get(
        reverse("imports:batch_problems", args=[w.hostile_batch.public_id])  # type: ignore[attr-defined]
    ),
}


def _may_use(statuses: dict[str, Any]) -> list[str]:
    return [user for user in USERS if statuses[user] not in {FORBIDDEN, NOT_FOUND, SIGN_IN}]


def test_no_csv_export_writes_a_cell_a_spreadsheet_would_run(
    hostile_world: World, client_for: Callable[[str], Client]
) -> None:
    answered: dict[str, int] = {}
    for url_name in sorted(MATRIX):
        # Each page's objects are made afresh and rolled back after it, as in the matrix.
        with undo_savepoint():
            _walk(url_name, hostile_world, client_for, answered)
            transaction.set_rollback(True)
    walked = {source for source in CSV_SOURCES.values() if not source.startswith("command:")}
    assert walked <= set(answered), f"exports never reached: {sorted(walked - set(answered))}"
    # The hostile values reached the files (a walk of empty files would prove nothing).
    assert all(answered[name] for name in walked), sorted(answered.items())


def _walk(
    url_name: str,
    hostile_world: World,
    client_for: Callable[[str], Client],
    answered: dict[str, int],
) -> None:
    make_kwargs, statuses = MATRIX[url_name]
    url = reverse(url_name, kwargs=make_kwargs(hostile_world))
    for user in _may_use(statuses):
        client = client_for(user)
        responses = [client.get(url)] if statuses[user] == OK else []
        if url_name in CSV_REQUESTS:
            responses.append(CSV_REQUESTS[url_name](client, hostile_world, url))
        for response in responses:
            if response.get("Content-Type", "").startswith("text/csv"):
                content = (
                    b"".join(response.streaming_content)  # type: ignore[attr-defined]
                    if response.streaming
                    else response.content
                )
                rows = assert_safe_csv(content, f"{url_name} as {user}")
                # Cells made safe: the planted values did reach the file.
                made_safe = sum(cell.startswith("'") for row in rows for cell in row)
                answered[url_name] = answered.get(url_name, 0) + made_safe


def test_the_import_commands_problems_file_is_safe(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extract = tmp_path / "persons.csv"
    # Two columns of the same hostile name: the problem names the column.
    extract.write_text("record_id,@SUM(A1),@SUM(A1)\nR1,x,y\n", encoding="utf-8")
    problems = tmp_path / "problems.csv"
    with pytest.raises(CommandError):
        call_command(
            "import", world.la.code, str(extract), kind="persons", dry_run=True,
            problems_csv=str(problems), no_progress=True,
        )  # fmt: skip
    rows = assert_safe_csv(problems.read_bytes(), "import --problems-csv")
    assert rows[1][:2] == ["1", "'@SUM(A1)"]
