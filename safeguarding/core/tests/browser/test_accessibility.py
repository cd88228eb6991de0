"""axe-core (WCAG 2.2 A and AA, and axe's best practices) on every page, in Chromium, under the
real Content-Security-Policy.

Every page of the access matrix that some fixed user may open, as the first such user; the
allauth pages the hub restyles; the error pages; a form showing its errors; two messages at
once; the demo's banner. A page also fails if the CSP refuses anything on it, if its
JavaScript throws, or if one of its files (CSS, script, image, favicon) does not load.

The pages are visited in a few tests rather than one test each, because each test costs a
flush of the database (most of a second on PostgreSQL); each test still goes through all of
its pages and then names every page that failed, with what axe-core found.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from safeguarding.conftest import World
from safeguarding.core.roles import Role
from safeguarding.core.tests import test_view_access_matrix as access_matrix
from safeguarding.core.tests.browser.tabs import Tab
from safeguarding.core.tests.factories import UserFactory

pytestmark = pytest.mark.browser


def first_allowed(statuses: dict[str, Any]) -> str | None:
    for name in access_matrix.USERS:
        if statuses[name] == access_matrix.OK:
            return name
    return None


# (URL name, the user who opens it) for every page of the matrix that answers someone 200,
# grouped by user so that each signs in once.
HUB_PAGES = sorted(
    (
        (url_name, user)
        for url_name, (_, statuses) in access_matrix.MATRIX.items()
        if (user := first_allowed(statuses)) is not None
    ),
    key=lambda page: (page[1], page[0]),
)

# allauth's pages, restyled by the hub: (URL name, who opens it, its heading).
ACCOUNT_PAGES = [
    ("account_login", None, "Sign in"),
    ("account_reset_password", None, "Reset your password"),
    ("mfa_index", "involved", "Security"),
    ("usersessions_list", "involved", "Your sessions"),
    ("account_change_password", "involved", None),
    ("account_logout", "involved", None),
    # A session that has not confirmed the user lately is asked to, first.
    ("account_reauthenticate", "involved", "Confirm it's you"),
    ("mfa_reauthenticate", "involved", "Confirm it's you"),
    ("mfa_generate_recovery_codes", "involved", "Confirm it's you"),
    ("mfa_deactivate_totp", "involved", "Confirm it's you"),
]


def test_the_hub_has_pages_to_scan() -> None:
    """The scan below goes through the matrix: were the matrix emptied, it would pass."""
    assert len(HUB_PAGES) >= 15
    assert {user for _, user in HUB_PAGES} >= {"involved", "officer", "ig_lead", "agency_admin"}


def is_html(tab: Tab, url: str) -> bool:
    response = tab.page.request.get(tab.base_url + url, max_redirects=0)
    return str(response.headers.get("content-type", "")).startswith("text/html")


def open_page(tab: Tab, url: str, status: int = 200) -> None:
    response = tab.goto(url)
    assert response.status == status, f"{url} answered {response.status}, not {status}"


def test_every_page_of_the_hub_passes_axe_core_with_nothing_refused(
    tab: Tab, browser_world: World
) -> None:
    failures: list[str] = []
    signed_in = None
    for url_name, user in HUB_PAGES:
        if user != signed_in:
            tab.sign_in_by_cookie(browser_world.users[user])
            signed_in = user
        make_kwargs, _ = access_matrix.MATRIX[url_name]
        url = reverse(url_name, kwargs=make_kwargs(browser_world))
        if not is_html(tab, url):
            continue  # a download (CSV) or a JSON document: nothing for axe-core to scan
        open_page(tab, url)
        assert tab.path() == url, f"{url_name} as {user} went to {tab.path()}"
        failures += tab.check(f"{url_name} as {user}")

    # The matrix's user_edit is another agency's user (a 404 for the agency admin); here,
    # a user of the agency admin's own agency.
    colleague = UserFactory(
        email="teacher@school.example",
        full_name="Tea Cher",
        agency=browser_world.school,
        roles=[Role.PRACTITIONER],
    )
    tab.sign_in_by_cookie(browser_world.users["agency_admin"])
    open_page(tab, reverse("core:user_edit", kwargs={"pk": colleague.pk}))
    failures += tab.check("core:user_edit of a user of the agency admin's own agency")

    assert not failures, "\n\n".join(failures)


def test_every_account_page_passes_axe_core_with_nothing_refused(
    tab: Tab, browser_world: World
) -> None:
    failures: list[str] = []
    for url_name, user, heading in ACCOUNT_PAGES:
        if user is None:
            tab.sign_out()
        else:
            tab.sign_in_by_cookie(browser_world.users[user])
        open_page(tab, reverse(url_name))
        if heading is not None:
            assert tab.h1() == heading, f"{url_name}: {tab.h1()}"
        failures += tab.check(f"{url_name} as {user or 'a visitor'}")

    # The password reset's confirmation.
    tab.sign_out()
    open_page(tab, reverse("account_reset_password"))
    tab.page.get_by_label("Email address", exact=True).fill(browser_world.users["analyst"].email)
    tab.page.get_by_role("button", name="Send the link").click()
    tab.page.wait_for_load_state("load")
    assert tab.path() == reverse("account_reset_password_done")
    failures += tab.check("the password reset confirmation")

    assert not failures, "\n\n".join(failures)


def test_the_error_pages_pass_axe_core_with_nothing_refused(tab: Tab, browser_world: World) -> None:
    failures: list[str] = []
    tab.sign_in_by_cookie(browser_world.users["involved"])
    open_page(tab, "/audit/", status=403)
    assert tab.h1() == "You do not have access to this page"
    failures += tab.check("the 403 page")

    open_page(tab, "/no-such-page/", status=404)
    assert tab.h1() == "Page not found"
    failures += tab.check("the 404 page")

    tab.sign_out()
    open_page(tab, "/no-such-page/", status=404)
    assert tab.h1() == "Page not found"
    failures += tab.check("the 404 page, signed out")

    # The 500 page cannot be caused on purpose: it is served in place of a page, with the
    # Content-Security-Policy of every other page.
    from django.test import RequestFactory

    from safeguarding.core.errors import server_error

    policy = tab.goto(reverse("account_login")).headers["content-security-policy"]
    body = server_error(RequestFactory().get("/")).content.decode()
    tab.page.route(
        tab.base_url + "/this-page-fails/",
        lambda route: route.fulfill(
            status=500,
            body=body,
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": policy},
        ),
    )
    open_page(tab, "/this-page-fails/", status=500)
    assert tab.h1() == "Sorry, there is a problem with the service"
    failures += tab.check("the 500 page")

    assert not failures, "\n\n".join(failures)


def test_a_form_showing_its_errors_passes_axe_core_and_focuses_the_error_summary(
    tab: Tab, browser_world: World
) -> None:
    tab.sign_in_by_cookie(browser_world.users["officer"])
    open_page(tab, reverse("core:agency_new"))
    tab.page.get_by_role("button", name="Save").click()
    tab.page.wait_for_load_state("load")

    assert tab.path() == reverse("core:agency_new")
    assert tab.page.title().startswith("Error: ")
    summary = tab.page.locator(".govuk-error-summary")
    assert "There is a problem" in summary.inner_text()
    # GOV.UK Frontend's script (allowed by the CSP) moves focus to the summary.
    assert tab.page.evaluate(
        "() => document.activeElement.classList.contains('govuk-error-summary')"
    )
    # Each error links to its field.
    links = summary.get_by_role("link")
    assert links.count() >= 1
    for index in range(links.count()):
        target = links.nth(index).get_attribute("href")
        assert target and tab.page.locator(target).count() == 1, target
    tab.assert_accessible("the add-an-agency form with its errors")
    tab.assert_no_problems()


def test_two_messages_at_once_are_two_distinct_banners_that_pass_axe_core(
    tab: Tab, browser_world: World
) -> None:
    agencies = reverse("core:agencies")
    tab.sign_in_by_cookie(browser_world.users["officer"])
    open_page(tab, agencies)
    remove = tab.page.get_by_role("button", name="Remove Testshire Police")

    # Removing an agency asks first (a confirm() from init.mjs, allowed by the CSP).
    tab.page.once("dialog", lambda dialog: dialog.dismiss())
    remove.click()
    assert tab.page.locator(".govuk-notification-banner").count() == 0
    tab.page.once("dialog", lambda dialog: dialog.accept())
    remove.click()
    tab.page.wait_for_load_state("load")
    banner = tab.page.locator(".govuk-notification-banner")
    assert "Testshire Police was removed" in banner.inner_text()

    # Two changes before the next page is shown: restore, and remove again.
    token = tab.page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    url = tab.base_url + reverse("core:agency_remove", kwargs={"code": "POLICE"})
    for _ in range(2):
        response = tab.page.request.post(url, form={"csrfmiddlewaretoken": token}, max_redirects=0)
        assert response.status == 302
    open_page(tab, agencies)
    assert tab.page.locator(".govuk-notification-banner").count() == 2
    tab.assert_accessible("two messages on one page")
    names = [
        tab.page.get_by_role("region", name=name, exact=True).count()
        for name in (
            "Done Testshire Police was restored to the partnership.",
            "Done Testshire Police was removed from the partnership; 0 sessions were ended.",
        )
    ]
    assert names == [1, 1]
    tab.assert_no_problems()


def test_the_demo_banner_passes_axe_core_and_the_favicon_loads(
    tab: Tab, browser_world: World, settings: Any
) -> None:
    settings.DEMO = True
    failures: list[str] = []
    for user, url in [(None, "/accounts/login/"), ("officer", "/")]:
        if user is None:
            tab.sign_out()
        else:
            tab.sign_in_by_cookie(browser_world.users[user])
        open_page(tab, url)
        assert "Every person and child here is invented." in tab.page.inner_text("header")
        failures += tab.check(f"{url} in the demo")
    assert not failures, "\n\n".join(failures)

    href = tab.page.locator("link[rel=icon]").get_attribute("href")
    assert href
    response = tab.page.request.get(tab.base_url + href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
