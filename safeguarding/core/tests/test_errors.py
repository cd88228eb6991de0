"""Error pages speak the partnership's language and look like the rest of the site."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client, RequestFactory

from safeguarding.conftest import World
from safeguarding.core import errors

pytestmark = pytest.mark.django_db


def test_a_missing_page_gets_the_styled_404(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("involved").get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page and "Testshire Safeguarding Children Partnership" in page
    assert "css/main.css" in page


def test_a_page_outside_the_role_gets_the_styled_403(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("analyst").get("/audit/")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


def test_the_500_page_renders_without_the_database(
    django_assert_num_queries: Callable[..., object],
) -> None:
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):  # type: ignore[operator]
        response = errors.server_error(request)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
