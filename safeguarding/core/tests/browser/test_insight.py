"""The data set in Chromium, with values in it: the executive's dashboard and an indicator's
SPC chart pass axe-core under the real CSP; a data officer sends a value by form."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguarding.conftest import World
from safeguarding.core.tests.browser.tabs import Tab
from safeguarding.insight import actions
from safeguarding.insight.models import Comparator, Indicator, Submission
from safeguarding.insight.tests.conftest import add_series

pytestmark = pytest.mark.browser


def test_the_executive_reads_the_dashboard_and_an_indicators_chart(
    tab: Tab, browser_world: World
) -> None:
    actions.load_default_catalogue()
    rhi = Indicator.objects.get(code="rhi-72-hours")
    add_series(rhi, browser_world.la, dt.date(2020, 4, 1), [*[60.0, 64.0] * 6, 62.0, *[74.0] * 7])
    episodes = Indicator.objects.get(code="missing-episodes")
    add_series(episodes, browser_world.police, dt.date(2023, 4, 1), [*[40.0, 44.0] * 9, 90.0])
    Comparator.objects.create(indicator=rhi, kind="england", year=2023, value=63)
    tab.sign_in_by_cookie(browser_world.users["executive"])
    tab.goto("/data/?year=2024")
    assert tab.h1() == "The partnership data set"
    assert "seven quarters in a row above the average" in tab.page.inner_text("main")
    failures = tab.check("the executive dashboard")
    tab.page.get_by_role("link", name="Return home interviews within 72 hours").first.click()
    tab.page.wait_for_load_state("load")
    assert tab.page.get_by_role(
        "img", name="Return home interviews within 72 hours: SPC chart"
    ).is_visible()
    failures += tab.check("an indicator's SPC chart and table")
    assert not failures, "\n\n".join(failures)


def test_a_data_officer_sends_a_value_by_form(tab: Tab, browser_world: World) -> None:
    Indicator.objects.create(
        code="cme-open",
        title="Open children missing education cases",
        definition="Open at the end of the month.",
        unit="count",
        frequency="monthly",
        source_agency=browser_world.la,
    )
    tab.sign_in_by_cookie(browser_world.users["data_officer"])
    tab.goto("/data/submissions/")
    failures = tab.check("the data officer's values due")
    tab.page.get_by_role("link", name="Send Open children missing education cases").first.click()
    tab.page.wait_for_load_state("load")
    tab.page.get_by_role("button", name="Send the value").click()
    tab.page.wait_for_load_state("load")
    assert "Enter a value" in tab.page.inner_text("main")
    failures += tab.check("the value form with an error")
    tab.page.get_by_label("Value").fill("117")
    tab.page.get_by_role("button", name="Send the value").click()
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Your agency's values for the data set"
    assert not failures, "\n\n".join(failures)
    assert Submission.objects.get().value == 117


def test_every_data_set_page_of_the_matrix_passes_axe_core(tab: Tab, browser_world: World) -> None:
    """The data set's own pages, as in test_accessibility.py, so that they are scanned even
    when another app's page fails first there."""
    from django.urls import reverse

    from safeguarding.core.tests import test_view_access_matrix as access_matrix
    from safeguarding.core.tests.browser.test_accessibility import HUB_PAGES, is_html, open_page

    failures: list[str] = []
    signed_in = None
    pages = [(name, user) for name, user in HUB_PAGES if name.startswith("insight:")]
    assert len(pages) >= 15
    for url_name, user in pages:
        if user != signed_in:
            tab.sign_in_by_cookie(browser_world.users[user])
            signed_in = user
        make_kwargs, _ = access_matrix.MATRIX[url_name]
        url = reverse(url_name, kwargs=make_kwargs(browser_world))
        if not is_html(tab, url):
            continue
        open_page(tab, url)
        failures += tab.check(f"{url_name} as {user}")
    assert not failures, "\n\n".join(failures)
