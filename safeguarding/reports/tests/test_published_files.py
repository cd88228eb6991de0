"""A published report's files are built once, when it is published, and kept: no reader's
request builds a document (docs/decisions/0055-published-files-and-public-limits.md)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from safeguarding.conftest import World
from safeguarding.reports import actions, outputs
from safeguarding.reports.models import AnnualReport, ReportFile, ReportStatus

pytestmark = pytest.mark.django_db


def kept_on_disk() -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "reports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def refuse_to_build(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("a reader's request built a document")

    monkeypatch.setattr(outputs, "render", refuse)
    for fmt in outputs.FORMATS:
        monkeypatch.setattr(outputs, fmt, refuse)


def test_publishing_keeps_every_format_and_downloads_build_nothing(
    world: World,
    client_for: Callable[[str], Client],
    report_2024: AnnualReport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    actions.publish(report_2024, by=world.users["officer"])
    kept = {f.fmt: f for f in ReportFile.objects.filter(report=report_2024)}
    assert sorted(kept) == sorted(outputs.FORMATS)
    assert kept_on_disk() == sorted(f"annual-report-2024-25.{fmt}" for fmt in outputs.FORMATS)
    refuse_to_build(monkeypatch)
    anonymous = client_for("anonymous")
    for fmt in outputs.FORMATS:
        response = anonymous.get(f"/reports/2024-25/download/{fmt}/")
        assert response.status_code == 200, fmt
        assert response["Content-Type"] == outputs.CONTENT_TYPES[fmt]
        assert f'filename="annual-report-2024-25.{fmt}"' in response["Content-Disposition"]
        body = response.getvalue()
        assert len(body) == kept[fmt].size
        with kept[fmt].file.open("rb") as stored:
            assert body == stored.read()
    pdf = anonymous.get("/reports/2024-25/download/pdf/").getvalue()
    assert "Annual report 2024/25" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_a_file_that_cannot_be_built_leaves_the_report_unpublished_and_nothing_kept(
    world: World,
    client_for: Callable[[str], Client],
    report_2024: AnnualReport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(document: dict[str, Any], progress: Any = None) -> bytes:
        raise OSError("disk full")

    monkeypatch.setattr(outputs, "docx", broken)  # after the HTML and the PDF are written
    response = client_for("officer").post("/reports/2024-25/publish/", follow=True)
    page = response.content.decode()
    assert "The report was not published" in page and "DOCX" in page
    report_2024.refresh_from_db()
    assert report_2024.status == ReportStatus.DRAFT and report_2024.snapshot is None
    assert not ReportFile.objects.exists()
    assert kept_on_disk() == [], "the files written before the failure are removed"
    with pytest.raises(actions.PublishFailed):
        actions.publish(report_2024, by=world.users["officer"])


def published_before_files_were_kept(report: AnnualReport, officer: Any) -> AnnualReport:
    AnnualReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.PUBLISHED,
        snapshot={"sections": [], "figures": {}},
        published_at=timezone.now(),
        published_by=officer,
    )
    report.refresh_from_db()
    return report


def test_a_report_published_before_files_were_kept_gets_each_file_once_on_first_request(
    world: World,
    client_for: Callable[[str], Client],
    report_2024: AnnualReport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = published_before_files_were_kept(report_2024, world.users["officer"])
    anonymous = client_for("anonymous")
    first = anonymous.get("/reports/2024-25/download/docx/")
    assert first.status_code == 200
    kept = ReportFile.objects.get(report=report)
    assert kept.fmt == "docx" and kept_on_disk() == ["annual-report-2024-25.docx"]
    refuse_to_build(monkeypatch)
    again = anonymous.get("/reports/2024-25/download/docx/")
    assert again.status_code == 200 and again.getvalue() == first.getvalue()


def test_a_kept_file_gone_from_storage_is_built_again(
    world: World,
    client_for: Callable[[str], Client],
    report_2024: AnnualReport,
    django_capture_on_commit_callbacks: Any,
) -> None:
    actions.publish(report_2024, by=world.users["officer"])
    kept = ReportFile.objects.get(report=report_2024, fmt="html")
    kept.file.storage.delete(kept.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("anonymous").get("/reports/2024-25/download/html/")
    assert response.status_code == 200
    body = response.getvalue()
    assert "Annual report 2024/25" in body.decode()
    assert "annual-report-2024-25.html" in kept_on_disk(), "the old row's removal spares it"
    again = client_for("anonymous").get("/reports/2024-25/download/html/")
    assert again.status_code == 200 and again.getvalue() == body


def test_while_one_request_builds_a_file_another_is_asked_to_come_back(
    world: World, client_for: Callable[[str], Client], report_2024: AnnualReport
) -> None:
    report = published_before_files_were_kept(report_2024, world.users["officer"])
    cache.add(f"reports:building:{report.pk}:pdf", 1, timeout=60)
    response = client_for("anonymous").get("/reports/2024-25/download/pdf/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "being prepared" in response.content.decode()
    assert not ReportFile.objects.exists()


def test_a_draft_is_still_drawn_as_it_is_now_for_the_partnership_staff(
    world: World, client_for: Callable[[str], Client], report_2024: AnnualReport
) -> None:
    response = client_for("officer").get("/reports/2024-25/download/html/")
    assert response.status_code == 200 and "Draft" in response.content.decode()
    assert not ReportFile.objects.exists()


def test_deleting_a_report_removes_its_kept_files(
    world: World, report_2024: AnnualReport, django_capture_on_commit_callbacks: Any
) -> None:
    actions.publish(report_2024, by=world.users["officer"])
    assert len(kept_on_disk()) == 3
    with django_capture_on_commit_callbacks(execute=True):
        AnnualReport.objects.filter(pk=report_2024.pk).delete()
    assert kept_on_disk() == []
