"""A synthetic child population and the agencies' noisy extracts of it, with the truth.

`generate(seed, people=36_000)` makes a population of children aged 0 to 17 living in
households (siblings share a surname, an address and a postcode; some families moved
house), picks the few thousand known to agencies, and writes what each agency's system
would export about them: a persons extract and an events extract, each row a dict of
strings keyed by the import's fields (children/importing.py). `truth` says which person
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
"""

from __future__ import annotations

import bisect
import csv
import itertools
import json
import os
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

# The agency table and the word lists sit in modules that import the hub's models (for
# AgencyKind and Role); a benchmark may import this module in a bare process, so Django
# is set up first when nothing has set it up yet. Setting up touches no database.
from django.apps import apps

if not apps.ready:  # pragma: no cover - the test suite and the commands set Django up
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
    django.setup()

from safeguarding.children.identifiers import nhs_check_digit, upn_check_letter  # noqa: E402
from safeguarding.children.names import NICKNAMES_FILE  # noqa: E402
from safeguarding.demo import names  # noqa: E402
from safeguarding.demo.identifiers import NHS_TEST_PREFIX, UPN_DEMO_LA_NUMBER  # noqa: E402
from safeguarding.demo.partnership import AGENCIES, AgencySpec  # noqa: E402

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


# --- The population ------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    line: str  # "27 Mill Road" or "Flat 3, 27 Mill Road"
    short_line: str  # "27 Mill Rd"
    town: str
    postcode: str
    since: date


@dataclass
class Person:
    """A child as they really are; the extracts hold agencies' versions of them."""

    id: int
    household: int
    given_name: str
    other_names: str
    family_name: str
    date_of_birth: date
    sex: str  # F, M or X
    nhs_number: str
    upn: str  # "" before the child started school
    addresses: tuple[Address, ...]  # oldest first; the last is where the child lives now
    # Where the child is on the continuum of need ("" when no agency knows them); it
    # shapes which agencies hold records and what their events say.
    profile: str = ""

    @property
    def address(self) -> Address:
        return self.addresses[-1]

    @property
    def age(self) -> int:
        return age_on(self.date_of_birth, AGE_ON)


@dataclass
class SyntheticExtracts:
    persons: dict[str, list[dict[str, str]]]  # agency code -> persons extract rows
    events: dict[str, list[dict[str, str]]]  # agency code -> events extract rows
    truth: dict[tuple[str, str], int]  # (agency code, record_id) -> Person.id
    people: list[Person]  # the whole population, known to agencies or not
    # Records made deliberately hard to link (a handful, when asked for): (agency, record_id).
    borderline: list[tuple[str, str]] = field(default_factory=list)

    @property
    def record_count(self) -> int:
        return sum(len(rows) for rows in self.persons.values())

    @property
    def event_count(self) -> int:
        return sum(len(rows) for rows in self.events.values())

    def person_of(self, agency_code: str, record_id: str) -> Person:
        return self.people[self.truth[(agency_code, record_id)] - 1]

    def known_people(self) -> list[Person]:
        return [person for person in self.people if person.profile]

    def true_pairs(self) -> set[tuple[tuple[str, str], tuple[str, str]]]:
        """Every pair of records of the same person, each pair sorted: for precision and recall."""
        by_person: dict[int, list[tuple[str, str]]] = {}
        for key, person_id in self.truth.items():
            by_person.setdefault(person_id, []).append(key)
        return {
            (a, b) if a < b else (b, a)
            for keys in by_person.values()
            for a, b in itertools.combinations(sorted(keys), 2)
        }


def age_on(date_of_birth: date, day: date) -> int:
    return (
        day.year
        - date_of_birth.year
        - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))
    )


