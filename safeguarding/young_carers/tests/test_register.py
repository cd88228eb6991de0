from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core import access
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import ChildFactory, SourceRecordFactory, UserFactory
from safeguarding.young_carers import queries
from safeguarding.young_carers.models import Review, YoungCarer
from safeguarding.young_carers.tests.conftest import make_carer

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str], Client]


def register_url(world: World) -> str:
    return reverse("young_carers:register", kwargs={"public_id": world.child.public_id})


def test_a_practitioner_registers_a_young_carer_held_by_their_agency(
    world: World, client_for: ClientFor
) -> None:
    response = client_for("involved").post(
        register_url(world),
        {
            "identified_on": "2024-05-02",
            "cares_for": "parent",
            "care_reason": "mental_health",
            "young_adult_carer": "",
            "assessment_kind": "young_carer",
            "assessed_on": "2024-05-20",
            "support_offered": "One-to-one sessions at the carers centre.",
        },
    )
    carer = YoungCarer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("young_carers:detail", args=[carer.public_id])
    assert carer.agency == world.la
    # No review date given: 12 weeks after identification.
    assert carer.next_review_on == date(2024, 7, 25)
    assert AuditEntry.objects.filter(
        action=AuditAction.CHILD_CREATE,
        object_type="youngcarer",
        child_ref=str(world.child.public_id),
    ).exists()


def test_it_refuses_a_second_open_registration_of_the_same_child(
    world: World, client_for: ClientFor, carer: YoungCarer
) -> None:
    response = client_for("involved").post(
        register_url(world),
        {"identified_on": "2024-05-02", "cares_for": "parent", "care_reason": "physical"},
    )
    assert response.status_code == 200
    assert "already on the register" in response.content.decode()
    assert YoungCarer.objects.count() == 1


def test_an_assessment_date_needs_the_kind_of_assessment(
    world: World, client_for: ClientFor
) -> None:
    response = client_for("involved").post(
        register_url(world),
        {
            "identified_on": "2024-05-02",
            "cares_for": "sibling",
            "care_reason": "learning_disability",
            "assessed_on": "2024-05-20",
        },
    )
    assert "Say which assessment was made." in response.content.decode()
    assert not YoungCarer.objects.exists()


def test_a_young_adult_carer_gets_the_young_adult_assessment_by_default(
    world: World, client_for: ClientFor
) -> None:
    client_for("involved").post(
        register_url(world),
        {
            "identified_on": "2024-05-02",
            "cares_for": "parent",
            "care_reason": "physical",
            "young_adult_carer": "on",
        },
    )
    assert YoungCarer.objects.get().assessment_kind == "young_adult_carer"


def test_registering_makes_the_agency_involved_with_the_child(world: World) -> None:
    school_user = UserFactory(email="dsl@school.example", agency=world.school, roles=[Role.DSL])
    assert access.grounds_for(school_user, world.child) is None
    make_carer(world, agency=world.school)
    assert access.grounds_for(school_user, world.child) == access.Grounds.INVOLVED


def test_a_review_records_whether_it_was_in_time_and_moves_the_next_date(
    world: World, client_for: ClientFor, carer: YoungCarer
) -> None:
    url = reverse("young_carers:review", args=[carer.public_id])
    response = client_for("involved").post(
        url,
        {
            "held_on": "2024-04-08",
            "summary": "Attending the youth group.",
            "next_review_on": "2024-07-01",
        },
    )
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.was_due_on == date(2024, 4, 1)
    assert not review.in_time
    carer.refresh_from_db()
    assert carer.next_review_on == date(2024, 7, 1)
    page = client_for("involved").get(reverse("young_carers:detail", args=[carer.public_id]))
    assert "Attending the youth group." in page.content.decode()
    assert "Late" in page.content.decode()


def test_a_review_cannot_set_the_next_before_itself(
    world: World, client_for: ClientFor, carer: YoungCarer
) -> None:
    response = client_for("involved").post(
        reverse("young_carers:review", args=[carer.public_id]),
        {"held_on": "2024-04-08", "summary": "x", "next_review_on": "2024-04-01"},
    )
    assert "must come after" in response.content.decode()
    assert not Review.objects.exists()


