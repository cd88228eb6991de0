"""The sso tests' provider: one real OpenID Connect provider per test session (or per
xdist worker), the council's registration of it, and a helper that signs in through it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from safeguarding.conftest import World
from safeguarding.sso.models import IdentityProvider
from safeguarding.sso.sealing import seal
from safeguarding.sso.tests.provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    ProviderBrowser,
    TestProvider,
    account,
    path_and_query,
)

# The people at the provider, by the login they type there.
ACCOUNTS = {
    "involved": account("involved@la.example", name="Ina Volved"),
    "involved-mfa": account("involved@la.example", amr=["pwd", "mfa"]),
    "shared": account("pc@shared.example"),
    "gmail": account("someone@gmail.example"),
    "unverified": account("analyst@la.example", verified=False),
    "leaver": account("leaver@la.example", disabled=True),
    "newbie": account("newbie@la.example", name="New Bie"),
    "newbie-mfa": account("newbie2@la.example", name="New Bie", amr=["mfa"]),
}
CALLBACK = "http://testserver/accounts/oidc/la/login/callback/"


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[TestProvider]:
    provider = TestProvider.start(redirect_uris=[CALLBACK], accounts=ACCOUNTS)
    yield provider
    provider.stop()


@pytest.fixture
def council_idp(world: World, oidc_provider: TestProvider) -> IdentityProvider:
    """Testshire Council's provider; the council's staff are on la.example and on a domain
    it shares with the police (as NHS trusts share nhs.net)."""
    return IdentityProvider.objects.create(
        agency=world.la,
        slug="la",
        issuer=oidc_provider.issuer,
        client_id=CLIENT_ID,
        sealed_secret=seal(CLIENT_SECRET),
        allowed_domains="la.example shared.example",
        trusted_amr="mfa",
    )


def sign_in_through(
    client: Client, provider: TestProvider, login: str, *, tamper: str | None = None
) -> Any:
    """Press "Sign in with Testshire Council", sign in at the provider as `login`, and
    return the hub's answer to the provider's redirect back."""
    start = client.post("/accounts/oidc/la/login/", {"process": "login"})
    assert start.status_code == 302, start
    callback = ProviderBrowser(provider).sign_in(start["Location"], login)
    assert callback.startswith(CALLBACK), callback
    if tamper:
        provider.tamper_next_token(tamper)
    return client.get(path_and_query(callback))
