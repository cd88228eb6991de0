"""Registration, booking, the waiting list and cancellation, through the actions."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core.calendar import working_days_before
from safeguarding.core.models import AuditEntry
from safeguarding.training import actions
from safeguarding.training.dates import cancellation_deadline
from safeguarding.training.models import Booking, BookingStatus, LearnerStatus, TrainingSettings
from safeguarding.training.tests.factories import CourseFactory, LearnerFactory, SessionFactory

pytestmark = pytest.mark.django_db
BASE = "https://hub.example"
LONDON = ZoneInfo("Europe/London")


def test_staff_of_an_approved_domain_are_approved_and_emailed_their_link(domains: World) -> None:
    result = actions.register_learner(
        full_name="Sam Carer",
        email="Sam.Carer@LA.example",
        job_title="Social worker",
        organisation="",
        base_url=BASE,
    )
    assert result.learner.status == LearnerStatus.APPROVED
    assert result.learner.agency == domains.la
    assert result.learner.email == "sam.carer@la.example"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam.carer@la.example"]
    assert f"{BASE}/training/my/" in mail.outbox[0].body


def test_an_unknown_domain_waits_for_an_officer_and_gets_no_link_until_approved(
    domains: World, rf: Any
) -> None:
    result = actions.register_learner(
        full_name="Viv Olunteer",
        email="viv@charity.example",
        job_title="Youth worker",
        organisation="Wealdmoor Youth Trust",
        base_url=BASE,
    )
    assert result.learner.status == LearnerStatus.PENDING
    assert result.learner.agency is None
    assert mail.outbox == []
    with pytest.raises(actions.TrainingRefused):
        actions.book(result.learner, SessionFactory().pk, base_url=BASE)

    request = rf.post("/")
    request.user = domains.users["officer"]
    actions.decide_learner(
        request, result.learner, approve=True, agency=domains.school, base_url=BASE
    )
    result.learner.refresh_from_db()
    assert result.learner.status == LearnerStatus.APPROVED
    assert result.learner.agency == domains.school
    assert "/training/my/" in mail.outbox[-1].body


def test_registering_again_sends_the_link_again_without_a_second_learner(domains: World) -> None:
    for _ in range(2):
        actions.register_learner(
            full_name="Sam", email="sam@la.example", job_title="", organisation="", base_url=BASE
        )
    assert len(mail.outbox) == 2
    from safeguarding.training.models import Learner

    assert Learner.objects.filter(email="sam@la.example").count() == 1


def test_a_full_session_puts_the_next_learner_on_the_waiting_list(learner: Any) -> None:
    session = SessionFactory(capacity=1)
    first = actions.book(learner, session.pk, base_url=BASE)
    second = actions.book(LearnerFactory(), session.pk, base_url=BASE)
    assert first.status == BookingStatus.BOOKED
    assert second.status == BookingStatus.WAITING
    assert "waiting list" in mail.outbox[-1].body


def test_booking_twice_gives_the_same_booking(learner: Any) -> None:
    session = SessionFactory()
    assert actions.book(learner, session.pk, base_url=BASE) == actions.book(
        learner, session.pk, base_url=BASE
    )
    assert Booking.objects.count() == 1


def test_a_session_that_has_started_cannot_be_booked(learner: Any) -> None:
    session = SessionFactory(starts_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(actions.TrainingRefused, match="started"):
        actions.book(learner, session.pk, base_url=BASE)


def test_a_cancelled_place_goes_to_the_first_on_the_waiting_list_who_is_told(learner: Any) -> None:
    session = SessionFactory(capacity=1)
    booked = actions.book(learner, session.pk, base_url=BASE)
    first_waiting = LearnerFactory()
    second_waiting = LearnerFactory()
    actions.book(first_waiting, session.pk, base_url=BASE)
    actions.book(second_waiting, session.pk, base_url=BASE)
    mail.outbox.clear()

    actions.cancel(learner, booked, base_url=BASE)

    statuses = dict(Booking.objects.values_list("learner__email", "status"))
    assert statuses == {
        learner.email: BookingStatus.CANCELLED,
        first_waiting.email: BookingStatus.BOOKED,
        second_waiting.email: BookingStatus.WAITING,
    }
    assert {m.to[0] for m in mail.outbox} == {learner.email, first_waiting.email}
    assert any("place has become free" in m.body for m in mail.outbox)


def test_a_larger_capacity_moves_the_waiting_list_up(learner: Any, rf: Any, domains: World) -> None:
    from safeguarding.training.forms import SessionForm

    session = SessionFactory(capacity=1)
    actions.book(learner, session.pk, base_url=BASE)
    waiting = actions.book(LearnerFactory(), session.pk, base_url=BASE)
    form = SessionForm(
        data={
            "course": session.course.pk,
            "starts_at": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
            "ends_at": timezone.localtime(session.ends_at).strftime("%Y-%m-%d %H:%M"),
            "mode": session.mode,
            "venue": session.venue,
            "capacity": 2,
            "trainer": "",
        },
        instance=session,
    )
    assert form.is_valid(), form.errors
    request = rf.post("/")
    request.user = domains.users["officer"]
    actions.save_session(request, form, base_url=BASE)
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.BOOKED


def test_the_deadline_skips_weekends_and_englands_bank_holidays() -> None:
    # Wednesday 28 May 2025: Tuesday 27th is one working day before; Monday 26th is the
    # spring bank holiday, so the second is Friday 23rd.
    assert working_days_before(date(2025, 5, 28), 2) == date(2025, 5, 23)
    # Monday 6 January 2025: Friday 3rd and Thursday 2nd (New Year's Day is a holiday).
    assert working_days_before(date(2025, 1, 6), 2) == date(2025, 1, 2)
    starts = datetime(2025, 5, 28, 9, 30, tzinfo=LONDON)
    assert cancellation_deadline(starts, 2) == date(2025, 5, 23)


def _session_on(day: date) -> Any:
    starts = datetime.combine(day, datetime.min.time(), tzinfo=LONDON).replace(hour=9, minute=30)
    return SessionFactory(starts_at=starts, ends_at=starts + timedelta(hours=6), capacity=5)


def test_cancelling_by_the_deadline_is_free_and_after_it_is_late_and_charged(learner: Any) -> None:
    TrainingSettings.objects.create(
        pk=1, cancellation_working_days=2, late_cancellation_charge=Decimal("50")
    )
    session = _session_on(date(2030, 6, 12))  # a Wednesday; deadline Monday 10 June
    in_time = actions.book(
        learner, session.pk, base_url=BASE, now=datetime(2030, 5, 1, 9, tzinfo=LONDON)
    )
    other = LearnerFactory()
    late = actions.book(
        other, session.pk, base_url=BASE, now=datetime(2030, 5, 1, 9, tzinfo=LONDON)
    )

    on_deadline = datetime(2030, 6, 10, 17, 0, tzinfo=LONDON)
    day_after = datetime(2030, 6, 11, 8, 0, tzinfo=LONDON)
    in_time = actions.cancel(learner, in_time, base_url=BASE, now=on_deadline)
    late = actions.cancel(other, late, base_url=BASE, now=day_after)

    assert (in_time.status, in_time.charge) == (BookingStatus.CANCELLED, Decimal("0"))
    assert (late.status, late.charge) == (BookingStatus.LATE_CANCELLED, Decimal("50"))
    assert "late cancellation" in mail.outbox[-1].body


def test_a_learner_given_a_place_after_the_deadline_may_cancel_it_without_charge(
    learner: Any,
) -> None:
    TrainingSettings.objects.create(pk=1, late_cancellation_charge=Decimal("50"))
    session = _session_on(date(2030, 6, 12))
    session.capacity = 1
    session.save()
    early = datetime(2030, 5, 1, 9, tzinfo=LONDON)
    taken = actions.book(learner, session.pk, base_url=BASE, now=early)
    promoted_learner = LearnerFactory()
    waiting = actions.book(promoted_learner, session.pk, base_url=BASE, now=early)
    actions.cancel(learner, taken, base_url=BASE, now=datetime(2030, 6, 11, 8, tzinfo=LONDON))
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.BOOKED

    waiting = actions.cancel(
        promoted_learner, waiting, base_url=BASE, now=datetime(2030, 6, 11, 12, tzinfo=LONDON)
    )
    assert (waiting.status, waiting.charge) == (BookingStatus.CANCELLED, Decimal("0"))


def test_a_learner_cannot_cancel_someone_elses_booking(learner: Any) -> None:
    booking = actions.book(learner, SessionFactory().pk, base_url=BASE)
    with pytest.raises(actions.TrainingRefused):
        actions.cancel(LearnerFactory(), booking, base_url=BASE)


def test_the_register_records_attendance_and_charges_no_shows(
    learner: Any, rf: Any, domains: World
) -> None:
    TrainingSettings.objects.create(pk=1, no_show_charge=Decimal("25"))
    session = SessionFactory(capacity=5)
    came = actions.book(learner, session.pk, base_url=BASE)
    missed = actions.book(LearnerFactory(), session.pk, base_url=BASE)
    request = rf.post("/")
    request.user = domains.users["trainer"]
    with pytest.raises(actions.TrainingRefused, match="day of the session"):
        actions.take_register(request, session, {came.pk: "attended"})

    on_the_day = session.starts_at + timedelta(hours=1)
    changed = actions.take_register(
        request, session, {came.pk: "attended", missed.pk: "no_show"}, now=on_the_day
    )
    came.refresh_from_db()
    missed.refresh_from_db()
    assert changed == 2
    assert (came.status, came.charge) == (BookingStatus.ATTENDED, Decimal("0"))
    assert (missed.status, missed.charge) == (BookingStatus.NO_SHOW, Decimal("25"))
    assert AuditEntry.objects.filter(
        action="training_change", user_email=domains.users["trainer"].email
    ).exists()


def test_reminders_and_follow_ups_are_each_sent_once(learner: Any) -> None:
    soon = SessionFactory(starts_at=timezone.now() + timedelta(days=1))
    actions.book(learner, soon.pk, base_url=BASE)
    mail.outbox.clear()
    assert actions.send_reminders(base_url=BASE) == 1
    assert actions.send_reminders(base_url=BASE) == 0
    assert mail.outbox[0].subject.startswith("Reminder")

    past = SessionFactory(starts_at=timezone.now() - timedelta(weeks=9))
    Booking.objects.create(session=past, learner=learner, status=BookingStatus.ATTENDED)
    assert actions.send_follow_ups(base_url=BASE) == 1
    assert actions.send_follow_ups(base_url=BASE) == 0


@pytest.mark.django_db(transaction=True)
def test_two_learners_asking_at_once_for_the_last_place_get_one_place_and_one_waiting(
    domains: World,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the row lock is PostgreSQL's to test")
    course = CourseFactory()
    session = SessionFactory(course=course, capacity=1)
    learners = [LearnerFactory(agency=domains.la), LearnerFactory(agency=domains.la)]
    barrier = threading.Barrier(2)
    results: list[str] = []
    errors: list[BaseException] = []

    def take(learner: Any) -> None:
        try:
            barrier.wait()
            results.append(actions.book(learner, session.pk, base_url=BASE).status)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(one,)) for one in learners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [BookingStatus.BOOKED, BookingStatus.WAITING]
    assert Booking.objects.filter(session=session, status=BookingStatus.BOOKED).count() == 1


def test_the_command_loads_a_good_file_and_refuses_a_bad_one_naming_each_problem(
    domains: World, tmp_path: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from safeguarding.training.models import ELearningCompletion

    good = tmp_path / "good.csv"
    good.write_text(
        "module,learner_name,email,completed_on\nAwareness,Sam,sam@la.example,2025-01-02\n"
    )
    out = StringIO()
    call_command("training", "elearning", str(good), stdout=out)
    assert "1 new completions loaded" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text("module,learner_name,email,completed_on\nAwareness,Viv,viv,2025-01-02\n")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("training", "elearning", str(bad), stderr=err)
    assert "row 2, email" in err.getvalue()
    assert ELearningCompletion.objects.count() == 1


def test_the_link_pages_cannot_flood_a_mailbox(domains: World) -> None:
    from django.core.cache import cache

    cache.clear()
    for _ in range(4):
        actions.register_learner(
            full_name="Sam", email="sam@la.example", job_title="", organisation="", base_url=BASE
        )
    for _ in range(4):
        actions.send_link("sam@la.example", base_url=BASE)
    assert len(mail.outbox) == 5
    cache.clear()


def test_a_capacity_below_the_places_booked_is_refused(learner: Any) -> None:
    from safeguarding.training.forms import SessionForm

    session = SessionFactory(capacity=2)
    actions.book(learner, session.pk, base_url=BASE)
    actions.book(LearnerFactory(), session.pk, base_url=BASE)
    form = SessionForm(
        data={
            "course": session.course.pk,
            "starts_at": timezone.localtime(session.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(session.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "mode": session.mode,
            "venue": session.venue,
            "capacity": 1,
        },
        instance=session,
    )
    assert not form.is_valid()
    assert "2 places are booked" in str(form.errors["capacity"])
