"""Linkage on small known cases: what joins, what waits for a person, what never merges."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO
from typing import Any

import pyarrow as pa
import pytest
from django.core.management import call_command
from django.utils import timezone

from safeguarding.children import identity, linkage
from safeguarding.children.linkage import core as linkage_core
from safeguarding.children.models import (
    CandidateStatus,
    Child,
    ChildEvent,
    LinkageModel,
    LinkageRun,
    LinkCandidate,
    SourceRecord,
)
from safeguarding.core.access import SystemAccess
from safeguarding.core.models import AgencyKind, AuditAction, AuditEntry
from safeguarding.core.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

# Valid NHS numbers (mod 11) from the 999 range kept for test data.
NHS_A = "9990000018"
NHS_B = "9990000026"

JESSICA = {
    "given_name": "Jessica",
    "family_name": "Thompson",
    "date_of_birth": dt.date(2012, 3, 5),
    "sex": "F",
    "address": "14 Mill Lane, Wealdmoor",
    "postcode": "WM3 4AB",
}


@pytest.fixture
def agencies() -> dict[str, Any]:
    return {
        "LA": AgencyFactory(code="LA", kind=AgencyKind.LOCAL_AUTHORITY),
        "POLICE": AgencyFactory(code="POLICE", kind=AgencyKind.POLICE),
        "ICB": AgencyFactory(code="ICB", kind=AgencyKind.HEALTH_ICB),
        "TRUST": AgencyFactory(code="TRUST", kind=AgencyKind.HEALTH_TRUST),
        "SCHOOL": AgencyFactory(code="SCHOOL", kind=AgencyKind.SCHOOL),
    }


def record(agency: Any, record_id: str, **fields: Any) -> SourceRecord:
    return SourceRecord.objects.create(agency=agency, record_id=record_id, **fields)


def run_link(**options: Any) -> LinkageRun:
    return linkage.link(SystemAccess("linkage"), **options)


def child_of(source: SourceRecord) -> Child | None:
    source.refresh_from_db()
    return source.child


def test_the_shipped_model_is_loaded_the_first_time_linkage_runs(agencies: Any) -> None:
    assert not LinkageModel.objects.exists()
    run_link()
    model = LinkageModel.objects.get()
    assert model.is_active
    assert model.settings["comparisons"], "the shipped model has its comparisons"
    assert 0 < model.lower_threshold < model.upper_threshold < 1


def test_a_typo_in_the_family_name_links_to_the_child_already_in_the_index(agencies: Any) -> None:
    council = record(agencies["LA"], "LCS1", **JESSICA)
    first = run_link()
    police = record(agencies["POLICE"], "PN-1", **{**JESSICA, "family_name": "Thomspon"})
    second = run_link()

    assert child_of(police) == child_of(council) is not None
    assert police.link_method == "model"
    assert police.link_probability is not None
    assert police.link_probability >= first.model.upper_threshold
    assert (second.records_considered, second.linked_automatically) == (1, 1)


def test_a_swapped_day_and_month_links(agencies: Any) -> None:
    council = record(agencies["LA"], "LCS1", **JESSICA)
    school = record(agencies["SCHOOL"], "S1", **{**JESSICA, "date_of_birth": dt.date(2012, 5, 3)})
    run_link()
    assert child_of(school) == child_of(council) is not None


def test_a_nickname_links_to_the_formal_name(agencies: Any) -> None:
    formal = {**JESSICA, "given_name": "Elizabeth"}
    council = record(agencies["LA"], "LCS1", **formal)
    police = record(agencies["POLICE"], "PN-1", **{**formal, "given_name": "Lizzie"})
    run_link()
    assert child_of(police) == child_of(council) is not None


def test_new_records_that_match_each_other_make_one_child(agencies: Any) -> None:
    records = [
        record(agencies["LA"], "LCS1", **JESSICA),
        record(agencies["POLICE"], "PN-1", **{**JESSICA, "given_name": "Jesica"}),
        record(agencies["SCHOOL"], "S1", **{**JESSICA, "postcode": "", "address": ""}),
    ]
    run = run_link()
    children = {child_of(r) for r in records}
    assert len(children) == 1 and None not in children
    assert run.new_children == 1
    assert sorted(r.link_method for r in records) == ["model", "model", "new"]


def test_a_shared_valid_nhs_number_links_despite_a_different_family_name(agencies: Any) -> None:
    gp = record(agencies["ICB"], "G1", **JESSICA, nhs_number=NHS_A)
    hospital = record(
        agencies["TRUST"],
        "H1",
        **{**JESSICA, "family_name": "Okonkwo", "address": "2 Station Road", "postcode": "WM9 1XY"},
        nhs_number=NHS_A,
    )
    run_link()
    assert child_of(hospital) == child_of(gp) is not None
    assert {gp.link_method, hospital.link_method} == {"new", "nhs number"}
    child = child_of(gp)
    assert child is not None and child.nhs_number == NHS_A


def test_two_different_valid_nhs_numbers_never_merge_even_when_all_else_agrees(
    agencies: Any,
) -> None:
    gp = record(agencies["ICB"], "G1", **JESSICA, nhs_number=NHS_A)
    hospital = record(agencies["TRUST"], "H1", **JESSICA, nhs_number=NHS_B)
    run = run_link()
    assert child_of(gp) != child_of(hospital)
    assert run.new_children == 2
    assert not LinkCandidate.objects.exists(), "not even as a pair for review"


def test_a_record_never_joins_a_child_holding_another_nhs_number(agencies: Any) -> None:
    # The council's record carries no NHS number, but its child holds NHS_A through the GP.
    gp = record(
        agencies["ICB"], "G1", **{**JESSICA, "address": "", "postcode": ""}, nhs_number=NHS_A
    )
    council = record(agencies["LA"], "LCS1", **JESSICA)
    run_link()
    assert child_of(gp) == child_of(council) is not None

    hospital = record(agencies["TRUST"], "H1", **JESSICA, nhs_number=NHS_B)
    run_link()
    assert child_of(hospital) not in (None, child_of(council))
    assert not LinkCandidate.objects.exists()
    child = child_of(council)
    assert child is not None and child.nhs_number == NHS_A


# The same names and sex, a date of birth a day out, no address: a person should look.
UNCERTAIN = {**JESSICA, "date_of_birth": dt.date(2012, 3, 6), "address": "", "postcode": ""}


def test_twins_never_link_automatically_but_go_to_the_review_queue(agencies: Any) -> None:
    # Same family name, date of birth, sex and home: only the given name differs.
    jessica = record(agencies["LA"], "LCS1", **JESSICA)
    sophie = record(agencies["LA"], "LCS2", **{**JESSICA, "given_name": "Sophie"})
    run_link()
    assert child_of(jessica) != child_of(sophie)
    candidate = LinkCandidate.objects.get()
    assert {candidate.record, candidate.candidate} == {jessica, sophie}
    assert candidate.match_probability >= 0.98, "the model alone would have linked them"
    given = next(c for c in candidate.comparisons if c["field"] == "given_name")
    assert given["level"] == "different"


def _uncertain_pair(agencies: Any) -> tuple[SourceRecord, SourceRecord]:
    council = record(agencies["LA"], "LCS1", **JESSICA)
    run_link()
    police = record(agencies["POLICE"], "PN-1", **UNCERTAIN)
    return council, police


def test_an_uncertain_pair_gets_a_new_child_and_goes_to_the_review_queue(agencies: Any) -> None:
    council, police = _uncertain_pair(agencies)
    run = run_link()

    model = run.model
    assert child_of(police) not in (None, child_of(council)), "a child of its own, seen at once"
    assert police.link_method == "new"
    candidate = LinkCandidate.objects.get()
    assert (candidate.record, candidate.candidate) == (police, council)
    assert candidate.status == CandidateStatus.PENDING
    assert model.lower_threshold <= candidate.match_probability < model.upper_threshold
    fields = {c["field"]: c for c in candidate.comparisons}
    assert fields["date_of_birth"]["level"] == "one of day, month or year different"
    assert fields["given_name"]["level"] == "the same" and fields["given_name"]["weight"] > 0
    assert fields["address"] == {"field": "address", "level": "not on both records", "weight": 0}
    assert fields["nhs_number"]["level"] == "not on both records"
    assert fields["nhs_number"]["weight"] == 0
    total = sum(c["weight"] for c in candidate.comparisons)
    prior = candidate.match_weight - total
    assert prior < 0, "the weights add up to the match weight with the prior"
    assert run.sent_for_review == 1


def test_a_rejected_pair_is_not_queued_again(agencies: Any) -> None:
    council, police = _uncertain_pair(agencies)
    run_link()
    LinkCandidate.objects.update(status=CandidateStatus.REJECTED)
    # The police send the record again with a small change: it is linked again.
    SourceRecord.objects.filter(pk=police.pk).update(other_names="Marie", needs_linking=True)
    run = run_link()
    assert run.records_considered == 1
    assert LinkCandidate.objects.count() == 1
    assert LinkCandidate.objects.get().status == CandidateStatus.REJECTED


def test_a_pending_pair_is_not_queued_twice(agencies: Any) -> None:
    council, police = _uncertain_pair(agencies)
    run_link()
    SourceRecord.objects.filter(pk=police.pk).update(needs_linking=True)
    run_link()
    assert LinkCandidate.objects.count() == 1


def test_the_second_run_considers_only_new_and_changed_records(agencies: Any) -> None:
    council = record(agencies["LA"], "LCS1", **JESSICA)
    other = record(
        agencies["LA"],
        "LCS2",
        given_name="Marcus",
        family_name="Bailey",
        date_of_birth=dt.date(2009, 11, 20),
        sex="M",
    )
    first = run_link()
    assert first.records_considered == 2
    before = list(SourceRecord.objects.order_by("pk").values("child_id", "link_method"))
    assert not SourceRecord.objects.filter(needs_linking=True).exists()

    police = record(agencies["POLICE"], "PN-1", **JESSICA)
    second = run_link()
    assert second.records_considered == 1
    assert child_of(police) == child_of(council)
    after = list(
        SourceRecord.objects.filter(pk__in=[council.pk, other.pk])
        .order_by("pk")
        .values("child_id", "link_method")
    )
    assert after == before

    assert run_link().records_considered == 0


def test_a_changed_record_stays_with_its_child(agencies: Any) -> None:
    council = record(agencies["LA"], "LCS1", **JESSICA)
    police = record(agencies["POLICE"], "PN-1", **JESSICA)
    run_link()
    child = child_of(council)
    SourceRecord.objects.filter(pk=police.pk).update(
        address="3 New Street", postcode="WM1 2CD", needs_linking=True
    )
    run = run_link()
    assert child_of(police) == child
    assert police.link_method == "model", "its method is what linked it in the first place"
    assert run.new_children == 0


def test_a_changed_record_with_a_contradicting_nhs_number_leaves_its_child(agencies: Any) -> None:
    gp = record(agencies["ICB"], "G1", **JESSICA, nhs_number=NHS_A)
    hospital = record(agencies["TRUST"], "H1", **JESSICA)
    run_link()
    assert child_of(hospital) == child_of(gp)
    event = ChildEvent.objects.create(
        source_record=hospital,
        child=hospital.child,
        agency=hospital.agency,
        event_type="ae_attendance",
        occurred_at=timezone.now(),
        fingerprint="h1-ae",
    )
    # The hospital corrects its record: it holds another NHS number.
    SourceRecord.objects.filter(pk=hospital.pk).update(nhs_number=NHS_B, needs_linking=True)
    run_link()
    moved_to = child_of(hospital)
    assert moved_to not in (None, child_of(gp))
    event.refresh_from_db()
    assert event.child == moved_to
    gp_child = child_of(gp)
    assert gp_child is not None and gp_child.nhs_number == NHS_A
    assert moved_to is not None and moved_to.nhs_number == NHS_B


def test_events_follow_their_record_to_its_child(agencies: Any) -> None:
    council = record(agencies["LA"], "LCS1", **JESSICA)
    run_link()
    police = record(agencies["POLICE"], "PN-1", **JESSICA)
    event = ChildEvent.objects.create(
        source_record=police,
        agency=police.agency,
        event_type="domestic_abuse_incident",
        occurred_at=timezone.now(),
        fingerprint="pn1-dai",
    )
    run_link()
    event.refresh_from_db()
    assert event.child == child_of(council) is not None


def test_the_child_takes_its_identity_from_its_records(agencies: Any) -> None:
    record(agencies["LA"], "LCS1", **{**JESSICA, "family_name": "Thomspon"})
    record(agencies["POLICE"], "PN-1", **JESSICA)
    record(agencies["SCHOOL"], "S1", **JESSICA)
    run_link()
    child = Child.objects.get()
    assert (child.given_name, child.family_name) == ("Jessica", "Thompson")
    assert child.family_name_key == "T512"


def test_a_failure_mid_run_leaves_everything_as_it_was(
    agencies: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    council = record(agencies["LA"], "LCS1", **JESSICA)
    run_link()
    police = record(agencies["POLICE"], "PN-1", **JESSICA)
    event = ChildEvent.objects.create(
        source_record=police,
        agency=police.agency,
        event_type="domestic_abuse_incident",
        occurred_at=timezone.now(),
        fingerprint="pn1-dai",
    )
    _uncertain = record(
        agencies["SCHOOL"],
        "S1",
        **{
            **JESSICA,
            "date_of_birth": dt.date(2013, 3, 5),
            "postcode": "WM12 9QT",
            "address": "7 Church Close",
        },
    )
    children, runs, audits = (
        Child.objects.count(),
        LinkageRun.objects.count(),
        AuditEntry.objects.count(),
    )

    def fail(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("the database went away")

    # The last step of a run: records, events and pairs have all been written by then.
    monkeypatch.setattr(identity, "refresh_children", fail)
    with pytest.raises(RuntimeError):
        run_link()

    police.refresh_from_db()
    event.refresh_from_db()
    assert police.needs_linking and police.child is None and police.link_method == ""
    assert event.child is None
    assert Child.objects.count() == children
    assert LinkageRun.objects.count() == runs
    assert AuditEntry.objects.count() == audits
    assert not LinkCandidate.objects.exists()
    assert child_of(council) is not None


def test_each_run_writes_one_audit_entry_with_its_counts(agencies: Any) -> None:
    record(agencies["LA"], "LCS1", **JESSICA)
    record(agencies["POLICE"], "PN-1", **JESSICA)
    run = run_link()
    entry = AuditEntry.objects.get(action=AuditAction.LINKAGE_RUN)
    assert entry.object_id == str(run.pk)
    assert entry.user_id is None
    assert entry.detail["records_considered"] == 2
    assert entry.detail["linked_automatically"] == 1
    assert entry.detail["new_children"] == 1
    assert "Jessica" not in str(entry.detail), "counts only, never a name"


def test_the_demo_can_choose_the_new_childrens_ids(agencies: Any) -> None:
    record(agencies["LA"], "LCS1", **JESSICA)
    record(agencies["LA"], "LCS2", **{**JESSICA, "given_name": "Marcus", "sex": "M"})
    rng = random.Random(7)
    made: list[str] = []

    def fields() -> dict[str, Any]:
        pseudonym = "C-" + "".join(rng.choice("ABCDEFGH") for _ in range(8))
        made.append(pseudonym)
        return {"pseudonym": pseudonym}

    run_link(make_child_fields=fields)
    assert sorted(Child.objects.values_list("pseudonym", flat=True)) == sorted(made)
    assert len(made) == 2


# --- The core, without a database ------------------------------------------------------


def _people(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    given = ["Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Freya", "Leo", "Ivy", "Jack"]
    family = ["Smith", "Patel", "Jones", "Khan", "Taylor", "Brown", "Walker", "Wright"]
    rows = []
    for number in range(count):
        born = dt.date(2006, 1, 1) + dt.timedelta(days=rng.randrange(6500))
        person = {
            "given_name": rng.choice(given),
            "family_name": rng.choice(family),
            "date_of_birth": born,
            "sex": rng.choice("FM"),
            "postcode": f"WM{rng.randrange(1, 9)} {rng.randrange(1, 9)}AB",
            "address": f"{rng.randrange(1, 90)} Mill Lane",
        }
        for copy in range(rng.choice((1, 2, 3))):
            row = dict(person, id=number * 10 + copy, child_id=None)
            if rng.random() < 0.2:
                row["family_name"] = row["family_name"][:-1]
            rows.append(row)
    return rows


def test_the_decisions_do_not_depend_on_the_order_of_the_records() -> None:
    rows = _people(3, 120)
    settings = linkage.shipped_model()["settings"]
    shuffled = list(rows)
    random.Random(1).shuffle(shuffled)

    def decide(given: list[dict[str, Any]]) -> Any:
        decisions = linkage_core.link_tables(
            linkage_core.prepare(given), None, settings, upper=0.99, lower=0.5
        )
        return sorted(decisions.assignments, key=lambda a: a.record), decisions.candidates

    assert decide(rows) == decide(shuffled)


def test_prepare_reads_only_valid_identifiers_and_normalises_names() -> None:
    table = linkage_core.prepare(
        [
            {
                "id": 1,
                "given_name": "Lizzie",
                "family_name": "O'Brien",
                "date_of_birth": "2012-03-05",
                "sex": "Female",
                "postcode": "wm3 4ab",
                "address": "14 Mill Lane, WM3 4AB",
                "nhs_number": "999 000 0019",
                "upn": "",
            }
        ]
    )
    row = table.to_pylist()[0]
    assert row["given_name"] == "lizzie" and "elizabeth" in row["given_forms"]
    assert row["family_name"] == "obrien"
    assert row["dob_key"] == "2012-03-05" and row["sex"] == "F"
    assert (row["postcode"], row["postcode_district"]) == ("WM34AB", "WM3")
    assert row["address"] == "14 mill ln"
    assert row["nhs_number"] is None, "a number failing its check digit is no identifier"
    assert isinstance(table, pa.Table)


# --- Training and the command ----------------------------------------------------------


def _many_records(agencies: Any, people: int) -> None:
    rng = random.Random(11)
    codes = ["LA", "POLICE", "SCHOOL", "ICB"]
    for serial, row in enumerate(_people(5, people), start=1):
        SourceRecord.objects.create(
            agency=agencies[rng.choice(codes)],
            record_id=f"R{serial}",
            given_name=row["given_name"],
            family_name=row["family_name"],
            date_of_birth=row["date_of_birth"],
            sex=row["sex"],
            postcode=row["postcode"],
            address=row["address"],
        )


def test_train_makes_a_new_model_active_and_keeps_the_old(agencies: Any) -> None:
    _many_records(agencies, 150)
    run_link()
    shipped = LinkageModel.objects.get()

    out = StringIO()
    call_command("link", "--train", "--quiet", stdout=out)

    shipped.refresh_from_db()
    new = LinkageModel.objects.get(is_active=True)
    assert new != shipped and not shipped.is_active
    assert new.trained_on_records == SourceRecord.objects.count()
    assert (new.upper_threshold, new.lower_threshold) == (
        shipped.upper_threshold,
        shipped.lower_threshold,
    )
    printed = out.getvalue()
    assert "m old" in printed and "day and month swapped" in printed
    assert f"--activate {shipped.pk}" in printed

    call_command("link", "--activate", str(shipped.pk), stdout=StringIO())
    assert LinkageModel.objects.get(is_active=True) == shipped


def test_train_refuses_too_few_records(agencies: Any) -> None:
    record(agencies["LA"], "LCS1", **JESSICA)
    with pytest.raises(linkage.LinkageError, match="at least"):
        linkage.train(SystemAccess("linkage"))
    assert LinkageModel.objects.filter(is_active=True).count() == 1


def test_the_command_links_and_says_what_it_did(agencies: Any) -> None:
    record(agencies["LA"], "LCS1", **JESSICA)
    record(agencies["POLICE"], "PN-1", **JESSICA)
    out = StringIO()
    call_command("link", "--quiet", stdout=out)
    assert "Linked 2 records" in out.getvalue()
    assert "1 joined a child" in out.getvalue()
    out = StringIO()
    call_command("link", "--quiet", stdout=out)
    assert "Nothing to link" in out.getvalue()


def test_the_identifier_checks_in_sql_agree_with_identifiers_py() -> None:
    from safeguarding.core import identifiers

    rng = random.Random(5)
    nhs_values, upn_values = [], []
    for _ in range(3000):
        digits = "".join(str(rng.randrange(10)) for _ in range(10))
        nhs_values.append(
            rng.choice([digits, digits[:3] + " " + digits[3:], digits[:9], "12ab567890"])
        )
        body = "999" + "".join(str(rng.randrange(10)) for _ in range(8))
        last = rng.choice(["7", "A", "Z", "I"])
        letter = identifiers.upn_check_letter(body + last) if last != "I" else "A"
        upn = rng.choice([letter, "B"]) + body + last
        upn_values.append(rng.choice([upn, upn.lower(), upn[:12], "x" + upn[1:]]))
    rows = [
        {"id": n, "nhs_number": nhs, "upn": upn}
        for n, (nhs, upn) in enumerate(zip(nhs_values, upn_values, strict=True))
    ]
    found = {row["unique_id"]: row for row in linkage_core.prepare(rows).to_pylist()}
    for n, (nhs, upn) in enumerate(zip(nhs_values, upn_values, strict=True)):
        digits = identifiers.normalise_nhs_number(nhs)
        assert found[n]["nhs_number"] == (
            digits if identifiers.is_valid_nhs_number(digits) else None
        )
        text = upn.strip().upper()
        assert found[n]["upn"] == (text if identifiers.is_valid_upn(text) else None)
    assert sum(1 for row in found.values() if row["nhs_number"]) > 100
    assert sum(1 for row in found.values() if row["upn"]) > 100
