"""The agencies' events of the known children: what each kind of agency records, and when."""

from __future__ import annotations

import os
import random
from datetime import date, timedelta
from functools import cache
from typing import Any

# The agency table and the word lists sit in modules that import the hub's models (for
# AgencyKind and Role); a benchmark may import this module in a bare process, so Django
# is set up first when nothing has set it up yet. Setting up touches no database.
from django.apps import apps

if not apps.ready:  # pragma: no cover - the test suite and the commands set Django up
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
    django.setup()

from safeguarding.demo import names  # noqa: E402
from safeguarding.demo.agency_systems import WINDOW_END, WINDOW_START, style_of  # noqa: E402
from safeguarding.demo.extract_records import Record  # noqa: E402
from safeguarding.demo.partnership import AgencySpec  # noqa: E402
from safeguarding.demo.population import Person, Weighted, age_on, random_day  # noqa: E402

# --- Events ---------------------------------------------------------------------------------

# Ages at which each event type happens (at the event's date).
EVENT_AGES: dict[str, tuple[int, int]] = {
    "police_intelligence": (10, 17),
    "missing_episode": (8, 17),
    "exploitation_concern": (10, 17),
    "harmful_sexual_behaviour": (10, 17),
    "camhs_referral": (5, 17),
    "camhs_discharge": (5, 17),
    "school_suspension": (5, 17),
    "exclusion": (6, 17),
    "persistent_absence": (5, 17),
    "missing_education": (5, 16),
    "young_carer_identified": (8, 17),
}

# What each agency (by code, else by kind) records, with weights.
AGENCY_EVENTS: dict[str, tuple[tuple[str, float], ...]] = {
    "health_trust": (("ae_attendance", 6), ("camhs_referral", 1)),
    "COMMHEALTH": (("camhs_referral", 2), ("young_carer_identified", 1), ("ae_attendance", 1)),
    "health_gp": (("gp_appointment", 6), ("camhs_referral", 1)),
    "school": (
        ("persistent_absence", 4), ("school_suspension", 3), ("exclusion", 0.4),
        ("missing_education", 0.4), ("young_carer_identified", 1), ("exploitation_concern", 1),
        ("harmful_sexual_behaviour", 0.4),
    ),
    "college": (("persistent_absence", 3), ("exploitation_concern", 1), ("young_carer_identified", 1)),
    "early_years": (("early_help_assessment", 1),),
    "LANTERN": (("exploitation_concern", 3), ("young_carer_identified", 2), ("missing_episode", 1)),
    "KINDRED": (("early_help_assessment", 3), ("young_carer_identified", 2)),
    "YJS": (("exploitation_concern", 3), ("harmful_sexual_behaviour", 1)),
    "HOUSING": (("domestic_abuse_incident", 1),),
}  # fmt: skip

EVENTS_PER_RECORD = {
    "universal": (0, 1),
    "early help": (0, 2),
    "child in need": (1, 3),
    "child protection": (1, 3),
    "looked after": (1, 3),
    "exploitation": (1, 4),
}

# An event before it is written out: (code, day, minutes after midnight, restricted).
_Event = tuple[str, date, int, bool]


def _moment(rng: random.Random) -> int:
    # Hours from 07:00 keep clear of the clocks changing at 01:00 and 02:00.
    return rng.randint(7, 21) * 60 + rng.randrange(60)


def _fits(code: str, born: date, day: date) -> bool:
    low, high = EVENT_AGES.get(code, (0, 17))
    return born < day <= WINDOW_END and low <= age_on(born, day) <= high


def _council_events(rng: random.Random, person: Person, start: date) -> list[_Event]:
    """The council's record: a contact, then the journey the child's needs take, in order."""
    profile = person.profile
    day = random_day(rng, start, WINDOW_END - timedelta(days=30))
    journey: list[tuple[str, int]] = [("mash_contact", 0)]
    if profile == "universal":
        journey = [("mash_contact", 0)] if rng.random() < 0.6 else []
    elif profile == "early help":
        journey.append(("early_help_assessment", rng.randint(3, 20)))
    else:
        journey += [("mash_referral", rng.randint(0, 3)), ("cin_start", rng.randint(15, 45))]
        if profile in ("child protection", "looked after"):
            journey.append(("cp_start", rng.randint(10, 40)))
        if profile == "looked after":
            journey.append(("lac_start", rng.randint(20, 200)))
            if rng.random() < 0.3:
                journey.append(("lac_end", rng.randint(120, 500)))
        elif profile == "child protection" and rng.random() < 0.6:
            journey += [("cp_end", rng.randint(180, 450))]
        if profile in ("child in need", "exploitation") and rng.random() < 0.6:
            journey.append(("cin_end", rng.randint(120, 400)))
        if profile == "exploitation":
            journey.insert(1, ("exploitation_concern", rng.randint(0, 10)))
    if rng.random() < 0.05:
        journey.append(("young_carer_identified", rng.randint(5, 200)))
    if rng.random() < 0.02:
        journey.append(("missing_education", rng.randint(5, 200)))
    events: list[_Event] = []
    for code, gap in journey:
        day += timedelta(days=gap)
        if day > WINDOW_END:
            break
        if _fits(code, person.date_of_birth, day):
            events.append((code, day, _moment(rng), False))
    return events


