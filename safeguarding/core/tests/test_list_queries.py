"""The list-page query check (core/tests/list_queries.py) catches a query per row."""

from __future__ import annotations

from typing import Any

import pytest

from safeguarding.core.models import Agency, AgencyKind
from safeguarding.core.tests.list_queries import assert_flat


def test_the_check_catches_a_query_per_row(db: Any) -> None:
    """A page that queried once per row would fail: the helper compares counts."""
    made = []

    def add(n: int) -> None:
        for _ in range(n):
            made.append(
                Agency.objects.create(
                    code=f"A{len(made)}", name=f"Agency {len(made)}", kind=AgencyKind.OTHER
                )
            )

    class PerRow:
        def get(self, url: str) -> object:
            for agency in Agency.objects.all():
                Agency.objects.filter(pk=agency.pk).exists()

            class Ok:
                status_code = 200

            return Ok()

    with pytest.raises(AssertionError, match="N\\+1"):
        assert_flat(PerRow(), "/per-row/", add)  # type: ignore[arg-type]
