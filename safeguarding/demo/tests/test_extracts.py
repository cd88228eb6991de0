"""The synthetic population and its extracts: seeded, realistic, and honest about the truth."""

from __future__ import annotations

import csv
import random
import re
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from openpyxl import load_workbook

from safeguarding.children import catalogue, names
from safeguarding.children.dates import Order, read_date, settle_order
from safeguarding.core.identifiers import upn_check_letter
from safeguarding.demo import extract_records, extracts
from safeguarding.demo.agency_systems import NOISE
from safeguarding.demo.extracts import SyntheticExtracts
from safeguarding.demo.partnership import AGENCIES

SPECS = {spec.code: spec for spec in AGENCIES}
HEALTH = {spec.code for spec in AGENCIES if spec.kind in ("health_trust", "health_gp")}
EDUCATION = {spec.code for spec in AGENCIES if spec.kind in ("school", "college")}


@cache
def partnership() -> SyntheticExtracts:
    """The demo's partnership at a tenth of its size, with a few borderline records."""
    return extracts.generate(11, people=3_600, borderline=6)


@cache
def many() -> SyntheticExtracts:
    """Enough records for rates of a few in a thousand to show."""
    return extracts.generate_records(5, 60_000)


def nhs_number_is_valid(number: str) -> bool:
    """DOMAIN.md's rule, written out again here rather than trusting identifiers.py."""
    if not re.fullmatch(r"\d{10}", number):
        return False
    check = 11 - sum(int(number[i]) * (10 - i) for i in range(9)) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(number[9])


def all_rows(data: SyntheticExtracts) -> list[tuple[str, dict[str, str]]]:
    return [(code, row) for code, rows in data.persons.items() for row in rows]


def test_the_same_seed_gives_the_same_extracts_and_another_seed_others() -> None:
    first = extracts.generate(3, people=800, borderline=2)
    again = extracts.generate(3, people=800, borderline=2)
    other = extracts.generate(4, people=800, borderline=2)
    assert first.persons == again.persons
    assert first.events == again.events
    assert first.truth == again.truth
    assert first.borderline == again.borderline
    assert [p.nhs_number for p in first.people] == [p.nhs_number for p in again.people]
    assert first.persons != other.persons


def test_leaving_the_events_out_changes_none_of_the_persons() -> None:
    with_events = extracts.generate_records(8, 2_000, with_events=True)
    without = extracts.generate_records(8, 2_000)
    assert with_events.persons == without.persons and with_events.truth == without.truth
    assert with_events.events and not without.events


def test_a_population_like_the_reference_has_a_few_thousand_children_known() -> None:
    data = extracts.generate(2, people=36_000, with_events=False)
    assert len(data.people) == 36_000
    assert all(0 <= person.age <= 17 for person in data.people)
    known = data.known_people()
    assert 3_000 <= len(known) <= 4_000
    assert {data.truth[key] for key in data.truth} == {person.id for person in known}


def test_generate_records_gives_about_as_many_records_as_asked() -> None:
    for wanted in (500, 10_000):
        made = extracts.generate_records(1, wanted).record_count
        assert wanted <= made <= wanted * 1.01


def test_nhs_numbers_appear_on_health_records_only_and_are_all_valid() -> None:
    data = many()
    with_number = [(code, row) for code, row in all_rows(data) if row["nhs_number"]]
    assert {code for code, _ in with_number} == HEALTH
    assert all(
        nhs_number_is_valid(row["nhs_number"]) and row["nhs_number"].startswith("999")
        for _, row in with_number
    )
    # Each is the child's own number.
    for code, row in with_number:
        assert data.person_of(code, row["record_id"]).nhs_number == row["nhs_number"]
    health_rows = [row for code, row in all_rows(data) if code in HEALTH]
    missing = sum(not row["nhs_number"] for row in health_rows) / len(health_rows)
    assert missing == pytest.approx(NOISE["nhs number missing"], rel=0.35)


def test_upns_appear_on_education_records_only_with_a_valid_check_letter() -> None:
    data = many()
    with_upn = [(code, row) for code, row in all_rows(data) if row["upn"]]
    assert {code for code, _ in with_upn} == EDUCATION
    for code, row in with_upn:
        upn = row["upn"]
        assert len(upn) == 13 and upn[1:4] == "999"
        assert upn_check_letter(upn[1:]) == upn[0]
        assert data.person_of(code, row["record_id"]).upn == upn
        if SPECS[code].record_pattern == "UPN":
            assert row["record_id"] == upn
    upns = [person.upn for person in data.people if person.upn]
    assert len(set(upns)) == len(upns)
    nhs_numbers = [person.nhs_number for person in data.people]
    assert len(set(nhs_numbers)) == len(nhs_numbers)


