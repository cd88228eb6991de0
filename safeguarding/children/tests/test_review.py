"""The linkage review's actions: deciding a pair, merge, split and undo (children/actions.py), and what the pair page draws."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from safeguarding.children import actions
from safeguarding.children.identity import refresh_children
from safeguarding.children.models import (
    CandidateStatus,
    Child,
    ChildEvent,
    IdentityChange,
    IdentityChangeKind,
    LinkCandidate,
    PanelChild,
    SourceRecord,
)
from safeguarding.children.review.display import side_by_side, weight_bars
from safeguarding.children.tests.matrix_linkage import make_pair
from safeguarding.conftest import World
from safeguarding.core import access
from safeguarding.core.models import AuditAction, AuditEntry, Panel
from safeguarding.core.tests.factories import (
    ChildEventFactory,
    ChildFactory,
    PanelChildFactory,
    PanelFactory,
    SourceRecordFactory,
)

# Valid NHS numbers (mod 11): 943 476 5919 and 401 023 2137.
NHS_A = "9434765919"
NHS_B = "4010232137"


def make_record(**fields: Any) -> SourceRecord:
    return cast(SourceRecord, SourceRecordFactory(**fields))


def make_child(**fields: Any) -> Child:
    return cast(Child, ChildFactory(**fields))


def make_entry(panel: Panel, child: Child) -> PanelChild:
    return cast(PanelChild, PanelChildFactory(panel=panel, child=child))


def make_event(record: SourceRecord, summary: str) -> ChildEvent:
    return cast(ChildEvent, ChildEventFactory(source_record=record, summary=summary))


def newcomer_of(pair: LinkCandidate) -> Child:
    """The new record's own child (the pair's record always has one)."""
    child = pair.record.child
    assert child is not None
    return child


def as_user(world: World, name: str = "linkage_officer") -> Any:
    request = RequestFactory().post("/")
    request.user = world.users[name]
    return request


def reload(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


def state(*children: Child) -> dict[str, Any]:
    """Everything a merge or split may touch, for the children given and all pairs."""
    ids = [c.pk for c in children]
    return {
        "children": list(
            Child.objects.filter(pk__in=ids)
            .order_by("pk")
            .values(
                "pk",
                "merged_into",
                "given_name",
                "family_name",
                "date_of_birth",
                "nhs_number",
                "identity_sources",
            )
        ),
        "records": list(
            SourceRecord.objects.order_by("pk").values(
                "pk", "child", "link_method", "link_probability", "updated_at"
            )
        ),
        "events": list(ChildEvent.objects.order_by("pk").values("pk", "child")),
        "panel": list(PanelChild.objects.order_by("pk").values("pk", "child", "removed_at")),
        "pairs": list(
            LinkCandidate.objects.order_by("pk").values("pk", "status", "decided_by", "decided_at")
        ),
    }


def audited(action: AuditAction, child: Child) -> int:
    return AuditEntry.objects.filter(action=action, child_ref=str(child.public_id)).count()


def new_child_with_records(world: World, *agencies: Any, **fields: Any) -> Child:
    child = make_child(**{k: v for k, v in fields.items() if k in ("given_name", "family_name")})
    for n, agency in enumerate(agencies):
        record = make_record(agency=agency, child=child, **fields)
        make_event(record, f"Event {n} of {record.record_id}")
    return child


@pytest.fixture
def consistent(world: World) -> World:
    """The world's children with identities computed from their records, as linkage leaves them."""
    refresh_children(access.SystemAccess("test"), Child.objects.values_list("pk", flat=True))
    world.child.refresh_from_db()
    return world


# --- Deciding a pair ---


def test_confirming_a_pair_merges_the_new_records_child_into_the_indexed_one(world: World) -> None:
    pair = make_pair(world)
    newcomer = newcomer_of(pair)

    actions.decide_candidate(as_user(world), pair.public_id, same_child=True, note="Same DOB")

    pair.refresh_from_db()
    assert pair.status == CandidateStatus.CONFIRMED
    assert pair.decided_by == world.users["linkage_officer"]
    record = reload(pair.record)
    assert record.child == world.child
    assert record.link_method == actions.BY_PERSON
    assert record.link_probability == pytest.approx(0.8)
    assert reload(newcomer).merged_into == world.child
    change = IdentityChange.objects.get()
    assert (change.kind, change.child, change.other) == (
        IdentityChangeKind.MERGE,
        world.child,
        newcomer,
    )
    assert audited(AuditAction.LINK_REVIEW, world.child) == 1
    assert audited(AuditAction.LINK_REVIEW, newcomer) == 1


