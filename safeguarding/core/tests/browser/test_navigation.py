"""Each fixed user, signed in, sees the navigation of their roles, and every link of it works."""

from __future__ import annotations

from typing import Any

import pytest

from safeguarding.conftest import World
from safeguarding.core.tests.browser.tabs import Tab

pytestmark = pytest.mark.browser

# What each fixed user finds in the main navigation, in order.
NAVIGATION = {
    "involved": ["Home", "Children", "Missing"],
    "other_agency": ["Home", "Children", "Missing"],
    "panel_member": ["Home", "Children", "Exploitation", "Missing"],
    "analyst": ["Home", "Data set"],
    "officer": ["Home", "Partnership", "Data set", "Learning", "Training", "Annual report"],
    "ig_lead": ["Home", "Audit"],
    "agency_admin": ["Home", "Users"],
}

# The heading of the page each link opens.
HEADINGS = {
    "Children": "Children you work with",
    "Partnership": "Agencies",
    "Audit": "Audit log",
    "Missing": "Missing episodes",
    "Exploitation": "Child exploitation",
    "Data set": "The partnership data set",
    "Learning": "Learning and improvement",
    "Training": "Training",
    "Annual report": "Annual reports",
}


def heading(link: str, user: Any) -> str:
    if link == "Home":
        return f"{user.get_short_name()}, here is what you can do today"
    if link == "Users":
        return f"Users of {user.agency.name}"
    return HEADINGS[link]


def test_each_role_sees_its_own_navigation_and_every_link_opens_its_page(
    tab: Tab, browser_world: World
) -> None:
    for name, expected in NAVIGATION.items():
        user = browser_world.users[name]
        tab.sign_in_by_cookie(user)
        tab.goto("/")

        nav = tab.page.get_by_role("navigation", name="Main")
        labels = [text.strip() for text in nav.get_by_role("link").all_inner_texts()]
        assert labels == expected, f"{name} sees {labels}"
        assert user.full_name in tab.page.get_by_role("banner").inner_text()

        for label in reversed(labels):  # Home last, so that every click opens another page.
            link = nav.get_by_role("link", name=label, exact=True)
            href = link.get_attribute("href")
            link.click()
            tab.page.wait_for_load_state("load")
            assert tab.path() == href, f"{name} → {label}"
            assert tab.h1() == heading(label, user), f"{name} → {label}"
            current = nav.locator("[aria-current=page]")
            assert current.inner_text().strip() == label, f"{name} → {label}"
            tab.assert_no_problems()
