"""The sso pages: registering a provider, the sign-in page's buttons, the agency admin's page."""

from __future__ import annotations

import pytest
from django.core import checks
from django.test import Client, override_settings

from safeguarding.conftest import World
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import UserFactory
from safeguarding.sso import sealing
from safeguarding.sso.checks import check_providers_use_pkce
from safeguarding.sso.models import IdentityProvider

FORM = {
    "agency": "",
    "issuer": "https://login.example/tenant/v2.0/",
    "client_id": "hub",
    "secret": "the-secret-value",
    "allowed_domains": "@la.example, LA.example shared.example",
    "pkce": "on",
    "trusted_amr": "mfa",
    "trusted_acr": "",
    "leaver_days": "30",
    "enabled": "on",
}


def register(client: Client, world: World, **changes: str) -> object:
    return client.post("/sign-in/providers/new/", {**FORM, "agency": world.la.pk, **changes})


def test_a_system_admin_registers_an_agencys_provider_in_the_hubs_pages(
    world: World, client_for: object
) -> None:
    client = client_for("sysadmin")  # type: ignore[operator]
    assert client.get("/sign-in/providers/new/").status_code == 200
    response = register(client, world)
    assert response.status_code == 302

    idp = IdentityProvider.objects.get()
    assert (idp.agency, idp.slug, idp.issuer) == (
        world.la,
        "la",
        "https://login.example/tenant/v2.0",
    )
    assert idp.domains == ["la.example", "shared.example"]
    assert not idp.allow_account_creation  # off unless the agency admin allows it
    assert "the-secret-value" not in idp.sealed_secret
    assert sealing.unseal(idp.sealed_secret) == "the-secret-value"
    entry = AuditEntry.objects.get(action=AuditAction.STRUCTURE_CHANGE)
    assert entry.detail["secret_changed"] is True
    assert "the-secret-value" not in str(entry.detail)

    # The page shows the callback to give the provider, and never the secret.
    page = client.get(f"/sign-in/providers/{idp.pk}/").content.decode()
    assert "http://testserver/accounts/oidc/la/login/callback/" in page
    assert "the-secret-value" not in page
    # Saved again with the secret left empty: the sealed one is kept.
    client.post(f"/sign-in/providers/{idp.pk}/", {**FORM, "secret": "", "client_id": "hub2"})
    idp.refresh_from_db()
    assert (idp.client_id, sealing.unseal(idp.sealed_secret)) == ("hub2", "the-secret-value")


def test_a_provider_needs_a_secret_and_real_domains(world: World, client_for: object) -> None:
    client = client_for("sysadmin")  # type: ignore[operator]
    response = register(client, world, secret="", allowed_domains="nope")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"secret", "allowed_domains"}
    assert not IdentityProvider.objects.exists()


@pytest.mark.parametrize("name", ["officer", "agency_admin", "involved", "anonymous"])
def test_only_a_system_admin_registers_providers(
    world: World, client_for: object, name: str
) -> None:
    client = client_for(name)  # type: ignore[operator]
    for url in ("/sign-in/providers/", "/sign-in/providers/new/"):
        assert client.get(url).status_code in (302, 403)
    register(client, world)
    assert not IdentityProvider.objects.exists()


def make_provider(world: World, **fields: object) -> IdentityProvider:
    values: dict[str, object] = {
        "agency": world.la,
        "slug": "la",
        "issuer": "https://login.example",
        "client_id": "hub",
        "sealed_secret": sealing.seal("s"),
        "allowed_domains": "la.example",
        **fields,
    }
    return IdentityProvider.objects.create(**values)


def test_the_sign_in_page_offers_each_registered_agency(world: World) -> None:
    make_provider(world)
    make_provider(world, agency=world.police, slug="police", enabled=False)
    page = Client().get("/accounts/login/").content.decode()
    assert "Sign in with Testshire Council" in page
    assert 'action="/accounts/oidc/la/login/' in page
    assert "Testshire Police" not in page  # not offered while switched off


def test_no_button_without_a_provider(world: World) -> None:
    assert "Sign in with" not in Client().get("/accounts/login/").content.decode()


def test_the_agency_admin_allows_first_sign_ins_to_create_accounts(world: World) -> None:
    idp = make_provider(world)
    admin = UserFactory(email="admin@la.example", agency=world.la, roles=[Role.AGENCY_ADMIN])
    client = Client()
    client.force_login(admin)
    assert "Your agency's sign-in" in client.get("/sign-in/agency/").content.decode()
    client.post("/sign-in/agency/account-creation/", {"allow_account_creation": "on"})
    idp.refresh_from_db()
    assert idp.allow_account_creation
    client.post("/sign-in/agency/account-creation/", {})
    idp.refresh_from_db()
    assert not idp.allow_account_creation
    assert AuditEntry.objects.filter(action=AuditAction.STRUCTURE_CHANGE).count() == 2


def test_another_agencys_admin_cannot_change_the_councils_choice(
    world: World, client_for: object
) -> None:
    idp = make_provider(world)
    client = client_for("agency_admin")  # type: ignore[operator]  (the school's admin)
    response = client.post("/sign-in/agency/account-creation/", {"allow_account_creation": "on"})
    assert response.status_code == 403
    idp.refresh_from_db()
    assert not idp.allow_account_creation
    assert client_for("involved").get("/sign-in/agency/").status_code == 403  # type: ignore[operator]


def test_check_deploy_warns_on_a_provider_without_pkce(world: World) -> None:
    make_provider(world)
    assert check_providers_use_pkce() == []
    make_provider(world, agency=world.police, slug="police", pkce=False)
    [warning] = check_providers_use_pkce()
    assert warning.id == "safeguarding.W010"
    assert "Testshire Police" in warning.msg
    # Registered with Django's deploy checks, so `check --deploy` runs it.
    with override_settings(DEBUG=False):
        found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert any(w.id == "safeguarding.W010" for w in found)


def test_the_sign_in_pages_policy_lets_its_forms_go_on_to_the_providers_only(
    world: World,
) -> None:
    make_provider(world, issuer="https://login.example/tenant/v2.0")
    policy = Client().get("/accounts/login/")["Content-Security-Policy"]
    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action"))
    assert form_action.split()[1:] == ["'self'", "https://login.example"]
    other = Client().get("/accounts/password/reset/")["Content-Security-Policy"]
    assert "login.example" not in other


def test_the_home_page_leads_each_admin_to_their_sign_in_page_and_no_one_else(
    world: World, client_for: object
) -> None:
    pages = {
        name: client_for(name).get("/").content.decode()  # type: ignore[operator]
        for name in ("sysadmin", "agency_admin", "involved")
    }
    assert "/sign-in/providers/" in pages["sysadmin"]
    assert "/sign-in/agency/" in pages["agency_admin"]
    assert "/sign-in/providers/" not in pages["agency_admin"]
    assert "/sign-in/" not in pages["involved"]
    # Each link found is a page its user may open.
    assert client_for("agency_admin").get("/sign-in/agency/").status_code == 200  # type: ignore[operator]
    assert client_for("sysadmin").get("/sign-in/providers/").status_code == 200  # type: ignore[operator]
