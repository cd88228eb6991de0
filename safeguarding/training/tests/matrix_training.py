"""Training's pages in the access matrix (core/tests/matrix.py).

The booking pages are public: partners' staff are not hub users, so everyone, signed in
or not, gets them, and a learner's own pages answer whoever holds the signed link. The
register is the trainer's (their own sessions) and the partnership officers'; the rest of
the management is the officers'; the report, aggregates only, is also the analysts' and
the executives'.
"""

from __future__ import annotations

from typing import Any

from safeguarding.conftest import World
from safeguarding.core.tests.matrix import FORBIDDEN, OK, USERS, Entries, expect
from safeguarding.training.links import learner_token
from safeguarding.training.models import Booking, BookingStatus, LearnerStatus
from safeguarding.training.tests.factories import CourseFactory, LearnerFactory, SessionFactory

EVERYONE_OK = dict.fromkeys(USERS, OK)


def everyone(status: int) -> dict[str, Any]:
    return dict.fromkeys(USERS, status)


def session(w: World) -> dict[str, Any]:
    return {"pk": SessionFactory(trainer=w.users["trainer"]).pk}


def learner(w: World) -> dict[str, Any]:
    return {"token": learner_token(LearnerFactory(agency=w.la))}


def booking(w: World) -> dict[str, Any]:
    one = LearnerFactory(agency=w.la)
    made = Booking.objects.create(
        session=SessionFactory(), learner=one, status=BookingStatus.BOOKED
    )
    return {"token": learner_token(one), "booking": made.public_id}


def evaluation(w: World) -> dict[str, Any]:
    return {**booking(w), "stage": "before"}


def pending(w: World) -> dict[str, Any]:
    return {
        "public_id": LearnerFactory(
            status=LearnerStatus.PENDING, email="v@charity.example"
        ).public_id
    }


ENTRIES: Entries = {
    "training:courses": (lambda w: {}, EVERYONE_OK),
    "training:session": (session, EVERYONE_OK),
    "training:register": (lambda w: {}, EVERYONE_OK),
    "training:send_link": (lambda w: {}, EVERYONE_OK),
    "training:my_bookings": (learner, EVERYONE_OK),
    "training:book": (lambda w: {**learner(w), **session(w)}, everyone(405)),
    "training:cancel": (booking, everyone(405)),
    "training:evaluation": (evaluation, EVERYONE_OK),
    # Not attended, no evaluation: the certificate is refused, whoever asks.
    "training:certificate": (booking, everyone(FORBIDDEN)),
    "training:manage": (lambda w: {}, expect(officer=OK)),
    "training:sessions": (lambda w: {}, expect(officer=OK, trainer=OK)),
    "training:register_page": (session, expect(officer=OK, trainer=OK)),
    "training:session_new": (lambda w: {}, expect(officer=OK)),
    "training:session_edit": (session, expect(officer=OK)),
    "training:course_new": (lambda w: {}, expect(officer=OK)),
    "training:course_edit": (lambda w: {"pk": CourseFactory().pk}, expect(officer=OK)),
    "training:learners": (lambda w: {}, expect(officer=OK)),
    "training:learner_decide": (pending, expect(officer=OK)),
    "training:settings": (lambda w: {}, expect(officer=OK)),
    "training:elearning": (lambda w: {}, expect(officer=OK)),
    "training:report": (lambda w: {}, expect(officer=OK, analyst=OK, executive=OK)),
}
