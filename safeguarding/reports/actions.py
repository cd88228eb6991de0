"""Every change to a report or the year's entries, each in one transaction."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.utils import timezone

from safeguarding.core import audit, refusals, transactions
from safeguarding.core.disclosure import Policy
from safeguarding.core.models import AuditAction, User
from safeguarding.insight import actions as insight_actions
from safeguarding.reports import blocks, outputs, queries, structure
from safeguarding.reports.models import (
    AnnualReport,
    AreaFigure,
    ChildDeathCount,
    DeathCategory,
    FinanceLine,
    NarrativeVersion,
    ReportFile,
    ReportStatus,
    Section,
    YearEntries,
)


@transactions.action
def create_report(year: int) -> AnnualReport:
    """The year's report with the standard sections (or the existing one)."""
    report, created = AnnualReport.objects.get_or_create(year=year)
    if created:
        Section.objects.bulk_create(
            Section(report=report, key=spec.key, title=spec.title, order=n, blocks=spec.blocks)
            for n, spec in enumerate(structure.sections_for(year), 1)
        )
    return report


class Frozen(refusals.Refused):
    """A published report's text and figures do not change."""

    code = "reports.frozen"


@transactions.action
def save_narrative(
    section: Section, text: str, *, by: User | None, at: Any = None
) -> NarrativeVersion:
    report = AnnualReport.objects.select_for_update().get(pk=section.report_id)
    if report.is_published:
        raise Frozen("This report is published: its text can no longer change.")
    current = section.current
    if current is not None and current.text == text:
        return current
    return NarrativeVersion.objects.create(
        section=section, text=text, saved_by=by, saved_at=at or timezone.now()
    )


class PublishFailed(Exception):
    """The report's files could not be built: nothing was published."""


class StillBuilding(refusals.Refused):
    """Another request is building this file now: ask again in a moment."""

    code = "reports.still_building"


def _store(report: AnnualReport, fmt: str, document: dict[str, Any], written: list[str]) -> None:
    _keep(report, fmt, document, outputs.render(document, fmt), written)


def _keep(
    report: AnnualReport, fmt: str, document: dict[str, Any], content: bytes, written: list[str]
) -> None:
    stored = ReportFile(report=report, fmt=fmt, size=len(content), built_at=timezone.now())
    stored.file.save(outputs.filename(document, fmt), ContentFile(content), save=False)
    written.append(str(stored.file.name))
    stored.save()


