"""The demo's children: their identifiers, records and events, imported from the agencies' extracts and linked as the truth says."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from django.utils import timezone

from safeguarding.children.models import (
    CandidateStatus,
    IdentityChangeKind,
    ImportBatch,
    ImportStatus,
    Sex,
)
from safeguarding.core.models import (
    AgencyKind,
    PanelKind,
)
from safeguarding.demo import (
    child_index,
    extracts,
    generator,
    identifiers,
    names,
    partnership,
)
from safeguarding.demo.partnership import FIXED_USERS
from safeguarding.demo.tests.support import (
    MEDIUM,
    REFERENCE_REPORT,
    SMALL,
    fixed,
    nhs_number_is_valid,
    run_demo,
    system,
)

pytestmark = pytest.mark.django_db


def test_nhs_numbers_generated_are_valid_and_only_on_health_records() -> None:
    run_demo("--scale", SMALL)
    records = list(system().source_records().select_related("agency"))
    health = (AgencyKind.HEALTH_TRUST, AgencyKind.HEALTH_GP)
    numbers = [r.nhs_number for r in records if r.nhs_number]
    assert numbers
    # From the range kept for test data, with a correct check digit.
    assert all(nhs_number_is_valid(n) and n.startswith("999") for n in numbers)
    assert all(r.agency.kind in health for r in records if r.nhs_number)
    on_health = [r for r in records if r.agency.kind in health]
    assert sum(bool(r.nhs_number) for r in on_health) / len(on_health) > 0.9


def test_the_nhs_number_generator_never_gives_an_invalid_number() -> None:
    rng = random.Random(12)
    assert all(nhs_number_is_valid(identifiers.nhs_number(rng)) for _ in range(2000))
    # A known valid number, and the same with a wrong check digit.
    assert identifiers.is_valid_nhs_number("9434765919")
    assert not identifiers.is_valid_nhs_number("9434765918")


def test_school_records_carry_a_upn_with_its_check_letter() -> None:
    run_demo("--scale", SMALL)
    upns = list(
        system()
        .source_records()
        .filter(agency__kind=AgencyKind.SCHOOL)
        .values_list("record_id", "upn")
    )
    assert upns
    for record_id, upn in upns:
        assert record_id == upn and len(upn) == 13 and identifiers.is_valid_upn(upn)


def test_children_have_records_events_and_ages_as_the_domain_expects() -> None:
    run_demo("--scale", MEDIUM)
    known = len(child_index.demo_extracts(1, float(MEDIUM)).known_people())
    children = list(system().children().filter(merged_into=None))
    # Linkage makes about one child per child known to agencies: a few more where it was
    # unsure and asked a person (a pair in the review queue keeps its record apart).
    assert known <= len(children) <= known * 1.1
    # The index holds children, and the young adult carers (18 to 25) the carers' charity
    # supports (young_carers/demo.py).
    from safeguarding.young_carers.models import YoungCarer

    young_adults = set(
        YoungCarer.objects.filter(young_adult_carer=True).values_list("child_id", flat=True)
    )
    assert all(
        0 <= generator.age_on(c.date_of_birth, extracts.AGE_ON) <= 17
        for c in children
        if c.date_of_birth and c.pk not in young_adults
    )
    assert all(
        18 <= generator.age_on(c.date_of_birth, carer.identified_on) <= 25
        for carer in YoungCarer.objects.filter(young_adult_carer=True).select_related("child")
        for c in [carer.child]
    )
    assert not system().source_records().filter(child=None).exists()
    assert not system().events().filter(child=None).exists()
    # Most children are known to more than one agency.
    agencies_per_child = [
        len(set(system().source_records().filter(child=c).values_list("agency_id", flat=True)))
        for c in children
    ]
    assert sum(n > 1 for n in agencies_per_child) / len(children) > 0.5
    # Some agencies have the child's name differently, as linkage met it.
    records = system().source_records().select_related("child")
    assert any(
        r.given_name.lower() != r.child.given_name.lower()
        or r.family_name.lower() != r.child.family_name.lower()
        for r in records
        if r.child
    )
    events = list(system().events().select_related("agency"))
    assert len(events) > len(children)
    start = generator.london(extracts.WINDOW_START, generator.time(0, 0))
    end = generator.london(extracts.WINDOW_END, generator.time(23, 59))
    for event in events:
        assert timezone.is_aware(event.occurred_at) and start <= event.occurred_at <= end
    restricted = [e for e in events if e.restricted]
    assert restricted and all(e.agency.kind == AgencyKind.POLICE for e in restricted)
    police = [e for e in events if e.agency.kind == AgencyKind.POLICE]
    assert len(restricted) / len(police) < 0.15
    listed = (
        system()
        .panel_entries()
        .filter(panel__kind=PanelKind.EXPLOITATION_RISK, removed_at__isnull=True)
        .values_list("child_id", flat=True)
    )
    assert len(listed) == round(child_index.PANEL_LIST_PER_SCALE * float(MEDIUM))
    # The children on the list are adolescents with signs of exploitation in their chronology.
    for child_id in listed:
        kinds = set(
            system().events().filter(child_id=child_id).values_list("event_type", flat=True)
        )
        assert kinds & child_index.EXPLOITATION_SIGNS


def _invented_words() -> set[str]:
    generic = {
        "NHS",
        "Council",
        "Integrated",
        "Care",
        "Board",
        "Constabulary",
        "Partnership",
        "Business",
        "Unit",
        "Hospitals",
        "Foundation",
        "Trust",
        "Community",
        "Health",
        "Medical",
        "Practice",
        "Surgery",
        "Centre",
        "Primary",
        "School",
        "Church",
        "England",
        "Academy",
        "High",
        "College",
        "Lane",
        "Day",
        "Nursery",
        "Family",
        "Hubs",
        "Early",
        "Years",
        "Service",
        "Youth",
        "Families",
        "Justice",
        "Probation",
        "Delivery",
        "Homes",
        "Fire",
        "Rescue",
        "Safeguarding",
        "Children",
        "Minds",
        "Green",
        "Lea",
    }
    words: set[str] = set()
    for spec in partnership.AGENCIES:
        words |= {w.strip(",") for w in spec.name.split() if w[0].isupper()} - generic
    for f in FIXED_USERS:
        words |= set(f.full_name.split())
    words |= set(names.ADULT_GIVEN_NAMES) | set(names.FAMILY_NAMES)
    words |= set(names.CHILD_GIVEN_NAMES_FEMALE) | set(names.CHILD_GIVEN_NAMES_MALE)
    words |= set(names.CHILD_FAMILY_NAMES)
    words |= {word for town, _ in names.TOWNS for word in town.split()}
    words |= set(names.STREET_WORDS)
    words |= {nick for nicks in names.NICKNAMES.values() for nick in nicks}
    words.add(partnership.AREA)
    return words


@pytest.mark.skipif(
    not REFERENCE_REPORT.exists(), reason="the reference annual report is not on this machine"
)
def test_no_invented_name_comes_from_the_reference_report() -> None:
    text = REFERENCE_REPORT.read_text()
    clashes = sorted(w for w in _invented_words() if re.search(rf"\b{re.escape(w)}\b", text))
    assert clashes == []


def test_children_have_a_sex_from_the_model_choices() -> None:
    run_demo("--scale", SMALL)
    assert set(system().children().values_list("sex", flat=True)) <= set(Sex.values)


def test_the_children_come_in_through_each_agencys_extracts_and_the_import() -> None:
    run_demo("--seed", "2", "--scale", SMALL)
    made = child_index.demo_extracts(2, float(SMALL))
    batches = list(ImportBatch.objects.select_related("agency"))
    loaded = {(b.agency.code, b.kind) for b in batches if b.status == ImportStatus.LOADED}
    assert loaded == {(code, "persons") for code in made.persons} | {
        (code, "events") for code in made.events
    }
    assert len(batches) == len(loaded)
    assert {b.file_name for b in batches if b.agency.code in child_index.XLSX_AGENCIES} <= {
        f"{code}-{kind}.xlsx"
        for code in child_index.XLSX_AGENCIES
        for kind in ("persons", "events")
    }
    keys = set(system().source_records().values_list("agency__code", "record_id"))
    assert keys == set(made.truth)
    assert system().events().count() == made.event_count
    # Extra columns an agency sends are kept with the record.
    council = system().source_records().filter(agency__code="LA").first()
    assert council is not None and council.attributes.get("stage")


def test_linkage_puts_each_childs_records_together_as_the_truth_says() -> None:
    run_demo("--seed", "3", "--scale", MEDIUM)
    made = child_index.demo_extracts(3, float(MEDIUM))
    child_of = {
        (code, record_id): child
        for code, record_id, child in system()
        .source_records()
        .values_list("agency__code", "record_id", "child_id")
    }
    by_child: dict[int, list[tuple[str, str]]] = {}
    for key, child in child_of.items():
        by_child.setdefault(child, []).append(key)
    linked = {
        (a, b) if a < b else (b, a)
        for keys in by_child.values()
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
    }
    true_pairs = made.true_pairs()
    right = len(linked & true_pairs)
    assert right / len(linked) > 0.98  # precision
    assert right / len(true_pairs) > 0.95  # recall, after the linkage officer's decisions


def test_the_review_queue_keeps_a_handful_of_pairs_and_the_officers_decisions() -> None:
    run_demo("--seed", "1", "--scale", MEDIUM)
    made = child_index.demo_extracts(1, float(MEDIUM))
    pairs = list(system().candidates().select_related("record__agency", "candidate__agency"))
    pending = [p for p in pairs if p.status == CandidateStatus.PENDING]
    wanted = max(child_index.REVIEW_LEFT_MINIMUM, round(child_index.REVIEW_LEFT_PER_SCALE * 0.1))
    assert 1 <= len(pending) <= wanted
    officer = fixed("linkage_officer")
    for pair in pairs:
        same = (
            made.truth[(pair.record.agency.code, pair.record.record_id)]
            == made.truth[(pair.candidate.agency.code, pair.candidate.record_id)]
        )
        if pair.status == CandidateStatus.CONFIRMED:
            assert same and pair.decided_by == officer
            assert pair.record.child_id == pair.candidate.child_id
        elif pair.status == CandidateStatus.REJECTED:
            assert not same and pair.decided_by == officer
    # Confirming merged children, with the history that lets a merge be undone.
    confirmed = [p for p in pairs if p.status == CandidateStatus.CONFIRMED]
    merges = system().identity_changes().filter(kind=IdentityChangeKind.MERGE).count()
    assert merges <= len(confirmed)
    assert merges == system().children().exclude(merged_into=None).count()


def test_the_extracts_option_keeps_the_files_and_the_truth(tmp_path: Path) -> None:
    folder = tmp_path / "extracts"
    run_demo("--seed", "4", "--scale", SMALL, "--extracts", str(folder))
    files = {path.name for path in folder.iterdir()}
    assert {"LA-persons.csv", "LA-events.csv", "POLICE-persons.csv", "truth.csv"} <= files
    assert "KINDRED-persons.xlsx" in files
    with (folder / "truth.csv").open(encoding="utf-8") as handle:
        assert len(handle.readlines()) == 1 + system().source_records().count()


def test_every_event_has_its_childs_agency_and_only_police_entries_are_restricted() -> None:
    run_demo("--seed", "5", "--scale", SMALL)
    for event in system().events().select_related("source_record", "agency"):
        assert event.child_id == event.source_record.child_id
        assert event.agency_id == event.source_record.agency_id
        if event.restricted:
            assert event.agency.kind == AgencyKind.POLICE
