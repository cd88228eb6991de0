"""Reads of the child index, on querysets the access helpers have already scoped.

`core.access.child_events` decides which entries of a child's chronology a user may see
(restricted ones only for their source agency and the child's panels); everything here
narrows or summarises that queryset and never widens it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone

from safeguarding.children import catalogue
from safeguarding.children.models import ChildEvent, PanelChild, SourceRecord
from safeguarding.core import access

CHRONOLOGY_PAGE_SIZE = 50


@dataclass(frozen=True)
class ChronologyFilter:
    """What a user narrowed the chronology to: the page's GET form, and its export."""

    agency: str = ""  # an agency's code
    event_type: str = ""  # a catalogue code
    date_from: date | None = None
    date_to: date | None = None
    oldest_first: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.agency or self.event_type or self.date_from or self.date_to)

    def describe(self) -> dict[str, str]:
        """For the audit log's detail of an export."""
        described = {
            "agency": self.agency,
            "event_type": self.event_type,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in described.items() if value}

    def summary(self, agency_names: dict[str, str] | None = None) -> str:
        """In words, for the exported document: "Testshire Police; from 1 January 2025"."""
        parts = []
        if self.agency:
            parts.append((agency_names or {}).get(self.agency, self.agency))
        if self.event_type:
            parts.append(event_type_label(self.event_type))
        if self.date_from:
            parts.append(f"from {long_date(self.date_from)}")
        if self.date_to:
            parts.append(f"to {long_date(self.date_to)}")
        return "; ".join(parts) if parts else "All entries"


def long_date(day: date) -> str:
    """5 March 2025, as GOV.UK writes dates."""
    return f"{day.day} {day:%B %Y}"


def event_type_label(code: str) -> str:
    entry = catalogue.find(code)
    return entry.label if entry else code


def _day_start(day: date) -> datetime:
    """Midnight at the start of a day in the partnership's time zone (Europe/London)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def chronology(events: QuerySet[ChildEvent], filters: ChronologyFilter) -> QuerySet[ChildEvent]:
    """The entries the user may see, narrowed by the filters, in time order."""
    if filters.agency:
        events = events.filter(agency__code=filters.agency)
    if filters.event_type:
        events = events.filter(event_type=filters.event_type)
    if filters.date_from:
        events = events.filter(occurred_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(occurred_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    order = ("occurred_at", "pk") if filters.oldest_first else ("-occurred_at", "-pk")
    return events.select_related("agency").order_by(*order)


def agency_choices(events: QuerySet[ChildEvent]) -> list[tuple[str, str]]:
    """(code, name) of the agencies with entries the user may see, by name: one query."""
    rows = events.order_by().values_list("agency__code", "agency__name").distinct()
    return sorted(rows, key=lambda row: row[1])


def event_type_choices(events: QuerySet[ChildEvent]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The event types present, grouped as the catalogue groups them: one query."""
    present = set(events.order_by().values_list("event_type", flat=True).distinct())
    grouped: dict[str, list[tuple[str, str]]] = {}
    for entry in catalogue.event_types():
        if entry.code in present:
            grouped.setdefault(entry.group, []).append((entry.code, entry.label))
            present.discard(entry.code)
    if present:  # codes the catalogue no longer knows still filter
        grouped["Other"] = [*grouped.get("Other", []), *((code, code) for code in sorted(present))]
    return list(grouped.items())


def identity_rows(child: Any, records: list[SourceRecord]) -> list[dict[str, str]]:
    """The child's best value of each field and the agency that gave it, for the page."""
    from safeguarding.children.search import format_nhs_number

    names = {record.agency.code: record.agency.name for record in records}
    sources: dict[str, str] = child.identity_sources or {}
    values = [
        ("given_name", "Given name", child.given_name),
        ("family_name", "Family name", child.family_name),
        (
            "date_of_birth",
            "Date of birth",
            long_date(child.date_of_birth) if child.date_of_birth else "",
        ),
        ("sex", "Sex", child.get_sex_display() if child.sex != "U" else ""),
        ("nhs_number", "NHS number", format_nhs_number(child.nhs_number)),
        ("upn", "Unique pupil number", child.upn),
        ("postcode", "Postcode", child.postcode),
    ]
    rows = []
    for key, label, value in values:
        code = sources.get(key, "")
        rows.append(
            {
                "label": label,
                "value": value or "Not known",
                "known": "yes" if value else "",
                "source": names.get(code, code) if value else "",
            }
        )
    return rows


