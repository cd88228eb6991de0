"""The training figures the data set computes: from the registers and e-learning rows."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from safeguarding.conftest import World
from safeguarding.training import indicators
from safeguarding.training.models import (
    Booking,
    ELearningCompletion,
    ELearningImport,
)
from safeguarding.training.tests.factories import CourseFactory, LearnerFactory, SessionFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
Q1 = (date(2024, 4, 1), date(2024, 6, 30))
Q2 = (date(2024, 7, 1), date(2024, 9, 30))


def _session(when: datetime, **statuses: int) -> Any:
    session = SessionFactory(
        course=CourseFactory(), starts_at=when, ends_at=when + timedelta(hours=3), capacity=40
    )
    for status, n in statuses.items():
        for _ in range(n):
            Booking.objects.create(session=session, learner=LearnerFactory(), status=status)
    return session


def test_attendees_and_no_shows_count_the_sessions_held_in_the_quarter(world: World) -> None:
    _session(datetime(2024, 4, 1, 9, tzinfo=LONDON), attended=10, no_show=2, cancelled=3)
    _session(datetime(2024, 6, 30, 23, 30, tzinfo=LONDON), attended=6, no_show=2)
    _session(datetime(2024, 7, 1, 0, 30, tzinfo=LONDON), attended=5)
    assert indicators.attendees(*Q1) == 16
    assert indicators.no_shows(*Q1) == pytest.approx(100 * 4 / 20)
    assert indicators.attendees(*Q2) == 5
    assert indicators.no_shows(*Q2) == 0


def test_a_quarter_before_the_first_session_has_no_figure(world: World) -> None:
    _session(datetime(2024, 7, 2, 9, tzinfo=LONDON), attended=4)
    assert indicators.attendees(*Q1) is None
    assert indicators.no_shows(*Q1) is None
    # In use, but nothing held in the quarter: none attended, and no rate of no-shows.
    assert indicators.attendees(date(2024, 10, 1), date(2024, 12, 31)) == 0
    assert indicators.no_shows(date(2024, 10, 1), date(2024, 12, 31)) is None


def test_e_learning_completions_count_by_month_from_the_first_import(world: World) -> None:
    source = ELearningImport.objects.create(filename="lms.csv", rows=3, added=3)
    for n, day in enumerate([date(2024, 5, 1), date(2024, 5, 31), date(2024, 6, 1)]):
        ELearningCompletion.objects.create(
            module="Awareness",
            learner_name=f"Learner {n}",
            email=f"l{n}@la.example",
            completed_on=day,
            source=source,
        )
    assert indicators.elearning_completions(date(2024, 4, 1), date(2024, 4, 30)) is None
    assert indicators.elearning_completions(date(2024, 5, 1), date(2024, 5, 31)) == 2
    assert indicators.elearning_completions(date(2024, 7, 1), date(2024, 7, 31)) == 0
