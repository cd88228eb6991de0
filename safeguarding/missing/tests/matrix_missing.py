"""The missing tracker's pages in the access matrix (core/tests/matrix.py).

The tracker's lists are for every casework role and show only the children each may see;
a child's pages answer 404 to a practitioner whose agency has no part in the child
(other_agency), as for a child that does not exist. The figures are aggregates, for the
analyst, the executive and the partnership officer.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core.tests.matrix import NOT_FOUND, OK, Entries, expect
from safeguarding.missing.models import Episode, MissingProfile, ReturnInterview, SchoolHoliday

CASEWORK_OK = {"involved": OK, "other_agency": OK, "panel_member": OK}
CHILD_OK = {"involved": OK, "other_agency": NOT_FOUND, "panel_member": OK}


def child(w: World) -> dict[str, Any]:
    return {"public_id": w.child.public_id}


def returned_episode(w: World) -> Episode:
    now = timezone.now()
    episode = Episode(
        child=w.child,
        agency=w.police,
        reported_at=now - timedelta(days=5),
        returned_at=now - timedelta(days=4),
    )
    episode.save()
    ReturnInterview(episode=episode, child=w.child, due_at=now - timedelta(days=1)).save()
    return episode


def episode(w: World) -> dict[str, Any]:
    return {"public_id": returned_episode(w).public_id}


def interview(w: World) -> dict[str, Any]:
    return {"public_id": returned_episode(w).interview.public_id}


def profile(w: World) -> dict[str, Any]:
    MissingProfile(
        child=w.child,
        description="Tall, dark hair",
        consent_given_by="Mother",
        consent_on=date(2025, 1, 1),
        agency=w.la,
        updated_by=w.users["involved"],
    ).save()
    return child(w)


def holiday(w: World) -> dict[str, Any]:
    kept = SchoolHoliday.objects.create(
        name="Half-term", first_day=date(2025, 2, 17), last_day=date(2025, 2, 21)
    )
    return {"pk": kept.pk}


ENTRIES: Entries = {
    "missing:tracker": (lambda w: {}, expect(**CASEWORK_OK)),
    "missing:overdue": (lambda w: {}, expect(**CASEWORK_OK)),
    "missing:repeat": (lambda w: {}, expect(**CASEWORK_OK)),
    "missing:notices": (lambda w: {}, expect(**CASEWORK_OK)),
    "missing:notice_read": (
        lambda w: {"pk": 1},
        expect(involved=405, other_agency=405, panel_member=405),
    ),
    "missing:figures": (lambda w: {}, expect(analyst=OK, executive=OK, officer=OK)),
    "missing:child": (child, expect(**CHILD_OK)),
    "missing:episode_new": (child, expect(**CHILD_OK)),
    "missing:profile": (child, expect(**CHILD_OK)),
    "missing:profile_print": (profile, expect(**CHILD_OK)),
    # With no photograph kept the answer is 404 for everyone allowed the child
    # (test_pages.py serves a real one).
    "missing:profile_photo": (
        profile,
        expect(involved=NOT_FOUND, other_agency=NOT_FOUND, panel_member=NOT_FOUND),
    ),
    "missing:profile_share": (profile, expect(involved=405, other_agency=405, panel_member=405)),
    "missing:episode": (episode, expect(**CHILD_OK)),
    "missing:interview": (interview, expect(**CHILD_OK)),
    "missing:episode_correct": (episode, expect(**CHILD_OK)),
    # The term dates are the partnership's structure: the partnership officer's.
    "missing:school_holidays": (lambda w: {}, expect(officer=OK)),
    "missing:school_holiday_remove": (holiday, expect(officer=405)),
}
