"""Reads of the report: who may see and edit it, and the report as drawn (live, or from
its snapshot once published), with what changed since publication."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from safeguarding.core.calendar import year_label
from safeguarding.core.disclosure import Policy
from safeguarding.core.models import Partnership, User
from safeguarding.core.roles import Role
from safeguarding.insight import queries as insight_queries
from safeguarding.reports import blocks, figures, text
from safeguarding.reports.models import (
    AnnualReport,
    ChildDeathCount,
    FinanceLine,
    ReportFile,
    ReportStatus,
    Section,
    YearEntries,
)

# How the report says to its readers which counts it hides.
DISCLOSURE_SENTENCES = {
    Policy.DFE: (
        "Counts of children from 1 to 5 are shown as c, and another count with them where a "
        "total would give them away, so that no child can be recognised."
    ),
    Policy.NHS: (
        "Counts of children from 1 to 7 are shown as *, and every other count is rounded to "
        "the nearest 5, so that no child can be recognised."
    ),
}

# Who writes the narrative, enters the year's figures and publishes.
EDITOR_ROLES = frozenset({Role.PARTNERSHIP_OFFICER})
# Who reads drafts: the partnership's staff and the executive.
DRAFT_READER_ROLES = frozenset({Role.PARTNERSHIP_OFFICER, Role.EXECUTIVE})


def may_edit(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.roles & EDITOR_ROLES)


def may_read_drafts(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.roles & DRAFT_READER_ROLES)


def parse_year(slug: str) -> int:
    """ "2024-25" → 2024; anything else is a page that does not exist."""
    try:
        first, second = slug.split("-")
        year = int(first)
    except ValueError:
        raise Http404("No such year.") from None
    if len(first) != 4 or second != f"{(year + 1) % 100:02d}":
        raise Http404("No such year.")
    return year


def report_for(user: User | AnonymousUser, year: int) -> AnnualReport:
    """The year's report if this user may read it: published, anyone; a draft, only the
    partnership's staff and the executive (a 404 for anyone else, as for none)."""
    report = AnnualReport.objects.filter(year=year).first()
    if report is None or not (report.is_published or may_read_drafts(user)):
        raise Http404("No such report.")
    return report


def reports_for(user: User | AnonymousUser) -> list[AnnualReport]:
    found = AnnualReport.objects.all()
    if not may_read_drafts(user):
        found = found.filter(status=ReportStatus.PUBLISHED)
    return list(found)


def partnership_name() -> str:
    p = Partnership.objects.first()
    return p.name if p else "Safeguarding Children Partnership"


def draw_live(
    report: AnnualReport, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """The report with today's figures and each section's latest text; `progress` is told
    each block's key as it is drawn."""
    with insight_queries.protection_batch():
        return _draw_live(report, progress)


def _draw_live(
    report: AnnualReport, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    # The year's one policy, the one its data set's CSVs use (insight.queries).
    policy = insight_queries.policy_for_year(report.year)
    sections = []
    for section in report.sections.prefetch_related("versions"):
        current = section.current
        markdown = current.text if current else ""
        drawn = []
        for spec in section.blocks:
            with figures.under(policy):
                drawn.append(blocks.draw(spec, report.year))
            if progress is not None:
                progress(spec["block"])
        for n, one in enumerate(drawn, 1):
            for m, chart in enumerate(one.get("charts", []), 1):
                chart["id"] = f"chart-{section.key}-{n}-{m}"  # unique on the page
        sections.append(
            {
                "key": section.key,
                "title": section.title,
                "markdown": markdown,
                "html": text.to_html(markdown),
                "blocks": drawn,
            }
        )
    return _document(report, sections)


def _document(report: AnnualReport, sections: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "partnership": partnership_name(),
        "year": report.year,
        "year_label": year_label(report.year),
        "title": f"Annual report {year_label(report.year)}",
        "published": report.is_published,
        "published_on": timezone.localtime(report.published_at).date()
        if report.published_at
        else None,
        "sections": sections,
        "disclosure": DISCLOSURE_SENTENCES[Policy(report.disclosure_policy)],
    }


def draw(report: AnnualReport) -> dict[str, Any]:
    """The report as it is to be read: frozen once published, live while a draft."""
    if report.is_published and report.snapshot:
        return _document(report, report.snapshot["sections"])
    return draw_live(report)


def figures_of(document: dict[str, Any]) -> dict[str, str]:
    """Every figure of the report by "section · block title · row · column"."""
    out: dict[str, str] = {}
    for section in document["sections"]:
        for drawn in section["blocks"]:
            for label, value in blocks.flatten(drawn).items():
                out[f"{section['title']} · {label}"] = value
    return out


@dataclass(frozen=True)
class Change:
    label: str
    published: str | None  # None: a figure that is new since
    now: str | None  # None: a figure that is gone


def changes_since_published(report: AnnualReport) -> list[Change]:
    """Regenerating a published report: each figure that differs from the snapshot."""
    if not report.is_published or not report.snapshot:
        return []
    then: dict[str, str] = report.snapshot.get("figures", {})
    now = figures_of(draw_live(report))
    return [
        Change(label, then.get(label), now.get(label))
        for label in sorted(set(then) | set(now))
        if then.get(label) != now.get(label)
    ]


def kept_file(report: AnnualReport, fmt: str) -> ReportFile | None:
    """The published report's file in this format as kept in storage, or None if it was
    never built or its file has gone."""
    kept = ReportFile.objects.filter(report=report, fmt=fmt).first()
    if kept is None or not kept.file.name or not kept.file.storage.exists(kept.file.name):
        return None
    return kept


def area_figure_count(year: int) -> int:
    from safeguarding.reports.models import AreaFigure

    return AreaFigure.objects.filter(year=year).count()


# The pages' records (views read through these, docs/decisions/0065).


def section(report: AnnualReport, key: str, *, with_versions: bool = False) -> Section:
    found = Section.objects.prefetch_related("versions__saved_by") if with_versions else Section
    return get_object_or_404(found, report=report, key=key)


def year_entries(year: int) -> YearEntries:
    """The year's communication and finance entries, or a fresh unsaved set."""
    return YearEntries.objects.filter(year=year).first() or YearEntries(year=year)


def finance_lines(year: int) -> QuerySet[FinanceLine]:
    return FinanceLine.objects.filter(year=year).select_related("agency")


def finance_line(year: int, pk: int) -> FinanceLine:
    return get_object_or_404(FinanceLine, pk=pk, year=year)


def death_counts(year: int) -> dict[int, tuple[int, int]]:
    """The child deaths reviewed in a year by category: (modifiable, not modifiable)."""
    return {
        c.category: (c.modifiable, c.not_modifiable)
        for c in ChildDeathCount.objects.filter(year=year)
    }
