"""The agencies' person records of the known children, with the noise real extracts have,
and the records made to be hard to link."""

from __future__ import annotations

import os
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
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
    EDUCATION_KINDS,
    HEALTH_KINDS,
    NOISE,
    AgencyStyle,
    style_of,
)
from safeguarding.demo.partnership import AgencySpec  # noqa: E402
from safeguarding.demo.population import (  # noqa: E402
    STAGE_OF_PROFILE,
    SURNAMES,
    Person,
    Weighted,
    nicknames,
)

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
class Record:
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


def make_records(
    rng: random.Random,
    known: list[Person],
    specs: Sequence[AgencySpec],
    max_records: int | None,
) -> list[Record]:
    records: list[Record] = []
    for person in known:
        for spec in _agencies_for(rng, person, specs):
            style = style_of(spec.code)
            records.append(Record(spec, "", person, _identity_row(rng, person, spec, style)))
            if spec.record_pattern != "UPN" and rng.random() < style.duplicates:
                # Registered again on the same system, months later, by someone who did
                # not find the first record.
                records.append(
                    Record(spec, "", person, _identity_row(rng, person, spec, style), True)
                )
        if max_records is not None and len(records) >= max_records:
            break
    return records


def assign_record_ids(rng: random.Random, records: list[Record]) -> None:
    by_agency: dict[str, list[Record]] = {}
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


def borderline_records(
    rng: random.Random,
    known: list[Person],
    specs: Sequence[AgencySpec],
    records: list[Record],
    count: int,
) -> list[Record]:
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
    made: list[Record] = []
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
        made.append(Record(spec, "", person, row))
        holders[person.id].add(spec.code)
    return made
