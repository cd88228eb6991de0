"""The learning pages as their users use them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.learning.models import (
    AuditReturn,
    AuditTemplate,
    Briefing,
    Cascade,
    Notification,
    PracticeAudit,
    Theme,
)
from safeguarding.learning.tests.helpers import action, notification

pytestmark = pytest.mark.django_db


def test_an_officer_records_a_notification_and_sees_its_deadlines(
    world: World, client_for: Callable[[str], Client]
) -> None:
    officer = client_for("officer")
    response = officer.post(
        reverse("learning:notification_new"),
        {
            "case_reference": "SI-2025-01",
            "summary": "A baby of three months with a fracture not explained.",
            "kind": "child",
            "age_at_incident": "0",
            "aware_on": "2025-04-17",
            "owner": world.users["officer"].pk,
            "themes": [Theme.objects.get_or_create(name="Housing")[0].pk],
        },
    )
    n = Notification.objects.get(case_reference="SI-2025-01")
    assert response["Location"] == reverse("learning:notification", args=[n.pk])
    assert n.due_on == date(2025, 4, 28)  # Easter Friday and Monday skipped
    page = officer.get(response["Location"]).content.decode()
    assert "28 April 2025" in page
    assert AuditEntry.objects.filter(
        action=AuditAction.LEARNING_CHANGE, object_id=str(n.pk)
    ).exists()


def test_a_care_leaver_over_24_is_refused_with_a_message(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("officer").post(
        reverse("learning:notification_new"),
        {
            "case_reference": "SI-CL",
            "summary": "x",
            "kind": "care_leaver_death",
            "age_at_incident": "26",
            "aware_on": "2025-04-17",
        },
    )
    assert response.status_code == 200
    assert not Notification.objects.exists()


def test_the_deadlines_page_picks_out_missed_and_at_risk_deadlines(
    world: World, client_for: Callable[[str], Client]
) -> None:
    today = timezone.localdate()
    notification(world.users["officer"], "SI-LATE", aware_on=today - timedelta(days=30))
    action(world.users["officer"], world.la, today + timedelta(days=200), title="Far off")
    page = client_for("executive").get(reverse("learning:deadlines") + "?state=missed")
    text = page.content.decode()
    assert "SI-LATE" in text
    assert "Far off" not in text
    calendar = client_for("executive").get(reverse("learning:calendar"), {"month": "2025-03"})
    assert "March 2025" in calendar.content.decode()


def test_an_agency_answers_its_audit_return_with_the_tool_questions(
    world: World, client_for: Callable[[str], Client]
) -> None:
    officer = client_for("officer")
    template = AuditTemplate.objects.create(
        name="Absence audit", questions="Was the child seen?\nWas the school asked?"
    )
    officer.post(
        reverse("learning:audit_new"),
        {
            "kind": "multi_agency",
            "title": "Children persistently absent from school",
            "held_on": "2024-11-05",
            "cases_sampled": "CASE-1\nCASE-2",
            "template": template.pk,
            "agencies": [world.la.pk, world.police.pk],
        },
    )
    audit = PracticeAudit.objects.get()
    assert audit.questions == template.question_list
    assert audit.case_list == ["CASE-1", "CASE-2"]
    item = AuditReturn.objects.get(audit=audit, agency=world.la)
    answers = {f"answer_{i}": f"Answer {i}" for i in range(len(audit.questions))}
    involved = client_for("involved")
    assert (
        "Children persistently absent" in involved.get(reverse("learning:returns")).content.decode()
    )
    involved.post(reverse("learning:audit_return", args=[item.pk]), {**answers, "grade": "good"})
    item.refresh_from_db()
    assert item.grade == "good"
    assert item.answers[0] == "Answer 0"
    police_return = AuditReturn.objects.get(audit=audit, agency=world.police)
    assert (
        involved.get(reverse("learning:audit_return", args=[police_return.pk])).status_code == 404
    )


def test_a_single_agency_audit_must_name_its_agency(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("officer").post(
        reverse("learning:audit_new"),
        {"kind": "single_agency", "title": "Police PPN quality", "held_on": "2024-11-05"},
    )
    assert response.status_code == 200
    assert not PracticeAudit.objects.exists()


def test_a_published_briefing_is_in_the_library_and_agencies_confirm_cascade(
    world: World, client_for: Callable[[str], Client]
) -> None:
    officer = client_for("officer")
    officer.post(
        reverse("learning:briefing_new"),
        {
            "title": "Seeing fathers",
            "case_in_brief": "Invented: a father was not known to the health visitor.",
            "what_we_learned": "Professionals asked only about the mother.",
            "what_to_do_differently": "Ask who else lives in the home, every visit.",
        },
    )
    briefing = Briefing.objects.get()
    involved = client_for("other_agency")
    assert "Seeing fathers" not in involved.get(reverse("learning:library")).content.decode()
    assert involved.get(reverse("learning:briefing", args=[briefing.pk])).status_code == 404
    officer.post(reverse("learning:briefing_publish", args=[briefing.pk]))
    assert "Seeing fathers" in involved.get(reverse("learning:library")).content.decode()
    involved.post(reverse("learning:briefing_cascade", args=[briefing.pk]))
    involved.post(reverse("learning:briefing_cascade", args=[briefing.pk]))
    assert Cascade.objects.filter(briefing=briefing).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.PUBLISH, object_type="briefing").exists()


def test_the_themes_page_draws_an_accessible_chart_with_the_same_figures_in_a_table(
    world: World, client_for: Callable[[str], Client]
) -> None:
    n = notification(world.users["officer"], aware_on=date(2024, 6, 1))
    n.themes.set([Theme.objects.get_or_create(name="Domestic abuse")[0]])
    text = client_for("executive").get(reverse("learning:themes")).content.decode()
    assert 'role="img"' in text
    assert '<title id="themes-chart-title">' in text
    assert "Domestic abuse, 2024 to 2025: 1" in text
    assert "<caption" in text


def test_the_settings_change_the_at_risk_window(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client_for("officer").post(
        reverse("learning:settings"),
        {
            "publication_target_months": 9,
            "at_risk_working_days": 5,
            "action_amber_working_days": 10,
        },
    )
    from safeguarding.learning.queries import learning_settings

    assert learning_settings().at_risk_working_days == 5
    assert learning_settings().publication_target_months == 9


def test_the_home_page_shows_each_user_their_learning_links(
    world: World, client_for: Callable[[str], Client]
) -> None:
    today = timezone.localdate()
    notification(world.users["officer"], "SI-HOME", aware_on=today - timedelta(days=30))
    action(world.users["officer"], world.la, today - timedelta(days=1))
    officer_home = client_for("officer").get("/").content.decode()
    assert reverse("learning:deadlines") in officer_home
    assert reverse("learning:notifications") in officer_home
    practitioner_home = client_for("involved").get("/").content.decode()
    assert reverse("learning:library") in practitioner_home
    assert reverse("learning:actions") in practitioner_home
    assert reverse("learning:deadlines") not in practitioner_home


def test_the_missed_count_adds_statutory_deadlines_and_overdue_actions(world: World) -> None:
    from safeguarding.learning.deadlines import missed_count

    today = timezone.localdate()
    notification(world.users["officer"], "SI-M", aware_on=today - timedelta(days=60))
    action(world.users["officer"], world.la, today - timedelta(days=1))
    action(world.users["officer"], world.la, today + timedelta(days=1))
    # The notification and its rapid review are both missed, and one action.
    assert missed_count(today) == 3
