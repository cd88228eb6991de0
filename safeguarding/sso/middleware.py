"""The sign-in pages' Content-Security-Policy lets their forms go on to the agencies'
providers: a form posted to the hub that redirects to a provider is held to `form-action`
at each step, and the hub's policy otherwise allows 'self' only (decision 0005)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse

# allauth's sign-in page and its provider's "continue" page.
SIGN_IN_PAGES = frozenset({"account_login", "openid_connect_login"})


class ProviderFormActionMiddleware:
    """Listed after csp's middleware, so that it marks the answer before csp reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name in SIGN_IN_PAGES:
            from safeguarding.sso import queries

            origins = sorted(
                {
                    f"{parts.scheme}://{parts.netloc}"
                    for parts in (urlsplit(idp.issuer) for idp in queries.sign_in_providers())
                }
            )
            if origins:
                response._csp_update = {"form-action": origins}  # type: ignore[attr-defined]
        return response
