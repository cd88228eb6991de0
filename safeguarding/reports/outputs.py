"""The report as a file: an HTML page, a PDF (WeasyPrint) and a Word document
(python-docx) (docs/decisions/0050-report-formats.md).

All three are drawn from the same document (queries.draw): the same sections, the same
figures, already through disclosure control. In Word, an SPC chart is a PNG drawn from
the same geometry by Pillow (`picture.py`), with its description as alternative text and
its figures' table beneath: SVG cannot go into a .docx.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.template.loader import render_to_string

from safeguarding.reports import picture, text

FORMATS = ("html", "pdf", "docx")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
Progress = Callable[[str], None]


def _noop(_: str) -> None:
    return None


def html(document: dict[str, Any]) -> bytes:
    return render_to_string("reports/export.html", {"document": document}).encode()


def pdf(document: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    page = render_to_string("reports/export.html", {"document": document, "pdf": True})
    # No base_url: the report fetches nothing, so nothing outside can be reached.
    return bytes(HTML(string=page).write_pdf())


def docx(document: dict[str, Any], progress: Progress = _noop) -> bytes:
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    word = Document()
    word.core_properties.title = f"{document['partnership']}: {document['title']}"
    word.add_paragraph(document["partnership"])
    word.add_heading(document["title"], level=0)
    word.add_paragraph(f"1 April {document['year']} to 31 March {document['year'] + 1}")
    if not document["published"]:
        word.add_paragraph("Draft: not published.")
    word.add_paragraph(document["disclosure"])
    # A table of contents field: Word fills it in from the headings (References → Update).
    word.add_heading("Contents", level=1)
    paragraph = word.add_paragraph()
    run = paragraph.add_run()
    begin, instruction, separate, end = (
        OxmlElement("w:fldChar"),
        OxmlElement("w:instrText"),
        OxmlElement("w:fldChar"),
        OxmlElement("w:fldChar"),
    )
    begin.set(qn("w:fldCharType"), "begin")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = 'TOC \\o "1-1" \\h \\z \\u'
    separate.set(qn("w:fldCharType"), "separate")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instruction, separate):
        run._r.append(element)
    paragraph.add_run("Right-click and choose Update Field to list the sections with their pages.")
    paragraph.add_run()._r.append(end)
    for section in document["sections"]:
        progress(section["title"])
        word.add_section(WD_SECTION.NEW_PAGE)
        word.add_heading(section["title"], level=1)
        for style, runs in text.to_paragraphs(section["html"]):
            para = word.add_paragraph(style=style)
            for content, bold, italic in runs:
                added = para.add_run(content)
                added.bold, added.italic = bold or None, italic or None
        for drawn in section["blocks"]:
            _docx_block(word, drawn)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _docx_table(
    word: Any, caption: str, headers: list[str], rows: list[list[str]], total: bool = False
) -> None:
    word.add_paragraph(caption, style="Caption")
    table = word.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = header
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for n, row in enumerate(rows, 1):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=False):
            cell.text = str(value)
            if total and n == len(rows):
                for run in cell.paragraphs[0].runs:
                    run.bold = True


def _docx_chart(word: Any, chart: dict[str, Any]) -> None:
    """The SPC chart as a picture, with its description as the picture's alternative text
    and in words beneath it, and the key to its lines and colours."""
    from docx.shared import Cm

    shape = word.add_picture(io.BytesIO(picture.chart_png(chart)), width=Cm(16))
    properties = shape._inline.docPr  # where Word keeps a picture's alternative text
    properties.set("title", chart["title"])
    properties.set("descr", chart["description"])
    word.add_paragraph(chart["description"])
    word.add_paragraph(picture.key(chart), style="Caption")


def _docx_block(word: Any, drawn: dict[str, Any]) -> None:
    kind = drawn.get("kind")
    if drawn.get("empty"):
        word.add_heading(drawn["title"], level=3)
        word.add_paragraph(drawn["empty"])
        return
    if kind == "table":
        _docx_table(word, drawn["title"], drawn["headers"], drawn["rows"], bool(drawn.get("total")))
        for quote in drawn.get("quotes", []):
            word.add_paragraph(f"“{quote}”", style="Quote")
    elif kind == "figures":
        word.add_heading(drawn["title"], level=3)
        for item in drawn["items"]:
            para = word.add_paragraph(style="List Bullet")
            para.add_run(item["value"]).bold = True
            para.add_run(f" {item['label']}")
    elif kind == "groups":
        for group in drawn["groups"]:
            word.add_heading(group["title"], level=3)
            for item in group["items"]:
                para = word.add_paragraph(style="List Bullet")
                para.add_run(item["value"]).bold = True
                period = f" ({item['period']})" if item["period"] else ""
                para.add_run(f" {item['label']}{period}")
    elif kind == "list":
        word.add_heading(drawn["title"], level=3)
        for item in drawn["items"]:
            word.add_paragraph(item, style="List Bullet")
    elif kind == "indicators":
        if drawn["headlines"]:
            word.add_heading("Headlines from the data set", level=3)
            for line in drawn["headlines"]:
                word.add_paragraph(line, style="List Bullet")
        for chart in drawn["charts"]:
            word.add_heading(chart["title"], level=3)
            if chart["chart"]:
                _docx_chart(word, chart["chart"])
            if chart["note"]:
                word.add_paragraph(chart["note"])
            _docx_table(word, f"{chart['title']}: figures", chart["headers"], chart["rows"])
    if drawn.get("note"):
        word.add_paragraph(drawn["note"])


def render(document: dict[str, Any], fmt: str, progress: Progress = _noop) -> bytes:
    if fmt == "html":
        return html(document)
    if fmt == "pdf":
        return pdf(document)
    if fmt == "docx":
        return docx(document, progress)
    raise ValueError(f"Unknown format {fmt!r}: one of {', '.join(FORMATS)}.")


def filename(document: dict[str, Any], fmt: str) -> str:
    return f"annual-report-{document['year']}-{(document['year'] + 1) % 100:02d}.{fmt}"
