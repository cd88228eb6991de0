"""The demo's publications pass the disclosure audit: everything published for each of
its years, the data set's CSVs and the annual report's tables, protected together
(docs/decisions/0068-protection-across-linked-tables.md)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from safeguarding.insight import queries

pytestmark = pytest.mark.django_db


def test_every_publication_of_the_demo_passes_the_audit() -> None:
    call_command("demo", "--scale", "0.02", "--no-progress", stdout=StringIO(), stderr=StringIO())
    small = hidden = 0
    for year in (2023, 2024):
        found = queries.year_protection(year)
        findings = found.audit()
        assert findings, "the demo's year has hidden counts to check"
        exposed = [f.key for f in findings if not f.protected]
        assert exposed == []
        assert found.pattern.primary <= found.pattern.hidden
        small += found.small_cells
        hidden += found.hidden_cells
        print(year, len(found.linked.figures), found.small_cells, found.hidden_cells)
    assert hidden <= 1.3 * small, (hidden, small)
