"""The linkage officer's pages: the queue, a pair, a child's records and history, merge, split and undo (children/review/views.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from safeguarding.children import actions
from safeguarding.children.models import (
    CandidateStatus,
    Child,
    ChildEvent,
    IdentityChange,
    LinkCandidate,
    SourceRecord,
)
from safeguarding.children.tests.matrix_linkage import make_pair
from safeguarding.conftest import World
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.core.tests.factories import (
    ChildEventFactory,
    ChildFactory,
    SourceRecordFactory,
)

# Valid NHS numbers (mod 11): 943 476 5919 and 401 023 2137.
NHS_A = "9434765919"
NHS_B = "4010232137"


def make_record(**fields: Any) -> SourceRecord:
    return cast(SourceRecord, SourceRecordFactory(**fields))


def make_child(**fields: Any) -> Child:
    return cast(Child, ChildFactory(**fields))


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


def new_child_with_records(world: World, *agencies: Any, **fields: Any) -> Child:
    child = make_child(**{k: v for k, v in fields.items() if k in ("given_name", "family_name")})
    for n, agency in enumerate(agencies):
        record = make_record(agency=agency, child=child, **fields)
        make_event(record, f"Event {n} of {record.record_id}")
    return child


# --- Pages ---


@pytest.fixture
def officer(client_for: Callable[[str], Client]) -> Client:
    return client_for("linkage_officer")


def test_the_queue_lists_pending_pairs_most_probable_first_with_the_count(
    world: World, officer: Client
) -> None:
    low = make_pair(world, probability=0.55, record_id="PN-LOW")
    high = make_pair(world, probability=0.93, record_id="PN-HIGH")
    decided = make_pair(world, probability=0.99, record_id="PN-DONE")
    LinkCandidate.objects.filter(pk=decided.pk).update(status=CandidateStatus.REJECTED)

    response = officer.get(reverse("linkage:queue"))

    html = response.content.decode()
    assert "2 pairs waiting" in html
    assert html.index("PN-HIGH") < html.index("PN-LOW")
    assert "PN-DONE" not in html
    assert "93.0%" in html
    assert str(high.public_id) in html and str(low.public_id) in html
    assert AuditEntry.objects.filter(
        action=AuditAction.CHILD_LIST, purpose="linkage review"
    ).exists()


def test_the_pair_page_shows_both_records_and_each_fields_weight_and_is_audited(
    world: World, officer: Client
) -> None:
    pair = make_pair(world, postcode="ZZ9 9ZZ")
    SourceRecord.objects.filter(pk=world.record.pk).update(postcode="TS1 1AA")

    response = officer.get(reverse("linkage:pair", args=[pair.public_id]))

    html = response.content.decode()
    assert "LCS000001" in html and pair.record.record_id in html
    assert "Differs" in html
    assert "hub-weight__bar--for hub-w-50" in html  # 3.1 of the heaviest 6.4, to the nearest 5%
    assert "hub-weight__bar--against hub-w-35" in html
    assert "80.0%" in html
    assert "style=" not in html
    for child in (world.child, newcomer_of(pair)):
        entry = AuditEntry.objects.get(action=AuditAction.CHILD_VIEW, child_ref=child.public_id)
        assert entry.purpose == "linkage review"


def test_linking_from_the_pair_page_merges_and_returns_to_the_queue(
    world: World, officer: Client
) -> None:
    pair = make_pair(world)

    response = officer.post(
        reverse("linkage:pair", args=[pair.public_id]), {"decision": "same", "note": "Same DOB"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("linkage:queue")
    assert reload(pair.record).child == world.child


def test_the_pair_page_says_why_a_merge_is_refused(world: World, officer: Client) -> None:
    SourceRecord.objects.filter(pk=world.record.pk).update(nhs_number=NHS_A)
    pair = make_pair(world, nhs_number=NHS_B)

    response = officer.post(
        reverse("linkage:pair", args=[pair.public_id]), {"decision": "same", "note": ""}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "different NHS numbers" in html
    assert "ending 5919" in html
    assert reload(pair).status == CandidateStatus.PENDING


def test_the_child_page_shows_records_and_history_with_undo(world: World, officer: Client) -> None:
    other = new_child_with_records(world, world.icb)
    actions.merge_children(as_user(world), world.child, other, reason="Same child, same GP")

    response = officer.get(reverse("linkage:child", args=[world.child.public_id]))

    html = response.content.decode()
    assert "LCS000001" in html
    assert "By a linkage officer" in html
    assert "Same child, same GP" in html
    assert reverse("linkage:undo", args=[IdentityChange.objects.get().public_id]) in html
    assert AuditEntry.objects.filter(
        action=AuditAction.CHILD_VIEW, child_ref=world.child.public_id, purpose="linkage review"
    ).exists()


def test_merging_from_the_child_page_shows_both_children_before_it_merges(
    world: World, officer: Client
) -> None:
    other = new_child_with_records(world, world.icb)
    url = reverse("linkage:merge", args=[world.child.public_id])
    data = {"other": other.pseudonym.lower(), "reason": "Same child, same GP practice"}

    first = officer.post(url, data)

    assert first.status_code == 200
    assert "Merge these two children?" in first.content.decode()
    assert reload(other).merged_into is None

    second = officer.post(url, {**data, "confirm": "True"})

    assert second.status_code == 302
    assert reload(other).merged_into == world.child


def test_merging_children_with_different_nhs_numbers_is_refused_before_confirming(
    world: World, officer: Client
) -> None:
    SourceRecord.objects.filter(pk=world.record.pk).update(nhs_number=NHS_A)
    other = new_child_with_records(world, world.icb, nhs_number=NHS_B)

    response = officer.post(
        reverse("linkage:merge", args=[world.child.public_id]),
        {"other": other.pseudonym, "reason": "Same child, same GP practice"},
    )

    html = response.content.decode()
    assert "Merge these two children?" not in html
    assert "different NHS numbers (ending 5919 and ending 2137)" in html
    assert reload(other).merged_into is None


def test_merging_with_an_unknown_child_says_so(world: World, officer: Client) -> None:
    response = officer.post(
        reverse("linkage:merge", args=[world.child.public_id]),
        {"other": "C-NOSUCH00", "reason": "Same child, same GP practice"},
    )

    assert response.status_code == 200
    assert "No other child has that pseudonym or reference." in response.content.decode()


def test_splitting_from_the_child_page_makes_a_new_child(world: World, officer: Client) -> None:
    extra = make_record(agency=world.school, child=world.child, record_id="UPN-1")

    response = officer.post(
        reverse("linkage:split", args=[world.child.public_id]),
        {"records": [str(extra.pk)], "reason": "A different pupil of the same name"},
    )

    assert response.status_code == 302
    assert reload(extra).child != world.child


def test_splitting_every_record_off_is_refused_on_the_page(world: World, officer: Client) -> None:
    ids = [
        str(pk)
        for pk in SourceRecord.objects.filter(child=world.child).values_list("pk", flat=True)
    ]

    response = officer.post(
        reverse("linkage:split", args=[world.child.public_id]),
        {"records": ids, "reason": "A different pupil of the same name"},
    )

    assert response.status_code == 200
    assert "At least one record must stay with this child." in response.content.decode()
    assert not IdentityChange.objects.exists()


def test_undo_asks_for_a_reason_then_undoes(world: World, officer: Client) -> None:
    other = new_child_with_records(world, world.icb)
    change = actions.merge_children(as_user(world), world.child, other, reason="Same child")
    url = reverse("linkage:undo", args=[change.public_id])

    asked = officer.post(url, {})
    assert asked.status_code == 200
    assert "Why undo it?" in asked.content.decode()
    assert reload(change).undone_at is None

    refused = officer.post(url, {"reason": ""})
    assert "Say why this change should be undone." in refused.content.decode()

    done = officer.post(url, {"reason": "Different dates of birth on reflection"})
    assert done.status_code == 302
    assert reload(change).undone_at is not None
    assert reload(other).merged_into is None


def test_the_history_lists_changes_across_the_index(world: World, officer: Client) -> None:
    other = new_child_with_records(world, world.icb)
    actions.merge_children(as_user(world), world.child, other, reason="Same child")

    response = officer.get(reverse("linkage:history"))

    html = response.content.decode()
    assert "1 change" in html
    assert other.pseudonym in html and world.child.pseudonym in html


def test_linkage_officers_see_linkage_in_the_navigation_with_the_count_waiting(
    world: World, officer: Client, client_for: Callable[[str], Client]
) -> None:
    make_pair(world)
    make_pair(world)

    html = officer.get(reverse("core:home")).content.decode()

    assert 'href="/linkage/"' in html
    assert "Pairs to review" in html
    assert '<strong class="govuk-tag govuk-tag--blue">2</strong>' in html
    assert (
        "Pairs to review" not in client_for("involved").get(reverse("core:home")).content.decode()
    )


def test_a_practitioner_is_refused_the_queue_and_the_pairs(
    world: World, client_for: Callable[[str], Client]
) -> None:
    pair = make_pair(world)
    practitioner = client_for("involved")

    assert practitioner.get(reverse("linkage:queue")).status_code == 403
    assert practitioner.get(reverse("linkage:pair", args=[pair.public_id])).status_code == 403
    response = practitioner.post(
        reverse("linkage:pair", args=[pair.public_id]), {"decision": "same"}
    )
    assert response.status_code == 403
    assert reload(pair).status == CandidateStatus.PENDING
