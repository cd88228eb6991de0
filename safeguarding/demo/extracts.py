"""A synthetic child population and the agencies' noisy extracts of it, with the truth.

`generate(seed, people=36_000)` makes a population of children aged 0 to 17 living in
households (siblings share a surname, an address and a postcode; some families moved
house), picks the few thousand known to agencies, and writes what each agency's system
would export about them: a persons extract and an events extract, each row a dict of
strings keyed by the import's fields (children/imports/columns.py). `truth` says which person
each (agency, record_id) really is, so that linkage can be measured.

The noise is the kind linkage meets in a real partnership, at the rates in `NOISE`:
nicknames, typos, a surname from another parent, a child known by a middle name, day and
month swapped, a date of birth mistyped or missing, sex not recorded, an address from
before the family moved, a postcode written without its space, the same child registered
twice on one system. NHS numbers appear only on health records, UPNs only on education
records; both are valid and from ranges no real child holds (demo/identifiers.py). Each
agency's system has its own habits (`STYLES`): its date format, whether it writes names
in capitals, event types by code or by label, "Y"/"N" or "yes"/"no".

No database and no Django model is touched: `generate_records(seed, 1_000_000)` makes a
million source records in well under a minute, for the linkage and import benchmarks.
The same seed always gives the same output: each phase draws from its own
`random.Random` seeded from the seed and the phase's name, and nothing iterates a set.

This module puts it together and is the public interface; the parts are in
demo/agency_systems.py (fields, window, noise, each system's habits), demo/population.py,
demo/extract_records.py and demo/extract_events.py.
"""

from __future__ import annotations

import csv
import os
import random
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

# The agency table and the word lists sit in modules that import the hub's models (for
# AgencyKind and Role); a benchmark may import this module in a bare process, so Django
# is set up first when nothing has set it up yet. Setting up touches no database.
from django.apps import apps

if not apps.ready:  # pragma: no cover - the test suite and the commands set Django up
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
    django.setup()

from safeguarding.demo.agency_systems import (  # noqa: E402
    AGE_ON,
    EVENT_FIELDS,
    KNOWN_SHARE,
    PERSON_FIELDS,
    REFERENCE_POPULATION,
    STYLES,
    WINDOW_END,
    WINDOW_START,
    AgencyStyle,
    format_date,
    row_date,
    style_of,
)
from safeguarding.demo.extract_events import EVENT_AGES, make_events  # noqa: E402
from safeguarding.demo.extract_records import (  # noqa: E402
    assign_record_ids,
    borderline_records,
    make_records,
)
from safeguarding.demo.partnership import AGENCIES, AgencySpec  # noqa: E402
from safeguarding.demo.population import (  # noqa: E402
    Person,
    SyntheticExtracts,
    age_on,
    choose_known,
    make_population,
    nicknames,
)

__all__ = [
    "AGE_ON",
    "EVENT_AGES",
    "EVENT_FIELDS",
    "KNOWN_SHARE",
    "PERSON_FIELDS",
    "REFERENCE_POPULATION",
    "STYLES",
    "WINDOW_END",
    "WINDOW_START",
    "AgencyStyle",
    "Person",
    "SyntheticExtracts",
    "age_on",
    "format_date",
    "generate",
    "generate_records",
    "nicknames",
    "row_date",
    "style_of",
    "write_extracts",
    "write_truth",
]


# --- Putting it together ------------------------------------------------------------------


def _settled_format(style: AgencyStyle, values: Iterable[date | None]) -> str:
    """The agency's date format, unless every numeric date in the column could be read
    either way round (all days 12 or less): then the system is taken to export ISO dates,
    so that a small demo file is never refused as ambiguous."""
    if style.date_format != "dmy":
        return style.date_format
    for value in values:
        if value is not None and value.day > 12:
            return "dmy"
    return "iso"


def _format_rows(
    persons: dict[str, list[dict[str, Any]]], events: dict[str, list[dict[str, Any]]]
) -> None:
    cache: dict[tuple[date, str], str] = {}

    def text(day: date, date_format: str) -> str:
        key = (day, date_format)
        found = cache.get(key)
        if found is None:
            found = cache[key] = format_date(day, date_format)
        return found

    for code, rows in persons.items():
        date_format = _settled_format(style_of(code), (row["date_of_birth"] for row in rows))
        for row in rows:
            born = row["date_of_birth"]
            row["date_of_birth"] = "" if born is None else text(born, date_format)
    for code, rows in events.items():
        date_format = _settled_format(style_of(code), (row["occurred_at"][0] for row in rows))
        for row in rows:
            day, minutes = row["occurred_at"]
            written = text(day, date_format)
            if minutes is not None:
                written = f"{written} {minutes // 60:02d}:{minutes % 60:02d}"
            row["occurred_at"] = written


