from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from safeguarding.conftest import World
from safeguarding.core import access
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import ChildFactory, SourceRecordFactory, UserFactory
from safeguarding.education import feeds
from safeguarding.education.models import CmeCase, CmeCheck, EheRecord, EheVisit, Population
from safeguarding.education.tests.conftest import make_case, make_ehe
from safeguarding.young_carers.tests.conftest import make_carer

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str], Client]


def test_a_practitioner_opens_a_cme_case_held_by_their_agency(
    world: World, client_for: ClientFor
) -> None:
    response = client_for("involved").post(
        reverse("education:case_new", args=[world.child.public_id]),
        {"referred_on": "2025-01-06", "referred_by": world.school.pk, "reason": "Left the roll."},
    )
    case = CmeCase.objects.get()
    assert response["Location"] == reverse("education:case", args=[case.public_id])
    assert case.agency == world.la and case.referred_by == world.school
    assert AuditEntry.objects.filter(
        action=AuditAction.CHILD_CREATE, object_type="cmecase", child_ref=str(world.child.public_id)
    ).exists()


def test_a_child_has_one_open_case_at_a_time(world: World, client_for: ClientFor) -> None:
    make_case(world)
    response = client_for("involved").post(
        reverse("education:case_new", args=[world.child.public_id]), {"referred_on": "2025-01-06"}
    )
    assert "already has an open CME case" in response.content.decode()
    assert CmeCase.objects.count() == 1


def test_checks_are_recorded_and_a_case_closes_with_a_destination(
    world: World, client_for: ClientFor
) -> None:
    case = make_case(world)
    client = client_for("involved")
    client.post(
        reverse("education:case_check", args=[case.public_id]),
        {"kind": "home_office", "made_on": "2024-09-20", "note": "Left the UK on 1 September."},
    )
    client.post(
        reverse("education:case_check", args=[case.public_id]),
        {"kind": "school_census", "made_on": "2024-09-12", "found": "on"},
    )
    page = client.get(reverse("education:case", args=[case.public_id])).content.decode()
    assert page.index("School census") < page.index("Home Office request")
    assert CmeCheck.objects.filter(case=case, found=True).count() == 1
    refused = client.post(
        reverse("education:case_close", args=[case.public_id]),
        {"closed_on": "2024-09-01", "destination": "abroad"},
    )
    assert "cannot close before" in refused.content.decode()
    client.post(
        reverse("education:case_close", args=[case.public_id]),
        {"closed_on": "2024-09-21", "destination": "abroad", "destination_detail": "Portugal"},
    )
    case.refresh_from_db()
    assert (case.closed_on, case.destination) == (date(2024, 9, 21), "abroad")
    assert case.days_open(date(2030, 1, 1)) == 11


def test_a_closed_case_takes_no_more_checks(world: World, client_for: ClientFor) -> None:
    case = make_case(world, closed_on=date(2024, 10, 1), destination="local_school")
    response = client_for("involved").post(
        reverse("education:case_check", args=[case.public_id]),
        {"kind": "health", "made_on": "2024-10-02"},
    )
    assert "The case is closed." in response.content.decode()
    assert not CmeCheck.objects.exists()


def test_open_cases_are_listed_longest_open_first(world: World, client_for: ClientFor) -> None:
    later = ChildFactory(given_name="Later", family_name="Case")
    SourceRecordFactory(agency=world.la, child=later, record_id="LCS-LATER")
    make_case(world, child=later, referred_on=date(2024, 11, 1))
    make_case(world, referred_on=date(2024, 5, 1))
    make_case(world, referred_on=date(2024, 1, 1), closed_on=date(2024, 2, 1), destination="abroad")
    page = client_for("involved").get(reverse("education:cases")).content.decode()
    assert page.index("Jordan Example") < page.index("Later Case")
    assert "2 cases" in page


def test_a_cme_case_makes_its_agency_involved(world: World) -> None:
    dsl = UserFactory(email="dsl@school.example", agency=world.school, roles=[Role.DSL])
    assert access.grounds_for(dsl, world.child) is None
    make_case(world, agency=world.school)
    assert access.grounds_for(dsl, world.child) == access.Grounds.INVOLVED