class Weighted:
    """A weighted choice that costs one random number and a bisection."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]


def by_rank(items: Sequence[str], offset: float) -> Weighted:
    """Names drawn with weights falling by rank, as real names are spread (Zipf-like)."""
    return Weighted(items, [1 / (rank + offset) for rank in range(len(items))])


GIRLS = by_rank(names.CHILD_GIVEN_NAMES_FEMALE, 10)
BOYS = by_rank(names.CHILD_GIVEN_NAMES_MALE, 10)
SURNAMES = by_rank(names.CHILD_FAMILY_NAMES, 20)
HOUSEHOLD_SIZES = Weighted((1, 2, 3, 4, 5), (35, 35, 18, 9, 3))
TOWNS = Weighted(names.TOWNS, (50, 25, 15, 10))
SEXES = Weighted(("F", "M", "X"), (49.7, 49.7, 0.6))


@cache
def nicknames() -> dict[str, tuple[str, ...]]:
    """Each formal name's other forms: the shipped table (which linkage knows) and a few more
    of the demo's own (which it does not, as in life)."""
    table = json.loads(NICKNAMES_FILE.read_text(encoding="utf-8"))["names"]
    merged: dict[str, list[str]] = {formal: list(forms) for formal, forms in table.items()}
    for formal, forms in names.NICKNAMES.items():
        merged.setdefault(formal, [])
        merged[formal] += [form for form in forms if form not in merged[formal]]
    return {formal: tuple(forms) for formal, forms in merged.items()}


def _random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _nhs_numbers(rng: random.Random, count: int) -> list[str]:
    """`count` different valid NHS numbers from the test range, in a seeded order."""
    space = 10**6
    if count > int(space * 0.85):
        raise ValueError(f"The NHS test range holds too few numbers for {count:,} people.")
    wanted = min(space, int(count * 1.15) + 100)
    numbers: list[str] = []
    for suffix in rng.sample(range(space), wanted):
        first_nine = f"{NHS_TEST_PREFIX}{suffix:06d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            numbers.append(f"{first_nine}{check}")
            if len(numbers) == count:
                return numbers
    raise ValueError(f"Could not draw {count:,} NHS numbers.")  # pragma: no cover


# Schools that allocate UPNs: Wealdmoor's own primaries first, then others the children
# started at (the establishment number is the first school's, wherever it was).
UPN_ESTABLISHMENTS = ("2041", "3117", *(f"{n:04d}" for n in range(2001, 2400)))
FIRST_SCHOOLS = Weighted(UPN_ESTABLISHMENTS, [40, 40, *([1] * (len(UPN_ESTABLISHMENTS) - 2))])


def _upn(rng: random.Random, taken: set[str], year_allocated: int) -> str:
    while True:
        school = FIRST_SCHOOLS.pick(rng)
        body = f"{UPN_DEMO_LA_NUMBER}{school}{year_allocated % 100:02d}{rng.randrange(1000):03d}"
        if body not in taken:
            taken.add(body)
            return upn_check_letter(body) + body


def _households(rng: random.Random, people: int) -> list[list[tuple[int, bool]]]:
    """Each household's children as (age, twin of the one before), eldest first."""
    households: list[list[tuple[int, bool]]] = []
    made = 0
    while made < people:
        size = min(HOUSEHOLD_SIZES.pick(rng), people - made)
        children: list[tuple[int, bool]] = []
        age = rng.randrange(18) if size == 1 else rng.randint(min(17, size), 17)
        for i in range(size):
            if i and rng.random() < 0.03:
                children.append((children[-1][0], True))
                continue
            if i:
                age -= rng.randint(1, 5)
            if age < 0:
                break
            children.append((age, False))
        households.append(children)
        made += len(children)
    return households