def test_the_truth_covers_every_row_and_nothing_else() -> None:
    data = partnership()
    keys = [(code, row["record_id"]) for code, row in all_rows(data)]
    assert len(keys) == len(set(keys)) == len(data.truth)
    assert set(keys) == set(data.truth)
    assert all(1 <= data.truth[key] <= len(data.people) for key in keys)


def test_record_ids_follow_each_agencys_own_pattern() -> None:
    data = partnership()
    for code, rows in data.persons.items():
        pattern = SPECS[code].record_pattern
        if pattern == "UPN":
            regex = r"[A-Z]999\d{9}"
        else:
            regex = re.escape(pattern).replace("\\{year\\}", "20(19|2[0-5])").replace("\\#", r"\d")
            regex = regex.replace("#", r"\d")
        assert all(re.fullmatch(regex, row["record_id"]) for row in rows), code


def test_a_narrow_numbering_gains_digits_rather_than_repeating_ids() -> None:
    ids = extract_records._record_ids(random.Random(1), "TLN-####", 5_000)
    assert len(set(ids)) == 5_000
    assert all(re.fullmatch(r"TLN-\d{5}", record_id) for record_id in ids)


def test_every_row_has_the_import_fields_and_its_agencys_extra_columns() -> None:
    data = partnership()
    for code, rows in data.persons.items():
        columns = list(extracts.PERSON_FIELDS) + list(extracts.style_of(code).extras)
        assert all(list(row) == columns for row in rows), code
        assert all(isinstance(value, str) for row in rows for value in row.values())
    assert data.persons["LA"][0]["stage"]
    assert any(row["year_group"] for row in data.persons["SEC-ACADEMY"])


def test_each_agency_writes_dates_one_way_that_the_import_reads_without_guessing() -> None:
    data = partnership()
    shapes = {
        "iso": r"\d{4}-\d\d-\d\d",
        "dmy": r"\d\d/\d\d/\d{4}",
        "worded": r"\d{1,2} [A-Z][a-z]{2} \d{4}",
    }
    seen = set()
    for code, rows in data.persons.items():
        values = [row["date_of_birth"] for row in rows if row["date_of_birth"]]
        shape = next(name for name, regex in shapes.items() if re.fullmatch(regex, values[0]))
        seen.add(shape)
        assert all(re.fullmatch(shapes[shape], value) for value in values), code
        readings = [read_date(value) for value in values]
        assert all(reading.problem is None for reading in readings)
        if shape == "dmy":
            assert settle_order(readings) is Order.DAY_FIRST, code
        for value, reading in zip(values, readings, strict=True):
            assert reading.value(Order.DAY_FIRST) == extracts.row_date(value)
    assert seen == {"iso", "dmy", "worded"}


def test_siblings_share_an_address_and_mostly_a_surname() -> None:
    data = extracts.generate(6, people=5_000, with_events=False)
    households: dict[int, list[extracts.Person]] = {}
    for person in data.people:
        households.setdefault(person.household, []).append(person)
    families = [h for h in households.values() if len(h) > 1]
    assert len(families) > 500
    assert all(len({p.address for p in h}) == 1 for h in families)
    same_surname = sum(len({p.family_name for p in h}) == 1 for h in families) / len(families)
    assert 0.6 < same_surname < 0.95
    twins = [h for h in families if len({p.date_of_birth for p in h}) < len(h)]
    assert twins
    moved = sum(len(h[0].addresses) > 1 for h in households.values()) / len(households)
    assert 0.2 < moved < 0.4


def test_a_large_population_spreads_over_hundreds_of_names() -> None:
    people = extracts.generate(9, people=100_000, known_share=0.01, with_events=False).people
    given = Counter(person.given_name for person in people)
    family = Counter(person.family_name for person in people)
    assert len(given) >= 450 and len(family) >= 450
    assert given.most_common(1)[0][1] / len(people) < 0.02
    assert family.most_common(1)[0][1] / len(people) < 0.03


