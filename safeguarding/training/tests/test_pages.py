"""Training's pages as their users use them: learners by their signed links, trainers at
their registers, officers running the offer."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import UserFactory
from safeguarding.training.links import SALT, learner_token
from safeguarding.training.models import (
    Booking,
    BookingStatus,
    ELearningCompletion,
    Evaluation,
    Learner,
)
from safeguarding.training.tests.factories import LearnerFactory, SessionFactory

pytestmark = pytest.mark.django_db
Clients = Callable[[str], Client]


def link_in(body: str) -> str:
    found = re.search(r"https?://[^/\s]+(/training/my/[^\s]+)", body)
    assert found, body
    return found.group(1)


def test_a_member_of_staff_registers_books_and_cancels_through_the_emailed_link(
    domains: World, client_for: Clients
) -> None:
    session = SessionFactory(capacity=3)
    visitor = client_for("anonymous")
    page = visitor.get(reverse("training:courses"))
    assert session.course.title in page.content.decode()

    visitor.post(
        reverse("training:register"),
        {"full_name": "Sam Carer", "email": "sam@la.example", "job_title": "Social worker"},
    )
    link = link_in(mail.outbox[-1].body)
    mine = visitor.get(link)
    assert mine.status_code == 200
    assert Learner.objects.get(email="sam@la.example").email_confirmed_at is not None

    visitor.post(link + f"book/{session.pk}/")
    booking = Booking.objects.get(learner__email="sam@la.example")
    assert booking.status == BookingStatus.BOOKED
    assert "You have a place" in mail.outbox[-1].body
    assert "Cancel" in visitor.get(link).content.decode()

    visitor.post(link + f"cancel/{booking.public_id}/")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_a_forged_or_expired_link_opens_nothing(learner: Any, client_for: Clients) -> None:
    visitor = client_for("anonymous")
    forged = learner_token(learner)[:-2] + "xx"
    assert visitor.get(reverse("training:my_bookings", args=[forged])).status_code == 404
    old = signing.TimestampSigner(salt=SALT).sign_object(str(learner.public_id))
    assert visitor.get(reverse("training:my_bookings", args=[old])).status_code == 200
    # A link older than its 60 days no longer works.
    with_past = signing.TimestampSigner(salt=SALT)
    with_past.timestamp = lambda: signing.b62_encode(int(timezone.now().timestamp()) - 61 * 86400)  # type: ignore[method-assign]
    expired = with_past.sign_object(str(learner.public_id))
    assert visitor.get(reverse("training:my_bookings", args=[expired])).status_code == 404


def test_one_learners_link_cannot_cancel_anothers_booking(
    learner: Any, client_for: Clients
) -> None:
    other = LearnerFactory()
    booking = Booking.objects.create(
        session=SessionFactory(), learner=other, status=BookingStatus.BOOKED
    )
    url = reverse("training:cancel", args=[learner_token(learner), booking.public_id])
    assert client_for("anonymous").post(url).status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_a_trainer_sees_only_their_own_sessions_and_registers(
    domains: World, client_for: Clients
) -> None:
    own = SessionFactory(trainer=domains.users["trainer"])
    colleague = UserFactory(email="trainer2@la.example", agency=domains.la, roles=[Role.TRAINER])
    theirs = SessionFactory(trainer=colleague)
    trainer = client_for("trainer")
    listing = trainer.get(reverse("training:sessions")).content.decode()
    assert reverse("training:register_page", args=[own.pk]) in listing
    assert reverse("training:register_page", args=[theirs.pk]) not in listing
    assert trainer.get(reverse("training:register_page", args=[theirs.pk])).status_code == 404
    assert trainer.post(reverse("training:register_page", args=[theirs.pk])).status_code == 404
    assert (
        client_for("officer").get(reverse("training:register_page", args=[theirs.pk])).status_code
        == 200
    )


def test_the_trainer_takes_the_register_on_the_day(domains: World, client_for: Clients) -> None:
    session = SessionFactory(
        trainer=domains.users["trainer"], starts_at=timezone.now() - timedelta(minutes=30)
    )
    came = Booking.objects.create(
        session=session, learner=LearnerFactory(), status=BookingStatus.BOOKED
    )
    missed = Booking.objects.create(
        session=session, learner=LearnerFactory(), status=BookingStatus.BOOKED
    )
    url = reverse("training:register_page", args=[session.pk])
    response = client_for("trainer").post(
        url, {f"b{came.pk}": "attended", f"b{missed.pk}": "no_show"}
    )
    assert response.status_code == 302
    came.refresh_from_db()
    missed.refresh_from_db()
    assert (came.status, missed.status) == (BookingStatus.ATTENDED, BookingStatus.NO_SHOW)
    assert came.marked_by == domains.users["trainer"]


def _attended(learner: Any) -> Booking:
    session = SessionFactory(starts_at=timezone.now() - timedelta(days=1))
    return Booking.objects.create(session=session, learner=learner, status=BookingStatus.ATTENDED)


def test_the_certificate_is_refused_until_the_after_course_evaluation_is_given(
    learner: Any, client_for: Clients
) -> None:
    booking = _attended(learner)
    token = learner_token(learner)
    visitor = client_for("anonymous")
    certificate = reverse("training:certificate", args=[token, booking.public_id])
    refused = visitor.get(certificate)
    assert refused.status_code == 403
    assert "evaluation after the course" in refused.content.decode()

    evaluation = reverse("training:evaluation", args=[token, booking.public_id, "after"])
    visitor.post(
        evaluation, {"confidence": "4", "usefulness": "5", "comments": "Clearer on referrals."}
    )
    assert Evaluation.objects.filter(booking=booking, stage="after", confidence=4).exists()

    released = visitor.get(certificate)
    assert released.status_code == 200
    assert released["Content-Type"] == "application/pdf"
    assert released.content.startswith(b"%PDF")


def test_the_after_course_evaluation_waits_for_attendance_and_is_given_once(
    learner: Any, client_for: Clients
) -> None:
    booked = Booking.objects.create(
        session=SessionFactory(), learner=learner, status=BookingStatus.BOOKED
    )
    token = learner_token(learner)
    visitor = client_for("anonymous")
    url = reverse("training:evaluation", args=[token, booked.public_id, "after"])
    visitor.post(url, {"confidence": "4", "usefulness": "5"})
    assert not Evaluation.objects.exists()

    before = reverse("training:evaluation", args=[token, booked.public_id, "before"])
    visitor.post(before, {"confidence": "2", "comments": "How to refer"})
    visitor.post(before, {"confidence": "3"})
    assert list(Evaluation.objects.values_list("stage", "confidence")) == [("before", 2)]


def test_the_follow_up_opens_after_the_configured_weeks(learner: Any, client_for: Clients) -> None:
    booking = _attended(learner)
    token = learner_token(learner)
    url = reverse("training:evaluation", args=[token, booking.public_id, "follow_up"])
    assert "opens 8 weeks after" in client_for("anonymous").get(url).content.decode()
    Booking.objects.filter(pk=booking.pk).update()
    booking.session.starts_at -= timedelta(weeks=9)
    booking.session.ends_at -= timedelta(weeks=9)
    booking.session.save()
    client_for("anonymous").post(
        url, {"confidence": "5", "impact": "Referred sooner.", "may_quote": "on"}
    )
    assert Evaluation.objects.filter(stage="follow_up", may_quote=True).exists()


def test_an_officer_approves_a_learner_of_an_unknown_domain(
    domains: World, client_for: Clients
) -> None:
    learner = LearnerFactory(status="pending", email="viv@charity.example")
    url = reverse("training:learner_decide", args=[learner.public_id])
    officer = client_for("officer")
    assert learner.full_name in officer.get(reverse("training:learners")).content.decode()
    officer.post(url, {"decision": "approve"})
    learner.refresh_from_db()
    assert learner.status == "pending"  # the agency is needed
    officer.post(url, {"decision": "approve", "agency": domains.school.pk})
    learner.refresh_from_db()
    assert (learner.status, learner.agency) == ("approved", domains.school)
    assert mail.outbox[-1].to == ["viv@charity.example"]


GOOD_CSV = (
    "module,learner_name,email,completed_on\n"
    "Safeguarding Children Awareness,Sam Carer,sam@la.example,2025-03-05\n"
    "Safeguarding Children Awareness,Viv Olunteer,viv@charity.example,06/03/2025\n"
)


def upload(client: Client, text: str, name: str = "completions.csv") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("training:elearning"), {"file": file})


def test_an_elearning_file_with_problems_loads_nothing_and_names_each_problem(
    domains: World, client_for: Clients
) -> None:
    bad = GOOD_CSV + "Safeguarding Children Awareness,,nobody,31/02/2025\n"
    response = upload(client_for("officer"), bad)
    page = response.content.decode()
    assert response.status_code == 200
    assert ELearningCompletion.objects.count() == 0
    assert "3 problems found, so nothing was loaded" in page
    for column in ("learner_name", "email", "completed_on"):
        assert re.search(rf">4</td><td[^>]*>{column}</td>", page), column


def test_an_elearning_file_loads_whole_and_again_adds_nothing(
    domains: World, client_for: Clients
) -> None:
    officer = client_for("officer")
    assert upload(officer, GOOD_CSV).status_code == 302
    assert upload(officer, GOOD_CSV).status_code == 302
    assert ELearningCompletion.objects.count() == 2
    assert ELearningCompletion.objects.get(email="sam@la.example").agency == domains.la


def test_a_file_without_a_needed_column_is_refused(domains: World, client_for: Clients) -> None:
    page = upload(client_for("officer"), "module,email\nX,a@b.example\n").content.decode()
    assert "learner_name" in page and "completed_on" in page
    assert ELearningCompletion.objects.count() == 0


def test_officers_and_trainers_have_a_training_link_and_others_do_not(
    world: World, client_for: Clients
) -> None:
    def nav(user: str) -> str:
        page = client_for(user).get(reverse("core:home")).content.decode()
        return page.split('aria-label="Main"')[1].split("</nav>")[0]

    assert reverse("training:manage") in nav("officer")
    assert reverse("training:sessions") in nav("trainer")
    assert "/training/" not in nav("involved")


def test_the_public_pages_never_show_who_booked(learner: Any, client_for: Clients) -> None:
    session = SessionFactory(capacity=1)
    Booking.objects.create(session=session, learner=learner, status=BookingStatus.BOOKED)
    Booking.objects.create(session=session, learner=LearnerFactory(), status=BookingStatus.WAITING)
    visitor = client_for("anonymous")
    for url in (reverse("training:courses"), reverse("training:session", args=[session.pk])):
        page = visitor.get(url).content.decode()
        assert learner.full_name not in page
        assert learner.email not in page
    assert "Full (1 waiting)" in visitor.get(reverse("training:courses")).content.decode()


def test_the_sign_in_page_points_learners_to_the_booking_pages(client: Client) -> None:
    page = client.get(reverse("account_login")).content.decode()
    assert f'href="{reverse("training:courses")}"' in page
