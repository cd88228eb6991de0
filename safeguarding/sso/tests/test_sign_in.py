"""Signing in through an agency's own identity provider: a real OpenID Connect provider
(oidc-provider, on this machine) and the hub driven with Django's test client."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from safeguarding.conftest import World
from safeguarding.core.models import AuditAction, AuditEntry, User
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import UserFactory
from safeguarding.sso.models import IdentityProvider
from safeguarding.sso.tests.conftest import sign_in_through
from safeguarding.sso.tests.provider import ProviderBrowser, TestProvider, path_and_query

MFA_PAGE = "/accounts/2fa/authenticate/"
ACTIVATE_PAGE = "/accounts/2fa/totp/activate/"


def refusals(reason: str | None = None) -> list[AuditEntry]:
    entries = AuditEntry.objects.filter(action=AuditAction.SIGN_IN_FAILED).order_by("seq")
    return [
        e
        for e in entries
        if e.detail.get("route") == "single sign-on"
        and (reason is None or e.detail.get("reason") == reason)
    ]


def signed_in_user(client: Client) -> Any:
    return client.get("/").wsgi_request.user


def test_a_practitioner_of_the_agency_signs_in_and_is_asked_for_the_hubs_own_code(
    world: World, council_idp: IdentityProvider, oidc_provider: TestProvider
) -> None:
    """The provider did no MFA (amr pwd only): the hub asks for its own second factor."""
    client = Client()
    response = sign_in_through(client, oidc_provider, "involved")

    assert response.status_code == 302
    assert response["Location"] == MFA_PAGE
    assert not signed_in_user(client).is_authenticated
    link = SocialAccount.objects.get(provider="la")
    assert link.user == world.users["involved"]
    assert refusals() == []


def test_the_providers_mfa_counts_where_the_agency_trusts_its_amr(
    world: World, council_idp: IdentityProvider, oidc_provider: TestProvider
) -> None:
    client = Client()
    response = sign_in_through(client, oidc_provider, "involved-mfa")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user(client) == world.users["involved"]
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(
        action=AuditAction.SIGN_IN, user_id=world.users["involved"].pk
    ).exists()


def test_the_providers_mfa_does_not_count_where_the_agency_does_not_trust_it(
    world: World, council_idp: IdentityProvider, oidc_provider: TestProvider
) -> None:
    council_idp.trusted_amr = ""
    council_idp.save()
    client = Client()
    response = sign_in_through(client, oidc_provider, "involved-mfa")

    assert response["Location"] == MFA_PAGE
    assert not signed_in_user(client).is_authenticated


def test_a_vouched_second_factor_does_not_excuse_a_later_password_sign_in(
    world: World, council_idp: IdentityProvider, oidc_provider: TestProvider
) -> None:
    """The provider's vouch is tied to that sign-in, not to the browser."""
    client = Client()
    sign_in_through(client, oidc_provider, "involved-mfa")
    client.post("/accounts/logout/")
    response = client.post(
        "/accounts/login/", {"login": "involved@la.example", "password": "wrong-then-right"}
    )
    assert response.status_code == 200  # wrong password: still the form
    from safeguarding.core.tests.factories import PASSWORD

    response = client.post(
        "/accounts/login/", {"login": "involved@la.example", "password": PASSWORD}
    )
    assert response["Location"] == MFA_PAGE


def test_a_user_of_another_agency_is_refused_and_the_refusal_audited(
    world: World, council_idp: IdentityProvider, oidc_provider: TestProvider
) -> None:
    """pc@shared.example is a police officer: a domain the council shares is no way in."""
    officer = UserFactory(email="pc@shared.example", agency=world.police, roles=[Role.PRACTITIONER])
    client = Client()
    response = sign_in_through(client, oidc_provider, "shared")

    assert response.status_code == 403
    assert "belongs to another agency" in response.content.decode()
    assert not signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.filter(user=officer).exists()
    [entry] = refusals("other_agency")
    assert entry.user_id == officer.pk
    assert entry.detail["provider"] == "la"


def test_an_email_domain_the_agency_did_not_allow_is_refused(
    world: World, council_idp: IdentityProvider, oidc_provider: TestProvider
) -> None:
    UserFactory(email="someone@gmail.example", agency=world.la, roles=[Role.PRACTITIONER])
    client = Client()
    response = sign_in_through(client, oidc_provider, "gmail")

    assert response.status_code == 403
    assert not signed_in_user(client).is_authenticated
    [entry] = refusals("domain_not_allowed")
    assert entry.detail["attempted"] == "someone@gmail.example"


def test_an_unverified_email_is_refused_even_where_it_matches_an_account(
    world: World, council_idp: IdentityProvider, oidc_provider: TestProvider
) -> None:
    client = Client()
    response = sign_in_through(client, oidc_provider, "unverified")

    assert response.status_code == 403
    assert not signed_in_user(client).is_authenticated
    assert len(refusals("email_not_verified")) == 1