def test_rejecting_a_pair_remembers_it_and_moves_nothing(world: World) -> None:
    pair = make_pair(world)
    before = reload(pair.record).child_id

    actions.decide_candidate(as_user(world), pair.public_id, same_child=False, note="Twins")

    pair.refresh_from_db()
    assert pair.status == CandidateStatus.REJECTED
    assert LinkCandidate.objects.filter(
        record=pair.record, candidate=pair.candidate, status=CandidateStatus.REJECTED
    ).exists()
    assert reload(pair.record).child_id == before
    assert not IdentityChange.objects.exists()
    entry = AuditEntry.objects.get(action=AuditAction.LINK_REVIEW, child_ref=world.child.public_id)
    assert entry.detail["decision"] == "different children"
    assert entry.purpose == "Twins"


def test_a_decided_pair_cannot_be_decided_again(world: World) -> None:
    pair = make_pair(world)
    actions.decide_candidate(as_user(world), pair.public_id, same_child=False, note="")

    with pytest.raises(actions.IdentityChangeRefused, match="already decided"):
        actions.decide_candidate(as_user(world), pair.public_id, same_child=True, note="")
    assert reload(pair).status == CandidateStatus.REJECTED


def test_confirming_refuses_children_with_different_nhs_numbers_and_leaves_the_pair_waiting(
    world: World,
) -> None:
    SourceRecord.objects.filter(pk=world.record.pk).update(nhs_number=NHS_A)
    pair = make_pair(world, nhs_number=NHS_B)
    before = state(world.child, newcomer_of(pair))

    with pytest.raises(actions.IdentityChangeRefused, match="different NHS numbers"):
        actions.decide_candidate(as_user(world), pair.public_id, same_child=True, note="")

    assert state(world.child, newcomer_of(pair)) == before
    assert reload(pair).status == CandidateStatus.PENDING
    assert not AuditEntry.objects.filter(action=AuditAction.CHILD_MERGE).exists()


# --- Merge ---


def test_merge_allows_one_nhs_number_held_by_both_or_by_one(world: World) -> None:
    SourceRecord.objects.filter(pk=world.record.pk).update(nhs_number=NHS_A)
    same = new_child_with_records(world, world.icb, nhs_number=NHS_A)
    none = new_child_with_records(world, world.school)

    actions.merge_children(as_user(world), world.child, same, reason="Same NHS number")
    actions.merge_children(as_user(world), world.child, none, reason="Same school pupil")

    assert reload(same).merged_into == reload(none).merged_into == world.child


def test_merge_moves_records_events_and_panel_entries_and_keeps_every_record(
    world: World,
) -> None:
    other = new_child_with_records(world, world.icb, world.school)
    other_panel = cast(Panel, PanelFactory(name="Missing children panel"))
    moved_entry = make_entry(other_panel, other)
    duplicate = make_entry(world.panel, other)  # keep is on this panel too
    records_before = SourceRecord.objects.count()
    other_records = set(SourceRecord.objects.filter(child=other).values_list("pk", flat=True))
    other_events = set(ChildEvent.objects.filter(child=other).values_list("pk", flat=True))

    change = actions.merge_children(as_user(world), world.child, other, reason="Same child")

    assert SourceRecord.objects.count() == records_before
    assert set(SourceRecord.objects.filter(child=world.child).values_list("pk", flat=True)) >= (
        other_records
    )
    assert not SourceRecord.objects.filter(child=other).exists()
    assert not ChildEvent.objects.filter(pk__in=other_events).exclude(child=world.child).exists()
    assert reload(moved_entry).child == world.child
    assert reload(duplicate).removed_at is not None
    assert (
        PanelChild.objects.filter(child=world.child, panel=world.panel, removed_at=None).count()
        == 1
    )
    assert reload(other).merged_into == world.child
    assert set(change.records["records"]) == other_records
    assert set(change.records["events"]) == other_events
    assert change.records["panel_entries"] == [moved_entry.pk]


def test_merge_recomputes_the_identity_of_the_child_that_stays(world: World) -> None:
    other = new_child_with_records(world, world.icb, nhs_number=NHS_A)

    actions.merge_children(as_user(world), world.child, other, reason="Same child")

    world.child.refresh_from_db()
    assert world.child.nhs_number == NHS_A
    assert world.child.identity_sources["nhs_number"] == "ICB"


def test_merge_supersedes_pairs_that_it_settles(world: World) -> None:
    pair = make_pair(world)
    other = newcomer_of(pair)

    actions.merge_children(as_user(world), world.child, other, reason="Same child")

    assert reload(pair).status == CandidateStatus.SUPERSEDED


def test_merge_refuses_a_merged_child_and_a_child_with_itself(world: World) -> None:
    other = new_child_with_records(world, world.icb)
    actions.merge_children(as_user(world), world.child, other, reason="Same child")
    third = new_child_with_records(world, world.school)

    with pytest.raises(actions.IdentityChangeRefused, match="was merged into another child"):
        actions.merge_children(as_user(world), third, other, reason="again")
    with pytest.raises(actions.IdentityChangeRefused, match="same child"):
        actions.merge_children(as_user(world), third, third, reason="itself")