def test_the_case_list_hides_children_of_other_agencies(
    world: World, client_for: ClientFor
) -> None:
    make_case(world)
    assert "Jordan Example" not in (
        client_for("other_agency").get(reverse("education:cases")).content.decode()
    )


def test_the_ehe_register_counts_against_the_population(
    world: World, client_for: ClientFor
) -> None:
    Population.objects.create(count=2000, from_date=date(2020, 1, 1))
    make_ehe(world)
    make_ehe(world, child=ChildFactory(), started_on=date(2023, 1, 1), ended_on=date(2023, 6, 1))
    page = client_for("involved").get(reverse("education:ehe")).content.decode()
    assert "1 child across the partnership is electively home educated today" in page
    assert "0.5 per 1,000" in page


def test_visits_and_the_return_to_school_are_recorded(world: World, client_for: ClientFor) -> None:
    record = make_ehe(world)
    client = client_for("involved")
    client.post(
        reverse("education:ehe_visit", args=[record.public_id]),
        {"visited_on": "2024-10-01", "outcome": "not_suitable", "note": "No structured learning."},
    )
    client.post(
        reverse("education:ehe_end", args=[record.public_id]),
        {"ended_on": "2024-11-04", "returned_to_school": "on", "end_note": "Testshire Academy"},
    )
    record.refresh_from_db()
    assert EheVisit.objects.get().outcome == "not_suitable"
    assert record.returned_to_school and record.ended_on == date(2024, 11, 4)


def test_an_ehe_start_by_another_agency_is_refused_as_a_missing_child(
    world: World, client_for: ClientFor
) -> None:
    response = client_for("other_agency").post(
        reverse("education:ehe_new", args=[world.child.public_id]),
        {"started_on": "2024-09-01", "reason": "bullying"},
    )
    assert response.status_code == 404
    assert not EheRecord.objects.exists()


def test_the_officer_sets_the_population_in_force_from_a_date(
    world: World, client_for: ClientFor
) -> None:
    client_for("officer").post(
        reverse("education:population"),
        {"label": "Children aged 5 to 15", "count": "24000", "from_date": "2024-04-01"},
    )
    figure = Population.objects.get()
    assert (figure.count, figure.set_by) == (24000, world.users["officer"])
    assert AuditEntry.objects.filter(
        action=AuditAction.STRUCTURE_CHANGE, object_type="population"
    ).exists()


def test_the_feed_gives_cme_open_and_rate_and_ehe_count_per_period(world: World) -> None:
    Population.objects.create(count=1000, from_date=date(2024, 1, 1))
    make_case(world, referred_on=date(2024, 3, 1))
    make_case(world, child=ChildFactory(), referred_on=date(2024, 4, 5), closed_on=date(2024, 5, 1))
    make_case(world, child=ChildFactory(), referred_on=date(2024, 6, 1), closed_on=date(2024, 8, 1))
    make_ehe(world, started_on=date(2024, 5, 1))
    got = feeds.feed(date(2024, 4, 1), date(2024, 6, 30))
    assert (got.cme_open, got.cme_referred, got.cme_closed) == (2, 2, 1)
    assert got.cme_rate == 0.2
    assert (got.ehe_count, got.ehe_started, got.ehe_rate) == (1, 1, 1.0)


def test_the_feeds_page_suppresses_small_counts(world: World, client_for: ClientFor) -> None:
    make_case(world, referred_on=date(2024, 5, 1))
    make_carer(world, identified_on=date(2024, 5, 1))
    page = client_for("analyst").get(reverse("education:feeds"), {"year": "2024"}).content.decode()
    assert "Jordan" not in page
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">c</td>' in page


def test_the_home_page_offers_each_role_its_trackers(world: World, client_for: ClientFor) -> None:
    practitioner = client_for("involved").get(reverse("core:home")).content.decode()
    assert reverse("education:cases") in practitioner
    assert reverse("young_carers:index") in practitioner
    assert reverse("education:feeds") not in practitioner
    analyst = client_for("analyst").get(reverse("core:home")).content.decode()
    assert reverse("education:feeds") in analyst
    assert f'href="{reverse("education:cases")}"' not in analyst