def publish(
    report: AnnualReport,
    *,
    by: User,
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> AnnualReport:
    """Freeze the report: every section's text and every figure as drawn now, and its PDF,
    Word and HTML files built once and kept. All or nothing: if a file cannot be built,
    the report stays a draft, no file is left behind, and PublishFailed says which."""
    written: list[str] = []
    fmt = ""
    try:
        with transactions.action():
            report = AnnualReport.objects.select_for_update().get(pk=report.pk)
            if report.is_published:
                raise Frozen("This report is already published.")
            insight_actions.fix_year_policy(report.year)
            document = queries.draw_live(report)
            report.snapshot = {
                "sections": document["sections"],
                "figures": queries.figures_of(document),
            }
            report.status = ReportStatus.PUBLISHED
            report.published_at = at or timezone.now()
            report.published_by = by
            report.save(update_fields=["snapshot", "status", "published_at", "published_by"])
            published = queries.draw(report)
            for fmt in outputs.FORMATS:
                _store(report, fmt, published, written)
            audit.record(
                AuditAction.PUBLISH,
                request=request,
                user=by,
                object_type="annual_report",
                object_id=report.pk,
                detail={"year": report.year, "figures": len(report.snapshot["figures"])},
            )
    except Frozen:
        raise
    except Exception as error:
        for name in written:
            default_storage.delete(name)
        raise PublishFailed(
            f"The report was not published: its {fmt.upper() or 'content'} could not be "
            f"made ({type(error).__name__}: {error}). Nothing has changed; try again, and "
            "tell the system administrator if it fails again."
        ) from error
    return report


def published_file(report: AnnualReport, fmt: str) -> ReportFile:
    """The published report's kept file in this format. A report published before files
    were kept (or whose file has gone from storage) gets it built now, once: one request
    builds while any other asking at the same time is told StillBuilding."""
    if not report.is_published:
        raise ValueError("Only a published report has kept files.")
    kept = queries.kept_file(report, fmt)
    if kept is not None:
        return kept
    lock = f"reports:building:{report.pk}:{fmt}"
    if not cache.add(lock, 1, timeout=BUILD_LOCK_SECONDS):
        raise StillBuilding
    written: list[str] = []
    try:
        document = queries.draw(report)
        content = outputs.render(document, fmt)  # outside the transaction: it takes seconds
        with transactions.action():
            ReportFile.objects.filter(report=report, fmt=fmt).delete()  # a file gone from disk
            _keep(report, fmt, document, content, written)
    except Exception:
        for name in written:
            default_storage.delete(name)
        raise
    finally:
        cache.delete(lock)
    kept = queries.kept_file(report, fmt)
    if kept is None:
        raise RuntimeError(f"The {fmt} file was built but cannot be found in storage.")
    return kept


# Longer than the slowest build (a large report's PDF takes seconds, not minutes): a build
# that died holding the lock lets the next request try again after this.
BUILD_LOCK_SECONDS = 300


@transactions.action
def set_disclosure_policy(report: AnnualReport, policy: str) -> AnnualReport:
    """Choose how the draft's counts of children are controlled (DOMAIN.md); a published
    report keeps the rule it was published under."""
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if report.is_published:
        raise Frozen("This report is published: how its figures are shown can no longer change.")
    # One policy per year, for every output of the year (the data set's CSVs too).
    try:
        insight_actions.set_year_policy(report.year, policy)
    except insight_actions.PolicyFixed as fixed:
        raise Frozen(str(fixed)) from None
    report.disclosure_policy = Policy(policy).value
    report.save(update_fields=["disclosure_policy"])
    return report


@transactions.action
def set_section_blocks(section: Section, chosen: list[dict[str, Any]]) -> Section:
    """Choose the data blocks a draft's section shows, from `blocks.candidates`."""
    report = AnnualReport.objects.select_for_update().get(pk=section.report_id)
    if report.is_published:
        raise Frozen("This report is published: its sections can no longer change.")
    allowed = blocks.candidates(section.blocks)
    if any(spec not in allowed for spec in chosen):
        raise ValueError("A block that is not one of the section's choices.")
    section.blocks = chosen
    section.save(update_fields=["blocks"])
    return section


# --- The year's entries ---------------------------------------------------------------

AREA_COLUMNS = ("group", "indicator", "value", "unit", "period", "source")
UNITS = ("percentage", "rate_1000", "rate_10000", "count", "number")


@dataclass(frozen=True)
class RowError:
    row: int  # the line of the file, the header being line 1
    column: str
    reason: str

    def __str__(self) -> str:
        column = f", column {self.column}" if self.column else ""
        return f"Row {self.row}{column}: {self.reason}"


class ImportRefused(refusals.Refused):
    code = "reports.import_refused"

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def parse_area_figures(content: str, year: int) -> list[AreaFigure]:
    """The rows of a CSV of public health indicators (columns group, indicator, value,
    unit, period, source), or every error with its row and column."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in AREA_COLUMNS[:4] if c not in header]
    if missing:
        raise ImportRefused([RowError(1, c, "this column is missing") for c in missing])
    errors: list[RowError] = []
    rows: list[AreaFigure] = []
    for n, raw in enumerate(reader, 2):
        if None in raw:  # more cells than the header has columns
            errors.append(RowError(n, "", "the row has more cells than the header has columns"))
            continue
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        for column in ("group", "indicator"):
            if not row.get(column):
                errors.append(RowError(n, column, "is empty"))
        try:
            value = Decimal(row.get("value", "").replace(",", "").rstrip("%"))
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors.append(RowError(n, "value", f"“{row.get('value', '')}” is not a number"))
            value = Decimal(0)
        unit = row.get("unit", "").lower()
        if unit not in UNITS:
            errors.append(RowError(n, "unit", f"“{unit}” is not one of {', '.join(UNITS)}"))
        rows.append(
            AreaFigure(
                year=year,
                group=row.get("group", "")[:120],
                indicator=row.get("indicator", "")[:300],
                value=value,
                unit=unit,
                period=row.get("period", "")[:40],
                source=row.get("source", "")[:200],
                order=n,
            )
        )
    if not rows and not errors:
        errors.append(RowError(2, "", "the file has no rows"))
    if errors:
        raise ImportRefused(errors)
    return rows


@transactions.action
def import_area_figures(content: str, year: int) -> int:
    """All or nothing: the year's figures replaced by the file's, or none changed."""
    rows = parse_area_figures(content, year)
    AreaFigure.objects.filter(year=year).delete()
    AreaFigure.objects.bulk_create(rows)
    return len(rows)


@transactions.action
def save_entries(entries: YearEntries) -> YearEntries:
    entries.full_clean()
    entries.save()
    return entries


@transactions.action
def add_finance_line(line: FinanceLine) -> FinanceLine:
    line.full_clean()
    line.save()
    return line


@transactions.action
def remove_finance_line(line: FinanceLine) -> None:
    line.delete()


@transactions.action
def save_death_counts(year: int, counts: dict[int, tuple[int, int]]) -> None:
    for category in DeathCategory:
        modifiable, other = counts.get(category.value, (0, 0))
        if modifiable < 0 or other < 0:
            raise ValidationError("Counts cannot be negative.")
        ChildDeathCount.objects.update_or_create(
            year=year,
            category=category.value,
            defaults={"modifiable": modifiable, "not_modifiable": other},
        )
