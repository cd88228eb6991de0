"""Education and young carers in Chromium: a practitioner registers a young carer and
records a review, opens a CME case, records a check and closes it; an analyst reads the
identification chart. Each page passes axe-core with nothing refused by the CSP."""

from __future__ import annotations

from datetime import date

import pytest

from safeguarding.conftest import World
from safeguarding.core.tests.browser.tabs import Tab
from safeguarding.education.models import CmeCase
from safeguarding.young_carers.models import YoungCarer

pytestmark = pytest.mark.browser


def test_a_practitioner_registers_and_reviews_a_young_carer(tab: Tab, browser_world: World) -> None:
    tab.sign_in_by_cookie(browser_world.users["involved"])
    tab.goto(f"/young-carers/child/{browser_world.child.public_id}/register/")
    failures = tab.check("the young carer registration form")
    tab.page.get_by_role("button", name="Register").click()
    tab.page.wait_for_load_state("load")
    assert "There is a problem" in tab.page.inner_text("main")
    failures += tab.check("the registration form showing its errors")
    tab.page.get_by_label("Date identified").fill("2024-05-02")
    tab.page.get_by_label("Parent or step-parent").check()
    tab.page.get_by_label("Mental ill health").check()
    tab.page.get_by_role("button", name="Register").click()
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Young carer"
    failures += tab.check("a young carer's registration")
    tab.page.get_by_role("link", name="Record a review").click()
    tab.page.wait_for_load_state("load")
    tab.page.get_by_label("Date of the review").fill("2024-07-20")
    tab.page.get_by_label("What happened").fill("Attends the young carers' group.")
    tab.page.get_by_label("Next review").fill("2024-10-12")
    tab.page.get_by_role("button", name="Save").click()
    tab.page.wait_for_load_state("load")
    assert "Attends the young carers' group." in tab.page.inner_text("main")
    tab.goto("/young-carers/oversight/")
    failures += tab.check("the tracking meeting's list")
    assert not failures, "\n\n".join(failures)
    assert YoungCarer.objects.get().reviews.count() == 1


def test_a_cme_case_is_searched_for_and_closed(tab: Tab, browser_world: World) -> None:
    case = CmeCase.objects.create(
        child=browser_world.child, agency=browser_world.la, referred_on=date(2025, 1, 6)
    )
    tab.sign_in_by_cookie(browser_world.users["involved"])
    tab.goto("/education/")
    failures = tab.check("the open CME cases")
    tab.goto(f"/education/cme/{case.public_id}/check/")
    tab.page.get_by_label("Check made").select_option("home_office")
    tab.page.get_by_label("Date").fill("2025-01-10")
    tab.page.get_by_role("button", name="Save").click()
    tab.page.wait_for_load_state("load")
    failures += tab.check("a CME case with a check")
    tab.page.get_by_role("link", name="Close with a destination").click()
    tab.page.wait_for_load_state("load")
    tab.page.get_by_label("Date closed").fill("2025-01-12")
    tab.page.get_by_label("Moved abroad").check()
    tab.page.get_by_role("button", name="Save").click()
    tab.page.wait_for_load_state("load")
    assert "Moved abroad" in tab.page.inner_text("main")
    assert not failures, "\n\n".join(failures)


def test_an_analyst_reads_the_identification_chart(tab: Tab, browser_world: World) -> None:
    YoungCarer.objects.create(
        child=browser_world.child,
        agency=browser_world.la,
        identified_on=date(2024, 3, 1),
        cares_for="parent",
        care_reason="physical",
        next_review_on=date(2024, 6, 1),
    )
    tab.sign_in_by_cookie(browser_world.users["analyst"])
    tab.goto("/young-carers/identification/?start=2024-01-01&end=2024-12-31")
    failures = tab.check("the young carers identification chart")
    assert tab.page.locator("svg[role=img] title").first.text_content()
    tab.goto("/education/feeds/?year=2024")
    failures += tab.check("the education and young carers figures")
    assert not failures, "\n\n".join(failures)
