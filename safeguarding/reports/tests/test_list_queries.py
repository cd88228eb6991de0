"""The annual reports' list reads in a fixed number of queries, however many reports."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

import pytest
from django.test import Client
from django.urls import reverse

from safeguarding.conftest import World
from safeguarding.core.tests.list_queries import assert_flat
from safeguarding.reports.models import AnnualReport, ReportStatus

years = count(2001)


def _reports(world: World, n: int) -> None:
    for i in range(n):
        status = ReportStatus.PUBLISHED if i % 2 else ReportStatus.DRAFT
        AnnualReport.objects.create(year=next(years), status=status)


@pytest.mark.parametrize("user", ["officer", "anonymous"])
def test_the_reports_list_does_not_query_per_report(
    user: str, world: World, client_for: Callable[[str], Client]
) -> None:
    assert_flat(client_for(user), reverse("reports:index"), lambda n: _reports(world, n))
