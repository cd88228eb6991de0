"""Single sign-on in Chromium: through a real OpenID Connect provider on this machine
(oidc-provider, safeguarding/sso/tests/oidc_server.mjs) as a practitioner of the council,
and refused as a police officer whose address is on a domain the council shares."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from safeguarding.conftest import World
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.core.roles import Role
from safeguarding.core.tests.browser.tabs import Tab, totp_code
from safeguarding.core.tests.factories import TOTP_SECRET, UserFactory
from safeguarding.sso.models import IdentityProvider
from safeguarding.sso.sealing import seal
from safeguarding.sso.tests.provider import CLIENT_ID, CLIENT_SECRET, TestProvider, account

pytestmark = pytest.mark.browser


@pytest.fixture
def council_provider(live_server: Any, browser_world: World) -> Iterator[TestProvider]:
    provider = TestProvider.start(
        redirect_uris=[f"{live_server.url}/accounts/oidc/la/login/callback/"],
        accounts={
            "ina": account("involved@la.example", name="Ina Volved"),
            "pc": account("pc@shared.example", name="Pc Shared"),
        },
    )
    IdentityProvider.objects.create(
        agency=browser_world.la,
        slug="la",
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        sealed_secret=seal(CLIENT_SECRET),
        allowed_domains="la.example shared.example",
    )
    yield provider
    provider.stop()


def through_the_provider(tab: Tab, login: str) -> None:
    tab.goto("/accounts/login/")
    tab.page.get_by_role("button", name="Sign in with Testshire Council").click()
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Test identity provider: sign in"
    tab.page.get_by_label("Account").fill(login)
    tab.page.get_by_role("button", name="Continue").click()
    tab.page.wait_for_load_state("load")


def test_a_practitioner_signs_in_with_the_councils_account_then_the_hubs_code(
    tab: Tab, browser_world: World, council_provider: TestProvider
) -> None:
    through_the_provider(tab, "ina")

    # The provider did no MFA that the council trusts: the hub asks for its own code.
    assert tab.path() == "/accounts/2fa/authenticate/"
    tab.enter_code(totp_code(TOTP_SECRET))
    assert tab.path() == "/"
    assert tab.h1() == "Ina, here is what you can do today"


def test_a_police_officer_is_refused_at_the_councils_sign_in(
    tab: Tab, browser_world: World, council_provider: TestProvider
) -> None:
    officer = UserFactory(
        email="pc@shared.example", agency=browser_world.police, roles=[Role.PRACTITIONER]
    )
    through_the_provider(tab, "pc")

    assert tab.h1() == "You could not be signed in"
    assert "belongs to another agency" in tab.page.locator("#sso-refusal").inner_text()
    tab.assert_accessible("the refusal page")
    tab.goto("/")
    assert tab.path() == "/accounts/login/"
    entry = AuditEntry.objects.filter(action=AuditAction.SIGN_IN_FAILED).latest("seq")
    assert (entry.user_id, entry.detail["reason"]) == (officer.pk, "other_agency")
