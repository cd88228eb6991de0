"""The demo partnership's structure and people: agencies, roles, the fixed users, signing in and the sign-in help."""

from __future__ import annotations

import re
import time
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from safeguarding.core.access import visible_children
from safeguarding.core.models import (
    Agency,
    AgencyKind,
    Panel,
    PanelKind,
    Partnership,
    Priority,
    RoleGrant,
    SubGroup,
    User,
)
from safeguarding.core.roles import Role
from safeguarding.demo import (
    generator,
)
from safeguarding.demo.partnership import DEMO_PASSWORD, FIXED_USERS
from safeguarding.demo.tests.support import (
    MEDIUM,
    SMALL,
    fixed,
    run_demo,
    system,
)

pytestmark = pytest.mark.django_db


def test_every_role_is_held_by_some_user() -> None:
    run_demo("--scale", SMALL)
    assert set(RoleGrant.objects.values_list("role", flat=True)) == set(Role.values)
    # And by generated users too, in several agencies, not only by the fixed ones.
    fixed_emails = {f.email for f in FIXED_USERS}
    generated = RoleGrant.objects.exclude(user__email__in=fixed_emails)
    assert generated.values("user__agency").distinct().count() >= 5


def test_the_three_statutory_partners_exist() -> None:
    run_demo("--scale", SMALL)
    partners = Agency.objects.filter(statutory_partner=True)
    assert sorted(partners.values_list("kind", flat=True)) == sorted(
        [AgencyKind.LOCAL_AUTHORITY, AgencyKind.HEALTH_ICB, AgencyKind.POLICE]
    )
    assert set(partners.values_list("code", flat=True)) == {"LA", "ICB", "POLICE"}
    assert Agency.objects.get(code="LA").name == "Wealdmoor Council"


def test_the_partnership_has_its_agencies_sub_groups_priorities_and_panels() -> None:
    run_demo("--scale", SMALL)
    settings = Partnership.objects.get()
    assert (settings.name, settings.area) == (
        "Wealdmoor Safeguarding Children Partnership",
        "Wealdmoor",
    )
    assert (settings.financial_year_start_month, settings.financial_year_start_day) == (4, 1)
    relevant = Agency.objects.filter(statutory_partner=False)
    assert 18 <= relevant.count() <= 25
    kinds = set(relevant.values_list("kind", flat=True))
    assert kinds >= {
        AgencyKind.HEALTH_TRUST,
        AgencyKind.HEALTH_GP,
        AgencyKind.SCHOOL,
        AgencyKind.COLLEGE,
        AgencyKind.EARLY_YEARS,
        AgencyKind.VOLUNTARY,
        AgencyKind.OTHER,
    }
    for agency in Agency.objects.all():
        assert agency.code == agency.code.upper() and agency.email_domains
    assert SubGroup.objects.count() == 6
    assert not SubGroup.objects.filter(chair__isnull=True).exists()
    for group in SubGroup.objects.all():
        assert group.members.count() >= 2
    for year in (2024, 2025):
        priorities = Priority.objects.filter(year=year)
        assert sorted(priorities.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
        assert not priorities.filter(sub_group__isnull=True).exists()
    risk = Panel.objects.get(kind=PanelKind.EXPLOITATION_RISK)
    assert risk.name == "Child Exploitation Risk Assessment Meeting"
    assert risk.members.filter(email="panel@icb.wealdmoor.example").exists()
    assert Panel.objects.get(kind=PanelKind.EXPLOITATION_DISRUPTION).members.exists()


def test_the_fixed_users_see_what_the_access_rules_promise() -> None:
    run_demo("--scale", MEDIUM)
    council = set(visible_children(fixed("practitioner")).values_list("pk", flat=True))
    police = set(visible_children(fixed("police_practitioner")).values_list("pk", flat=True))
    panel = set(visible_children(fixed("panel_member")).values_list("pk", flat=True))
    assert len(council) >= 50
    assert police - council
    listed = set(
        system().panel_entries().filter(removed_at__isnull=True).values_list("child_id", flat=True)
    )
    assert panel == listed
    assert not visible_children(fixed("analyst")).exists()
    outsider = generator.break_glass_candidate()
    assert outsider is not None
    assert outsider.pk not in council | police | panel


def test_the_command_names_a_child_for_the_break_glass_demo() -> None:
    out = run_demo("--scale", SMALL)
    match = re.search(r"try break-glass\): ([0-9a-f-]{36})", out)
    assert match
    child = system().children().get(public_id=match.group(1))
    for key in ("practitioner", "police_practitioner", "panel_member"):
        assert not visible_children(fixed(key)).filter(pk=child.pk).exists()


def test_every_fixed_user_can_sign_in_with_the_password_and_has_an_authenticator() -> None:
    run_demo("--scale", SMALL)
    for f in FIXED_USERS:
        user = authenticate(None, email=f.email, password=DEMO_PASSWORD)
        assert user is not None and user.email == f.email, f.email
        assert set(user.roles) == set(f.roles)
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        code = format_hotp_value(hotp_value(decrypt(totp.data["secret"]), int(time.time()) // 30))
        assert TOTP(totp).validate_code(code)
        assert Authenticator.objects.filter(
            user=user, type=Authenticator.Type.RECOVERY_CODES
        ).exists()


def test_generated_users_can_sign_in_too() -> None:
    run_demo("--scale", SMALL)
    fixed_emails = {f.email for f in FIXED_USERS}
    user = User.objects.exclude(email__in=fixed_emails).order_by("email").first()
    assert user is not None
    assert authenticate(None, email=user.email, password=DEMO_PASSWORD) == user
    assert Authenticator.objects.filter(user=user).count() == 2


def test_a_fixed_user_signs_in_through_the_pages_with_an_authenticator_code() -> None:
    run_demo("--scale", SMALL)
    user = fixed("practitioner")
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    secret = decrypt(
        Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]
    )
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_the_sign_in_help_lists_the_fixed_users_and_their_secrets_when_the_demo_is_off() -> None:
    run_demo("--scale", SMALL)
    out = StringIO()
    with override_settings(DEMO=False, DEMO_MFA_CODE=None):
        call_command("demo_signin_help", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000" in text and DEMO_PASSWORD in text
    assert "SAFEGUARDING_DEMO is off" in text and "123456" not in text
    for f in FIXED_USERS:
        user = User.objects.get(email=f.email)
        secret = decrypt(
            Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]
        )
        assert f.email in text and secret in text
    assert "Information governance lead" in text and "Wealdmoor Academy" in text


def test_the_sign_in_help_gives_the_fixed_code_when_the_demo_is_on() -> None:
    run_demo("--scale", SMALL)
    out = StringIO()
    with override_settings(DEMO=True, DEMO_MFA_CODE="123456"):
        call_command("demo_signin_help", stdout=out)
    assert "Authenticator code: 123456" in out.getvalue()


def test_the_sign_in_help_says_when_there_is_no_demo() -> None:
    with pytest.raises(CommandError, match="demo --reset"):
        call_command("demo_signin_help", stdout=StringIO())
