"""The upload page, the batch pages, column mappings and API tokens, as a data officer uses them."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from safeguarding.children.models import (
    ColumnMapping,
    ImportBatch,
    ImportChannel,
    ImportStatus,
    SourceRecord,
)
from safeguarding.conftest import World
from safeguarding.core.models import ApiToken, AuditAction, AuditEntry

# 9434765919 passes the NHS number's check; 9434765918 does not.
GOOD_PERSONS = (
    "record_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n"
    "LA-1,Amara,Okafor,2014-03-05,F,AB1 2CD,9434765919\n"
    "LA-2,Ben,Smith,21/11/2012,M,AB1 3EF,\n"
)
BAD_PERSONS = (
    "record_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n"
    "LA-1,Amara,Okafor,2014-03-05,F,AB1 2CD,9434765919\n"
    "LA-2,Ben,Smith,2012-02-31,M,AB1 3EF,\n"
    "LA-3,Cara,Jones,2013-06-01,F,AB1 4GH,9434765918\n"
)


@pytest.fixture(autouse=True)
def empty_cache(db: Any) -> None:
    """Held uploads live in the shared cache: start each test without any."""
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)
    cache.clear()


@pytest.fixture
def officer(client_for: Callable[[str], Client]) -> Client:
    return client_for("data_officer")


def csv_file(text: str, name: str = "extract.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows: list[list[Any]], name: str = "extract.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload(client: Client, extract: Any, **fields: Any) -> Any:
    data = {"kind": "persons", "on_errors": "nothing", **fields}
    if extract is not None:
        data["extract"] = extract
    return client.post(reverse("imports:upload"), data)


def la_records(world: World) -> set[str]:
    return set(
        SourceRecord.objects.filter(agency=world.la, record_id__startswith="LA-").values_list(
            "record_id", flat=True
        )
    )


def test_a_data_officer_uploads_a_csv_and_is_shown_what_was_loaded(
    world: World, officer: Client
) -> None:
    response = upload(officer, csv_file(GOOD_PERSONS))

    batch = ImportBatch.objects.get(agency=world.la)
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:batch", args=[batch.public_id])
    assert batch.status == ImportStatus.LOADED
    assert batch.channel == ImportChannel.UPLOAD
    assert batch.by == world.users["data_officer"]
    assert la_records(world) == {"LA-1", "LA-2"}
    page = officer.get(response["Location"]).content.decode()
    assert "Every row was loaded." in page
    assert "extract.csv" in page


def test_an_xlsx_workbook_loads_as_a_csv_does(world: World, officer: Client) -> None:
    workbook = xlsx_file(
        [
            ["record_id", "given_name", "family_name", "date_of_birth", "nhs_number"],
            ["LA-1", "Amara", "Okafor", "2014-03-05", "9434765919"],
            ["LA-2", "Ben", "Smith", "5 Mar 2012", ""],
        ]
    )

    upload(officer, workbook)

    assert ImportBatch.objects.get(agency=world.la).status == ImportStatus.LOADED
    assert la_records(world) == {"LA-1", "LA-2"}


def test_a_file_with_problems_loads_nothing_and_shows_each_with_row_column_and_reason(
    world: World, officer: Client
) -> None:
    response = upload(officer, csv_file(BAD_PERSONS))

    batch = ImportBatch.objects.get(agency=world.la)
    assert batch.status == ImportStatus.REFUSED
    assert la_records(world) == set()
    page = officer.get(response["Location"]).content.decode()
    assert "2 problems found, so nothing was loaded." in page
    rows = {(p["row"], p["column"]) for p in batch.problems}
    assert rows == {(3, "date_of_birth"), (4, "nhs_number")}
    for problem in batch.problems:
        assert (
            f'<td class="govuk-table__cell govuk-table__cell--numeric">{problem["row"]}</td>'
            in page
        )
        assert problem["reason"] in page


def test_the_problems_can_be_downloaded_as_csv(world: World, officer: Client) -> None:
    upload(officer, csv_file(BAD_PERSONS))
    batch = ImportBatch.objects.get(agency=world.la)

    response = officer.get(reverse("imports:batch_problems", args=[batch.public_id]))

    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == ["row", "column", "reason"]
    assert [line[:2] for line in lines[1:]] == [
        ["3", "date_of_birth"],
        ["4", "nhs_number"],
    ]


def test_after_a_refusal_the_officer_can_load_the_valid_rows_without_choosing_the_file_again(
    world: World, officer: Client
) -> None:
    upload(officer, csv_file(BAD_PERSONS))
    refused = ImportBatch.objects.get(agency=world.la)
    page = officer.get(reverse("imports:batch", args=[refused.public_id])).content.decode()
    assert "Load the valid rows" in page

    response = officer.post(
        reverse("imports:batch_load", args=[refused.public_id]), {"choice": "valid"}
    )

    loaded = ImportBatch.objects.exclude(pk=refused.pk).get(agency=world.la)
    assert response["Location"] == reverse("imports:batch", args=[loaded.public_id])
    assert loaded.status == ImportStatus.LOADED_VALID_ROWS
    assert la_records(world) == {"LA-1"}
    # The held file is gone once the choice is made.
    again = officer.post(
        reverse("imports:batch_load", args=[refused.public_id]), {"choice": "valid"}
    )
    assert again["Location"] == reverse("imports:upload")
    assert ImportBatch.objects.filter(agency=world.la).count() == 2


def test_choosing_to_load_nothing_loads_nothing_and_forgets_the_file(
    world: World, officer: Client
) -> None:
    upload(officer, csv_file(BAD_PERSONS))
    refused = ImportBatch.objects.get(agency=world.la)

    officer.post(reverse("imports:batch_load", args=[refused.public_id]), {"choice": "nothing"})

    assert la_records(world) == set()
    page = officer.get(reverse("imports:batch", args=[refused.public_id])).content.decode()
    assert "Load the valid rows" not in page


def test_choosing_on_the_form_to_load_the_valid_rows_loads_them_at_once(
    world: World, officer: Client
) -> None:
    upload(officer, csv_file(BAD_PERSONS), on_errors="valid")

    batch = ImportBatch.objects.get(agency=world.la)
    assert batch.status == ImportStatus.LOADED_VALID_ROWS
    assert (batch.rows_created, batch.rows_rejected) == (1, 2)
    assert la_records(world) == {"LA-1"}


def test_a_dry_run_reports_the_problems_and_loads_nothing(world: World, officer: Client) -> None:
    response = upload(officer, csv_file(BAD_PERSONS), dry_run="on", on_errors="valid")

    batch = ImportBatch.objects.get(agency=world.la)
    assert batch.status == ImportStatus.CHECKED
    assert batch.problem_count == 2
    assert la_records(world) == set()
    assert (
        "Checked only: 2 problems found. Nothing was loaded."
        in officer.get(response["Location"]).content.decode()
    )


def test_a_clean_dry_run_can_be_loaded_from_its_page(world: World, officer: Client) -> None:
    upload(officer, csv_file(GOOD_PERSONS), dry_run="on")
    checked = ImportBatch.objects.get(agency=world.la)
    assert (
        "Load the file"
        in officer.get(reverse("imports:batch", args=[checked.public_id])).content.decode()
    )

    officer.post(reverse("imports:batch_load", args=[checked.public_id]), {"choice": "valid"})

    assert la_records(world) == {"LA-1", "LA-2"}


def test_a_load_that_breaks_half_way_says_so_and_loads_nothing(
    world: World, officer: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeguarding.children.imports.persons import PersonsRun

    def breaks(self: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(PersonsRun, "run", breaks)

    response = upload(officer, csv_file(GOOD_PERSONS))

    assert ImportBatch.objects.get(agency=world.la).status == ImportStatus.FAILED
    assert (
        "failed part of the way, so nothing was loaded"
        in officer.get(response["Location"]).content.decode()
    )
    assert la_records(world) == set()


def _broken_zip() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return SimpleUploadedFile("extract.xlsx", buffer.getvalue())


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (lambda: None, "Choose a CSV or Excel (.xlsx) file to upload."),
        (
            lambda: csv_file("a,b\n", name="extract.txt"),
            "The file must be a CSV or an Excel workbook (.xlsx).",
        ),
        (lambda: csv_file("", name="extract.csv"), "The file is empty."),
        (
            lambda: SimpleUploadedFile("extract.xlsx", b"record_id\nLA-1\n"),
            "The file cannot be read as an Excel workbook",
        ),
        (_broken_zip, "The file is not an XLSX workbook that can be read"),
        (lambda: csv_file("name,dob\nAmara,2014-03-05\n"), "The file has no record_id column"),
        (lambda: csv_file("a\n", name="old.xls"), "old Excel workbook (.xls)"),
    ],
    ids=[
        "no file",
        "wrong type",
        "empty",
        "xlsx not a zip",
        "xlsx not a workbook",
        "no record_id",
        "xls",
    ],
)
def test_a_bad_file_gets_a_clear_message_in_the_error_summary(
    world: World, officer: Client, make_file: Callable[[], Any], message: str
) -> None:
    response = upload(officer, make_file())

    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    summary = page.split('govuk-error-summary__list"')[1].split("</ul>")[0]
    assert message in summary
    assert la_records(world) == set()


def test_a_file_too_big_to_hold_in_memory_is_read_from_its_temporary_file(
    world: World, officer: Client, settings: Any
) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # every upload here goes to a temporary file

    upload(officer, csv_file(BAD_PERSONS))
    refused = ImportBatch.objects.get(agency=world.la)
    officer.post(reverse("imports:batch_load", args=[refused.public_id]), {"choice": "valid"})

    assert refused.status == ImportStatus.REFUSED and refused.rows_read == 3
    assert la_records(world) == {"LA-1"}


def test_a_file_over_the_size_limit_is_refused_with_the_limit_named(
    world: World, officer: Client, settings: Any
) -> None:
    settings.SAFEGUARDING_UPLOAD_MAX_BYTES = 1024 * 1024
    big = "record_id\n" + "LA-1\n" * 300_000

    response = upload(officer, csv_file(big))

    assert response.status_code == 200
    assert "The file must be smaller than 1 MB" in response.content.decode()
    assert not ImportBatch.objects.filter(agency=world.la).exists()


def test_another_agencys_batch_does_not_exist_for_a_data_officer(
    world: World, officer: Client
) -> None:
    theirs = ImportBatch.objects.create(
        agency=world.police,
        kind="persons",
        channel=ImportChannel.UPLOAD,
        status=ImportStatus.LOADED,
    )

    for name in ("imports:batch", "imports:batch_problems"):
        assert officer.get(reverse(name, args=[theirs.public_id])).status_code == 404
    response = officer.post(
        reverse("imports:batch_load", args=[theirs.public_id]), {"choice": "valid"}
    )
    assert response.status_code == 404
    assert str(theirs.public_id) not in officer.get(reverse("imports:list")).content.decode()


def test_the_list_shows_the_agencys_batches_newest_first(world: World, officer: Client) -> None:
    upload(officer, csv_file(GOOD_PERSONS, name="first.csv"))
    upload(officer, csv_file(BAD_PERSONS, name="second.csv"))

    page = officer.get(reverse("imports:list")).content.decode()

    assert page.index("second.csv") < page.index("first.csv")
    assert "Refused" in page and "Loaded" in page
    assert "Dai Ta" in page


def test_a_saved_mapping_lets_a_systems_own_export_load_as_it_is(
    world: World, officer: Client
) -> None:
    response = officer.post(
        reverse("imports:mapping", args=["persons"]),
        {
            "record_id": "Client ID",
            "given_name": "Forename",
            "family_name": "Surname",
            "date_of_birth": "DOB",
        },
    )
    assert response["Location"] == reverse("imports:mappings")
    saved = ColumnMapping.objects.get(agency=world.la, kind="persons")
    assert saved.mapping == {
        "Client ID": "record_id",
        "Forename": "given_name",
        "Surname": "family_name",
        "DOB": "date_of_birth",
    }
    assert saved.updated_by == world.users["data_officer"]

    upload(
        officer, csv_file("Client ID,Forename,Surname,DOB,Team\nLA-9,Dev,Patel,2015-01-02,North\n")
    )

    record = SourceRecord.objects.get(agency=world.la, record_id="LA-9")
    assert (record.given_name, record.family_name) == ("Dev", "Patel")
    assert record.attributes == {"Team": "North"}
    assert "Client ID" in officer.get(reverse("imports:mappings")).content.decode()


def test_one_column_cannot_feed_two_fields(world: World, officer: Client) -> None:
    response = officer.post(
        reverse("imports:mapping", args=["persons"]),
        {"record_id": "ID", "given_name": "Name", "family_name": "name"},
    )

    assert response.status_code == 200
    assert "The column &#x27;name&#x27; already feeds given_name" in response.content.decode()
    assert not ColumnMapping.objects.filter(agency=world.la).exists()


def test_a_sample_files_headers_fill_in_the_mapping(world: World, officer: Client) -> None:
    sample = csv_file("Record ID,Given Name,DOB,Team\nLA-1,Amara,2014-03-05,North\n")

    response = officer.post(
        reverse("imports:mapping", args=["persons"]), {"read_headers": "1", "sample-sample": sample}
    )

    page = response.content.decode()
    assert 'name="record_id" value="Record ID"' in page
    assert 'name="given_name" value="Given Name"' in page
    assert '<option value="DOB">' in page  # offered for the fields it could not guess
    assert not ColumnMapping.objects.filter(agency=world.la).exists()


def test_an_unknown_kind_of_mapping_is_not_found(officer: Client) -> None:
    assert officer.get(reverse("imports:mapping", args=["pets"])).status_code == 404


def test_an_upload_is_audited_with_its_user(world: World, officer: Client) -> None:
    upload(officer, csv_file(GOOD_PERSONS))

    entry = AuditEntry.objects.filter(action=AuditAction.IMPORT).get()
    assert entry.user_email == "data@la.example"
    assert entry.agency_code == "LA"
    assert entry.object_id == str(ImportBatch.objects.get(agency=world.la).public_id)
    assert entry.detail["channel"] == "upload"


def test_a_token_is_shown_once_and_only_its_hash_is_kept(world: World, officer: Client) -> None:
    response = officer.post(reverse("imports:tokens"), {"name": "Case system nightly"})

    token = ApiToken.objects.get(agency=world.la)
    page = response.content.decode()
    plain = page.split('id="issued-token">')[1].split("<")[0]
    assert plain.startswith(f"sgh_{token.prefix}_")
    assert token.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert response["Cache-Control"] == "no-store"
    assert plain not in officer.get(reverse("imports:tokens")).content.decode()
    entry = AuditEntry.objects.filter(action=AuditAction.API_TOKEN).get()
    assert (entry.object_id, entry.detail["change"]) == (token.prefix, "issued")
    assert plain not in str(entry.detail)


def test_a_token_needs_a_name(world: World, officer: Client) -> None:
    response = officer.post(reverse("imports:tokens"), {"name": ""})

    assert "Give the token a name" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_a_token_is_audited_and_shown(world: World, officer: Client) -> None:
    officer.post(reverse("imports:tokens"), {"name": "Case system"})
    token = ApiToken.objects.get()

    officer.post(reverse("imports:token_revoke", args=[token.prefix]))

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in officer.get(reverse("imports:tokens")).content.decode()
    changes = list(
        AuditEntry.objects.filter(action=AuditAction.API_TOKEN).values_list("detail", flat=True)
    )
    assert sorted(change["change"] for change in changes) == ["issued", "revoked"]


def test_another_agencys_token_cannot_be_revoked(world: World, officer: Client) -> None:
    theirs = ApiToken.objects.create(
        agency=world.police,
        name="Police system",
        prefix="pol23456",
        token_hash="0" * 64,
        created_by=world.users["data_officer"],
    )

    response = officer.post(reverse("imports:token_revoke", args=[theirs.prefix]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert "Police system" not in officer.get(reverse("imports:tokens")).content.decode()


def test_a_data_officer_has_imports_in_the_navigation_and_on_the_home_page(
    officer: Client,
) -> None:
    page = officer.get(reverse("core:home")).content.decode()

    for url in ("imports:list", "imports:upload", "imports:mappings", "imports:tokens"):
        assert f'href="{reverse(url)}"' in page


def test_the_upload_form_keeps_csrf_protection(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["data_officer"])

    response = upload(client, csv_file(GOOD_PERSONS))

    assert response.status_code == 403
    assert not ImportBatch.objects.exists()
