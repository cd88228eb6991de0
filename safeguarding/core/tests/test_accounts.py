"""Accounts: sign-in with MFA, lockout, session lifetime, signing out everywhere."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.usersessions.models import UserSession
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from safeguarding.conftest import World
from safeguarding.core.middleware import SESSION_SEEN, SESSION_STARTED, SESSION_TRACKED
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import PASSWORD, TOTP_SECRET, UserFactory

pytestmark = pytest.mark.django_db


def current_code(secret: str = TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(client: Client, email: str, password: str = PASSWORD) -> object:
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_sign_in_needs_the_password_and_then_the_authenticator_code(world: World) -> None:
    client = Client()
    response = sign_in(client, "involved@la.example")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("core:home")).status_code == 302, "not signed in before the code"
    refused = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert refused.status_code == 200
    done = client.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert done.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    actions = set(
        AuditEntry.objects.filter(user_email="involved@la.example").values_list("action", flat=True)
    )
    assert {AuditAction.SIGN_IN, AuditAction.MFA_FAILED} <= actions


def test_a_wrong_password_is_audited_against_the_account(world: World) -> None:
    sign_in(Client(), "involved@la.example", "not-the-password-at-all")
    entry = AuditEntry.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert entry.user_id == world.users["involved"].pk


def test_five_failed_sign_ins_lock_the_account_even_against_the_right_password(
    world: World,
) -> None:
    client = Client()
    for _ in range(5):
        sign_in(client, "involved@la.example", "wrong-password-guess")
    locked = sign_in(Client(REMOTE_ADDR="10.9.9.9"), "involved@la.example")
    assert locked.status_code == 200
    assert "Too many failed login attempts" in locked.content.decode()
    assert AuditEntry.objects.filter(
        action=AuditAction.LOCKED_OUT, user_id=world.users["involved"].pk
    ).exists()
    other = sign_in(Client(), "panel@icb.example")
    assert other.status_code == 302, "another account is not locked"


def test_the_demo_code_is_refused_outside_the_demo(world: World) -> None:
    client = Client()
    sign_in(client, "involved@la.example")
    client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert client.get(reverse("core:home")).status_code == 302


def test_a_user_without_an_authenticator_is_sent_to_set_one_up(world: World) -> None:
    user = UserFactory(agency=world.la, roles=[Role.PRACTITIONER], mfa=False)
    client = Client()
    client.force_login(user)
    for url in (reverse("core:home"), reverse("children:list")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_passwords_shorter_than_twelve_or_common_are_refused() -> None:
    for weak in ("Short1!pass", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("a long and unusual phrase 7")


def test_an_idle_session_ends_after_thirty_minutes(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("involved")
    assert client.get(reverse("core:home")).status_code == 200
    session = client.session
    session[SESSION_SEEN] = time.time() - 31 * 60
    session.save()
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert client.get(reverse("core:home")).status_code == 302
    assert AuditEntry.objects.filter(
        action=AuditAction.SESSION_ENDED, detail__reason="idle"
    ).exists()


def test_a_busy_session_still_ends_after_twelve_hours(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("involved")
    client.get(reverse("core:home"))
    session = client.session
    session[SESSION_STARTED] = time.time() - 12 * 3600 - 5
    session[SESSION_SEEN] = time.time()
    session.save()
    assert client.get(reverse("core:home")).status_code == 302


def test_a_session_within_its_limits_carries_on(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("involved")
    client.get(reverse("core:home"))
    session = client.session
    session[SESSION_SEEN] = time.time() - 29 * 60
    session.save()
    assert client.get(reverse("core:home")).status_code == 200


def real_session(email: str) -> Client:
    """A session made through the real sign-in, so allauth tracks it."""
    client = Client()
    sign_in(client, email)
    # A TOTP code is accepted once (replay protection, kept in the cache); a second
    # device in the same 30 seconds would wait for the next code.
    cache.clear()
    client.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert client.get(reverse("core:home")).status_code == 200
    return client


def test_disabling_an_account_signs_it_out_everywhere(
    world: World, client_for: Callable[[str], Client]
) -> None:
    laptop, phone = real_session("involved@la.example"), real_session("involved@la.example")
    assert UserSession.objects.filter(user=world.users["involved"]).count() == 2
    admin = UserFactory(agency=world.la, roles=[Role.AGENCY_ADMIN])
    client = Client()
    client.force_login(admin)
    response = client.post(reverse("core:user_toggle", kwargs={"pk": world.users["involved"].pk}))
    assert response.status_code == 302
    assert laptop.get(reverse("core:home")).status_code == 302
    assert phone.get(reverse("core:home")).status_code == 302
    assert not UserSession.objects.filter(user=world.users["involved"]).exists()
    again = Client()
    assert sign_in(again, "involved@la.example")["Location"] == reverse("account_inactive")
    assert again.get(reverse("core:home")).status_code == 302, "cannot sign in again"


def test_removing_an_agency_signs_its_users_out_at_once(
    world: World, client_for: Callable[[str], Client]
) -> None:
    practitioner = real_session("involved@la.example")
    officer = UserFactory(agency=world.school, roles=[Role.PARTNERSHIP_OFFICER])
    client = Client()
    client.force_login(officer)
    client.post(reverse("core:agency_remove", kwargs={"code": "LA"}))
    assert practitioner.get(reverse("core:home")).status_code == 302
    world.la.refresh_from_db()
    assert world.la.removed_at is not None


def test_the_session_list_is_written_once_a_minute_or_when_the_browser_changes(
    world: World,
) -> None:
    client = real_session("involved@la.example")
    session = UserSession.objects.get(user=world.users["involved"])
    UserSession.objects.filter(pk=session.pk).update(user_agent="seen before")
    client.get(reverse("core:home"))
    assert UserSession.objects.get(pk=session.pk).user_agent == "seen before", (
        "no write on every request"
    )
    client.get(reverse("core:home"), headers={"user-agent": "Another browser"})
    assert UserSession.objects.get(pk=session.pk).user_agent == "Another browser"
    stored = client.session
    stored[SESSION_TRACKED] = [time.time() - 61, *stored[SESSION_TRACKED][1:]]
    stored.save()
    UserSession.objects.filter(pk=session.pk).update(user_agent="a minute ago")
    client.get(reverse("core:home"), headers={"user-agent": "Another browser"})
    assert UserSession.objects.get(pk=session.pk).user_agent == "Another browser"


def test_a_user_sees_their_sessions_and_ends_the_others(world: World) -> None:
    first, second = real_session("involved@la.example"), real_session("involved@la.example")
    page = first.get(reverse("usersessions_list"))
    assert page.status_code == 200
    first.post(reverse("usersessions_list"), {})
    assert second.get(reverse("core:home")).status_code == 302
    assert first.get(reverse("core:home")).status_code == 200


@pytest.mark.django_db(transaction=True)  # allauth signals, and emails, after the commit
def test_setting_up_an_authenticator_is_audited_and_needs_no_second_password(
    world: World, mailoutbox: list[Any]
) -> None:
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    newcomer = UserFactory(
        email="new@la.example", agency=world.la, roles=[Role.PRACTITIONER], mfa=False
    )
    client = Client()
    assert sign_in(client, "new@la.example")["Location"] == reverse("core:home")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200, "a password typed a moment ago counts as recent"
    secret = client.session[SECRET_SESSION_KEY]
    client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert client.get(reverse("core:home")).status_code == 200
    actions = list(AuditEntry.objects.filter(user_id=newcomer.pk).values_list("action", "detail"))
    assert (AuditAction.MFA_ADDED, {"type": "totp"}) in actions
    assert (AuditAction.MFA_ADDED, {"type": "recovery_codes"}) in actions
    assert any(message.to == ["new@la.example"] for message in mailoutbox), (
        "the user is told by email"
    )
