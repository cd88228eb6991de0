"""The report's pages: who reads a draft, who writes, the downloads and the entries."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from docx import Document
from pypdf import PdfReader

from safeguarding.conftest import World
from safeguarding.reports import actions, blocks, structure
from safeguarding.reports.models import AnnualReport, ChildDeathCount, FinanceLine, YearEntries

pytestmark = pytest.mark.django_db


def test_a_draft_does_not_exist_for_anyone_but_the_partnership_staff_and_the_executive(
    world: World, client_for: Callable[[str], Client], report_2024: AnnualReport
) -> None:
    make = client_for
    for name, status in (
        ("officer", 200),
        ("executive", 200),
        ("analyst", 404),
        ("involved", 404),
        ("anonymous", 404),
    ):
        response = make(name).get("/reports/2024-25/")
        assert response.status_code == status, name
    listed = make("analyst").get("/reports/")
    assert "2024/25" not in listed.content.decode()


def test_a_published_report_is_public_in_every_format(
    world: World, client_for: Callable[[str], Client], report_2024: AnnualReport
) -> None:
    actions.publish(report_2024, by=world.users["officer"])
    anonymous = client_for("anonymous")
    page = anonymous.get("/reports/2024-25/")
    assert page.status_code == 200 and "Annual report 2024/25" in page.content.decode()
    pdf = anonymous.get("/reports/2024-25/download/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert "Contents" in PdfReader(io.BytesIO(pdf.getvalue())).pages[1].extract_text()
    docx = anonymous.get("/reports/2024-25/download/docx/")
    assert Document(io.BytesIO(docx.getvalue())).paragraphs
    assert 'filename="annual-report-2024-25.docx"' in docx["Content-Disposition"]
    assert anonymous.get("/reports/2024-25/download/xlsx/").status_code == 404


def test_an_officer_writes_a_section_and_it_shows_sanitised_with_its_history(
    world: World, client_for: Callable[[str], Client], report_2024: AnnualReport
) -> None:
    officer = client_for("officer")
    url = "/reports/2024-25/sections/voice/"
    officer.post(url, {"text": "Young people said **listen**.<script>x()</script>"})
    page = officer.get("/reports/2024-25/").content.decode()
    assert "Young people said <strong>listen</strong>." in page
    assert "<script>x()" not in page
    history = officer.get(url).content.decode()
    assert "Saved versions, newest first" in history
    assert world.users["officer"].full_name in history
    assert "Young people said **listen**." in history  # the saved version, as written


def test_publishing_from_the_page_freezes_the_text(
    world: World, client_for: Callable[[str], Client], report_2024: AnnualReport
) -> None:
    officer = client_for("officer")
    officer.post("/reports/2024-25/publish/")
    report_2024.refresh_from_db()
    assert report_2024.is_published and report_2024.snapshot
    response = officer.post("/reports/2024-25/sections/voice/", {"text": "Too late."}, follow=True)
    assert "can no longer change" in response.content.decode()
    assert not report_2024.sections.get(key="voice").versions.exists()
    assert "Edit the text" not in officer.get("/reports/2024-25/").content.decode()


def test_an_officer_chooses_how_small_counts_are_shown(
    world: World, client_for: Callable[[str], Client], report_2024: AnnualReport
) -> None:
    officer = client_for("officer")
    page = officer.get("/reports/2024-25/").content.decode()
    assert "from 1 to 5 are shown as c" in page
    form = officer.get("/reports/2024-25/disclosure/").content.decode()
    assert "NHS: 1 to 7 shown as *" in form

    refused = officer.post("/reports/2024-25/disclosure/", {"policy": "round-everything"})
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    response = officer.post("/reports/2024-25/disclosure/", {"policy": "nhs"}, follow=True)

    assert "from 1 to 7 are shown as *" in response.content.decode()
    report_2024.refresh_from_db()
    assert report_2024.disclosure_policy == "nhs"


def test_an_officer_chooses_the_figures_a_section_shows(
    world: World, client_for: Callable[[str], Client], report_2024: AnnualReport
) -> None:
    officer = client_for("officer")
    url = "/reports/2024-25/sections/training/figures/"
    form = officer.get(url).content.decode()
    assert "Multi-agency training sessions and attendees" in form
    assert "Young carers identified" in form  # a block the section does not show yet
    labels = [blocks.label(spec) for spec in blocks.candidates(structure_blocks("training"))]
    keep, add = labels.index("E-learning completed"), labels.index("Young carers identified")

    refused = officer.post(url, {"shown": [str(len(labels))]})
    assert "Select a valid choice" in refused.content.decode()
    officer.post(url, {"shown": [str(add), str(keep)]})

    training = report_2024.sections.get(key="training")
    assert training.blocks == [{"block": "elearning"}, {"block": "young-carers"}]
    page = officer.get("/reports/2024-25/").content.decode()
    section = page[page.index('id="training"') : page.index('id="education"')]
    assert "Young carers identified" in section
    assert "Multi-agency training sessions delivered" not in section

    actions.publish(report_2024, by=world.users["officer"])
    response = officer.post(url, {"shown": [str(keep)]}, follow=True)
    assert "can no longer change" in response.content.decode()
    assert report_2024.sections.get(key="training").blocks == training.blocks


def structure_blocks(key: str) -> list[dict[str, object]]:
    return next(spec.blocks for spec in structure.AFTER_PRIORITIES if spec.key == key)


def test_the_year_s_entries_are_made_in_simple_forms(
    world: World, client_for: Callable[[str], Client]
) -> None:
    officer = client_for("officer")
    officer.post(
        "/reports/2024-25/entries/",
        {
            "social_platform": "X",
            "social_followers": "1083",
            "newsletter_subscribers": "860",
            "website_visits_per_month": "2892",
            "balance_met_by": str(world.la.pk),
        },
    )
    assert YearEntries.objects.get(year=2024).social_followers == 1083
    officer.post(
        "/reports/2024-25/entries/finance/", {"kind": "spend", "label": "Staff", "amount": "100"}
    )
    assert FinanceLine.objects.get(year=2024).label == "Staff"
    data = {f"m{c}": "0" for c in range(1, 11)} | {f"n{c}": "0" for c in range(1, 11)} | {"n5": "7"}
    officer.post("/reports/2024-25/entries/child-deaths/", data)
    assert ChildDeathCount.objects.get(year=2024, category=5).not_modifiable == 7
    bad = SimpleUploadedFile("a.csv", b"group,indicator,value,unit\nA,b,x,count\n")
    page = officer.post("/reports/2024-25/entries/area-figures/", {"file": bad}).content.decode()
    assert "Row 2, column value: “x” is not a number" in page
    good = SimpleUploadedFile("a.csv", b"group,indicator,value,unit\nA,b,1.5,percentage\n")
    officer.post("/reports/2024-25/entries/area-figures/", {"file": good})
    assert (
        "1 public health figure held" in officer.get("/reports/2024-25/entries/").content.decode()
    )