def test_an_id_token_for_another_audience_is_refused(
    world: World, council_idp: IdentityProvider, oidc_provider: TestProvider
) -> None:
    client = Client()
    response = sign_in_through(client, oidc_provider, "involved-mfa", tamper="aud")

    assert response.status_code == 401
    assert "You could not be signed in" in response.content.decode()
    assert not signed_in_user(client).is_authenticated
    [entry] = refusals()
    assert "InvalidAudience" in entry.detail["cause"]


def test_an_expired_id_token_is_refused(
    world: World, council_idp: IdentityProvider, oidc_provider: TestProvider
) -> None:
    client = Client()
    response = sign_in_through(client, oidc_provider, "involved-mfa", tamper="exp")

    assert "You could not be signed in" in response.content.decode()
    assert not signed_in_user(client).is_authenticated
    [entry] = refusals()
    assert "ExpiredSignature" in entry.detail["cause"]


def test_a_replayed_state_is_refused(
    world: World, council_idp: IdentityProvider, oidc_provider: TestProvider
) -> None:
    """The provider's redirect back, used once, cannot be used again (here by someone
    else's browser, which has no such sign-in under way)."""
    client = Client()
    start = client.post("/accounts/oidc/la/login/", {"process": "login"})
    callback = ProviderBrowser(oidc_provider).sign_in(start["Location"], "involved-mfa")
    assert client.get(path_and_query(callback))["Location"] == "/"
    client.post("/accounts/logout/")

    for replayer in (client, Client()):
        response = replayer.get(path_and_query(callback))
        assert "You could not be signed in" in response.content.decode()
        assert not signed_in_user(replayer).is_authenticated
    assert len(refusals()) == 2


def test_a_user_disabled_at_the_provider_cannot_sign_in(
    world: World, council_idp: IdentityProvider, oidc_provider: TestProvider
) -> None:
    UserFactory(email="leaver@la.example", agency=world.la, roles=[Role.PRACTITIONER])
    client = Client()
    response = sign_in_through(client, oidc_provider, "leaver")
    assert response["Location"] == "/accounts/3rdparty/login/cancelled/"

    response = client.get(response["Location"])
    assert "You could not be signed in" in response.content.decode()
    assert not signed_in_user(client).is_authenticated
    [entry] = refusals("cancelled")
    assert entry.detail["error"] == "access_denied"


def test_an_account_disabled_in_the_hub_cannot_sign_in_through_the_provider(
    world: World, council_idp: IdentityProvider, oidc_provider: TestProvider
) -> None:
    user = world.users["involved"]
    user.is_active = False
    user.save()
    client = Client()
    response = sign_in_through(client, oidc_provider, "involved-mfa")

    assert response.status_code == 403
    assert not signed_in_user(client).is_authenticated
    assert len(refusals("account_disabled")) == 1


def test_a_first_sign_in_creates_no_account_unless_the_agency_allowed_it(
    world: World, council_idp: IdentityProvider, oidc_provider: TestProvider
) -> None:
    client = Client()
    response = sign_in_through(client, oidc_provider, "newbie")
    assert response.status_code == 403
    assert not User.objects.filter(email="newbie@la.example").exists()
    assert len(refusals("no_account")) == 1

    council_idp.allow_account_creation = True
    council_idp.save()
    client = Client()
    response = sign_in_through(client, oidc_provider, "newbie")
    user = User.objects.get(email="newbie@la.example")
    assert (user.agency, user.roles, user.full_name) == (world.la, frozenset(), "New Bie")
    assert not user.has_usable_password()
    # No second factor from the provider and none in the hub yet: set one up first.
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == ACTIVATE_PAGE


def test_a_created_account_vouched_by_the_provider_needs_no_hub_authenticator(
    world: World, council_idp: IdentityProvider, oidc_provider: TestProvider
) -> None:
    council_idp.allow_account_creation = True
    council_idp.save()
    client = Client()
    sign_in_through(client, oidc_provider, "newbie-mfa")
    home = client.get("/")
    assert home.status_code == 200
    assert home.wsgi_request.user.email == "newbie2@la.example"


def test_a_provider_registered_without_pkce_is_refused_by_a_provider_that_requires_it(
    world: World, council_idp: IdentityProvider, oidc_provider: TestProvider
) -> None:
    """The test provider requires PKCE, as a provider should; the hub sends it by default."""
    council_idp.pkce = False
    council_idp.save()
    client = Client()
    start = client.post("/accounts/oidc/la/login/", {"process": "login"})
    assert "code_challenge" not in start["Location"]
    callback = ProviderBrowser(oidc_provider).sign_in(start["Location"], "involved-mfa")
    response = client.get(path_and_query(callback))
    assert not signed_in_user(client).is_authenticated
    assert "You could not be signed in" in response.content.decode()
    assert len(refusals()) == 1


@pytest.mark.parametrize("pkce", [True, False])
def test_the_authorisation_request_carries_pkce_as_registered(
    world: World, council_idp: IdentityProvider, pkce: bool
) -> None:
    council_idp.pkce = pkce
    council_idp.save()
    start = Client().post("/accounts/oidc/la/login/", {"process": "login"})
    assert ("code_challenge_method=S256" in start["Location"]) is pkce
