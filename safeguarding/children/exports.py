"""A child's chronology as a file for a rapid review: CSV, or a Word document.

The rows are those `core.access.child_events` lets the exporter see, narrowed by the
filters they chose; `children.access.export_child` has checked the exporter may see the child
and recorded the export with its purpose before any of this runs.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from django.utils import timezone

from safeguarding.children.models import Child, ChildEvent
from safeguarding.children.queries import long_date
from safeguarding.core.exports import CONTENT_TYPE, csv_text
from safeguarding.core.models import User

COLUMNS = ("Date", "Time", "Agency", "What happened", "Summary", "Restricted")
MARKING = "OFFICIAL-SENSITIVE"


@dataclass(frozen=True)
class ExportHeading:
    child: Child
    by: User
    at: datetime
    purpose: str
    filters: str  # the filters in words


def _row(event: ChildEvent) -> tuple[str, ...]:
    when = timezone.localtime(event.occurred_at)
    return (
        when.strftime("%Y-%m-%d"),
        when.strftime("%H:%M"),
        event.agency.name,
        event.event_type_label,
        event.summary,
        "Restricted" if event.restricted else "",
    )


def chronology_csv(events: Iterable[ChildEvent]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads the names' accents; written by the
    hub's one CSV writer, which keeps a formula in a summary from running."""
    rows = chain([COLUMNS], (_row(event) for event in events))
    return ("\ufeff" + csv_text(rows)).encode("utf-8")


def chronology_docx(heading: ExportHeading, events: Iterable[ChildEvent]) -> bytes:
    """A Word document: what it is, whose, who exported it and why, then the table."""
    from docx import Document

    child = heading.child
    document = Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = MARKING
    section.footer.paragraphs[0].text = f"{MARKING} · {child.pseudonym}"
    document.add_heading(f"Multi-agency chronology: {child.display_name}", level=0)
    exported = timezone.localtime(heading.at)
    agency = heading.by.agency.name if heading.by.agency else "no agency"
    facts = (
        ("Child", child.display_name),
        ("Date of birth", long_date(child.date_of_birth) if child.date_of_birth else "Not known"),
        ("Reference", child.pseudonym),
        ("Exported by", f"{heading.by.full_name or heading.by.email}, {agency}"),
        ("Exported on", f"{long_date(exported.date())} at {exported:%H:%M}"),
        ("Purpose", heading.purpose),
        ("Entries", heading.filters),
    )
    for label, value in facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    document.add_paragraph(
        "This chronology holds only the entries the person who exported it may see. "
        "Entries marked restricted must not be shared beyond their source agency and the "
        "panel without the source agency's agreement."
    )
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, title in zip(
        table.rows[0].cells,
        ("Date", "Agency", "What happened", "Summary", "Restricted"),
        strict=True,
    ):
        cell.text = ""
        cell.paragraphs[0].add_run(title).bold = True
    for event in events:
        _, time, agency_name, label, summary, restricted = _row(event)
        cells = table.add_row().cells
        cells[0].text = f"{long_date(timezone.localtime(event.occurred_at).date())} {time}"
        cells[1].text = agency_name
        cells[2].text = label
        cells[3].text = summary
        cells[4].text = restricted
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def chronology_file(
    file_format: str, heading: ExportHeading, events: list[ChildEvent]
) -> tuple[bytes, str]:
    """The file's bytes and content type: "csv" or "docx"."""
    if file_format == "csv":
        return chronology_csv(events), CONTENT_TYPE
    return chronology_docx(heading, events), DOCX_TYPE


def file_name(child: Child, extension: str) -> str:
    """Named by the pseudonym, never the name: file names travel in folders and emails."""
    return f"chronology-{child.pseudonym}-{timezone.localdate():%Y-%m-%d}.{extension}"
