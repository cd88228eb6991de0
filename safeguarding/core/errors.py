"""Error pages in the partnership's style. The 500 page renders without the database."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from safeguarding.core.access import ReadOnlyGrounds

    # Only a refusal written for the user is shown; others keep the general wording.
    reason = str(exception) if isinstance(exception, ReadOnlyGrounds) else ""
    return HttpResponse(
        render_to_string("403.html", {"reason": reason}, request=request), status=403
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponse(render_to_string("404.html", request=request), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may be the database the context processors read.
    return HttpResponse(render_to_string("500.html"), status=500)
