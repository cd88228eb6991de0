from __future__ import annotations

from datetime import date

import pytest

from safeguarding.children.models import Child, SourceRecord
from safeguarding.conftest import World
from safeguarding.demo.generator import DemoContext
from safeguarding.young_carers import demo, queries
from safeguarding.young_carers.models import Review, YoungCarer

pytestmark = pytest.mark.django_db


def test_the_calibration_gives_the_reference_reports_figures_at_scale_one() -> None:
    plan = demo.targets(1.0)
    assert plan[date(2023, 6, 30)] == 28
    assert plan[date(2025, 1, 31)] == 95
    assert all(
        later >= earlier
        for earlier, later in zip(plan.values(), list(plan.values())[1:], strict=False)
    )


def test_the_demo_register_counts_28_in_june_2023_and_95_in_january_2025(world: World) -> None:
    children = Child.objects.bulk_create(
        Child(given_name=f"Carer{i}", family_name="Demo", date_of_birth=date(2012, 1, 1))
        for i in range(260)
    )
    records = SourceRecord.objects.bulk_create(
        SourceRecord(agency=world.school, child=child, record_id=f"SCH{i}")
        for i, child in enumerate(children)
    )
    ctx = DemoContext(seed=3, scale=1.0)
    ctx.children = children
    ctx.records_by_child = {record.child_id: [record] for record in records}
    ctx.reseed("young carers")
    demo.make_young_carers(ctx)
    months = {
        m.month: m.identified
        for m in queries.identification_by_month(date(2023, 6, 1), date(2025, 1, 31))
    }
    assert months[date(2023, 6, 30)] == 28
    assert months[date(2025, 1, 31)] == 95
    # Identified by an agency that holds a record of the child; reviewed, mostly in time.
    assert set(YoungCarer.objects.values_list("agency", flat=True)) == {world.school.pk}
    reviews = list(Review.objects.all())
    in_time = sum(review.in_time for review in reviews)
    assert 0.7 < in_time / len(reviews) < 0.9


def test_the_demo_has_young_adult_carers_known_to_the_carers_charity(world: World) -> None:
    from safeguarding.core.tests.factories import AgencyFactory

    charity = AgencyFactory(code="KINDRED", name="Kindred Families", kind="voluntary")
    children = Child.objects.bulk_create(
        Child(given_name=f"Carer{i}", family_name="Demo", date_of_birth=date(2012, 1, 1))
        for i in range(260)
    )
    records = SourceRecord.objects.bulk_create(
        SourceRecord(agency=world.school, child=child, record_id=f"SCH{i}")
        for i, child in enumerate(children)
    )
    ctx = DemoContext(seed=3, scale=1.0)
    ctx.children = children
    ctx.records_by_child = {record.child_id: [record] for record in records}
    ctx.agencies = {"KINDRED": charity}
    ctx.reseed("young carers")
    demo.make_young_carers(ctx)
    adults = list(YoungCarer.objects.filter(young_adult_carer=True).select_related("child"))
    assert len(adults) >= 5
    for carer in adults:
        age = (carer.identified_on - carer.child.date_of_birth).days / 365.25
        assert 18 <= age < 26 and carer.agency == charity
        assert carer.assessment_kind == "young_adult_carer"
        assert SourceRecord.objects.filter(child=carer.child, agency=charity).exists()
    months = {
        m.month: m.identified
        for m in queries.identification_by_month(date(2023, 6, 1), date(2025, 1, 31))
    }
    assert (months[date(2023, 6, 30)], months[date(2025, 1, 31)]) == (28, 95)
