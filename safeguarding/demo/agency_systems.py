"""What the demo's synthetic extracts share: the import's fields, the window of activity,
the rates of noise, and each agency's system's habits (`STYLES`)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

# The agency table and the word lists sit in modules that import the hub's models (for
# AgencyKind and Role); a benchmark may import this module in a bare process, so Django
# is set up first when nothing has set it up yet. Setting up touches no database.
from django.apps import apps

if not apps.ready:  # pragma: no cover - the test suite and the commands set Django up
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
    django.setup()


PERSON_FIELDS = (
    "record_id",
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "nhs_number",
    "upn",
)
EVENT_FIELDS = ("record_id", "event_type", "occurred_at", "summary", "restricted")

# The demo's window of activity (three financial years); children are 0 to 17 on AGE_ON.
WINDOW_START = date(2023, 4, 1)
WINDOW_END = date(2026, 3, 31)
AGE_ON = WINDOW_END

# The reference partnership's population of children, and the share known to agencies.
REFERENCE_POPULATION = 36_000
KNOWN_SHARE = 0.10

# How often each kind of noise touches a record (of those it can touch: a nickname needs a
# name that has one, a swap needs a day of 12 or less, an old address needs a move).
NOISE: dict[str, float] = {
    "nickname": 0.08,
    "given name typo": 0.03,
    "known by middle name": 0.005,
    "family name typo": 0.03,
    "other parent's surname": 0.015,
    "day and month swapped": 0.02,
    "date of birth mistyped": 0.01,
    "date of birth missing": 0.01,
    "sex not recorded": 0.05,
    "old address": 0.35,
    "address missing": 0.03,
    "postcode untidy": 0.04,
    "nhs number missing": 0.03,
    "upn missing": 0.05,
}

HEALTH_KINDS = frozenset({"health_trust", "health_gp"})
EDUCATION_KINDS = frozenset({"school", "college"})

T = TypeVar("T")


# --- What an agency's system writes ------------------------------------------------------


@dataclass(frozen=True)
class AgencyStyle:
    """The habits of one agency's system, the same in every extract it sends."""

    date_format: str = "iso"  # "iso" 2025-03-05, "dmy" 05/03/2025, "worded" 5 Mar 2025
    event_times: bool = False  # occurred_at with a time of day
    sex_words: bool = False  # "Female" rather than "F"
    yes_no: tuple[str, str] = ("yes", "no")
    labels: bool = False  # event types by the catalogue's label rather than its code
    capitals: bool = False  # names and addresses in capitals
    address: str = "full"  # "full" line and town, "short" abbreviated, "line" no town
    middle_names: float = 0.5  # how often the system holds a middle name it was given
    extras: tuple[str, ...] = ()  # columns the hub has no field for
    duplicates: float = 0.003  # the same child registered twice


STYLES: dict[str, AgencyStyle] = {
    "LA": AgencyStyle("iso", True, extras=("stage",), middle_names=0.8, duplicates=0.005),
    "POLICE": AgencyStyle(
        "dmy",
        True,
        True,
        ("Y", "N"),
        labels=True,
        capitals=True,
        middle_names=0.7,
        duplicates=0.02,
    ),
    "HOSP": AgencyStyle(
        "worded",
        True,
        yes_no=("Yes", "No"),
        labels=True,
        address="short",
        extras=("registered_gp",),
    ),
    "COMMHEALTH": AgencyStyle("dmy", False, yes_no=("Y", "N")),
    "MINDS": AgencyStyle("iso", True, True, ("true", "false")),
    "GP-TOLLGATE": AgencyStyle("dmy", False, address="short", middle_names=0.9),
    "GP-FERNLEA": AgencyStyle("dmy", False, middle_names=0.9),
    "GP-QUAYSIDE": AgencyStyle("iso", False, True, ("1", "0"), middle_names=0.9),
    "PRI-BRACKEN": AgencyStyle("dmy", False, extras=("year_group",), middle_names=0.9),
    "PRI-HOLLINS": AgencyStyle("dmy", False, extras=("year_group",), middle_names=0.9),
    "SEC-ACADEMY": AgencyStyle("dmy", False, extras=("year_group",), middle_names=0.9),
    "SEC-MARLBECK": AgencyStyle("dmy", False, extras=("year_group",), middle_names=0.9),
    "COLLEGE": AgencyStyle("iso", False, True, extras=("course",), address="line"),
    "EY-TUMBLE": AgencyStyle("worded", False, address="line", middle_names=0.2),
    "EY-FAMHUB": AgencyStyle("worded", False, True),
    "LANTERN": AgencyStyle(
        "worded",
        False,
        labels=True,
        address="line",
        middle_names=0.1,
        extras=("referral_source",),
    ),
    "KINDRED": AgencyStyle("dmy", False, yes_no=("Yes", "No"), middle_names=0.2),
    "YJS": AgencyStyle("iso", True, capitals=True),
    "HOUSING": AgencyStyle("dmy", False, address="short", middle_names=0.1),
    "FIRE": AgencyStyle("iso", False, address="line", middle_names=0.0),
}
DEFAULT_STYLE = AgencyStyle()

MONTH_ABBREVIATIONS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip


def style_of(agency_code: str) -> AgencyStyle:
    return STYLES.get(agency_code, DEFAULT_STYLE)


def format_date(day: date, date_format: str) -> str:
    if date_format == "dmy":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    if date_format == "worded":
        return f"{day.day} {MONTH_ABBREVIATIONS[day.month]} {day.year}"
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


_ROW_DATE = re.compile(
    r"^(?:(\d{4})-(\d\d)-(\d\d)|(\d\d)/(\d\d)/(\d{4})|(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}))"
)


def row_date(text: str) -> date | None:
    """The date a generated row's date_of_birth or occurred_at holds, or None when blank.

    For consumers of the rows without the import (linkage training, the benchmarks): every
    numeric date this module writes is day first, so nothing here is ambiguous.
    """
    match = _ROW_DATE.match(text)
    if match is None:
        return None
    g = match.groups()
    if g[0]:
        return date(int(g[0]), int(g[1]), int(g[2]))
    if g[3]:
        return date(int(g[5]), int(g[4]), int(g[3]))
    return date(int(g[8]), MONTH_ABBREVIATIONS.index(g[7]), int(g[6]))