def test_merge_is_audited_for_both_children(world: World) -> None:
    other = new_child_with_records(world, world.icb)

    change = actions.merge_children(as_user(world), world.child, other, reason="Same child")

    for child in (world.child, other):
        entry = AuditEntry.objects.get(action=AuditAction.CHILD_MERGE, child_ref=child.public_id)
        assert entry.object_id == str(change.public_id)
        assert entry.purpose == "Same child"
        assert entry.user_email == "linkage@la.example"


# --- Undo of a merge ---


def test_undo_of_a_merge_restores_exactly_the_state_before(consistent: World) -> None:
    world = consistent
    pair = make_pair(world)
    other = new_child_with_records(world, world.icb, world.school, nhs_number=NHS_A)
    make_entry(cast(Panel, PanelFactory(name="Missing children panel")), other)
    make_entry(world.panel, other)
    refresh_children(access.SystemAccess("test"), [other.pk, newcomer_of(pair).pk])
    # A pair that the merge settles (a record of `other` against the world's record).
    make_record(agency=world.police, child=other, record_id="PN-9")
    moot = LinkCandidate.objects.create(
        record=SourceRecord.objects.get(record_id="PN-9"),
        candidate=world.record,
        run=pair.run,
        match_probability=0.6,
        match_weight=0.5,
    )
    refresh_children(access.SystemAccess("test"), [other.pk])
    before = state(world.child, other)

    change = actions.merge_children(as_user(world), world.child, other, reason="Same child")
    assert reload(moot).status == CandidateStatus.SUPERSEDED
    actions.undo_change(as_user(world), change.public_id, reason="Wrong child: different DOB")

    assert state(world.child, other) == before
    change.refresh_from_db()
    assert change.undone_at is not None
    assert change.undone_by == world.users["linkage_officer"]


def test_undo_of_a_confirmed_pair_puts_the_pair_back_in_the_queue(consistent: World) -> None:
    world = consistent
    pair = make_pair(world)
    refresh_children(access.SystemAccess("test"), [newcomer_of(pair).pk])
    before = state(world.child, newcomer_of(pair))
    actions.decide_candidate(as_user(world), pair.public_id, same_child=True, note="")
    change = IdentityChange.objects.get()

    actions.undo_change(as_user(world), change.public_id, reason="Decided too quickly")

    assert state(world.child, newcomer_of(pair)) == before
    assert reload(pair).status == CandidateStatus.PENDING


def test_events_sent_after_a_merge_follow_their_record_back_on_undo(world: World) -> None:
    other = new_child_with_records(world, world.icb)
    record = SourceRecord.objects.get(child=other)
    change = actions.merge_children(as_user(world), world.child, other, reason="Same child")
    later = make_event(reload(record), "A&E attendance after merge")
    assert later.child == world.child

    actions.undo_change(as_user(world), change.public_id, reason="Wrong merge, undo it")

    assert reload(later).child == other


# --- Split, and its undo ---


def test_split_moves_the_chosen_records_and_their_events_to_a_new_child(world: World) -> None:
    extra = make_record(agency=world.school, child=world.child, record_id="UPN-1")
    event = make_event(extra, "Suspension")
    records_before = SourceRecord.objects.count()

    change = actions.split_child(as_user(world), world.child, [extra.pk], reason="Another pupil")

    new_child = change.other
    assert change.kind == IdentityChangeKind.SPLIT
    assert reload(extra).child == new_child
    assert reload(event).child == new_child
    assert reload(world.record).child == world.child
    assert SourceRecord.objects.count() == records_before
    assert new_child.merged_into is None
    assert reload(new_child).given_name == extra.given_name
    assert audited(AuditAction.CHILD_SPLIT, world.child) == 1
    assert audited(AuditAction.CHILD_SPLIT, new_child) == 1


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        (lambda w: [], "at least one record"),
        (
            lambda w: list(SourceRecord.objects.filter(child=w.child).values_list("pk", flat=True)),
            "must stay",
        ),
        (lambda w: [SourceRecord.objects.get(record_id="PN-1").pk], "not this child's"),
    ],
    ids=["none chosen", "every record chosen", "another child's record"],
)
def test_split_refuses_what_would_leave_a_record_without_a_child_or_take_anothers(
    world: World, chosen: Callable[[World], list[int]], message: str
) -> None:
    before = state(world.child)

    with pytest.raises(actions.IdentityChangeRefused, match=message):
        actions.split_child(as_user(world), world.child, chosen(world), reason="Not the same")

    assert state(world.child) == before
    assert (
        not Child.objects.filter(merged_into__isnull=True)
        .exclude(pk__in=SourceRecord.objects.values("child"))
        .exclude(pk__in=PanelChild.objects.values("child"))
    )