def test_closing_takes_the_child_off_the_open_register(
    world: World, client_for: ClientFor, carer: YoungCarer
) -> None:
    client = client_for("involved")
    client.post(
        reverse("young_carers:close", args=[carer.public_id]),
        {"closed_on": "2024-09-01", "reason": "no_longer_caring"},
    )
    carer.refresh_from_db()
    assert carer.closed_on == date(2024, 9, 1)
    assert "Jordan Example" not in client.get(reverse("young_carers:index")).content.decode()
    everyone = client.get(reverse("young_carers:index") + "?show=all").content.decode()
    assert "Jordan Example" in everyone


def test_the_register_hides_children_of_other_agencies(
    world: World, client_for: ClientFor, carer: YoungCarer
) -> None:
    assert (
        "Jordan Example"
        in client_for("involved").get(reverse("young_carers:index")).content.decode()
    )
    assert "Jordan Example" not in (
        client_for("other_agency").get(reverse("young_carers:index")).content.decode()
    )


def test_the_tracking_meeting_lists_only_those_open_more_than_six_months(
    world: World, client_for: ClientFor
) -> None:
    old = make_carer(world, identified_on=date(2020, 1, 1))
    Review.objects.create(
        young_carer=old,
        child=world.child,
        held_on=date(2020, 6, 1),
        was_due_on=date(2020, 6, 1),
        summary="Family group conference held.",
    )
    Review.objects.create(
        young_carer=old,
        child=world.child,
        held_on=date(2020, 3, 1),
        was_due_on=date(2020, 3, 1),
        summary="An older review.",
    )
    fresh_child = ChildFactory(given_name="Fresh", family_name="Carer")
    SourceRecordFactory(agency=world.la, child=fresh_child, record_id="LCS-FRESH")
    make_carer(world, child=fresh_child, identified_on=timezone.localdate())
    page = client_for("involved").get(reverse("young_carers:oversight")).content.decode()
    assert "Jordan Example" in page
    assert "Family group conference held." in page
    assert "An older review." not in page
    assert "Fresh Carer" not in page


def test_identification_counts_the_register_at_each_months_end(world: World) -> None:
    make_carer(world, identified_on=date(2023, 6, 30))
    make_carer(world, identified_on=date(2023, 7, 1))
    make_carer(world, identified_on=date(2023, 5, 3), closed_on=date(2023, 6, 30))
    months = queries.identification_by_month(date(2023, 5, 1), date(2023, 7, 31))
    assert [(m.month, m.identified, m.new) for m in months] == [
        (date(2023, 5, 31), 1, 1),
        (date(2023, 6, 30), 1, 1),
        (date(2023, 7, 31), 2, 1),
    ]


def test_the_identification_chart_has_the_tables_figures(
    world: World, client_for: ClientFor
) -> None:
    make_carer(world, identified_on=date(2023, 6, 3))
    response = client_for("analyst").get(
        reverse("young_carers:identification"), {"start": "2023-05-01", "end": "2023-08-31"}
    )
    page = response.content.decode()
    assert 'role="img"' in page
    assert "<title>June 2023: 1</title>" in page
    assert "May 2023: 0" in page
    # An analyst sees counts, never a child.
    assert "Jordan" not in page


def test_an_analyst_cannot_open_the_register(world: World, client_for: ClientFor) -> None:
    assert client_for("analyst").get(reverse("young_carers:index")).status_code == 403


def test_the_feed_counts_reviews_due_held_in_time_and_outstanding(world: World) -> None:
    from safeguarding.young_carers import feeds

    held_late = make_carer(world, identified_on=date(2024, 1, 1), next_review_on=date(2024, 9, 1))
    Review.objects.create(
        young_carer=held_late,
        child=world.child,
        held_on=date(2024, 4, 20),
        was_due_on=date(2024, 4, 10),
        summary="Late.",
    )
    Review.objects.create(
        young_carer=held_late,
        child=world.child,
        held_on=date(2024, 5, 1),
        was_due_on=date(2024, 5, 2),
        summary="In time.",
    )
    make_carer(
        world, child=ChildFactory(), identified_on=date(2024, 4, 2), next_review_on=date(2024, 6, 1)
    )
    make_carer(
        world,
        child=ChildFactory(),
        identified_on=date(2024, 4, 3),
        young_adult_carer=True,
        next_review_on=date(2024, 8, 1),
    )
    got = feeds.feed(date(2024, 4, 1), date(2024, 6, 30), today=date(2024, 7, 15))
    assert (got.on_register, got.identified, got.young_adult_carers) == (3, 2, 1)
    # Two held (one late) and one outstanding since 1 June.
    assert (got.reviews_due, got.reviewed_in_time) == (3, 1)
