"""The demo's annual report is published with its files kept, as any published report."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from docx import Document
from pypdf import PdfReader

from safeguarding.reports import outputs
from safeguarding.reports.models import AnnualReport, ReportFile

pytestmark = [pytest.mark.django_db, pytest.mark.real_report_files]


def test_the_demo_publishes_its_report_with_every_file_kept() -> None:
    call_command("demo", "--scale", "0.02", "--no-progress", stdout=StringIO(), stderr=StringIO())
    report = AnnualReport.objects.get(year=2024)
    assert report.is_published
    kept = {f.fmt: f for f in ReportFile.objects.filter(report=report)}
    assert sorted(kept) == sorted(outputs.FORMATS)
    for one in kept.values():
        assert one.file.storage.exists(one.file.name)
    with kept["pdf"].file.open("rb") as pdf:
        first_page = PdfReader(io.BytesIO(pdf.read())).pages[0].extract_text()
    assert "Annual report 2024/25" in first_page
    assert "Published 30 September 2025" in first_page, "on the demo's sign-off day"
    with kept["docx"].file.open("rb") as word:
        assert Document(io.BytesIO(word.read())).paragraphs
    download = Client().get("/reports/2024-25/download/pdf/")
    assert download.status_code == 200 and download.getvalue()[:4] == b"%PDF"
