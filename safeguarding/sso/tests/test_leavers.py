"""Leavers: accounts not seen at their agency's provider for N days are disabled nightly,
and the agency admin sees who."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import UserFactory
from safeguarding.sso import sealing
from safeguarding.sso.models import DisabledLeaver, IdentityProvider


def link(user: object, provider: str, days_ago: int) -> SocialAccount:
    account = SocialAccount.objects.create(user=user, provider=provider, uid=str(user.pk))  # type: ignore[attr-defined]
    # last_login is auto_now: set it past by an update, as time passing would.
    SocialAccount.objects.filter(pk=account.pk).update(
        last_login=timezone.now() - timedelta(days=days_ago)
    )
    return account


def test_the_nightly_check_disables_accounts_unseen_at_the_provider(world: World) -> None:
    la = IdentityProvider.objects.create(
        agency=world.la,
        slug="la",
        issuer="https://login.example",
        client_id="hub",
        sealed_secret=sealing.seal("s"),
        allowed_domains="la.example",
        leaver_days=30,
    )
    IdentityProvider.objects.create(
        agency=world.police,
        slug="police",
        issuer="https://police.example",
        client_id="hub",
        sealed_secret=sealing.seal("s"),
        allowed_domains="police.example",
        leaver_days=90,
    )
    gone = world.users["involved"]
    recent = world.users["analyst"]
    police_officer = UserFactory(email="pc@police.example", agency=world.police)
    link(gone, "la", days_ago=31)
    link(recent, "la", days_ago=29)
    link(police_officer, "police", days_ago=45)  # within the police's 90 days
    never_linked = world.users["officer"]  # signs in with a hub password only
    browser = Client()
    browser.force_login(gone)
    browser.get("/")  # the hub records the session (allauth's user sessions)
    assert UserSession.objects.filter(user=gone).exists()

    out = StringIO()
    call_command("disable_sso_leavers", stdout=out)

    for user in (gone, recent, police_officer, never_linked):
        user.refresh_from_db()
    assert not gone.is_active
    assert recent.is_active and police_officer.is_active and never_linked.is_active
    assert "involved@la.example" in out.getvalue()
    [row] = DisabledLeaver.objects.all()
    assert (row.user, row.provider) == (gone, la)
    assert not UserSession.objects.filter(user=gone).exists()
    entry = AuditEntry.objects.get(action=AuditAction.USER_CHANGE, object_id=str(gone.pk))
    assert entry.detail["reason"] == "not seen at the provider"

    # Run again the next night: nobody twice.
    call_command("disable_sso_leavers", stdout=StringIO())
    assert DisabledLeaver.objects.count() == 1

    # The council's agency admin sees who; the school's admin does not see the council's.
    admin = UserFactory(email="admin@la.example", agency=world.la, roles=[Role.AGENCY_ADMIN])
    client = Client()
    client.force_login(admin)
    assert "involved@la.example" in client.get("/sign-in/agency/").content.decode()
    school_admin = Client()
    school_admin.force_login(world.users["agency_admin"])
    assert "involved@la.example" not in school_admin.get("/sign-in/agency/").content.decode()