def rate(hits: int, chances: int) -> float:
    assert chances > 200, "too few chances to measure a rate"
    return hits / chances


def test_the_noise_kinds_occur_at_roughly_their_rates() -> None:
    data = many()
    table = extracts.nicknames()
    nickname = [0, 0]
    swapped = [0, 0]
    missing_dob = [0, 0]
    sex_unknown = [0, 0]
    old_address = [0, 0]
    untidy = [0, 0]
    family_typo = [0, 0]
    for code, row in all_rows(data):
        person = data.person_of(code, row["record_id"])
        given = row["given_name"].title()
        if person.given_name in table:
            nickname[1] += 1
            nickname[0] += given in table[person.given_name]
        born = person.date_of_birth
        if born.day <= 12 and born.day != born.month:
            swapped[1] += 1
            swapped[0] += extracts.row_date(row["date_of_birth"]) == date(
                born.year, born.day, born.month
            )
        missing_dob[1] += 1
        missing_dob[0] += not row["date_of_birth"]
        if code not in HEALTH:
            sex_unknown[1] += 1
            sex_unknown[0] += row["sex"] in ("", "U")
        if len(person.addresses) > 1 and row["postcode"]:
            old_address[1] += 1
            old_address[0] += row["postcode"].upper().replace(" ", "") == person.addresses[
                -2
            ].postcode.replace(" ", "")
        if row["postcode"]:
            untidy[1] += 1
            untidy[0] += row["postcode"] != row["postcode"].upper() or " " not in row["postcode"]
        written = names.normalise(row["family_name"])
        if "-" not in row["family_name"]:
            family_typo[1] += 1
            family_typo[0] += written != names.normalise(person.family_name) and (
                abs(len(written) - len(person.family_name)) <= 1
                and written[0] == names.normalise(person.family_name)[0]
            )
    assert rate(*nickname) == pytest.approx(NOISE["nickname"], rel=0.3)
    assert rate(*swapped) == pytest.approx(NOISE["day and month swapped"], rel=0.3)
    assert rate(*missing_dob) == pytest.approx(NOISE["date of birth missing"], rel=0.3)
    assert rate(*sex_unknown) == pytest.approx(NOISE["sex not recorded"], rel=0.3)
    assert rate(*old_address) == pytest.approx(NOISE["old address"], rel=0.2)
    assert rate(*untidy) == pytest.approx(NOISE["postcode untidy"], rel=0.3)
    # Typos, and now and then another parent's surname that happens to look like one.
    assert rate(*family_typo) == pytest.approx(NOISE["family name typo"], rel=0.35)


def test_some_children_are_on_one_system_twice() -> None:
    data = many()
    per_agency_person = Counter((code, person) for (code, _), person in data.truth.items())
    police_twice = sum(
        1 for (code, _), count in per_agency_person.items() if code == "POLICE" and count > 1
    )
    police_children = sum(1 for code, _ in per_agency_person if code == "POLICE")
    assert rate(police_twice, police_children) == pytest.approx(
        extracts.STYLES["POLICE"].duplicates, rel=0.4
    )


def test_events_belong_to_records_of_their_own_agency_and_name_catalogue_types() -> None:
    data = partnership()
    assert data.event_count > data.record_count
    for code, rows in data.events.items():
        ids = {row["record_id"] for row in data.persons[code]}
        for row in rows:
            assert row["record_id"] in ids
            assert catalogue.find(row["event_type"]) is not None, row["event_type"]
            assert list(row) == list(extracts.EVENT_FIELDS)
    # Some systems send labels, others codes.
    written = {row["event_type"] for rows in data.events.values() for row in rows}
    codes = {entry.code for entry in catalogue.event_types()}
    assert written & codes and written - codes


def test_events_fall_in_the_window_after_birth_at_an_age_that_fits() -> None:
    data = partnership()
    for code, rows in data.events.items():
        for row in rows:
            entry = catalogue.find(row["event_type"])
            assert entry is not None
            day = extracts.row_date(row["occurred_at"])
            assert day is not None and extracts.WINDOW_START <= day <= extracts.WINDOW_END
            born = data.person_of(code, row["record_id"]).date_of_birth
            low, high = extracts.EVENT_AGES.get(entry.code, (0, 17))
            assert day > born and low <= extracts.age_on(born, day) <= high, (code, row)