def generate(
    seed: int,
    *,
    people: int = REFERENCE_POPULATION,
    known_share: float = KNOWN_SHARE,
    agencies: Sequence[AgencySpec] = AGENCIES,
    borderline: int = 0,
    with_events: bool = True,
    max_records: int | None = None,
) -> SyntheticExtracts:
    """A population of `people` children, `known_share` of them known to agencies, and the
    agencies' extracts of those. `borderline` adds that many records made to be hard to
    link; `max_records` stops adding records once there are that many."""
    if people < 1:
        raise ValueError("A population needs at least one child.")
    if not 0 < known_share <= 1:
        raise ValueError("The share known to agencies is more than 0 and at most 1.")
    population = make_population(seed, people)
    known = choose_known(random.Random(f"{seed}:known"), population, known_share)
    records = make_records(random.Random(f"{seed}:records"), known, agencies, max_records)
    extra = borderline_records(
        random.Random(f"{seed}:borderline"), known, agencies, records, borderline
    )
    records += extra
    holding = {record.person.id for record in records}
    for person in known:
        if person.id not in holding:
            # Chosen, but past `max_records` (or no agency works with children this age).
            person.profile = ""
    assign_record_ids(random.Random(f"{seed}:record ids"), records)
    persons: dict[str, list[dict[str, Any]]] = {
        spec.code: [] for spec in agencies if spec.holds_child_records
    }
    truth: dict[tuple[str, str], int] = {}
    for record in records:
        persons[record.agency.code].append(record.row)
        key = (record.agency.code, record.record_id)
        if not record.record_id or key in truth:  # pragma: no cover - a bug, never data
            raise RuntimeError(
                f"Two records of {record.agency.code} have the id {record.record_id!r}."
            )
        truth[key] = record.person.id
    persons = {code: rows for code, rows in persons.items() if rows}
    events = make_events(random.Random(f"{seed}:events"), records) if with_events else {}
    events = {code: events[code] for code in persons if events.get(code)}
    _format_rows(persons, events)
    return SyntheticExtracts(
        persons=persons,
        events=events,
        truth=truth,
        people=population,
        borderline=[(r.agency.code, r.record_id) for r in extra],
    )


# Source records per child known to agencies, on average (measured; see the tests).
RECORDS_PER_KNOWN_CHILD = 2.5


def generate_records(seed: int, n_records: int, *, with_events: bool = False) -> SyntheticExtracts:
    """About `n_records` source records, every child of the population known to some agency."""
    if n_records < 1:
        raise ValueError("Ask for at least one record.")
    people = max(20, int(n_records / RECORDS_PER_KNOWN_CHILD * 1.1) + 20)
    return generate(
        seed, people=people, known_share=1.0, with_events=with_events, max_records=n_records
    )


def write_extracts(
    extracts: SyntheticExtracts,
    folder: Path,
    *,
    xlsx_for: Iterable[str] = frozenset(),
    kinds: Sequence[str] = ("persons", "events"),
) -> list[Path]:
    """Each agency's extracts as files in `folder`: AGENCY-persons.csv, AGENCY-events.xlsx, ..."""
    folder.mkdir(parents=True, exist_ok=True)
    as_xlsx = set(xlsx_for)
    written: list[Path] = []
    for kind in kinds:
        by_agency = extracts.persons if kind == "persons" else extracts.events
        for code, rows in by_agency.items():
            if not rows:
                continue
            columns = list(rows[0])
            if code in as_xlsx:
                path = folder / f"{code}-{kind}.xlsx"
                _write_xlsx(path, columns, rows)
            else:
                path = folder / f"{code}-{kind}.csv"
                with path.open("w", newline="", encoding="utf-8") as handle:
                    writer = csv.DictWriter(handle, columns)
                    writer.writeheader()
                    writer.writerows(rows)
            written.append(path)
    return written


def _write_xlsx(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Extract")
    sheet.append(columns)
    for row in rows:
        sheet.append([row[column] for column in columns])
    book.save(path)


def write_truth(extracts: SyntheticExtracts, path: Path) -> Path:
    """The truth as a CSV of agency, record_id, person: for a benchmark in another process."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["agency", "record_id", "person"])
        for (agency, record_id), person in extracts.truth.items():
            writer.writerow([agency, record_id, person])
    return path
