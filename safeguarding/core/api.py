"""What the hub's JSON APIs share: the bearer-token guard and the error answer. The
child index's import API, the data set's values API and the exploitation flag register
take an agency's token (core/tokens.py; decision 0063).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from safeguarding.core import tokens

ApiView = Callable[..., HttpResponse]
SchemaFunction = Callable[[], dict[str, Any]]


class SchemaRegistry:
    """Schemas of the API document (children/openapi/) that other apps describe: the
    exploitation flag register's item is exploitation's (its home.py registers it), so
    that the child index names no app above it (decision 0062)."""

    def __init__(self) -> None:
        self._functions: dict[str, SchemaFunction] = {}

    def register(self, name: str) -> Callable[[SchemaFunction], SchemaFunction]:
        def add(func: SchemaFunction) -> SchemaFunction:
            self._functions[name] = func
            return func

        return add

    def __call__(self, name: str) -> dict[str, Any]:
        return self._functions[name]()


openapi_schemas = SchemaRegistry()


def openapi_schema(name: str) -> dict[str, Any]:
    """The registered schema `name` (KeyError if no app registered it)."""
    return openapi_schemas(name)


def error(status: int, message: str, **extra: Any) -> JsonResponse:
    response = JsonResponse({"error": message, **extra}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="import API"'
    response["Cache-Control"] = "no-store"
    return response


def token_required(*methods: str) -> Callable[[ApiView], ApiView]:
    """Allow only these methods, then only a live bearer token; the token's agency is the caller.

    The session user is dropped, so nothing downstream can act for a signed-in browser.
    """

    def decorator(view: ApiView) -> ApiView:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = error(405, f"Use {' or '.join(methods)} here.")
                response["Allow"] = ", ".join(methods)
                return response
            request.user = AnonymousUser()
            scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not presented.strip():
                return error(
                    401, "Send your agency's API token as 'Authorization: Bearer <token>'."
                )
            token = tokens.authenticate_token(presented)
            if token is None:
                return error(401, "This token is not known or has been revoked.")
            return view(request, token, *args, **kwargs)

        # Marks an API operation: a test finds every one by it and checks that the OpenAPI
        # document describes it (children/tests/test_api.py walks the URLs for it).
        wrapped.api_methods = methods  # type: ignore[attr-defined]
        return wrapped

    return decorator
