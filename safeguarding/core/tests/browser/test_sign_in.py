"""Signing in for real, in Chromium: email and password, then the authenticator code."""

from __future__ import annotations

from typing import Any

import pytest

from safeguarding.conftest import World
from safeguarding.core.roles import Role
from safeguarding.core.tests.browser.tabs import Tab, totp_code
from safeguarding.core.tests.factories import PASSWORD, TOTP_SECRET, UserFactory

pytestmark = pytest.mark.browser

MFA_PAGE = "/accounts/2fa/authenticate/"
ACTIVATE_PAGE = "/accounts/2fa/totp/activate/"
REAUTHENTICATE_PAGE = "/accounts/reauthenticate/"
SET_UP_CODE = "Code from your authenticator app"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_user_signs_in_with_password_and_authenticator_code_and_lands_on_their_home_page(
    tab: Tab, browser_world: World
) -> None:
    user = browser_world.users["involved"]
    tab.sign_in_with_password(user.email)
    assert tab.path() == MFA_PAGE
    assert tab.h1() == "Enter your authenticator code"
    tab.assert_accessible()

    tab.enter_code(totp_code(TOTP_SECRET))

    assert tab.path() == "/"
    assert tab.h1() == "Ina, here is what you can do today"
    assert "Ina Volved, Testshire Council" in tab.page.get_by_role("banner").inner_text()
    tab.assert_accessible()


def test_a_wrong_password_and_a_wrong_code_are_each_refused_with_an_error_message(
    tab: Tab, browser_world: World
) -> None:
    user = browser_world.users["officer"]
    tab.sign_in_with_password(user.email, password="not-the-password-1")
    assert tab.path() == "/accounts/login/"
    assert tab.page.title().startswith("Error: ")
    assert "There is a problem" in tab.page.locator(".govuk-error-summary").inner_text()
    tab.assert_accessible("the sign-in page with a wrong password")

    tab.sign_in_with_password(user.email)
    assert tab.path() == MFA_PAGE
    tab.enter_code(wrong(totp_code(TOTP_SECRET)))

    assert tab.path() == MFA_PAGE
    assert tab.page.title().startswith("Error: ")
    summary = tab.page.locator(".govuk-error-summary")
    assert "There is a problem" in summary.inner_text()
    assert tab.page.locator(".govuk-error-message").count() == 1
    assert tab.page.get_by_label("Code", exact=True).get_attribute("aria-invalid") == "true"
    tab.assert_accessible("the authenticator code page with a wrong code")

    # Still not signed in: a page of the hub sends the user back to the code.
    tab.goto("/partnership/")
    assert tab.path() == MFA_PAGE
    assert tab.h1() == "Enter your authenticator code"

    # The right code then signs them in.
    tab.enter_code(totp_code(TOTP_SECRET))
    assert tab.path() == "/"
    assert tab.h1() == "Offi, here is what you can do today"


def make_newcomer(world: World) -> Any:
    return UserFactory(
        email="newcomer@la.example",
        full_name="Neo Comer",
        agency=world.la,
        roles=[Role.PRACTITIONER],
        mfa=False,
    )


def test_a_user_with_no_authenticator_is_sent_to_set_one_up_after_signing_in(
    tab: Tab, browser_world: World
) -> None:
    user = make_newcomer(browser_world)
    tab.sign_in_with_password(user.email)

    warning = "Set up an authenticator app before you carry on"
    if tab.path() == REAUTHENTICATE_PAGE:
        # allauth asks for the password again before an authenticator is added; see
        # test_setting_up_an_authenticator_straight_after_signing_in_asks_for_no_password_again.
        assert warning in tab.page.inner_text("main")
        assert tab.h1() == "Confirm it's you"
        tab.assert_accessible("the confirm-it's-you page")
        tab.page.get_by_label("Password", exact=True).fill(PASSWORD)
        tab.page.get_by_role("button", name="Continue").click()
        tab.page.wait_for_load_state("load")
    else:
        assert warning in tab.page.inner_text("main")

    assert tab.path() == ACTIVATE_PAGE
    assert tab.h1() == "Set up your authenticator app"
    tab.assert_accessible("the authenticator set-up page")

    # Nothing else opens until an authenticator is set up.
    tab.goto("/children/")
    assert tab.path() == ACTIVATE_PAGE

    secret = tab.page.locator("#authenticator_secret").inner_text().strip()
    tab.enter_code(wrong(totp_code(secret)), button="Turn on", label=SET_UP_CODE)
    assert tab.path() == ACTIVATE_PAGE
    assert "There is a problem" in tab.page.locator(".govuk-error-summary").inner_text()
    tab.assert_accessible("the authenticator set-up page with a wrong code")

    tab.enter_code(totp_code(secret), button="Turn on", label=SET_UP_CODE)
    assert tab.path() == "/accounts/2fa/recovery-codes/"
    assert tab.h1() == "Recovery codes"
    assert tab.page.locator("#recovery_codes li").count() == 10
    tab.assert_accessible("the recovery codes page")

    tab.page.get_by_role("button", name="Continue").click()
    tab.page.wait_for_load_state("load")
    assert tab.path() == "/"
    assert tab.h1() == "Neo, here is what you can do today"


def test_setting_up_an_authenticator_straight_after_signing_in_asks_for_no_password_again(
    tab: Tab, browser_world: World
) -> None:
    tab.sign_in_with_password(make_newcomer(browser_world).email)
    assert tab.path() == ACTIVATE_PAGE
