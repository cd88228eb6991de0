"""The annual report: sections with and without data, the figures through disclosure
control, the three formats, publishing and what changed since."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from PIL import Image
from pypdf import PdfReader

from safeguarding.conftest import World
from safeguarding.core.models import AuditAction, AuditEntry, Priority
from safeguarding.learning.tests.helpers import notification
from safeguarding.reports import actions, blocks, outputs, queries, text
from safeguarding.reports.models import AnnualReport, FinanceKind, FinanceLine, Section
from safeguarding.reports.tests.conftest import count_indicator, monthly_series

pytestmark = pytest.mark.django_db


def _all_blocks(document: dict) -> list[dict]:
    return [b for s in document["sections"] for b in s["blocks"]]


def test_a_new_report_has_the_reference_structure_with_a_section_per_priority(
    report_2024: AnnualReport,
) -> None:
    keys = list(report_2024.sections.values_list("key", flat=True))
    assert keys[:6] == [
        "foreword",
        "national-context",
        "executive-summary",
        "children-in-numbers",
        "vision",
        "key-achievements",
    ]
    assert keys[6] == "priority-1"
    assert keys[-7:] == [
        "voice",
        "learning",
        "training",
        "education",
        "communication",
        "child-death-review",
        "finance",
    ]


def test_every_section_and_format_draws_when_no_module_holds_anything(
    report_2024: AnnualReport,
) -> None:
    document = queries.draw_live(report_2024)
    drawn = _all_blocks(document)
    assert {b["block"] for b in drawn} == set(blocks.REGISTRY)  # every block has a section
    assert all(b.get("empty") for b in drawn), [b["block"] for b in drawn if not b.get("empty")]
    page = outputs.html(document).decode()
    assert page.count("No figures are held for 2024/25 yet.") == len(drawn)
    assert PdfReader(io.BytesIO(outputs.pdf(document))).pages
    assert Document(io.BytesIO(outputs.docx(document))).paragraphs


def test_every_section_draws_its_figures_when_the_year_has_entries_and_records(
    world: World, report_2024: AnnualReport, entries_2024: None
) -> None:
    for n in range(3):
        notification(world.users["officer"], f"SI-2024-0{n + 1}", dt.date(2024, 6, 3 + n))
    document = queries.draw_live(report_2024)
    by_key = {b["block"]: b for b in _all_blocks(document)}
    figures = queries.figures_of(document)
    assert by_key["learning-counts"]["items"][0]["value"] == "3"
    assert (
        figures[
            "Communication and engagement · Communication in numbers · followers on X (formerly Twitter)"
        ]
        == "1,083"
    )
    finance = by_key["finance"]["rows"]
    assert finance[-1] == [f"Deficit for the year, paid by {world.la.name}", "£31,172"]
    area = by_key["area-figures"]["groups"][0]["items"]
    assert [i["value"] for i in area] == ["63.6%", "3.1 per 1,000"]  # one decimal place


def test_small_counts_of_children_are_hidden_with_secondary_suppression(
    world: World, report_2024: AnnualReport, entries_2024: None
) -> None:
    deaths = blocks.draw({"block": "child-deaths"}, 2024)
    # Category 5: 0 and 9; category 8: 2 and 7. The 2 is hidden, and so is its column's
    # total (2, since the 0 above it is shown); then the fewest partners that leave
    # neither within less than 1 to 5 of the rest: category 8's total and the grand total
    # (docs/decisions/0068). The categories with no reviews are left out.
    assert deaths["rows"] == [
        ["5. Acute medical or surgical condition", "0", "9", "9"],
        ["8. Perinatal or neonatal event", "c", "7", "c"],
        ["Total", "c", "16", "c"],
    ]


def test_under_the_nhs_rule_one_to_seven_are_hidden_and_other_counts_rounded(
    world: World, report_2024: AnnualReport, entries_2024: None
) -> None:
    actions.set_disclosure_policy(report_2024, "nhs")
    report_2024.refresh_from_db()
    document = queries.draw_live(report_2024)
    deaths = next(b for b in _all_blocks(document) if b["block"] == "child-deaths")
    # Category 5: 0 and 9; category 8: 2 and 7; rounding protects the totals.
    assert deaths["rows"] == [
        ["5. Acute medical or surgical condition", "0", "10", "10"],
        ["8. Perinatal or neonatal event", "*", "*", "10"],
        ["Total", "*", "15", "20"],
    ]
    assert deaths["note"] == (
        "*: 1 to 7 reviews, not shown; other counts rounded to the nearest 5."
    )
    assert "1 to 7 are shown as *" in document["disclosure"]
    word = Document(io.BytesIO(outputs.docx(document)))
    assert document["disclosure"] in [p.text for p in word.paragraphs]
    # One rule per year (docs/decisions/0068): the year's data set and any block of it
    # drawn on its own follow it too.
    assert blocks.draw({"block": "child-deaths"}, 2024)["rows"][1][1] == "*"


def test_a_published_report_keeps_the_rule_it_was_published_under(
    world: World, report_2024: AnnualReport
) -> None:
    published = actions.publish(report_2024, by=world.users["officer"])
    with pytest.raises(actions.Frozen):
        actions.set_disclosure_policy(published, "nhs")
    published.refresh_from_db()
    assert published.disclosure_policy == "dfe"


def test_no_figure_about_children_of_one_to_five_reaches_the_report(
    world: World, report_2024: AnnualReport
) -> None:
    """Counts of children kept small everywhere: nothing drawn shows 1 to 5 in a
    children's block, and the data set's chart of a small count is withheld."""
    priority = Priority.objects.get(year=2024, number=1)
    small = count_indicator(world, "small-count", priority)
    monthly_series(small, world.la, dt.date(2023, 4, 1), [3, 4, 2, 5, 1, 3] * 4)
    actions.save_death_counts(2024, {1: (1, 2), 4: (3, 0)})
    document = queries.draw_live(report_2024)
    children_blocks = {
        "child-deaths",
        "young-carers",
        "exploitation",
        "missing",
        "education",
        "indicators",
    }
    for drawn in _all_blocks(document):
        if drawn["block"] not in children_blocks:
            continue
        for label, value in blocks.flatten(drawn).items():
            assert value not in {"1", "2", "3", "4", "5"}, (label, value)
    chart = next(b for b in _all_blocks(document) if b["block"] == "indicators" and b["charts"])
    assert chart["charts"][0]["chart"] is None
    assert "not shown" in chart["charts"][0]["note"]


def test_a_chart_of_large_counts_is_drawn_as_svg_with_its_table(
    world: World, report_2024: AnnualReport
) -> None:
    priority = Priority.objects.get(year=2024, number=1)
    large = count_indicator(world, "large-count", priority)
    monthly_series(large, world.la, dt.date(2023, 4, 1), [40, 42, 38, 45, 41, 39] * 4)
    document = queries.draw_live(report_2024)
    section = next(s for s in document["sections"] if s["key"] == "priority-1")
    charts = section["blocks"][0]["charts"]
    assert charts[0]["chart"]["dots"]
    assert charts[0]["rows"][-1][0] == "Total 2024/25"
    page = outputs.html(document).decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in page
    word = Document(io.BytesIO(outputs.docx(document)))
    assert word.tables  # the figures in Word
    # …and the chart as a picture, described for a screen reader.
    (shape,) = word.inline_shapes
    assert shape._inline.docPr.get("descr") == charts[0]["chart"]["description"]
    blip = shape._inline.graphic.graphicData.pic.blipFill.blip
    image = Image.open(io.BytesIO(word.part.related_parts[blip.embed].blob))
    assert image.size == (1440, 560)
    points = {d["colour"] for d in charts[0]["chart"]["dots"]}
    colours = {"#{:02x}{:02x}{:02x}".format(*rgb) for _, rgb in image.getcolors(1 << 20)}
    assert points <= colours  # every point's colour is drawn
    pdf = PdfReader(io.BytesIO(outputs.pdf(document)))
    assert "Apr 23" in "".join(page.extract_text() for page in pdf.pages)  # the SVG's axis


def test_the_pdf_has_a_contents_page_page_numbers_and_extractable_text(
    report_2024: AnnualReport, entries_2024: None
) -> None:
    section = report_2024.sections.get(key="foreword")
    actions.save_narrative(section, "We kept **every** child in mind.", by=None)
    reader = PdfReader(io.BytesIO(outputs.pdf(queries.draw_live(report_2024))))
    pages = [p.extract_text() for p in reader.pages]
    assert "Contents" in pages[1]
    assert "Partnership finance" in pages[1]
    assert "We kept every child in mind." in "".join(pages)
    assert f"Page 3 of {len(pages)}" in pages[2]


def test_the_word_document_uses_word_headings_tables_and_the_narrative(
    world: World, report_2024: AnnualReport, entries_2024: None
) -> None:
    section = report_2024.sections.get(key="vision")
    actions.save_narrative(section, "# Values\n\n- Together\n- Early", by=None)
    word = Document(io.BytesIO(outputs.docx(queries.draw_live(report_2024))))
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert "Partnership finance" in headings and "Vision, values and principles" in headings
    assert [p.text for p in word.paragraphs if p.style.name == "Heading 3"].count("Values") == 1
    paragraphs = [(p.style.name, p.text) for p in word.paragraphs]
    at = paragraphs.index(("Heading 3", "Values"))
    assert paragraphs[at + 1 : at + 3] == [("List Bullet", "Together"), ("List Bullet", "Early")]
    cells = [[c.text for c in row.cells] for t in word.tables for row in t.rows]
    assert [f"Deficit for the year, paid by {world.la.name}", "£31,172"] in cells


def test_narrative_is_sanitised_and_its_headings_sit_under_the_section_title() -> None:
    html = text.to_html(
        '# Ours\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <b onclick="x">y</b>'
    )
    assert "<h3>Ours</h3>" in html
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html


def test_each_save_keeps_the_earlier_text_as_history(
    world: World, report_2024: AnnualReport
) -> None:
    section = report_2024.sections.get(key="voice")
    officer = world.users["officer"]
    actions.save_narrative(section, "First.", by=officer)
    actions.save_narrative(section, "First.", by=officer)  # unchanged: no new version
    actions.save_narrative(section, "Second.", by=officer)
    assert [v.text for v in section.versions.all()] == ["Second.", "First."]


def test_publishing_freezes_the_figures_and_regenerating_shows_what_changed(
    world: World, report_2024: AnnualReport, entries_2024: None
) -> None:
    officer = world.users["officer"]
    published = actions.publish(report_2024, by=officer)
    before = queries.draw(published)
    FinanceLine.objects.create(
        year=2024, kind=FinanceKind.SPEND, label="Venue", amount=Decimal("1000")
    )
    published.refresh_from_db()
    assert queries.draw(published)["sections"] == before["sections"]
    changes = {c.label: (c.published, c.now) for c in queries.changes_since_published(published)}
    budget = "Partnership finance · Partnership budget 2024/25"
    assert changes == {
        f"{budget} · Deficit for the year, paid by {world.la.name} · Amount": (
            "£31,172",
            "£32,172",
        ),
        f"{budget} · Spend: Venue · Amount": (None, "£1,000"),
        f"{budget} · Total spend · Amount": ("£131,172", "£132,172"),
    }
    with pytest.raises(actions.Frozen):
        actions.save_narrative(
            Section.objects.get(report=published, key="voice"), "Late.", by=officer
        )
    with pytest.raises(actions.Frozen):
        actions.publish(published, by=officer)
    entry = AuditEntry.objects.get(action=AuditAction.PUBLISH, object_type="annual_report")
    assert entry.detail["year"] == 2024


def test_the_command_writes_each_format(report_2024: AnnualReport, tmp_path: Path) -> None:
    for fmt in outputs.FORMATS:
        out = tmp_path / f"report.{fmt}"
        call_command(
            "report",
            "annual",
            "2024-25",
            "--format",
            fmt,
            "-o",
            str(out),
            "--no-progress",
            stdout=io.StringIO(),
        )
        assert out.stat().st_size > 1000
    assert b"Annual report 2024/25" in (tmp_path / "report.html").read_bytes()
    with pytest.raises(CommandError):
        call_command("report", "annual", "2024-26", "-o", str(tmp_path / "x"), stdout=io.StringIO())


def test_the_command_makes_the_year_s_report_if_there_is_none(world: World, tmp_path: Path) -> None:
    call_command(
        "report",
        "annual",
        "2023-24",
        "--format",
        "html",
        "-o",
        str(tmp_path / "r.html"),
        "--no-progress",
        stdout=io.StringIO(),
    )
    assert AnnualReport.objects.get(year=2023).sections.count() > 10


# --- The CSV of public health indicators -------------------------------------------------


def test_a_csv_with_errors_changes_nothing_and_names_each_row_and_column(
    world: World, entries_2024: None
) -> None:
    bad = (
        "group,indicator,value,unit\n"
        "Aged 2 to 5,ok,1.5,percentage\n"
        "Aged 2 to 5,,abc,percent\n"
        "Aged 2 to 5,too many,1,count,x,y,z\n"
    )
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_area_figures(bad, 2024)
    assert [str(e) for e in refused.value.errors] == [
        "Row 3, column indicator: is empty",
        "Row 3, column value: “abc” is not a number",
        "Row 3, column unit: “percent” is not one of percentage, rate_1000, rate_10000, count, number",
        "Row 4: the row has more cells than the header has columns",
    ]
    assert queries.area_figure_count(2024) == 2  # the earlier import stands


def test_a_csv_without_a_required_column_is_refused(world: World) -> None:
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_area_figures("group,indicator,unit\nA,b,count\n", 2024)
    assert [str(e) for e in refused.value.errors] == ["Row 1, column value: this column is missing"]
