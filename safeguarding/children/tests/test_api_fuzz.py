"""Schemathesis against every operation of the OpenAPI document, in-process.

For each operation of children/openapi.py's document, schemathesis sends the document's
examples, then generated requests (valid and invalid against the schema) through the WSGI
app with a live token of the test's own agency, and fails on any server error (5xx), a
status the document does not list, or a response that does not match the document's
schema for it. The number of examples is bounded and derandomised, so a run is the same
every time and takes well under a minute (docs/decisions/0059).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from safeguarding.children import openapi
from safeguarding.children.tests.test_api import PLAIN
from safeguarding.conftest import World
from safeguarding.exploitation.tests.test_flag_api import flag_the_child

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
]
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 16,
        "generation": {"mode": "all", "max-examples": 25},
        # The examples, coverage (boundary and unusual values, a fixed set per operation)
        # and fuzzing phases; no stateful phase (its links are not described).
        "phases": {"stateful": {"enabled": False}},
        "checks": {
            "enabled": False,
            **{name: {"enabled": True} for name in CHECKS},
        },
    }
)
schema = schemathesis.openapi.from_dict(openapi.document(), config=CONFIG)
schema.app = get_wsgi_application()


@pytest.fixture
def app_keeps_the_test_connection() -> Iterator[None]:
    """The WSGI app closes the database connection after each request, as in production;
    the test's transaction lives on it, so keep it open, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(world: World, app_keeps_the_test_connection: None) -> str:
    """A live token of the council, which holds a record of the child, and a flag about
    the child, so that the flags operation answers with a flag to check."""
    flag_the_child(world)
    return PLAIN


@pytest.mark.django_db(transaction=False)
@schema.parametrize()
@settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_operation_gives_a_server_error_or_breaks_its_schema(case: Any, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
