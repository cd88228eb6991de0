"""Finding a child: by name, date of birth, NHS number, UPN or an agency's reference, never beyond what the user may see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.core.tests.factories import (
    ChildFactory,
    SourceRecordFactory,
)

pytestmark = pytest.mark.django_db
VALID_NHS = "9434765919"
VALID_UPN = "F801200100001"  # check letter F for these 12 digits


def search(client: Client, **terms: str) -> str:
    return client.get(reverse("children:list"), terms).content.decode()


@pytest.fixture
def known(world: World) -> Any:
    """A second child of the council's, with identifiers on the council's record."""
    child = ChildFactory(
        given_name="Elizabeth",
        family_name="Smith",
        date_of_birth=date(2011, 3, 25),
        nhs_number=VALID_NHS,
        given_name_key="E421",
        family_name_key="S530",
    )
    SourceRecordFactory(
        agency=world.la, child=child, record_id="LCS000777", nhs_number=VALID_NHS, upn=VALID_UPN
    )
    return child


@pytest.fixture(autouse=True)
def keyed_world(world: World) -> None:
    """The factories do not compute search keys; identity.py does in real life."""
    from safeguarding.children.names import name_key

    world.child.given_name_key = name_key(world.child.given_name)
    world.child.family_name_key = name_key(world.child.family_name)
    world.child.save()


# --- Search -----------------------------------------------------------------------------


def test_a_name_with_typos_finds_the_child(
    world: World, client_for: Callable[[str], Client]
) -> None:
    page = search(client_for("involved"), name="Jordn Exampel")
    assert "Jordan Example" in page
    assert "1 child found" in page


def test_a_nickname_finds_the_formal_name_and_the_formal_name_the_nickname(
    world: World, known: Any, client_for: Callable[[str], Client]
) -> None:
    assert "Elizabeth Smith" in search(client_for("involved"), name="Lizzie Smith")
    known.given_name, known.given_name_key = "Lizzie", "L200"
    known.save()
    assert "Lizzie Smith" in search(client_for("involved"), name="Elizabeth Smith")


def test_exact_spellings_come_before_names_that_only_sound_alike(
    world: World, client_for: Callable[[str], Client]
) -> None:
    for given in ("John", "Jon"):
        child = ChildFactory(
            given_name=given, family_name="Aardvark", given_name_key="J500", family_name_key="A631"
        )
        SourceRecordFactory(agency=world.la, child=child)
    page = search(client_for("involved"), name="Jon")
    # Without the ranking, "Aardvark, John" would sort first.
    assert page.index("Jon Aardvark") < page.index("John Aardvark")


def test_a_name_is_found_whichever_order_its_words_are_typed_in(
    world: World, client_for: Callable[[str], Client]
) -> None:
    assert "Jordan Example" in search(client_for("involved"), name="Example, Jordan")


def test_of_two_words_one_must_be_the_family_name(
    world: World, client_for: Callable[[str], Client]
) -> None:
    # Neither word sounds like the family name Example.
    assert "0 children found" in search(client_for("involved"), name="Jordan Jordan")
    assert "1 child found" in search(client_for("involved"), name="Jordan")


def test_a_search_that_finds_too_many_asks_to_be_narrowed(
    world: World, client_for: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeguarding.children import access

    for given in ("Jordan", "Jordon", "Jordyn"):
        child = ChildFactory(
            given_name=given, family_name="Example", given_name_key="J635", family_name_key="E251"
        )
        SourceRecordFactory(agency=world.la, child=child)
    monkeypatch.setattr(access, "SEARCH_LIMIT", 2)
    page = search(client_for("involved"), name="Jordan Example")
    assert "More than 2 children found" in page
    assert "add a date of birth or more of the name" in page
    # Exact spellings first, so the child typed is among those listed.
    assert ">Jordan Example</a>" in page


def test_the_list_of_children_stops_at_its_limit_and_asks_for_a_search(
    world: World, client_for: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeguarding.children import views

    client = client_for("involved")
    assert "1 child</caption>" in client.get(reverse("children:list")).content.decode()
    for family in ("Abbott", "Baker", "Carter"):
        SourceRecordFactory(agency=world.la, child=ChildFactory(family_name=family))
    monkeypatch.setattr(views, "LIST_LIMIT", 2)
    page = client.get(reverse("children:list")).content.decode()
    assert "More than 2 children</caption>" in page
    assert "search above to find a child" in page
    # The first two by name are listed, and no page holds more.
    assert page.count('class="govuk-table__row"') == 1 + 2  # the header and two children


def test_involvement_given_as_a_queryset_of_children_works_too(world: World) -> None:
    from safeguarding.children.models import Child
    from safeguarding.core import access

    other = world.users["other_agency"]
    access.register_involvement(
        "test children", lambda agency_id: Child.objects.filter(pk=world.child.pk)
    )
    try:
        assert access.grounds_for(other, world.child) == access.Grounds.INVOLVED
        assert list(access.visible_children(other)) == [world.child]
    finally:
        access._involvement_sources.pop("test children")


def test_a_date_of_birth_finds_the_child_however_it_is_written(
    world: World, known: Any, client_for: Callable[[str], Client]
) -> None:
    client = client_for("involved")
    for typed in ("25/03/2011", "25 Mar 2011", "2011-03-25", "25.3.2011"):
        page = search(client, date_of_birth=typed)
        assert "Elizabeth Smith" in page, typed
        assert "Jordan Example" not in page, typed


def test_an_ambiguous_date_is_read_day_first_and_the_page_says_so(
    world: World, client_for: Callable[[str], Client]
) -> None:
    page = search(client_for("involved"), date_of_birth="05/03/2012")
    assert "born 5 March 2012" in page


def test_an_nhs_number_finds_the_child_with_or_without_spaces(
    world: World, known: Any, client_for: Callable[[str], Client]
) -> None:
    for typed in (VALID_NHS, "943 476 5919", "943-476-5919"):
        page = search(client_for("involved"), nhs_number=typed)
        assert "Elizabeth Smith" in page
        assert "Jordan Example" not in page


def test_an_nhs_number_held_only_on_an_agency_record_finds_the_child(
    world: World, known: Any, client_for: Callable[[str], Client]
) -> None:
    known.nhs_number = ""
    known.save()
    assert "Elizabeth Smith" in search(client_for("involved"), nhs_number=VALID_NHS)


def test_a_upn_finds_the_child(
    world: World, known: Any, client_for: Callable[[str], Client]
) -> None:
    page = search(client_for("involved"), upn=VALID_UPN.lower())
    assert "Elizabeth Smith" in page
    assert "Jordan Example" not in page


def test_an_agencys_own_reference_finds_the_child(
    world: World, known: Any, client_for: Callable[[str], Client]
) -> None:
    page = search(client_for("involved"), record_id=" LCS000777 ")
    assert "Elizabeth Smith" in page
    assert "Jordan Example" not in page


def test_terms_combine(world: World, known: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("involved")
    assert "Elizabeth Smith" in search(client, name="Smith", date_of_birth="25/3/2011")
    assert "Elizabeth Smith" not in search(client, name="Smith", date_of_birth="26/3/2011")


def test_a_search_never_finds_a_child_the_user_may_not_see(
    world: World, known: Any, client_for: Callable[[str], Client]
) -> None:
    # The same name and identifiers, known only to the school.
    hidden = ChildFactory(
        given_name="Jordan",
        family_name="Example",
        given_name_key="J635",
        family_name_key="E251",
        date_of_birth=date(2011, 3, 25),
    )
    SourceRecordFactory(agency=world.school, child=hidden, record_id="SCH-1", nhs_number=VALID_NHS)
    client = client_for("involved")
    assert "1 child found" in search(client, name="Jordan Example")
    assert str(hidden.public_id) not in search(client, name="Jordan Example")
    assert str(hidden.public_id) not in search(client, record_id="SCH-1")
    assert "0 children found" in search(client, record_id="SCH-1")
    page = search(client_for("other_agency"), nhs_number=VALID_NHS)
    assert "0 children found" in page
    assert "Smith" not in page


def test_a_search_is_recorded_with_its_terms_and_what_it_found(
    world: World, client_for: Callable[[str], Client]
) -> None:
    search(client_for("involved"), name="Jordn Exampel", date_of_birth="17/5/2012")
    entry = AuditEntry.objects.get(action=AuditAction.CHILD_SEARCH)
    assert entry.user_email == "involved@la.example"
    assert entry.detail["terms"] == {"name": "Jordn Exampel", "date_of_birth": "2012-05-17"}
    assert entry.detail["found"] == 1
    assert entry.child_ref == str(world.child.public_id)
    assert "Jordn Exampel" in entry.purpose
    assert "born 17 May 2012" in entry.purpose


def test_a_bad_date_of_birth_is_explained_and_nothing_is_searched(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("involved")
    page = search(client, date_of_birth="31/02/2012")
    assert "Enter the date of birth as a real date" in page
    assert "govuk-error-summary" in page
    future = (timezone.localdate() + timedelta(days=3)).strftime("%d/%m/%Y")
    assert "must be today or in the past" in search(client, date_of_birth=future)
    assert not AuditEntry.objects.filter(action=AuditAction.CHILD_SEARCH).exists()


def test_an_nhs_number_that_fails_its_check_is_explained(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("involved")
    page = search(client, nhs_number="943 476 5918")
    assert "Enter a valid NHS number: the check digit should be 9, not 8" in page
    assert "Enter a valid NHS number: an NHS number has 10 digits" in search(
        client, nhs_number="12345"
    )
    assert "Enter a valid UPN: the check letter should be F, not B" in search(
        client, upn="B801200100001"
    )


def test_an_empty_search_lists_the_children_the_user_works_with(
    world: World, client_for: Callable[[str], Client]
) -> None:
    page = search(client_for("involved"))
    assert "Children you work with" in page
    assert "Jordan Example" in page
    assert "Testshire Council" in page  # the agencies holding a record
    assert AuditEntry.objects.filter(action=AuditAction.CHILD_LIST).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.CHILD_SEARCH).exists()
