"""Names as agencies write them, and the child's identity chosen from their records."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from safeguarding.children import names
from safeguarding.children.identity import RecordView, best_identity, refresh_children
from safeguarding.children.models import Sex
from safeguarding.core.access import SystemAccess
from safeguarding.core.models import AgencyKind
from safeguarding.core.tests.factories import AgencyFactory, ChildFactory, SourceRecordFactory


@pytest.mark.parametrize(
    ("written", "typed"),
    [("Smith", "Smiht"), ("Robert", "Rupert"), ("O'Brien", "obrien"), ("Zoë", "Zoe")],
)
def test_a_typo_or_another_spelling_gives_the_same_search_key(written: str, typed: str) -> None:
    assert names.name_key(written) == names.name_key(typed)


def test_different_names_give_different_keys() -> None:
    assert names.name_key("Smith") != names.name_key("Jones")
    assert names.name_key("") == ""


def test_a_nickname_stands_for_its_formal_name_unless_it_could_be_several() -> None:
    assert names.canonical_given_name("Lizzie") == "elizabeth"
    assert names.canonical_given_name("ELIZABETH") == "elizabeth"
    # Sam is Samuel or Samantha: it stays itself rather than being guessed.
    assert names.canonical_given_name("Sam") == "sam"
    assert names.canonical_given_name("Lizzie") == names.canonical_given_name("Elizabeth")


NOW = datetime(2025, 3, 5, 12, tzinfo=timezone.get_default_timezone())


def view(code: str, kind: str, days_ago: int = 0, **values: Any) -> RecordView:
    return RecordView(code, kind, NOW - timedelta(days=days_ago), values)


def test_the_value_most_records_agree_on_wins() -> None:
    values, sources = best_identity(
        [
            view("LA", AgencyKind.LOCAL_AUTHORITY, family_name="Khan"),
            view("POLICE", AgencyKind.POLICE, family_name="Kahn"),
            view("SCHOOL", AgencyKind.SCHOOL, family_name="KHAN"),
        ]
    )
    assert names.normalise(values["family_name"]) == "khan"
    assert sources["family_name"] in {"LA", "SCHOOL"}


def test_on_a_tie_the_usual_authority_for_the_field_wins() -> None:
    values, sources = best_identity(
        [
            view("POLICE", AgencyKind.POLICE, date_of_birth=date(2012, 3, 5)),
            view("GP", AgencyKind.HEALTH_GP, days_ago=400, date_of_birth=date(2012, 5, 3)),
        ]
    )
    assert values["date_of_birth"] == date(2012, 5, 3)
    assert sources["date_of_birth"] == "GP"


def test_an_nhs_number_failing_its_check_is_never_chosen() -> None:
    values, _ = best_identity(
        [
            view("POLICE", AgencyKind.POLICE, nhs_number="9434765918"),
            view("LA", AgencyKind.LOCAL_AUTHORITY, nhs_number="9434765918"),
            view("GP", AgencyKind.HEALTH_GP, nhs_number="9434765919"),
        ]
    )
    assert values["nhs_number"] == "9434765919"


def test_unknown_sex_gives_way_to_a_known_one() -> None:
    values, _ = best_identity(
        [
            view("LA", AgencyKind.LOCAL_AUTHORITY, sex=Sex.UNKNOWN),
            view("POLICE", AgencyKind.POLICE, sex=Sex.UNKNOWN),
            view("GP", AgencyKind.HEALTH_GP, sex=Sex.FEMALE),
        ]
    )
    assert values["sex"] == Sex.FEMALE


@pytest.mark.django_db
def test_refreshing_a_child_takes_its_identity_and_search_keys_from_its_records() -> None:
    gp = AgencyFactory(code="GP1", kind=AgencyKind.HEALTH_GP)
    la = AgencyFactory(code="LA", kind=AgencyKind.LOCAL_AUTHORITY)
    child = ChildFactory(given_name="", family_name="")
    SourceRecordFactory(
        agency=gp, child=child, given_name="Lizzie", family_name="Smith", nhs_number="9434765919"
    )
    SourceRecordFactory(agency=la, child=child, given_name="Elizabeth", family_name="Smith")
    assert refresh_children(SystemAccess("test"), [child.pk]) == 1
    child.refresh_from_db()
    assert child.family_name == "Smith"
    assert child.family_name_key == names.name_key("Smiht")
    assert child.nhs_number == "9434765919"
    assert child.identity_sources["nhs_number"] == "GP1"
