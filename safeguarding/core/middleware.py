"""Session lifetime, the MFA requirement and no caching of signed-in pages, enforced on the
server for every request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from safeguarding.core import audit
from safeguarding.core.models import AuditAction

SESSION_STARTED = "hub_session_started"
SESSION_SEEN = "hub_session_seen"
SEEN_RESOLUTION_SECONDS = 60


class SessionLifetimeMiddleware:
    """Signs a user out after SESSION_IDLE_SECONDS without a request, or SESSION_MAX_SECONDS
    after they signed in, whichever comes first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_STARTED)
            seen = request.session.get(SESSION_SEEN)
            if started is None:
                request.session[SESSION_STARTED] = now
            elif now - started > settings.SESSION_MAX_SECONDS or (
                seen is not None and now - seen > settings.SESSION_IDLE_SECONDS
            ):
                reason = "idle" if now - started <= settings.SESSION_MAX_SECONDS else "lifetime"
                audit.record(AuditAction.SESSION_ENDED, request=request, detail={"reason": reason})
                logout(request)
                messages.info(
                    request,
                    "You were signed out to keep the records safe. Sign in again to carry on.",
                )
                return redirect(f"{reverse('account_login')}?next={request.path}")
            if seen is None or now - seen > SEEN_RESOLUTION_SECONDS:
                # Written at most once a minute: a session write on every request costs
                # a database write per page.
                request.session[SESSION_SEEN] = now
        return self.get_response(request)


SESSION_TRACKED = "hub_session_tracked"


class UserSessionsMiddleware:
    """allauth's record of the user's sessions ("Your sessions", signing out everywhere),
    refreshed at most once a minute, or at once when the address or the browser changes.

    allauth's own middleware rewrites the session's row on every request: a transaction
    of five statements on every page (bench/bench_missing.py). Its "address or browser
    changed" signal still fires on the first request from the new one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from allauth.account.adapter import get_adapter
        from allauth.usersessions import app_settings
        from allauth.usersessions.models import UserSession

        if (
            app_settings.TRACK_ACTIVITY
            and request.session.session_key
            and request.user.is_authenticated
        ):
            now = time.time()
            client = [get_adapter().get_client_ip(request), request.META.get("HTTP_USER_AGENT", "")]
            tracked = request.session.get(SESSION_TRACKED)
            if (
                not isinstance(tracked, list)
                or tracked[1:] != client
                or now - tracked[0] > SEEN_RESOLUTION_SECONDS
            ):
                UserSession.objects.create_from_request(request)
                request.session[SESSION_TRACKED] = [now, *client]
        return self.get_response(request)


# Pages a signed-in user without MFA may still reach: the MFA set-up itself, sign-out,
# and the static files those pages need.
MFA_EXEMPT_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/static/",
)


class RequireMFAMiddleware:
    """MFA is mandatory: a signed-in user with no authenticator is sent to set one up."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(MFA_EXEMPT_PREFIXES):
            from allauth.mfa.models import Authenticator

            from safeguarding.core.auth import second_factor_vouched

            # Signed in through an agency's provider that did MFA (decision 0066).
            if second_factor_vouched(request, user):
                return self.get_response(request)

            if not Authenticator.objects.filter(user=user).exists():
                messages.warning(
                    request,
                    "Set up an authenticator app before you carry on: every account needs one.",
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)


class NoStoreMiddleware:
    """No page is kept by a browser or a proxy once the user is signed in: every answer to a
    signed-in user (a child's record, a list of children, a file) carries
    `Cache-Control: no-store`, so that the back button on a shared computer or a proxy's
    cache cannot show it to the next person. Django's never-cache headers replace
    whatever else the view said; a view that already said no-store keeps its own words.
    An answer to the anonymous gets them too unless its view chose its own caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        said = response.get("Cache-Control", "")
        if "no-store" in said:
            return response
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or not said:
            if said:
                del response["Cache-Control"]
            add_never_cache_headers(response)
        return response
