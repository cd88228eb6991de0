"""The missing tracker in Chromium: a practitioner records an episode, the return and the
interview, and keeps a profile; a school's lead reads the notice. Each page passes axe-core."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core.roles import Role
from safeguarding.core.tests.browser.tabs import Tab
from safeguarding.core.tests.factories import SourceRecordFactory, UserFactory
from safeguarding.missing.models import Episode, InterviewStatus, ReturnInterview

pytestmark = pytest.mark.browser


def local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_practitioner_records_an_episode_the_return_and_the_interview(
    tab: Tab, browser_world: World
) -> None:
    world = browser_world
    SourceRecordFactory(agency=world.school, child=world.child, record_id="UPN-9")
    lead = UserFactory(email="dsl@school.example", agency=world.school, roles=[Role.DSL])
    tab.sign_in_by_cookie(world.users["involved"])
    tab.goto(f"/missing/child/{world.child.public_id}/")
    failures = tab.check("a child's missing page")
    tab.page.get_by_role("link", name="Record an episode").click()
    tab.page.wait_for_load_state("load")
    failures += tab.check("record an episode")
    now = timezone.now()
    tab.page.get_by_label("Reported missing at").fill(local(now - timedelta(days=6)))
    tab.page.get_by_label("Found or returned at").fill(local(now - timedelta(days=5)))
    tab.page.get_by_label("Where found").fill("Town centre")
    tab.page.get_by_role("button", name="Record the episode").click()
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Missing episode"
    failures += tab.check("an episode")
    tab.page.get_by_role("link", name="Record the interview").click()
    tab.page.wait_for_load_state("load")
    failures += tab.check("the interview form")
    tab.page.get_by_label("Where it stands").select_option("completed")
    tab.page.get_by_label("Offered by").select_option(label=world.icb.name)
    tab.page.get_by_label("Offered at").fill(local(now - timedelta(days=4)))
    tab.page.get_by_label("Completed at").fill(local(now - timedelta(days=4, hours=-2)))
    tab.page.get_by_label("Push factors (what made the child leave)").fill("Rows at home")
    tab.page.get_by_role("button", name="Save the interview").click()
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Missing episode"
    assert ReturnInterview.objects.get().status == InterviewStatus.COMPLETED
    assert Episode.objects.get().where_found == "Town centre"

    tab.sign_in_by_cookie(lead)
    tab.goto("/missing/notices/")
    assert "Jordan Example" in tab.page.inner_text("main")
    failures += tab.check("the lead's notices")
    assert not failures, "\n\n".join(failures)


def test_a_practitioner_corrects_an_episode_and_the_officer_keeps_the_school_holidays(
    tab: Tab, browser_world: World
) -> None:
    world = browser_world
    now = timezone.now()
    episode = Episode.objects.create(
        child=world.child,
        agency=world.police,
        reported_at=now - timedelta(days=3),
        returned_at=now - timedelta(days=2),
        risk_grading="low",
    )
    tab.sign_in_by_cookie(world.users["involved"])
    tab.goto(f"/missing/episode/{episode.public_id}/")
    tab.page.get_by_role("link", name="Correct the episode").click()
    tab.page.wait_for_load_state("load")
    failures = tab.check("correct an episode")
    tab.page.get_by_label("Risk grading when reported").select_option("high")
    tab.page.get_by_label("Why the correction is made").fill("The grading was misread.")
    tab.page.get_by_role("button", name="Save the correction").click()
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Missing episode"
    assert "The grading was misread." in tab.page.inner_text("main")
    failures += tab.check("an episode with its corrections")

    tab.sign_in_by_cookie(world.users["officer"])
    tab.goto("/missing/school-holidays/")
    tab.page.get_by_label("Name").fill("February half-term")
    tab.page.get_by_label("First day").fill("2026-02-16")
    tab.page.get_by_label("Last day").fill("2026-02-20")
    tab.page.get_by_role("button", name="Keep the holiday").click()
    tab.page.wait_for_load_state("load")
    assert "16 February 2026" in tab.page.inner_text("main")
    failures += tab.check("the school holidays")
    assert not failures, "\n\n".join(failures)