def _street_pool(
    rng: random.Random, addresses_needed: int
) -> tuple[list[tuple[str, str, str, str, int]], int]:
    """Streets as (name, short name, town, district, sector), and house numbers per street."""
    combos = [(word, kind) for word in names.STREET_WORDS for kind in names.STREET_KINDS]
    count = max(60, min(len(combos), addresses_needed // 30))
    streets = []
    for word, (kind, short) in rng.sample(combos, count):
        town, districts = TOWNS.pick(rng)
        streets.append(
            (f"{word} {kind}", f"{word} {short}", town, rng.choice(districts), rng.randint(1, 9))
        )
    numbers = max(80, -(-addresses_needed * 2 // count))
    return streets, numbers


def _addresses(rng: random.Random, count: int) -> list[tuple[str, str, str, str]]:
    """`count` different addresses as (line, short line, town, postcode)."""
    streets, numbers = _street_pool(rng, count)
    letters = names.POSTCODE_LETTERS
    made = []
    for index in rng.sample(range(len(streets) * numbers), count):
        street_index, number = divmod(index, numbers)
        number += 1
        street, short, town, district, sector = streets[street_index]
        unit = (street_index * 131 + number // 10) % (len(letters) ** 2)
        postcode = (
            f"{district} {sector}{letters[unit // len(letters)]}{letters[unit % len(letters)]}"
        )
        flat = f"Flat {rng.randint(1, 12)}, " if rng.random() < 0.15 else ""
        made.append((f"{flat}{number} {street}", f"{flat}{number} {short}", town, postcode))
    return made


def make_population(seed: int, people: int) -> list[Person]:
    """The children of the area, household by household."""
    rng = random.Random(f"{seed}:population")
    households = _households(rng, people)
    # One address each, and an earlier one for the families who moved in the last years.
    moves = [rng.choices((0, 1, 2), (70, 25, 5))[0] for _ in households]
    pool = _addresses(rng, len(households) + sum(moves))
    nhs_numbers = _nhs_numbers(rng, sum(len(h) for h in households))
    taken_upns: set[str] = set()
    population: list[Person] = []
    next_address = 0
    for household_id, (children, moved) in enumerate(zip(households, moves, strict=True), 1):
        history = []
        # Moves fall in the five years before the window ends, so that agencies hold
        # records from before and after them.
        moved_on = sorted(
            _random_day(rng, date(2021, 4, 1), WINDOW_END - timedelta(days=60))
            for _ in range(moved)
        )
        for since in [date(2008, 1, 1) + timedelta(days=rng.randrange(3000)), *moved_on]:
            line, short, town, postcode = pool[next_address]
            next_address += 1
            history.append(Address(line, short, town, postcode, since))
        surname = SURNAMES.pick(rng)
        for age, twin in children:
            if twin:
                born = population[-1].date_of_birth
            else:
                born = _random_day(
                    rng, date(AGE_ON.year - age - 1, 4, 1), date(AGE_ON.year - age, 3, 31)
                )
            sex = SEXES.pick(rng)
            pool_of_names = (
                GIRLS
                if sex == "F"
                else BOYS
                if sex == "M"
                else (GIRLS if rng.random() < 0.5 else BOYS)
            )
            given = pool_of_names.pick(rng)
            while twin and given == population[-1].given_name:
                given = pool_of_names.pick(rng)
            middle = ""
            if rng.random() < 0.4:
                middle = pool_of_names.pick(rng)
                if middle == given:
                    middle = ""
            family = surname if rng.random() < 0.85 else SURNAMES.pick(rng)
            person_id = len(population) + 1
            upn = ""
            # A UPN is allocated when a child starts in reception, the year they turn five.
            if age_on(born, AGE_ON) >= 4:
                upn = _upn(rng, taken_upns, born.year + 5)
            population.append(
                Person(
                    id=person_id,
                    household=household_id,
                    given_name=given,
                    other_names=middle,
                    family_name=family,
                    date_of_birth=born,
                    sex=sex,
                    nhs_number=nhs_numbers[person_id - 1],
                    upn=upn,
                    addresses=tuple(history),
                )
            )
    return population


# Where a known child is on the continuum of need, and how common each is.
PROFILES = Weighted(
    (
        "universal",
        "early help",
        "child in need",
        "child protection",
        "looked after",
        "exploitation",
    ),
    (25, 25, 20, 12, 8, 10),
)
STAGE_OF_PROFILE = {
    "universal": "closed",
    "early help": "early help",
    "child in need": "child in need",
    "child protection": "child protection plan",
    "looked after": "looked after",
    "exploitation": "child in need",
}
# Adolescents are known more often than younger children, as in any partnership's work.
KNOWN_AGE_WEIGHTS = (4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 8, 7, 6)


def _choose_known(rng: random.Random, population: list[Person], known_share: float) -> list[Person]:
    """Whole families are known together more often than not; older children more often."""
    if known_share >= 1:
        chosen = list(population)
    else:
        target = round(len(population) * known_share)
        by_household: dict[int, list[Person]] = {}
        for person in population:
            by_household.setdefault(person.household, []).append(person)
        households = list(by_household.values())
        weights = [max(KNOWN_AGE_WEIGHTS[p.age] for p in h) ** 2 for h in households]
        chosen = []
        seen: set[int] = set()
        picker = Weighted(range(len(households)), weights)
        while len(chosen) < target:
            index = picker.pick(rng)
            if index in seen:
                continue
            seen.add(index)
            chosen += [p for p in households[index] if rng.random() < 0.85][: target - len(chosen)]
        chosen.sort(key=lambda p: p.id)
    for person in chosen:
        profile = PROFILES.pick(rng)
        if profile == "exploitation" and person.age < 10:
            profile = "child in need"
        person.profile = profile
    return chosen


# --- The agencies' records -------------------------------------------------------------------


def _agencies_for(
    rng: random.Random, person: Person, specs: Sequence[AgencySpec]
) -> list[AgencySpec]:
    """Which agencies hold a record of the child: the council and the police by the child's
    needs, then others by weight, one school, one GP and so on."""
    age = person.age
    profile = person.profile
    chosen: list[AgencySpec] = []
    by_code = {spec.code: spec for spec in specs}
    la_chance = {"universal": 0.3, "early help": 0.7}.get(profile, 0.97)
    police_chance = {"exploitation": 0.92, "child protection": 0.55, "looked after": 0.5}.get(
        profile, 0.35 if age >= 10 else 0.12
    )
    if "LA" in by_code and rng.random() < la_chance:
        chosen.append(by_code["LA"])
    if "POLICE" in by_code and rng.random() < police_chance:
        chosen.append(by_code["POLICE"])
    wanted = len(chosen) + rng.choices((0, 1, 2, 3), (15, 40, 30, 15))[0]
    if not chosen and wanted == 0:
        wanted = 1
    candidates = [
        spec
        for spec in specs
        if spec.holds_child_records
        and spec.code not in ("LA", "POLICE")
        and spec.ages[0] <= age <= spec.ages[1]
    ]
    if profile == "exploitation":
        candidates.sort(key=lambda s: s.code not in ("YJS", "LANTERN"))
    while len(chosen) < wanted and candidates:
        if (
            profile == "exploitation"
            and candidates[0].code in ("YJS", "LANTERN")
            and rng.random() < 0.5
        ):
            pick = candidates[0]
        else:
            pick = Weighted(candidates, [spec.weight for spec in candidates]).pick(rng)
        chosen.append(pick)
        candidates = [
            spec
            for spec in candidates
            if spec is not pick and not (pick.slot and spec.slot == pick.slot)
        ]
    return chosen


def _typo(rng: random.Random, word: str) -> str:
    """One slip of the keyboard, never on the first letter: two letters swapped, one
    dropped, one doubled or one replaced by its neighbour on the keyboard."""
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    slip = rng.randrange(4)
    if slip == 0 and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if slip == 1:
        return word[:i] + word[i + 1 :]
    if slip == 2:
        return word[: i + 1] + word[i] + word[i + 1 :]
    neighbour = _KEYBOARD_NEIGHBOURS.get(word[i].lower())
    if not neighbour:
        return word[:i] + word[i + 1 :]
    return word[:i] + rng.choice(neighbour) + word[i + 1 :]


_KEYBOARD_NEIGHBOURS = {
    letter: "".join(other for other in around)
    for letter, around in {
        "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj",
        "i": "uo", "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o",
        "q": "w", "r": "et", "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc",
        "y": "tu", "z": "x",
    }.items()
}  # fmt: skip


def _swapped(day: date) -> date | None:
    if day.day > 12 or day.day == day.month:
        return None
    return date(day.year, day.day, day.month)


def _mistyped(rng: random.Random, day: date) -> date:
    """The year or the day one out, never past the window's end (a birth in the future
    is an error the import refuses, not noise)."""
    if rng.random() < 0.5:
        year = day.year + rng.choice((-1, 1))
        if date(year, day.month, min(day.day, 28)) > AGE_ON:
            year = day.year - 1
        return date(year, day.month, min(day.day, 28))
    moved = day + timedelta(days=rng.choice((-1, 1)))
    return moved if moved <= AGE_ON else day - timedelta(days=1)


def _untidy(rng: random.Random, postcode: str) -> str:
    return postcode.replace(" ", "") if rng.random() < 0.5 else postcode.lower()


def _band(draw: float, kinds: tuple[str, ...]) -> str | None:
    """Which of these kinds of noise a draw in [0, 1) falls on, each taking its rate."""
    for kind in kinds:
        if draw < NOISE[kind]:
            return kind
        draw -= NOISE[kind]
    return None


@dataclass
class _Record:
    agency: AgencySpec
    record_id: str
    person: Person
    row: dict[str, Any]
    duplicate: bool = False


def _identity_row(
    rng: random.Random, person: Person, spec: AgencySpec, style: AgencyStyle
) -> dict[str, Any]:
    """The person as this agency holds them, with the noise its system lets in."""
    given, family, middle = person.given_name, person.family_name, person.other_names
    slip = _band(rng.random(), ("nickname", "given name typo", "known by middle name"))
    forms = nicknames().get(given)
    if slip == "nickname" and forms:
        given = rng.choice(forms)
    elif slip == "given name typo":
        given = _typo(rng, given)
    elif slip == "known by middle name" and middle:
        given, middle = middle, given
    slip = _band(rng.random(), ("family name typo", "other parent's surname"))
    if slip == "family name typo":
        family = _typo(rng, family)
    elif slip == "other parent's surname":
        other = SURNAMES.pick(rng)
        family = f"{other}-{family}" if rng.random() < 0.5 else other
    if middle and rng.random() >= style.middle_names:
        middle = ""
    born: date | None = person.date_of_birth
    slip = _band(
        rng.random(),
        ("day and month swapped", "date of birth mistyped", "date of birth missing"),
    )
    if slip == "day and month swapped":
        born = _swapped(person.date_of_birth) or born
    elif slip == "date of birth mistyped":
        born = _mistyped(rng, person.date_of_birth)
    elif slip == "date of birth missing":
        born = None
    health = spec.kind in HEALTH_KINDS
    sex = person.sex
    if rng.random() < (NOISE["sex not recorded"] / 10 if health else NOISE["sex not recorded"]):
        sex = "U"
    if style.sex_words:
        sex = {"F": "Female", "M": "Male", "X": "Other", "U": ""}[sex]
    elif sex == "U" and rng.random() < 0.5:
        sex = ""
    home = person.address
    if len(person.addresses) > 1 and rng.random() < NOISE["old address"]:
        home = person.addresses[-2]
    if style.address == "short":
        address = f"{home.short_line}, {home.town}"
    elif style.address == "line":
        address = home.line
    else:
        address = f"{home.line}, {home.town}"
    postcode = home.postcode
    slip = _band(rng.random(), ("address missing", "postcode untidy"))
    if slip == "address missing":
        address = postcode = ""
    elif slip == "postcode untidy":
        postcode = _untidy(rng, postcode)
    if style.capitals:
        given, family, middle, address = (
            given.upper(),
            family.upper(),
            middle.upper(),
            address.upper(),
        )
    nhs = ""
    if health and rng.random() >= NOISE["nhs number missing"]:
        nhs = person.nhs_number
    upn = ""
    if spec.kind == "school" or (spec.kind == "college" and rng.random() >= NOISE["upn missing"]):
        upn = person.upn
    row: dict[str, Any] = {
        "record_id": "",
        "given_name": given,
        "family_name": family,
        "other_names": middle,
        "date_of_birth": born,
        "sex": sex,
        "address": address,
        "postcode": postcode,
        "nhs_number": nhs,
        "upn": upn,
    }
    for extra in style.extras:
        row[extra] = _extra_value(rng, extra, person)
    return row


COURSES = ("Level 2 Construction", "Level 3 Health and Social Care", "Level 2 Hair and Beauty", "Level 3 IT", "Level 1 Vocational Studies", "A levels")  # fmt: skip
REFERRAL_SOURCES = ("School", "Police", "Children's social care", "Self", "Parent or carer", "Youth justice")  # fmt: skip
GP_NAMES = ("Tollgate Green Surgery", "Fernlea Medical Practice", "Marlbeck Quayside Health Centre", "")  # fmt: skip


def _extra_value(rng: random.Random, column: str, person: Person) -> str:
    if column == "stage":
        return STAGE_OF_PROFILE.get(person.profile, "closed")
    if column == "year_group":
        return str(max(0, person.age - 4))
    if column == "course":
        return rng.choice(COURSES)
    if column == "referral_source":
        return rng.choice(REFERRAL_SOURCES)
    if column == "registered_gp":
        return rng.choice(GP_NAMES)
    return ""


def _record_ids(rng: random.Random, pattern: str, count: int) -> list[str]:
    """`count` different ids in an agency's pattern ("#" a digit, {year} 2019 to 2025); a
    pattern too narrow for the count gains digits, as a system's numbering would."""
    years = 7 if "{year}" in pattern else 1
    digits = pattern.count("#")
    while years * 10**digits < count * 4:
        pattern = pattern.replace("#", "##", 1)
        digits += 1
    numbers = rng.sample(range(years * 10**digits), count)
    made = []
    for number in numbers:
        year, serial = divmod(number, 10**digits)
        text = pattern.replace("{year}", str(2019 + year))
        serial_digits = iter(f"{serial:0{digits}d}")
        made.append("".join(next(serial_digits) if ch == "#" else ch for ch in text))
    return made


def _make_records(
    rng: random.Random,
    known: list[Person],
    specs: Sequence[AgencySpec],
    max_records: int | None,
) -> list[_Record]:
    records: list[_Record] = []
    for person in known:
        for spec in _agencies_for(rng, person, specs):
            style = style_of(spec.code)
            records.append(_Record(spec, "", person, _identity_row(rng, person, spec, style)))
            if spec.record_pattern != "UPN" and rng.random() < style.duplicates:
                # Registered again on the same system, months later, by someone who did
                # not find the first record.
                records.append(
                    _Record(spec, "", person, _identity_row(rng, person, spec, style), True)
                )
        if max_records is not None and len(records) >= max_records:
            break
    return records


def _assign_record_ids(rng: random.Random, records: list[_Record]) -> None:
    by_agency: dict[str, list[_Record]] = {}
    for record in records:
        by_agency.setdefault(record.agency.code, []).append(record)
    for code, held in by_agency.items():
        spec = held[0].agency
        if spec.record_pattern == "UPN":
            for record in held:
                record.record_id = record.person.upn
        else:
            for record, record_id in zip(
                held, _record_ids(rng, spec.record_pattern, len(held)), strict=True
            ):
                record.record_id = record_id
        for record in held:
            record.row["record_id"] = record.record_id
        del code


BORDERLINE_VARIANTS = (
    "another surname, same postcode",
    "another surname, no address",
    "typos in both names, no date of birth",
    "typo in the given name, year of birth wrong, no address",
    "another surname, day and month swapped",
)


def _borderline_records(
    rng: random.Random,
    known: list[Person],
    specs: Sequence[AgencySpec],
    records: list[_Record],
    count: int,
) -> list[_Record]:
    """Records of known children that agree with the child's other records on some
    things and not others, so that linkage is unsure of them and asks a person."""
    holders: dict[int, set[str]] = {}
    for record in records:
        holders.setdefault(record.person.id, set()).add(record.agency.code)
    quiet = [
        spec
        for spec in specs
        if spec.holds_child_records
        and spec.kind not in HEALTH_KINDS | EDUCATION_KINDS
        and spec.code not in ("LA", "POLICE")
    ]
    made: list[_Record] = []
    people = [p for p in known if p.age >= 10 and p.id in holders]
    rng.shuffle(people)
    for person in people:
        if len(made) >= count:
            break
        options = [
            s
            for s in quiet
            if s.code not in holders[person.id] and s.ages[0] <= person.age <= s.ages[1]
        ]
        if not options:
            continue
        spec = rng.choice(options)
        style = style_of(spec.code)
        row = _identity_row(random.Random(rng.random()), person, spec, style)
        variant = BORDERLINE_VARIANTS[len(made) % len(BORDERLINE_VARIANTS)]
        given, family = person.given_name, person.family_name
        true_birth = person.date_of_birth
        born: date | None = true_birth
        home = person.address
        postcode = home.postcode
        if variant == "another surname, same postcode":
            family = SURNAMES.pick(rng)
        elif variant == "another surname, no address":
            family = SURNAMES.pick(rng)
            postcode = ""
        elif variant == "typos in both names, no date of birth":
            given, family = _typo(rng, given), _typo(rng, family)
            born = None
        elif variant == "typo in the given name, year of birth wrong, no address":
            given = _typo(rng, given)
            born = date(true_birth.year - 1, true_birth.month, min(true_birth.day, 28))
            postcode = ""
        else:
            family = SURNAMES.pick(rng)
            born = _swapped(true_birth) or _mistyped(rng, true_birth)
        if style.capitals:
            given, family = given.upper(), family.upper()
        row.update(
            given_name=given,
            family_name=family,
            other_names="",
            date_of_birth=born,
            sex="",
            postcode=postcode,
            address=home.line if postcode else "",
        )
        made.append(_Record(spec, "", person, row))
        holders[person.id].add(spec.code)
    return made


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
    day = _random_day(rng, start, WINDOW_END - timedelta(days=30))
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
            day = _random_day(rng, start, WINDOW_END)
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
        day = _random_day(rng, start, WINDOW_END)
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
        day = _random_day(rng, start, WINDOW_END)
        if _fits(code, person.date_of_birth, day):
            events.append((code, day, _moment(rng), False))
    return events


@cache
def _labels() -> dict[str, str]:
    from safeguarding.children import catalogue

    return {entry.code: entry.label for entry in catalogue.event_types()}


def _make_events(rng: random.Random, records: list[_Record]) -> dict[str, list[dict[str, Any]]]:
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
    known = _choose_known(random.Random(f"{seed}:known"), population, known_share)
    records = _make_records(random.Random(f"{seed}:records"), known, agencies, max_records)
    extra = _borderline_records(
        random.Random(f"{seed}:borderline"), known, agencies, records, borderline
    )
    records += extra
    holding = {record.person.id for record in records}
    for person in known:
        if person.id not in holding:
            # Chosen, but past `max_records` (or no agency works with children this age).
            person.profile = ""
    _assign_record_ids(random.Random(f"{seed}:record ids"), records)
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
    events = _make_events(random.Random(f"{seed}:events"), records) if with_events else {}
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