# --- The timeline strip ---------------------------------------------------------------


@dataclass
class TimelineCell:
    x: int
    count: int
    opacity: str
    title: str


@dataclass
class TimelineRow:
    agency: str
    y: int
    text_y: int
    total: int
    cells: list[TimelineCell] = field(default_factory=list)


@dataclass
class Timeline:
    """A strip per agency, a square per quarter, darker for more entries.

    Drawn by the template as SVG with presentation attributes only (no inline style, so
    the strict CSP holds); the same counts are given as text for screen readers.
    """

    rows: list[TimelineRow]
    years: list[tuple[int, int]]  # (year, x of its first quarter)
    width: int
    height: int
    label: str
    cell_width: int  # a quarter's square, less a gap

    LABEL_WIDTH = 200
    # The strip fills the page's width (GOV.UK's 960 px), a quarter 10 to 40 px wide.
    MAX_WIDTH = 960
    ROW = 24
    TOP = 18


def _opacity(count: int, most: int) -> str:
    return f"{0.25 + 0.75 * count / most:.2f}" if most else "1"


def timeline(events: QuerySet[ChildEvent]) -> Timeline | None:
    """Counts of the visible entries by agency and quarter, in one query; None if none."""
    rows = (
        events.order_by()
        .annotate(year=ExtractYear("occurred_at"), quarter=ExtractQuarter("occurred_at"))
        .values("agency__name", "year", "quarter")
        .annotate(count=Count("pk"))
    )
    counts: dict[str, dict[tuple[int, int], int]] = defaultdict(dict)
    for row in rows:
        counts[row["agency__name"]][(row["year"], row["quarter"])] = row["count"]
    if not counts:
        return None
    quarters = [key for by_quarter in counts.values() for key in by_quarter]
    first_year, last_year = min(quarters)[0], max(quarters)[0]
    most = max(count for by_quarter in counts.values() for count in by_quarter.values())
    size = Timeline
    quarters_shown = (last_year - first_year + 1) * 4
    cell = max(10, min(40, (size.MAX_WIDTH - size.LABEL_WIDTH) // quarters_shown))
    strips = []
    for index, agency in enumerate(sorted(counts)):
        y = size.TOP + index * size.ROW
        strip = TimelineRow(agency, y, y + 13, sum(counts[agency].values()))
        for (year, quarter), count in sorted(counts[agency].items()):
            x = size.LABEL_WIDTH + ((year - first_year) * 4 + quarter - 1) * cell
            months = ("January to March", "April to June", "July to September")
            season = (*months, "October to December")[quarter - 1]
            entries = "entry" if count == 1 else "entries"
            strip.cells.append(
                TimelineCell(
                    x, count, _opacity(count, most), f"{agency}, {season} {year}: {count} {entries}"
                )
            )
        strips.append(strip)
    years = [
        (year, size.LABEL_WIDTH + (year - first_year) * 4 * cell)
        for year in range(first_year, last_year + 1)
    ]
    label = (
        "Entries by agency: "
        + "; ".join(f"{strip.agency} {strip.total}" for strip in strips)
        + f", from {first_year} to {last_year}."
    )
    return Timeline(
        rows=strips,
        years=years,
        width=size.LABEL_WIDTH + quarters_shown * cell,
        height=size.TOP + len(strips) * size.ROW,
        label=label,
        cell_width=cell - 2,
    )


def on_panel_list(user: Any, panel_id: int) -> set[int]:
    """The keys of the children on a panel's list now, for a member of the panel (read
    through the panel's access rule; nothing for anyone else)."""
    return set(
        access.panel_rows(user, panel_id, PanelChild)
        .filter(panel_id=panel_id, removed_at__isnull=True)
        .values_list("child_id", flat=True)
    )
