"""The annual report's pages in the access matrix (core/tests/matrix.py).

The published report is public: everyone, signed in or not, reads and downloads it. A
draft is for the partnership's staff and the executive: anyone else gets the 404 of a
report that does not exist (tests/test_pages.py). Partnership officers write, enter the
year's figures and publish; the executive also sees what changed since publication.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core.tests.matrix import OK, USERS, Entries, expect
from safeguarding.reports import actions
from safeguarding.reports.models import AnnualReport, FinanceKind, FinanceLine, ReportStatus

EVERYONE = dict.fromkeys(USERS, OK)
OFFICER = expect(officer=OK)


def _published(w: World) -> dict[str, Any]:
    """A report published before its files were kept (so without them: a download builds
    its one file, as for such a report in a live database); publishing itself builds all
    three, seconds a time, which the matrix's dozens of requests need not wait for."""
    report = AnnualReport.objects.filter(year=2023).first()
    if report is None:
        report = actions.create_report(2023)
        AnnualReport.objects.filter(pk=report.pk).update(
            status=ReportStatus.PUBLISHED,
            snapshot={"sections": [], "figures": {}},
            published_at=timezone.now(),
            published_by=w.users["officer"],
        )
    return {"year": report.slug}


def _draft(w: World) -> dict[str, Any]:
    return {"year": actions.create_report(2024).slug}


def _section(w: World) -> dict[str, Any]:
    return {**_draft(w), "key": "foreword"}


def _line(w: World) -> dict[str, Any]:
    line = FinanceLine.objects.create(year=2024, kind=FinanceKind.SPEND, label="Matrix", amount=1)
    return {"year": "2024-25", "pk": line.pk}


ENTRIES: Entries = {
    "reports:index": (lambda w: {}, EVERYONE),
    "reports:create": (lambda w: {}, expect(officer=405)),
    "reports:report": (_published, EVERYONE),
    # Word, not the web page: the accessibility scan opens every matrix page in Chromium,
    # which would download an HTML attachment; browser/test_reports.py scans that one.
    "reports:download": (lambda w: {**_published(w), "fmt": "docx"}, EVERYONE),
    "reports:changes": (_published, expect(officer=OK, executive=OK)),
    "reports:publish": (_draft, OFFICER),
    "reports:disclosure": (_draft, OFFICER),
    "reports:section_edit": (_section, OFFICER),
    "reports:section_blocks": (_section, OFFICER),
    "reports:year_entries": (lambda w: {"year": "2024-25"}, OFFICER),
    "reports:finance_add": (lambda w: {"year": "2024-25"}, OFFICER),
    "reports:finance_remove": (_line, expect(officer=405)),
    "reports:area_import": (lambda w: {"year": "2024-25"}, OFFICER),
    "reports:deaths": (lambda w: {"year": "2024-25"}, OFFICER),
}
