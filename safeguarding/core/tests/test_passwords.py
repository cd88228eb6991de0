"""Passwords: every change, first setting and reset is in the audit log, and a reset asked
for an address with no account sends nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from safeguarding.conftest import World
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "a-Brand-new-passphrase-9"  # noqa: S105

pytestmark = pytest.mark.django_db(transaction=True)  # allauth sends after the commit


def password_entries(user_id: int) -> list[Any]:
    return list(
        AuditEntry.objects.filter(user_id=user_id, action=AuditAction.PASSWORD_CHANGE)
        .order_by("seq")
        .values_list("detail", flat=True)
    )


def test_a_reset_asked_for_an_unknown_address_sends_nothing(
    world: World, mailoutbox: list[Any]
) -> None:
    response = Client().post(reverse("account_reset_password"), {"email": "nobody@nowhere.example"})
    assert response.status_code == 302, "the page answers as for a known address"
    assert mailoutbox == []


def test_a_password_reset_from_the_emailed_link_is_audited(
    world: World, mailoutbox: list[Any]
) -> None:
    user = world.users["involved"]
    Client().post(reverse("account_reset_password"), {"email": user.email})
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mailoutbox[0].body)
    assert link, mailoutbox[0].body
    client = Client()
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link.group(1),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert password_entries(user.pk) == [{"how": "reset"}]


def test_changing_ones_own_password_is_audited(
    world: World, client_for: Callable[[str], Client]
) -> None:
    user = world.users["involved"]
    response = client_for("involved").post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert password_entries(user.pk) == [{"how": "changed"}]
    entry = AuditEntry.objects.get(user_id=user.pk, action=AuditAction.PASSWORD_CHANGE)
    assert entry.object_type == "user" and entry.object_id == str(user.pk)


def test_setting_a_first_password_is_audited(world: World) -> None:
    newcomer = UserFactory(email="first@la.example", agency=world.la, roles=[Role.PRACTITIONER])
    newcomer.set_unusable_password()
    newcomer.save()
    client = Client()
    client.force_login(newcomer)
    response = client.post(
        reverse("account_set_password"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert password_entries(newcomer.pk) == [{"how": "set"}]
