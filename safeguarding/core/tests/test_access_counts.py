"""`rows_for_counts` gives counts, never a row nor a row's free text (decision 0061)."""

from __future__ import annotations

import pytest
from django.db.models import Count, Max, Min

from safeguarding.children.models import SourceRecord
from safeguarding.core import access
from safeguarding.core.tests.factories import AgencyFactory, ChildFactory, SourceRecordFactory

pytestmark = pytest.mark.django_db


def test_counts_are_counted_aggregated_and_grouped() -> None:
    school, police = AgencyFactory(), AgencyFactory()
    amira = ChildFactory(given_name="Amira")
    SourceRecordFactory(agency=school, child=amira)
    SourceRecordFactory(agency=police, child=amira)
    SourceRecordFactory(agency=school)
    records = access.rows_for_counts(SourceRecord)
    assert records.count() == 3
    assert records.filter(agency=school).count() == 2
    assert records.exclude(agency=school).count() == 1
    assert records.aggregate(n=Count("pk"), children=Count("child", distinct=True)) == {
        "n": 3,
        "children": 2,
    }
    by_agency = {g["agency_id"]: g["n"] for g in records.grouped("agency_id", n=Count("pk"))}
    assert by_agency == {school.pk: 2, police.pk: 1}
    per_child = records.grouped("child_id", n=Count("pk"))
    assert len(per_child) == 2
    assert per_child.filter(n__gte=2).count() == 1
    assert per_child.aggregate(children=Count("child_id")) == {"children": 2}
    assert records.aggregate(born=Min("child__date_of_birth"))["born"] == amira.date_of_birth


def test_no_row_and_no_field_of_a_row_can_be_read_through_counts() -> None:
    SourceRecordFactory(family_name="Example")
    records = access.rows_for_counts(SourceRecord)
    # Not a queryset: nothing lists, slices or reads values.
    for reading in ("__iter__", "__getitem__", "values", "values_list", "get", "first", "all"):
        assert not hasattr(records, reading), reading
    # An aggregate or a group of free text would be the text itself.
    with pytest.raises(access.NotACount):
        records.aggregate(last=Max("family_name"))
    with pytest.raises(access.NotACount):
        records.aggregate(name=Max("child__given_name"))
    with pytest.raises(access.NotACount):
        records.grouped("family_name", n=Count("pk"))
    with pytest.raises(access.NotACount):
        records.grouped("child_id")  # a group comes with its count
    # Each group is only its key and its count.
    (group,) = list(records.grouped("child_id", n=Count("pk")))
    assert set(group) == {"child_id", "n"}


def test_only_child_level_models_are_counted_here() -> None:
    from safeguarding.core.models import Agency

    with pytest.raises(ValueError, match="not a child-level model of a child"):
        access.rows_for_counts(Agency)  # type: ignore[type-var]
