"""`safeguarding import`: the same pipeline from the terminal, with its exit statuses."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safeguarding.children.imports import saved_mapping
from safeguarding.children.models import ImportBatch, ImportStatus, SourceRecord

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, "--no-progress", stdout=out)
    return out.getvalue()


def extract(tmp_path: Path, text: str, name: str = "extract.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_it_loads_a_file_and_prints_a_summary(world: Any, tmp_path: Path) -> None:
    path = extract(tmp_path, "record_id,given_name,School\nS1,Amy,Hill\nS2,Ben,Dale\n")

    output = run("SCHOOL", path, "--kind", "persons")

    assert "Kept as attributes: School." in output
    assert "Loaded persons from extract.csv for SCHOOL: 2 rows read; 2 created" in output
    assert SourceRecord.objects.filter(agency=world.school).count() == 2


def test_it_prints_every_problem_as_row_column_reason_and_exits_1(
    world: Any, tmp_path: Path
) -> None:
    path = extract(tmp_path, "record_id,sex,date_of_birth\nS1,F,\nS2,Q,31/02/2015\n")
    out = io.StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("import", "SCHOOL", path, "--kind", "persons", "--no-progress", stdout=out)

    assert refused.value.returncode == 1
    assert "Refused persons from extract.csv" in str(refused.value)
    assert "--load-valid-rows" in str(refused.value)
    lines = out.getvalue().splitlines()
    assert "row 3, date_of_birth: is not a real date: check the day and the month" in lines
    assert any(line.startswith("row 3, sex: is not a sex we know") for line in lines)
    assert not SourceRecord.objects.filter(agency=world.school).exists()


def test_load_valid_rows_loads_the_others_and_exits_0(world: Any, tmp_path: Path) -> None:
    path = extract(tmp_path, "record_id,sex\nS1,F\nS2,Q\n")

    output = run("SCHOOL", path, "--kind", "persons", "--load-valid-rows")

    assert "1 rows with problems not loaded" in output
    assert ImportBatch.objects.get().status == ImportStatus.LOADED_VALID_ROWS


def test_a_dry_run_loads_nothing_and_exits_1_only_when_it_found_problems(
    world: Any, tmp_path: Path
) -> None:
    clean = extract(tmp_path, "record_id\nS1\n")
    output = run("SCHOOL", clean, "--kind", "persons", "--dry-run")
    assert "(dry run, nothing loaded)" in output and "a load would create 1" in output

    with pytest.raises(CommandError) as found:
        run(
            "SCHOOL",
            extract(tmp_path, "record_id\n\nS1\nS1\n", "dup.csv"),
            "--kind",
            "persons",
            "--dry-run",
        )
    assert found.value.returncode == 1
    assert not SourceRecord.objects.filter(agency=world.school).exists()


def test_the_first_200_problems_are_shown_and_the_csv_holds_them_all(
    world: Any, tmp_path: Path
) -> None:
    path = extract(tmp_path, "record_id,sex\n" + "".join(f"S{i},Q\n" for i in range(250)))
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import", "SCHOOL", path, "--kind", "persons", "--no-progress", stdout=out)
    assert "… and 50 more problems: --problems-csv FILE writes them all." in out.getvalue()
    assert sum(line.startswith("row ") for line in out.getvalue().splitlines()) == 200

    written = tmp_path / "problems.csv"
    with pytest.raises(CommandError):
        run("SCHOOL", path, "--kind", "persons", "--problems-csv", str(written))
    rows = list(csv.DictReader(written.open(encoding="utf-8")))
    assert len(rows) == 250
    assert rows[0]["row"] == "2" and rows[0]["column"] == "sex"


def test_map_feeds_fields_and_save_map_keeps_the_mapping_for_next_time(
    world: Any, tmp_path: Path
) -> None:
    path = extract(tmp_path, "Pupil Ref,Forename\nS1,Amy\n")

    run(
        "SCHOOL",
        path,
        "--kind",
        "persons",
        "--map",
        "Pupil Ref=record_id",
        "--map",
        "Forename=given_name",
        "--save-map",
    )
    assert saved_mapping(world.school, "persons") == {
        "Pupil Ref": "record_id",
        "Forename": "given_name",
    }
    output = run(
        "SCHOOL", extract(tmp_path, "Pupil Ref,Forename\nS1,Amelia\n", "b.csv"), "--kind", "persons"
    )

    assert "1 updated" in output
    assert SourceRecord.objects.get(agency=world.school).given_name == "Amelia"


def test_an_unknown_agency_is_a_usage_error_that_lists_the_codes(
    world: Any, tmp_path: Path
) -> None:
    with pytest.raises(CommandError) as unknown:
        run("NOPE", extract(tmp_path, "record_id\nX\n"), "--kind", "persons")

    assert unknown.value.returncode == 2
    assert "No agency has the code 'NOPE'" in str(unknown.value)
    assert "LA" in str(unknown.value) and "POLICE" in str(unknown.value)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--map", "no equals sign"], "--map takes FILE_HEADER=field"),
        (["--map", "Forename=firstname", "--save-map"], "The mapping was not saved"),
    ],
)
def test_a_bad_map_is_a_usage_error(
    world: Any, tmp_path: Path, extra: list[str], message: str
) -> None:
    with pytest.raises(CommandError) as bad:
        run("SCHOOL", extract(tmp_path, "record_id\nX\n"), "--kind", "persons", *extra)

    assert bad.value.returncode == 2
    assert message in str(bad.value)


def test_a_missing_file_is_a_usage_error(world: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as missing:
        run("SCHOOL", str(tmp_path / "nowhere.csv"), "--kind", "persons")

    assert missing.value.returncode == 2


def test_a_file_refused_whole_exits_1_with_its_reason(world: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "import",
            "SCHOOL",
            extract(tmp_path, "name\nAmy\n"),
            "--kind",
            "persons",
            "--no-progress",
            stdout=out,
        )

    assert refused.value.returncode == 1
    assert "row 1, record_id: the file has no record_id column" in out.getvalue()


def test_the_console_script_exits_2_for_a_usage_error_without_a_traceback(
    tmp_path: Path,
) -> None:
    """argparse's own errors (no --kind) exit 2 from the terminal, as documented."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage module
        [sys.executable, "-m", "safeguarding.manage", "import", "LA", "x.csv"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 2
    assert "--kind" in done.stderr and "Traceback" not in done.stderr
