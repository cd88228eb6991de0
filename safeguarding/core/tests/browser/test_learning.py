"""Learning in Chromium: the owner of an action completes it with evidence and the sub-group's
chair signs it off; the executive reads the deadlines, the calendar and the themes chart.
Each page passes axe-core with nothing refused by the CSP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core.models import SubGroup
from safeguarding.core.tests.browser.tabs import Tab
from safeguarding.learning.models import ActionStatus, Theme
from safeguarding.learning.tests.helpers import action, notification

pytestmark = pytest.mark.browser


def test_an_owner_completes_an_action_and_the_chair_signs_it_off(
    tab: Tab, browser_world: World
) -> None:
    chair = browser_world.users["executive"]
    group = SubGroup.objects.create(name="Case Review (browser)", chair=chair)
    item = action(
        browser_world.users["officer"],
        browser_world.la,
        timezone.localdate() - timedelta(days=3),
        group,
        title="Refresh the bruising protocol",
    )
    tab.sign_in_by_cookie(browser_world.users["involved"])
    tab.goto("/learning/actions/")
    failures = tab.check("the actions of the practitioner's agency")
    assert "Red: overdue" in tab.page.inner_text("main")
    tab.page.get_by_role("link", name="Refresh the bruising protocol").click()
    tab.page.get_by_role("link", name="Update progress").click()
    tab.page.wait_for_load_state("load")
    tab.page.get_by_label("Completed: awaiting sign-off").check()
    tab.page.get_by_role("button", name="Save").click()
    tab.page.wait_for_load_state("load")
    assert "There is a problem" in tab.page.inner_text("main")  # no evidence given
    failures += tab.check("the update form showing its error")
    tab.page.get_by_label("Evidence").fill("Protocol v3 issued on the intranet.")
    tab.page.get_by_role("button", name="Save").click()
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Refresh the bruising protocol"

    tab.sign_in_by_cookie(chair)
    tab.goto(f"/learning/actions/{item.pk}/")
    failures += tab.check("an action awaiting the chair's sign-off")
    tab.page.get_by_role("button", name="Sign off as the sub-group's chair").click()
    tab.page.wait_for_load_state("load")
    assert "Blue: signed off" in tab.page.inner_text("main")
    assert not failures, "\n\n".join(failures)
    item.refresh_from_db()
    assert item.status == ActionStatus.SIGNED_OFF


def test_the_executive_reads_the_deadlines_calendar_and_themes(
    tab: Tab, browser_world: World
) -> None:
    today = timezone.localdate()
    n = notification(
        browser_world.users["officer"], "SI-BROWSER", aware_on=today - timedelta(days=1)
    )
    n.themes.set([Theme.objects.get_or_create(name="Housing")[0]])
    tab.sign_in_by_cookie(browser_world.users["executive"])
    tab.goto("/")
    tab.page.get_by_role("navigation", name="Main").get_by_role("link", name="Learning").click()
    tab.page.wait_for_load_state("load")
    failures = tab.check("the learning overview")
    tab.goto("/learning/deadlines/")
    assert "SI-BROWSER" in tab.page.inner_text("main")
    failures += tab.check("the deadlines list")
    tab.page.get_by_role("link", name="Calendar").click()
    tab.page.wait_for_load_state("load")
    assert "SI-BROWSER" in tab.page.inner_text("main")
    failures += tab.check("the deadlines calendar")
    tab.goto("/learning/themes/")
    assert (
        tab.page.get_by_role("img", name="Themes of reviews and audits by financial year").count()
        == 1
    )
    failures += tab.check("the themes chart and table")
    assert not failures, "\n\n".join(failures)