def test_each_agency_kind_records_its_own_sort_of_event() -> None:
    data = partnership()

    def codes(agency: str) -> set[str]:
        return {catalogue.find(row["event_type"]).code for row in data.events.get(agency, [])}  # type: ignore[union-attr]

    assert {"mash_contact", "mash_referral", "cin_start", "cp_start", "lac_start"} <= codes("LA")
    assert {"domestic_abuse_incident", "missing_episode", "police_intelligence"} <= codes("POLICE")
    assert "ae_attendance" in codes("HOSP")
    assert {"camhs_referral", "camhs_discharge"} <= codes("MINDS")
    schools = codes("SEC-ACADEMY") | codes("SEC-MARLBECK")
    assert {"school_suspension", "persistent_absence"} <= schools
    assert codes("LA").isdisjoint({"ae_attendance", "school_suspension", "police_intelligence"})


def test_a_childs_plans_start_before_they_end() -> None:
    data = partnership()
    for rows in data.events.values():
        starts: dict[tuple[str, str], date] = {}
        for row in rows:
            code = catalogue.find(row["event_type"]).code  # type: ignore[union-attr]
            day = extracts.row_date(row["occurred_at"])
            assert day is not None
            if code.endswith("_start") or code == "camhs_referral":
                starts[(row["record_id"], code.split("_")[0])] = day
            elif code.endswith("_end") or code == "camhs_discharge":
                assert starts[(row["record_id"], code.split("_")[0])] <= day


def test_only_police_intelligence_is_marked_restricted_and_it_is_rare() -> None:
    data = partnership()
    restricted_words = {"yes", "y", "true", "1"}
    police = data.events["POLICE"]
    for rows in data.events.values():
        for row in rows:
            entry = catalogue.find(row["event_type"])
            assert entry is not None
            marked = row["restricted"].lower() in restricted_words
            assert marked == (entry.code == "police_intelligence" and row["restricted"] != "")
    intelligence = [
        row
        for row in police
        if catalogue.find(row["event_type"]).code == "police_intelligence"  # type: ignore[union-attr]
    ]
    assert intelligence and len(intelligence) / len(police) < 0.15


def test_borderline_records_are_known_children_at_agencies_without_identifiers() -> None:
    data = partnership()
    assert len(data.borderline) == 6
    for code, record_id in data.borderline:
        person = data.person_of(code, record_id)
        row = next(r for r in data.persons[code] if r["record_id"] == record_id)
        assert not row["nhs_number"] and not row["upn"]
        # The child's other records are elsewhere: linkage has something to be unsure about.
        others = [key for key, pid in data.truth.items() if pid == person.id and key[0] != code]
        assert others
        assert (
            row["given_name"].title() != person.given_name
            or row["family_name"].title() != person.family_name
        )


def test_the_extracts_are_written_as_csv_and_xlsx_that_read_back_the_same(
    tmp_path: Path,
) -> None:
    data = extracts.generate(12, people=600)
    paths = extracts.write_extracts(data, tmp_path, xlsx_for={"KINDRED"})
    names_written = {path.name for path in paths}
    assert "LA-persons.csv" in names_written and "POLICE-events.csv" in names_written
    assert "KINDRED-persons.xlsx" in names_written
    with (tmp_path / "LA-persons.csv").open(newline="", encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == data.persons["LA"]
    sheet = load_workbook(tmp_path / "KINDRED-persons.xlsx", read_only=True).active
    assert sheet is not None
    rows = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == list(data.persons["KINDRED"][0])
    assert [dict(zip(rows[0], row, strict=True)) for row in rows[1:]] == data.persons["KINDRED"]
    truth = extracts.write_truth(data, tmp_path / "truth.csv")
    with truth.open(newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == len(data.truth)


def test_true_pairs_are_every_pair_of_records_of_one_child() -> None:
    data = extracts.generate(13, people=300)
    pairs = data.true_pairs()
    sizes = Counter(data.truth.values())
    assert len(pairs) == sum(n * (n - 1) // 2 for n in sizes.values())
    for a, b in pairs:
        assert a < b and data.truth[a] == data.truth[b]


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one child"):
        extracts.generate(1, people=0)
    with pytest.raises(ValueError, match="share"):
        extracts.generate(1, people=10, known_share=0)
    with pytest.raises(ValueError, match="at least one record"):
        extracts.generate_records(1, 0)
