"""The year's figures: per course, financial years April to March, totals from the rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from safeguarding.conftest import World
from safeguarding.training.models import Booking, BookingStatus, Evaluation
from safeguarding.training.queries import year_figures
from safeguarding.training.tests.factories import CourseFactory, LearnerFactory, SessionFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _session(course: Any, when: datetime, attended: int, no_shows: int) -> Any:
    session = SessionFactory(
        course=course, starts_at=when, ends_at=when + timedelta(hours=3), capacity=30
    )
    for status, n in ((BookingStatus.ATTENDED, attended), (BookingStatus.NO_SHOW, no_shows)):
        for _ in range(n):
            Booking.objects.create(session=session, learner=LearnerFactory(), status=status)
    Booking.objects.create(
        session=session, learner=LearnerFactory(), status=BookingStatus.CANCELLED
    )
    return session


def test_a_course_row_counts_its_sessions_attendees_and_no_shows_inside_the_financial_year(
    world: World,
) -> None:
    course = CourseFactory(title="Working Together")
    _session(course, datetime(2024, 3, 31, 10, tzinfo=LONDON), 9, 9)  # 2023/24
    _session(course, datetime(2024, 4, 1, 10, tzinfo=LONDON), 3, 1)
    _session(course, datetime(2025, 3, 31, 10, tzinfo=LONDON), 4, 0)
    _session(course, datetime(2025, 4, 1, 0, 30, tzinfo=LONDON), 9, 9)  # 2025/26
    figures = year_figures(2024)
    assert [(r.course, r.sessions, r.attendees, r.no_shows) for r in figures.rows] == [
        ("Working Together", 2, 7, 1)
    ]
    assert figures.label == "2024/25"


def test_the_totals_are_the_sums_of_the_rows(world: World) -> None:
    for title, sessions in (
        ("A", [(5, 1), (6, 0)]),
        ("B", [(2, 2)]),
        ("C", [(0, 3), (1, 1), (4, 0)]),
    ):
        course = CourseFactory(title=title)
        for i, (came, missed) in enumerate(sessions):
            _session(course, datetime(2024, 6, 3 + i, 10, tzinfo=LONDON), came, missed)
    figures = year_figures(2024)
    assert figures.totals == {
        "sessions": sum(r.sessions for r in figures.rows),
        "attendees": sum(r.attendees for r in figures.rows),
        "no_shows": sum(r.no_shows for r in figures.rows),
        "late_cancellations": sum(r.late_cancellations for r in figures.rows),
    }
    assert (
        figures.totals["sessions"],
        figures.totals["attendees"],
        figures.totals["no_shows"],
    ) == (6, 18, 7)


def test_confidence_before_and_after_and_the_quotes_learners_allowed(world: World) -> None:
    course = CourseFactory(title="HSB")
    session = _session(course, datetime(2024, 9, 4, 10, tzinfo=LONDON), 2, 0)
    one, two = Booking.objects.filter(session=session, status=BookingStatus.ATTENDED)
    Evaluation.objects.create(booking=one, stage="before", confidence=2)
    Evaluation.objects.create(booking=two, stage="before", confidence=3)
    Evaluation.objects.create(booking=one, stage="after", confidence=4)
    Evaluation.objects.create(
        booking=one, stage="follow_up", confidence=4, impact="Quote me.", may_quote=True
    )
    Evaluation.objects.create(booking=two, stage="follow_up", confidence=4, impact="Not me.")
    row = year_figures(2024).rows[0]
    assert (row.confidence_before, row.confidence_after, row.confidence_change) == (2.5, 4, 1.5)
    assert year_figures(2024).quotes == ["Quote me."]


def test_the_report_page_shows_the_rows_and_their_total(world: World, client_for: Any) -> None:
    _session(CourseFactory(title="Working Together"), datetime(2024, 6, 5, 10, tzinfo=LONDON), 3, 1)
    page = client_for("analyst").get(reverse("training:report") + "?year=2024").content.decode()
    assert "Working Together" in page
    assert "2024/25" in page
    assert "<strong>3</strong>" in page


def test_the_demo_gives_the_reference_reports_training_table_from_its_records() -> None:
    call_command("demo", "--scale", "0.02", "--no-progress", stdout=StringIO(), stderr=StringIO())
    figures = year_figures(2024)
    rows = {r.course: (r.sessions, r.attendees, r.no_shows) for r in figures.rows}
    assert rows == {
        "Safeguarding Children: Working Together A": (7, 125, 5),
        "Safeguarding Children: Shared Responsibilities and Procedures - Working Together B": (
            6,
            134,
            8,
        ),
        "Developing an Understanding of Harmful Sexual Behaviour": (5, 35, 10),
        "The Child Death Review: Advance Training for professionals": (1, 29, 0),
    }
    # Not the reference's printed (21, 337, 35): the sum of its rows.
    assert (
        figures.totals["sessions"],
        figures.totals["attendees"],
        figures.totals["no_shows"],
    ) == (19, 323, 23)
    assert figures.elearning == [("Safeguarding Children Awareness", 621)]
    assert figures.quotes
    # Attendance comes from booking records, one per attendee.
    assert (
        Booking.objects.filter(
            status=BookingStatus.ATTENDED,
            session__starts_at__gte=datetime(2024, 4, 1, tzinfo=LONDON),
            session__starts_at__lt=datetime(2025, 4, 1, tzinfo=LONDON),
        ).count()
        == 323
    )
    # The fixed trainer can sign in (an authenticator, like every demo user) and runs
    # sessions of their own.
    from allauth.mfa.models import Authenticator

    from safeguarding.core.models import User
    from safeguarding.training.demo import TRAINER_EMAIL

    trainer = User.objects.get(email=TRAINER_EMAIL)
    assert trainer.roles == {"trainer"}
    assert Authenticator.objects.filter(user=trainer, type="totp").exists()
    assert trainer.training_sessions.exists()
