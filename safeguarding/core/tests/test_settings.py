"""Settings come from the environment only and fail loudly; production is locked down."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client, override_settings
from django.urls import reverse

from safeguarding.conftest import World

PROJECT = Path(__file__).resolve().parents[3]
STRONG_KEY = "k7Qw2Zp9Lx4Vn8Rt1Ym6Hc3Jd5Gf0Bs2Ea7Uo9Ii4Pk1Lj8Mh3Nq6Wr2Xs5Tv0Yz7Cb"


def safeguarding_command(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the console script in a fresh process with exactly these settings variables."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("SAFEGUARDING_", "DATABASE_URL"))
    }
    clean.update(env)
    return subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "safeguarding.manage", *args],
        capture_output=True,
        text=True,
        env=clean,
        cwd=PROJECT,
        timeout=120,
        check=False,
    )


def production(**extra: str) -> dict[str, str]:
    return {
        "SAFEGUARDING_PRODUCTION": "1",
        "SAFEGUARDING_ALLOWED_HOSTS": "hub.example.org",
        **extra,
    }


def test_the_deploy_check_reports_nothing_under_production_settings(tmp_path: Path) -> None:
    result = safeguarding_command(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **production(
            SAFEGUARDING_SECRET_KEY=STRONG_KEY, SAFEGUARDING_AUDIT_CHECKPOINT_DIR=str(tmp_path)
        ),
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "key", ["", "short-key", "django-insecure-" + "x" * 60, "a" * 60, "abcde" * 10 + "12"]
)
def test_production_refuses_to_start_without_a_real_secret_key(key: str) -> None:
    result = safeguarding_command("check", **production(SAFEGUARDING_SECRET_KEY=key))
    assert result.returncode != 0
    assert "SAFEGUARDING_SECRET_KEY is missing or weak" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "abcde" * 10 + "12",  # seven different characters
        "0123456789" * 5,  # ten
        "abcdefghijklmnopqrstuvwxyz" * 2,  # 26 different, but one unit twice
        "Secret-key-for-the-hub!" * 3,  # a phrase repeated
        "x" + STRONG_KEY[:24] + STRONG_KEY[:24] + STRONG_KEY[:24],  # a random unit repeated
    ],
)
def test_a_key_of_little_variety_or_a_repeated_unit_is_weak(key: str) -> None:
    from safeguarding.env import weak_secret_key

    assert len(key) >= 50
    assert weak_secret_key(key, "development")


def test_keys_made_as_django_makes_them_are_never_weak() -> None:
    from django.core.management.utils import get_random_secret_key

    from safeguarding.env import weak_secret_key

    assert not weak_secret_key(STRONG_KEY, "development")
    weak = [k for k in (get_random_secret_key() for _ in range(2000)) if weak_secret_key(k, "d")]
    assert weak == []


@pytest.mark.parametrize("flag", ["SAFEGUARDING_DEBUG", "SAFEGUARDING_DEMO"])
def test_production_refuses_debug_and_the_demo(flag: str) -> None:
    result = safeguarding_command(
        "check",
        **production(SAFEGUARDING_SECRET_KEY=STRONG_KEY, **{flag: "1"}),
    )
    assert result.returncode != 0
    assert "must be off when SAFEGUARDING_PRODUCTION is on" in result.stderr


def test_the_demo_needs_debug() -> None:
    result = safeguarding_command("check", SAFEGUARDING_DEMO="1")
    assert result.returncode != 0 and "SAFEGUARDING_DEMO needs SAFEGUARDING_DEBUG" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SAFEGUARDING_DEBUG", "maybe", "SAFEGUARDING_DEBUG='maybe' is not a yes/no value"),
        ("SAFEGUARDING_SESSION_IDLE_MINUTES", "half an hour", "is not a whole number"),
        ("SAFEGUARDING_SESSION_IDLE_MINUTES", "0", "must be at least 1"),
        ("SAFEGUARDING_ALLOWED_HOSTS", " , ", "names nothing"),
        ("DATABASE_URL", "nosuchdb://x", "DATABASE_URL cannot be understood"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(
    name: str, value: str, message: str
) -> None:
    result = safeguarding_command("check", **{name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_cookies_are_secure_and_hsts_is_on() -> None:
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.DEBUG)"
    )
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("SAFEGUARDING_", "DATABASE_URL"))
    }
    clean.update(
        production(SAFEGUARDING_SECRET_KEY=STRONG_KEY),
        DJANGO_SETTINGS_MODULE="safeguarding.settings",
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=clean,
        cwd=PROJECT,
        check=False,
        timeout=60,
    )  # noqa: S603
    assert result.stdout.split() == ["True", "True", "True", "True", "False"], result.stderr


@pytest.mark.django_db
def test_the_demo_code_signs_in_only_when_the_demo_setting_put_it_there(world: World) -> None:
    assert Authenticator.objects.filter(user=world.users["involved"]).exists()
    with override_settings(DEBUG=True, MFA_TOTP_INSECURE_BYPASS_CODE="123456"):
        client = Client()
        client.post(
            reverse("account_login"),
            {"login": "involved@la.example", "password": "correct-horse-battery-staple-42"},
        )
        client.post(reverse("mfa_authenticate"), {"code": "123456"})
        assert client.get(reverse("core:home")).status_code == 200
    # Outside the demo the same code is refused: test_accounts.test_the_demo_code_is_refused_outside_the_demo.


def test_every_response_carries_a_strict_content_security_policy(client: Client, db: None) -> None:
    response = client.get(reverse("account_login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
