"""The annual report in Chromium: the partnership officer writes a section, enters the
year's figures and publishes; anyone reads the published report. Each page, the report
with its SPC chart and tables included, passes axe-core with nothing refused by the CSP."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguarding.conftest import World
from safeguarding.core.models import Priority
from safeguarding.core.tests.browser.tabs import Tab, describe
from safeguarding.reports import actions, outputs, queries
from safeguarding.reports.models import AnnualReport
from safeguarding.reports.tests.conftest import AREA_CSV, count_indicator, monthly_series

pytestmark = pytest.mark.browser


def test_an_officer_writes_and_publishes_the_report_and_anyone_reads_it(
    tab: Tab, browser_world: World
) -> None:
    priority, _ = Priority.objects.get_or_create(
        year=2024, number=1, defaults={"title": "Exploitation"}
    )
    indicator = count_indicator(browser_world, "browser-count", priority)
    monthly_series(indicator, browser_world.la, dt.date(2023, 4, 1), [40, 42, 38, 45, 41, 39] * 4)
    actions.import_area_figures(AREA_CSV, 2024)
    actions.save_death_counts(2024, {5: (1, 9)})
    tab.sign_in_by_cookie(browser_world.users["officer"])
    tab.goto("/reports/")
    failures = tab.check("the list of reports with the form to start one")
    tab.page.get_by_label("Financial year it starts in").fill("2024")
    tab.page.get_by_role("button", name="Start the report").click()
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Annual report 2024/25"
    failures += tab.check("a draft report with a chart, tables and the area's figures")
    tab.page.get_by_role(
        "link", name="Edit the text of Voice and lived experience of children and young people"
    ).click()
    tab.page.wait_for_load_state("load")
    failures += tab.check("the section's editor")
    tab.page.get_by_label("Text").fill("Young people told us to **listen**.")
    tab.page.get_by_role("button", name="Save").click()
    tab.page.wait_for_load_state("load")
    assert "Young people told us to listen." in tab.page.inner_text("main")
    tab.goto("/reports/2024-25/sections/voice/")
    failures += tab.check("the section's editor with its history")
    tab.goto("/reports/2024-25/entries/")
    failures += tab.check("the year's entries")
    tab.goto("/reports/2024-25/entries/area-figures/")
    failures += tab.check("the import of public health figures")
    tab.goto("/reports/2024-25/publish/")
    failures += tab.check("the confirmation before publishing")
    tab.page.get_by_role("button", name="Publish the report").click()
    tab.page.wait_for_load_state("load")
    tab.goto("/reports/2024-25/changes/")
    failures += tab.check("what changed since publication")

    tab.sign_out()
    tab.goto("/reports/2024-25/")
    assert tab.h1() == "Annual report 2024/25"
    failures += tab.check("the published report, read by anyone")
    assert not failures, "\n\n".join(failures)
    report = AnnualReport.objects.get(year=2024)
    assert report.is_published

    # The downloadable web page stands alone (its CSS inline): it passes axe-core too,
    # opened outside the hub (whose Content-Security-Policy refuses inline styles).
    tab.page.goto("about:blank")
    tab.page.set_content(outputs.html(queries.draw(report)).decode())
    violations = tab.axe_violations()
    assert not violations, "axe-core on the HTML download:\n" + describe(violations)
