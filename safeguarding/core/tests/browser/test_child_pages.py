"""A practitioner finds a child, reads and filters the chronology and exports it, in
Chromium: every page, its error states included, passes axe-core with nothing refused by
the CSP (the timeline strip is SVG with presentation attributes, not inline styles)."""

from __future__ import annotations

import pytest

from safeguarding.conftest import World
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.core.tests.browser.tabs import Tab

pytestmark = pytest.mark.browser


def test_a_practitioner_finds_a_child_and_exports_the_chronology(
    tab: Tab, browser_world: World
) -> None:
    world = browser_world
    world.child.given_name_key, world.child.family_name_key = "J635", "E251"
    world.child.save()
    tab.sign_in_by_cookie(world.users["involved"])
    tab.goto("/children/")
    assert tab.h1() == "Children you work with"

    tab.page.get_by_text("Search by NHS number, UPN or an agency's reference").click()
    tab.page.get_by_label("NHS number").fill("943 476 5918")
    tab.page.get_by_role("button", name="Search").click()
    tab.page.wait_for_load_state("load")
    assert "the check digit should be 9, not 8" in tab.page.inner_text(".govuk-error-summary")
    failures = tab.check("the search with an error")

    tab.page.get_by_label("NHS number").fill("")
    tab.page.get_by_label("Name").fill("Jordn Exampel")
    tab.page.get_by_role("button", name="Search").click()
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Find a child"
    failures += tab.check("the search's results")

    tab.page.get_by_role("link", name="Jordan Example").click()
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Jordan Example"
    assert tab.page.locator("svg[role=img] rect").count() >= 1
    failures += tab.check("the child's page")

    tab.page.get_by_label("From", exact=True).fill("31/02/2024")
    tab.page.get_by_role("button", name="Apply filters").click()
    tab.page.wait_for_load_state("load")
    assert "Enter the start date as a real date" in tab.page.inner_text(".govuk-error-summary")
    failures += tab.check("the chronology's filters with an error")

    tab.page.get_by_label("From", exact=True).fill("1/1/2020")
    tab.page.get_by_role("button", name="Apply filters").click()
    tab.page.wait_for_load_state("load")
    tab.page.get_by_role("link", name="Export these entries").click()
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Export the chronology"
    tab.page.get_by_role("button", name="Download").click()
    tab.page.wait_for_load_state("load")
    assert "Enter why you are exporting" in tab.page.inner_text(".govuk-error-summary")
    failures += tab.check("the export form with its errors")

    tab.page.get_by_label("Why are you exporting this chronology?").fill(
        "Strategy discussion on 26 November"
    )
    tab.page.get_by_label("Spreadsheet (.csv)").check()
    with tab.page.expect_download() as download:
        tab.page.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename.startswith(f"chronology-{world.child.pseudonym}")
    assert not failures, "\n\n".join(failures)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.purpose == "Strategy discussion on 26 November"
    assert entry.detail["filters"] == {"date_from": "2020-01-01"}
