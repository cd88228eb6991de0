"""No list page's number of queries grows with its rows (no N+1), shared by every app.

`assert_flat(client, url, add)` loads the page once (the first request of a session does
more: the session, last seen), then adds `add(2)` rows and counts the page's queries,
adds `add(10)` more and counts again: the two counts must be equal. Each app lists its
pages in `<app>/tests/test_list_queries.py` with a builder of the listed rows.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return len(captured)


def assert_flat(client: Client, url: str, add: Callable[[int], object]) -> None:
    client.get(url)
    counts = []
    for more in (2, 10):
        add(more)
        counts.append(queries_for(client, url))
    assert counts[0] == counts[1], (
        f"{url}: {counts[0]} queries with a few rows, {counts[1]} with more (N+1)"
    )
