from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from safeguarding.conftest import World
from safeguarding.core import access
from safeguarding.core.identifiers import upn_check_letter
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import UserFactory
from safeguarding.education import absence
from safeguarding.education.models import AbsenceImport, AbsenceRecord

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str], Client]
HEADER = "upn,sessions_possible,sessions_missed,child_in_need,child_protection_plan,send,free_school_meals\n"


def upn(n: int) -> str:
    rest = f"80120{n:07d}"
    return upn_check_letter(rest) + rest


def send(client: Client, world: World, body: str, term: str = "autumn") -> Client:
    client.post(
        reverse("education:absence_import"),
        {
            "school": world.school.pk,
            "academic_year": "2024",
            "term": term,
            "file": SimpleUploadedFile("absence.csv", (HEADER + body).encode(), "text/csv"),
        },
    )
    return client


def test_every_problem_is_given_with_row_column_and_reason() -> None:
    parsed = absence.parse(
        (
            HEADER + f"BAD,100,5,N,N,N,N\n{upn(1)},100,150,N,N,maybe,N\n{upn(1)},0,0,N,N,N,N\n"
        ).encode()
    )
    assert [(p.row, p.column) for p in parsed.problems] == [
        (2, "upn"),
        (3, "sessions_missed"),
        (3, "send"),
        (4, "upn"),
        (4, "sessions_possible"),
    ]
    assert "row 3" in parsed.problems[3].reason


def test_a_missing_column_is_named() -> None:
    parsed = absence.parse(b"upn,sessions_possible\n")
    assert {p.column for p in parsed.problems} == set(absence.COLUMNS[2:])


def test_ten_percent_is_persistent_and_fifty_severe() -> None:
    pupil = absence.Pupil(upn(1), 200, 20, {})
    assert pupil.persistent and not pupil.severe
    assert absence.Pupil(upn(1), 200, 100, {}).severe
    assert not absence.Pupil(upn(1), 200, 19, {}).persistent


def test_a_file_with_one_problem_loads_nothing(world: World, client_for: ClientFor) -> None:
    client = client_for("data_officer")
    response = client.post(
        reverse("education:absence_import"),
        {
            "school": world.school.pk,
            "academic_year": "2024",
            "term": "autumn",
            "file": SimpleUploadedFile(
                "a.csv", (HEADER + f"{upn(1)},100,50,Y,N,N,N\n{upn(2)},100,x,N,N,N,N\n").encode()
            ),
        },
    )
    page = response.content.decode()
    assert "1 problem found" in page and "Not a whole number." in page
    assert not AbsenceRecord.objects.exists() and not AbsenceImport.objects.exists()


def test_a_return_keeps_the_persistently_absent_and_links_them_by_upn(
    world: World, client_for: ClientFor
) -> None:
    world.record.upn = upn(7)
    world.record.save()
    send(
        client_for("data_officer"),
        world,
        f"{upn(7)},100,55,N,Y,N,Y\n{upn(8)},100,12,N,N,N,N\n{upn(9)},100,3,Y,N,N,N\n",
    )
    batch = AbsenceImport.objects.get()
    assert (batch.pupils, batch.persistent, batch.severe, batch.linked, batch.vulnerable) == (
        3,
        2,
        1,
        1,
        1,
    )
    linked = AbsenceRecord.objects.get(upn=upn(7))
    assert linked.child == world.child and linked.severe and linked.vulnerable
    assert AuditEntry.objects.filter(
        action=AuditAction.IMPORT, object_type="absence_import"
    ).exists()


def test_a_return_sent_again_replaces_the_last(world: World, client_for: ClientFor) -> None:
    client = send(client_for("data_officer"), world, f"{upn(1)},100,55,N,N,N,N\n")
    send(client, world, f"{upn(2)},100,20,N,N,N,N\n{upn(3)},100,30,N,N,N,N\n")
    send(client, world, f"{upn(2)},100,20,N,N,N,N\n", term="spring")
    assert AbsenceImport.objects.count() == 2
    autumn = AbsenceRecord.objects.filter(batch__term="autumn").values_list("upn", flat=True)
    assert set(autumn) == {upn(2), upn(3)}


def test_vulnerable_children_are_picked_out_for_those_who_may_see_them(
    world: World, client_for: ClientFor
) -> None:
    world.record.upn = upn(7)
    world.record.save()
    send(client_for("data_officer"), world, f"{upn(7)},100,15,N,N,Y,N\n")
    url = reverse("education:absence")
    page = client_for("involved").get(url, {"vulnerable": "on"}).content.decode()
    assert "Jordan Example" in page and "SEND" in page
    assert (
        "Jordan Example" not in client_for("involved").get(url, {"severe": "on"}).content.decode()
    )
    assert "Jordan Example" not in client_for("other_agency").get(url).content.decode()


def test_the_school_holding_a_return_becomes_involved(world: World, client_for: ClientFor) -> None:
    dsl = UserFactory(email="dsl@school.example", agency=world.school, roles=[Role.DSL])
    world.record.upn = upn(7)
    world.record.save()
    assert access.grounds_for(dsl, world.child) is None
    send(client_for("data_officer"), world, f"{upn(7)},100,15,N,N,N,N\n")
    assert access.grounds_for(dsl, world.child) == access.Grounds.INVOLVED


def test_a_school_loads_only_its_own_return(world: World, client_for: ClientFor) -> None:
    from safeguarding.core.tests.factories import AgencyFactory

    other_school = AgencyFactory(code="OTHER-SCH", name="Other School", kind="school")
    officer = UserFactory(
        email="data@school.example", agency=world.school, roles=[Role.DATA_OFFICER]
    )
    client = Client()
    client.force_login(officer)
    response = client.post(
        reverse("education:absence_import"),
        {
            "school": other_school.pk,
            "academic_year": "2024",
            "term": "autumn",
            "file": SimpleUploadedFile("a.csv", (HEADER + f"{upn(1)},100,50,N,N,N,N\n").encode()),
        },
    )
    assert response.status_code == 200
    assert not AbsenceImport.objects.exists()


def test_the_list_shows_one_term_the_latest_by_default(world: World, client_for: ClientFor) -> None:
    world.record.upn = upn(7)
    world.record.save()
    client = send(client_for("data_officer"), world, f"{upn(7)},100,15,N,N,Y,N\n")
    send(client, world, f"{upn(8)},100,15,N,N,Y,N\n", term="spring")
    url = reverse("education:absence")
    assert "Jordan Example" not in client_for("involved").get(url).content.decode()
    autumn = client_for("involved").get(url, {"term": "2024-autumn"}).content.decode()
    assert "Jordan Example" in autumn and "autumn term 2024 to 2025" in autumn