def _police_events(rng: random.Random, person: Person, start: date) -> list[_Event]:
    plan: list[tuple[str, int]] = {
        "universal": [("domestic_abuse_incident", rng.randint(0, 1))],
        "early help": [("domestic_abuse_incident", rng.randint(0, 2))],
        "child in need": [("domestic_abuse_incident", rng.randint(0, 2)), ("missing_episode", rng.randint(0, 1))],
        "child protection": [("domestic_abuse_incident", rng.randint(1, 3)), ("police_protection", int(rng.random() < 0.3))],
        "looked after": [("police_protection", int(rng.random() < 0.5)), ("missing_episode", rng.randint(0, 2))],
        "exploitation": [
            ("missing_episode", rng.randint(1, 5)), ("exploitation_concern", rng.randint(1, 3)),
            ("police_intelligence", rng.randint(0, 2)), ("domestic_abuse_incident", rng.randint(0, 1)),
        ],
    }[person.profile]  # fmt: skip
    if person.profile != "exploitation" and rng.random() < 0.01:
        plan.append(("police_intelligence", 1))
    events: list[_Event] = []
    for code, times in plan:
        for _ in range(times):
            day = random_day(rng, start, WINDOW_END)
            if _fits(code, person.date_of_birth, day):
                events.append((code, day, _moment(rng), code == "police_intelligence"))
    return events


def _other_events(
    rng: random.Random, person: Person, spec: AgencySpec, start: date
) -> list[_Event]:
    table = AGENCY_EVENTS.get(spec.code) or AGENCY_EVENTS.get(spec.kind, ())
    if spec.code == "MINDS":
        if rng.random() < 0.3 and person.profile == "universal":
            return []
        day = random_day(rng, start, WINDOW_END)
        events: list[_Event] = []
        if _fits("camhs_referral", person.date_of_birth, day):
            events.append(("camhs_referral", day, _moment(rng), False))
            later = day + timedelta(days=rng.randint(30, 300))
            if rng.random() < 0.6 and _fits("camhs_discharge", person.date_of_birth, later):
                events.append(("camhs_discharge", later, _moment(rng), False))
        return events
    if not table:
        return []
    weights = [
        weight * (3 if code == "exploitation_concern" and person.profile == "exploitation" else 1)
        for code, weight in table
    ]
    picker = Weighted([code for code, _ in table], weights)
    low, high = EVENTS_PER_RECORD[person.profile]
    events = []
    for _ in range(rng.randint(low, high)):
        code = picker.pick(rng)
        day = random_day(rng, start, WINDOW_END)
        if _fits(code, person.date_of_birth, day):
            events.append((code, day, _moment(rng), False))
    return events


@cache
def _labels() -> dict[str, str]:
    from safeguarding.children import catalogue

    return {entry.code: entry.label for entry in catalogue.event_types()}


def make_events(rng: random.Random, records: list[Record]) -> dict[str, list[dict[str, Any]]]:
    events: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        person, spec = record.person, record.agency
        if record.duplicate and rng.random() < 0.5:
            continue
        start = max(WINDOW_START, person.date_of_birth + timedelta(days=1))
        if start >= WINDOW_END - timedelta(days=31):
            continue
        if spec.code == "LA":
            made = _council_events(rng, person, start)
        elif spec.kind == "police":
            made = _police_events(rng, person, start)
        else:
            made = _other_events(rng, person, spec, start)
        style = style_of(spec.code)
        rows = events.setdefault(spec.code, [])
        for code, day, minutes, restricted in sorted(made, key=lambda e: (e[1], e[2])):
            flag = style.yes_no[0] if restricted else style.yes_no[1]
            if rng.random() < 0.15:
                # Left blank: the catalogue's default applies (restricted for intelligence).
                flag = ""
            rows.append(
                {
                    "record_id": record.record_id,
                    "event_type": _labels()[code] if style.labels else code,
                    "occurred_at": (day, minutes if style.event_times else None),
                    "summary": rng.choice(names.EVENT_SUMMARIES[code]),
                    "restricted": flag,
                }
            )
    return events
