"""A linkage officer works the review queue, merges and undoes, in Chromium: every page
passes axe-core, with nothing refused by the CSP (the weight bars are classes, not styles)."""

from __future__ import annotations

import re

import pytest

from safeguarding.children.models import Child, SourceRecord
from safeguarding.children.tests.matrix_linkage import make_pair
from safeguarding.conftest import World
from safeguarding.core.tests.browser.tabs import Tab
from safeguarding.core.tests.factories import SourceRecordFactory

pytestmark = pytest.mark.browser


def test_a_linkage_officer_links_a_pair_from_the_queue(tab: Tab, browser_world: World) -> None:
    pair = make_pair(browser_world, probability=0.87)
    tab.sign_in_by_cookie(browser_world.users["linkage_officer"])
    tab.goto("/")
    tab.page.get_by_role("navigation", name="Main").get_by_role("link", name="Linkage").click()
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Pairs to review"
    failures = tab.check("the queue")

    tab.page.get_by_role("link", name=re.compile("^Review")).click()
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Are these the same child?"
    assert tab.page.locator(".hub-weight__bar--for").count() == 2
    assert tab.page.locator(".hub-weight__bar--against").count() == 1
    # The bars are drawn: a class gives each its width (no inline style under the CSP).
    widest = tab.page.locator(".hub-weight__bar--for").nth(1).bounding_box()
    assert widest is not None and widest["width"] > 50
    failures += tab.check("a pair")

    tab.page.get_by_label("Note (optional)").fill("Same date of birth and school")
    tab.page.get_by_role("button", name="Same child — link them").click()
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Pairs to review"
    assert "linked into one child" in tab.page.get_by_role("region").first.inner_text()
    failures += tab.check("the queue after a decision")
    assert not failures, "\n\n".join(failures)
    assert SourceRecord.objects.get(pk=pair.record_id).child == browser_world.child


def test_a_linkage_officer_merges_two_children_and_undoes_it(
    tab: Tab, browser_world: World
) -> None:
    world = browser_world
    other = Child.objects.create(given_name="Jordan", family_name="Exampel")
    SourceRecordFactory(agency=world.icb, child=other, record_id="NHS-77")
    tab.sign_in_by_cookie(world.users["linkage_officer"])
    tab.goto(f"/linkage/children/{world.child.public_id}/")
    failures = tab.check("a child's identity")

    tab.page.get_by_role("button", name="Find the child to merge").click()
    tab.page.wait_for_load_state("load")
    assert "There is a problem" in tab.page.inner_text("main")
    failures += tab.check("the merge form with its errors")

    tab.page.get_by_label("The other child's pseudonym or reference").fill(other.pseudonym)
    tab.page.get_by_label("Why are they the same child?").fill("Same GP practice and DOB")
    tab.page.get_by_role("button", name="Find the child to merge").click()
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Merge these two children?"
    failures += tab.check("the merge confirmation")

    tab.page.get_by_role("button", name="Merge them").click()
    tab.page.wait_for_load_state("load")
    assert tab.path() == f"/linkage/children/{world.child.public_id}/"
    assert "NHS-77" in tab.page.inner_text("main")

    tab.page.get_by_role("button", name=re.compile("^Undo")).click()
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Undo this merge?"
    failures += tab.check("the undo confirmation")
    tab.page.get_by_label("Why undo it?").fill("Different children after all")
    tab.page.get_by_role("button", name="Undo the merge").click()
    tab.page.wait_for_load_state("load")
    failures += tab.check("the child after the undo")

    tab.goto("/linkage/history/")
    failures += tab.check("the history")
    assert not failures, "\n\n".join(failures)
    other.refresh_from_db()
    assert other.merged_into is None
    assert SourceRecord.objects.get(record_id="NHS-77").child == other
