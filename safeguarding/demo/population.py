"""The synthetic population: children in households, with addresses, NHS numbers and UPNs,
and the few thousand known to agencies."""

from __future__ import annotations

import bisect
import itertools
import json
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
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

from safeguarding.children.names import NICKNAMES_FILE  # noqa: E402
from safeguarding.core.identifiers import nhs_check_digit, upn_check_letter  # noqa: E402
from safeguarding.demo import names  # noqa: E402
from safeguarding.demo.agency_systems import AGE_ON, WINDOW_END, T  # noqa: E402
from safeguarding.demo.identifiers import NHS_TEST_PREFIX, UPN_DEMO_LA_NUMBER  # noqa: E402

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


def random_day(rng: random.Random, start: date, end: date) -> date:
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
            random_day(rng, date(2021, 4, 1), WINDOW_END - timedelta(days=60)) for _ in range(moved)
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
                born = random_day(
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


def choose_known(rng: random.Random, population: list[Person], known_share: float) -> list[Person]:
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
