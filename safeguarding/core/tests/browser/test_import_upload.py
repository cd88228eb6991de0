"""A data officer uploads extracts in Chromium: the upload is sent by the page's script with
its progress shown, the result and the choice after a refusal are pages that pass axe-core,
a form returned with errors is shown in place, and a token is issued and shown once."""

from __future__ import annotations

from pathlib import Path

import pytest

from safeguarding.children.models import ImportBatch, ImportStatus, SourceRecord
from safeguarding.conftest import World
from safeguarding.core.tests.browser.tabs import Tab

pytestmark = pytest.mark.browser

PERSONS = (
    "record_id,given_name,family_name,date_of_birth,nhs_number\n"
    "LA-1,Amara,Okafor,2014-03-05,9434765919\n"
    "LA-2,Ben,Smith,2012-02-31,\n"
)


def choose_and_send(tab: Tab, path: Path) -> None:
    tab.page.get_by_label("The extract").set_input_files(str(path))
    tab.page.get_by_label("Persons: one row per person your agency holds").check()
    tab.page.get_by_role("button", name="Upload and check").click()


def test_a_data_officer_uploads_a_file_with_a_problem_and_loads_its_valid_rows(
    tab: Tab, browser_world: World, tmp_path: Path
) -> None:
    extract = tmp_path / "persons.csv"
    extract.write_text(PERSONS, encoding="utf-8")
    tab.sign_in_by_cookie(browser_world.users["data_officer"])
    tab.goto("/")
    tab.page.get_by_role("navigation", name="Main").get_by_role("link", name="Imports").click()
    tab.page.get_by_role("link", name="Upload an extract").first.click()
    tab.page.wait_for_load_state("load")
    failures = tab.check("the upload page")

    with tab.page.expect_navigation():
        choose_and_send(tab, extract)
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Import of persons"
    assert "1 problem found, so nothing was loaded." in tab.page.inner_text("main")
    assert "date_of_birth" in tab.page.inner_text("table")
    failures += tab.check("a refused import with its choice")

    tab.page.get_by_label("Load the valid rows and leave out the rows with problems").check()
    tab.page.get_by_role("button", name="Continue").click()
    tab.page.wait_for_load_state("load")
    assert "The valid rows were loaded" in tab.page.inner_text("main")
    failures += tab.check("the import of the valid rows")
    assert not failures, "\n\n".join(failures)
    assert ImportBatch.objects.filter(status=ImportStatus.LOADED_VALID_ROWS).count() == 1
    assert SourceRecord.objects.filter(record_id__startswith="LA-").count() == 1


def test_a_file_of_the_wrong_type_is_shown_in_the_error_summary_without_leaving_the_page(
    tab: Tab, browser_world: World, tmp_path: Path
) -> None:
    wrong = tmp_path / "notes.txt"
    wrong.write_text("hello", encoding="utf-8")
    tab.sign_in_by_cookie(browser_world.users["data_officer"])
    tab.goto("/imports/upload/")
    tab.page.evaluate("() => { window.stillTheSamePage = true; }")

    choose_and_send(tab, wrong)
    summary = tab.page.locator(".govuk-error-summary")
    summary.wait_for()

    # The script sent the file and put the returned form in place: no new page was loaded.
    assert tab.page.evaluate("() => window.stillTheSamePage === true")
    assert tab.page.evaluate(
        "() => document.activeElement.closest('.govuk-error-summary') !== null"
    )

    assert "must be a CSV or an Excel workbook" in summary.inner_text()
    assert tab.page.title().startswith("Error: ")
    failures = tab.check("the upload form with its error")
    assert not failures, "\n\n".join(failures)


def test_a_token_is_issued_and_shown_once(tab: Tab, browser_world: World) -> None:
    tab.sign_in_by_cookie(browser_world.users["data_officer"])
    tab.goto("/imports/tokens/")

    tab.page.get_by_label("Name of the token").fill("Case system nightly")
    tab.page.get_by_role("button", name="Issue the token").click()
    tab.page.wait_for_load_state("load")

    assert tab.page.locator("#issued-token").inner_text().startswith("sgh_")
    failures = tab.check("the issued token")
    assert not failures, "\n\n".join(failures)
