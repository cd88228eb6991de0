"""The limits on anonymous callers of the costly public pages (core/limits.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from safeguarding.conftest import World
from safeguarding.core import limits
from safeguarding.core.limits import LIMITS, Limit
from safeguarding.core.public import PUBLIC_PAGES

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    for scope, limit in list(LIMITS.items()):
        monkeypatch.setitem(LIMITS, scope, Limit(2, 60, limit.url_names, limit.methods, limit.what))


def test_an_address_over_the_limit_gets_429_with_retry_after_and_a_page_saying_why(
    world: World, two_a_minute: None
) -> None:
    caller = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(2):
        assert caller.get(reverse("api:openapi")).status_code == 200
    refused = caller.get(reverse("api:openapi"))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["error"] == "too_many_requests"
    page = caller.get(reverse("api:index"))  # the same scope: counted together
    assert page.status_code == 429
    assert Client(REMOTE_ADDR="203.0.113.8").get(reverse("api:openapi")).status_code == 200, (
        "another address has its own count"
    )


def test_the_429_page_of_an_html_page_says_what_and_how_long(
    world: World, two_a_minute: None
) -> None:
    caller = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(2):
        caller.post(reverse("training:send_link"), {"email": "someone@charity.example"})
    refused = caller.post(reverse("training:send_link"), {"email": "someone@charity.example"})
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "Too many requests" in text and "training bookings and links" in text
    assert "Wait a minute" in text or "minutes" in text
    assert caller.get(reverse("training:send_link")).status_code == 200, "only POSTs count"


def test_sign_in_attempts_are_limited_per_address(world: World, two_a_minute: None) -> None:
    caller = Client(REMOTE_ADDR="203.0.113.10")
    form = {"login": "nobody@la.example", "password": "not-the-password"}
    for _ in range(2):
        assert caller.post(reverse("account_login"), form).status_code == 200
    assert caller.post(reverse("account_login"), form).status_code == 429


def test_signed_in_users_are_not_limited(
    world: World, client_for: Callable[[str], Client], two_a_minute: None
) -> None:
    officer = client_for("officer")
    assert all(officer.get(reverse("api:openapi")).status_code == 200 for _ in range(4))


def test_the_window_is_fixed_and_starts_again(world: World) -> None:
    limit = Limit(1, 60, frozenset({"x"}))
    assert limits.hit("t", limit, "198.51.100.1", now=120.0) == 0
    assert limits.hit("t", limit, "198.51.100.1", now=150.0) == 30
    assert limits.hit("t", limit, "198.51.100.1", now=179.5) == 1
    assert limits.hit("t", limit, "198.51.100.1", now=180.0) == 0, "a new window"


def test_every_limited_page_is_a_public_page() -> None:
    limited = set().union(*(limit.url_names for limit in LIMITS.values()))
    # The code after the password: reached by the not yet signed in, once the password is
    # right (a fresh anonymous caller is sent to sign in).
    second_step = {"mfa_authenticate"}
    assert limited <= set(PUBLIC_PAGES) | second_step, "a limit on a page nobody reaches"
    for costly in ("reports:download", "training:register", "api:openapi", "account_login"):
        assert costly in limited, costly