def test_undo_of_a_split_returns_the_records_and_the_new_child_leads_to_the_original(
    consistent: World,
) -> None:
    world = consistent
    extra = make_record(agency=world.school, child=world.child, record_id="UPN-1")
    make_event(extra, "Suspension")
    refresh_children(access.SystemAccess("test"), [world.child.pk])
    before = state(world.child)
    change = actions.split_child(as_user(world), world.child, [extra.pk], reason="Other pupil")

    actions.undo_change(as_user(world), change.public_id, reason="Same pupil after all")

    assert state(world.child) == before
    assert reload(change.other).merged_into == world.child
    assert access.resolve_merged(change.other.public_id) == world.child
    assert audited(AuditAction.IDENTITY_UNDO, world.child) == 1
    assert audited(AuditAction.IDENTITY_UNDO, change.other) == 1


def test_undo_is_refused_while_a_later_change_moved_the_same_records(world: World) -> None:
    other = new_child_with_records(world, world.icb, world.school)
    merge = actions.merge_children(as_user(world), world.child, other, reason="Same child")
    school = SourceRecord.objects.get(agency=world.school, child=world.child)
    split = actions.split_child(as_user(world), world.child, [school.pk], reason="Other pupil")
    before = state(world.child, other, split.other)

    with pytest.raises(actions.IdentityChangeRefused, match="undo that one first"):
        actions.undo_change(as_user(world), merge.public_id, reason="Wrong merge")

    assert state(world.child, other, split.other) == before
    # Once the later split is undone, the merge can be.
    actions.undo_change(as_user(world), split.public_id, reason="Split was wrong")
    actions.undo_change(as_user(world), merge.public_id, reason="Merge was wrong")
    assert set(SourceRecord.objects.filter(child=other).values_list("pk", flat=True)) == set(
        merge.records["records"]
    )


def test_a_change_cannot_be_undone_twice(world: World) -> None:
    other = new_child_with_records(world, world.icb)
    change = actions.merge_children(as_user(world), world.child, other, reason="Same child")
    actions.undo_change(as_user(world), change.public_id, reason="Wrong merge")

    with pytest.raises(actions.IdentityChangeRefused, match="already undone"):
        actions.undo_change(as_user(world), change.public_id, reason="Again")


def test_resolve_merged_follows_a_chain_of_merges(world: World) -> None:
    first = new_child_with_records(world, world.icb)
    second = new_child_with_records(world, world.school)
    actions.merge_children(as_user(world), second, first, reason="Same child")
    actions.merge_children(as_user(world), world.child, second, reason="Same child")

    assert access.resolve_merged(first.public_id) == world.child
    assert access.resolve_merged(second.public_id) == world.child
    assert access.resolve_merged(world.child.public_id) is None
    assert access.resolve_merged("not-a-uuid") is None


@pytest.mark.parametrize("name", ["involved", "panel_member", "data_officer", "ig_lead"])
def test_only_linkage_officers_may_decide_merge_split_or_undo(world: World, name: str) -> None:
    pair = make_pair(world)
    other = newcomer_of(pair)
    change = actions.merge_children(as_user(world), world.child, other, reason="Same child")
    before = state(world.child, other)
    request = as_user(world, name)

    with pytest.raises(PermissionDenied):
        actions.decide_candidate(request, pair.public_id, same_child=False, note="")
    with pytest.raises(PermissionDenied):
        actions.merge_children(request, world.child, make_child(), reason="x")
    with pytest.raises(PermissionDenied):
        actions.split_child(request, world.child, [world.record.pk], reason="x")
    with pytest.raises(PermissionDenied):
        actions.undo_change(request, change.public_id, reason="x")
    assert state(world.child, other) == before


# --- What the pair page draws ---


def test_the_side_by_side_view_marks_the_fields_that_differ(world: World) -> None:
    left = make_record(agency=world.la, given_name="Jordan", postcode="TS1 2AB")
    right = make_record(agency=world.police, given_name="JORDAN", postcode="TS9 9ZZ")

    rows = {row.label: row for row in side_by_side(left, right)}

    assert not rows["Given name"].differs
    assert rows["Postcode"].differs
    assert not rows["NHS number"].differs  # neither holds one: nothing to disagree about


def test_weight_bars_scale_to_the_heaviest_and_keep_their_sign() -> None:
    bars = weight_bars(
        [
            {"field": "date_of_birth", "level": "day and month swapped", "weight": 4.0},
            {"field": "postcode", "level": "different", "weight": -8.0},
            {"field": "sex", "level": "same", "weight": 0.1},
        ]
    )

    assert [(b.field, b.positive, b.width) for b in bars] == [
        ("Date of birth", True, 50),
        ("Postcode", False, 100),
        ("Sex", True, 5),
    ]
