"""Limits on what an anonymous caller may ask of the costly public pages
(docs/decisions/0055-published-files-and-public-limits.md).

A per-address fixed window, counted in the shared cache (the database, CACHES), as
django-ratelimit counts: the key names the scope, the address and the window's start, is
added at 0 with the window as its lifetime, and incremented on each request. Past the
limit the caller gets 429 with Retry-After (the seconds left in the window) and a page
that says so. Signed-in users are not limited here: they are few, known and accountable,
and allauth limits the sign-in forms for everyone (ACCOUNT_RATE_LIMITS).

Under many processes the increment is not atomic on every cache (a get and a set), so a
burst may pass a few requests over: a limit against one caller stalling the server, not
an exact quota.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string

from safeguarding.core.audit import client_address


@dataclass(frozen=True)
class Limit:
    """At most `requests` in `seconds` from one address, counted over every URL named."""

    requests: int
    seconds: int
    url_names: frozenset[str]
    methods: frozenset[str] | None = None  # None: every method
    what: str = "this page"  # the 429 page says "You have asked for {what} too often"

    def described(self) -> str:
        """As docs/security.md's table of public pages gives it: "20 a minute (POST)"."""
        every = "a minute" if self.seconds == 60 else f"in {self.seconds // 60} minutes"
        methods = f" ({', '.join(sorted(self.methods))})" if self.methods else ""
        return f"{self.requests} {every}{methods}"


# The one table of limits. URL names as `namespace:name` (allauth's have no namespace).
LIMITS: dict[str, Limit] = {
    # A published report's files are kept, so a download costs a file read; the limit
    # keeps one address from tying up the workers with them.
    "report_download": Limit(20, 60, frozenset({"reports:download"}), what="the report's files"),
    # Each of these sends an email: to the address typed in, or the learner's own.
    "training_email": Limit(
        30,
        600,
        frozenset({"training:register", "training:send_link", "training:book", "training:cancel"}),
        methods=frozenset({"POST"}),
        what="training bookings and links",
    ),
    "api_docs": Limit(
        30, 60, frozenset({"api:index", "api:openapi"}), what="the API's documentation"
    ),
    # Every try hashes a password or checks a code; allauth's own limits (lockout per
    # account) still apply beneath this one.
    "sign_in": Limit(
        20,
        60,
        frozenset(
            {
                "account_login",
                "account_reset_password",
                "account_reset_password_from_key",
                "mfa_authenticate",
            }
        ),
        methods=frozenset({"POST"}),
        what="sign-in",
    ),
}


def limit_of(url_name: str) -> Limit | None:
    return next((limit for limit in LIMITS.values() if url_name in limit.url_names), None)


def scope_for(url_name: str | None, method: str) -> tuple[str, Limit] | None:
    if not url_name:
        return None
    for scope, limit in LIMITS.items():
        if url_name in limit.url_names and (limit.methods is None or method in limit.methods):
            return scope, limit
    return None


def hit(scope: str, limit: Limit, address: str, now: float | None = None) -> int:
    """Count one request; the seconds to wait if it is over the limit, else 0."""
    now = time.time() if now is None else now
    start = int(now // limit.seconds) * limit.seconds
    key = f"limit:{scope}:{address}:{start}"
    cache.add(key, 0, timeout=limit.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the add and the incr: a new window
        cache.add(key, 1, timeout=limit.seconds + 1)
        count = 1
    if count <= limit.requests:
        return 0
    return max(1, int(start + limit.seconds - now + 0.999))


def too_many(request: HttpRequest, limit: Limit, retry_after: int) -> HttpResponse:
    minutes = (retry_after + 59) // 60
    wait = "a minute" if minutes <= 1 else f"{minutes} minutes"
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"error": "too_many_requests", "retry_after": retry_after}, status=429
        )
    else:
        context = {"what": limit.what, "wait": wait}
        response = HttpResponse(render_to_string("429.html", context, request=request), status=429)
    response["Retry-After"] = str(retry_after)
    return response


class AnonymousLimitMiddleware:
    """Applies LIMITS to callers who are not signed in, before the view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.user.is_authenticated:
            return None
        match = request.resolver_match
        method = "GET" if request.method == "HEAD" else (request.method or "GET")
        found = scope_for(match.view_name if match else None, method)
        if found is None:
            return None
        scope, limit = found
        wait = hit(scope, limit, client_address(request) or "unknown")
        return too_many(request, limit, wait) if wait else None
