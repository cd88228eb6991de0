"""Serious incidents, rapid reviews, practice reviews, deadlines and reminders."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from safeguarding.conftest import World
from safeguarding.core.models import AuditAction, AuditEntry
from safeguarding.learning import actions, deadlines, queries
from safeguarding.learning.models import (
    AuditKind,
    IncidentKind,
    PracticeAudit,
    ReminderSent,
    ReviewDecision,
    ReviewKind,
    Theme,
)
from safeguarding.learning.reminders import send_reminders
from safeguarding.learning.tests.helpers import action, notification, practice_review

pytestmark = pytest.mark.django_db


def officer(world: World) -> Any:
    return world.users["officer"]


def test_a_notification_is_due_five_working_days_after_the_council_became_aware(
    world: World,
) -> None:
    n = notification(officer(world), aware_on=date(2024, 12, 20))  # Friday before Christmas
    assert n.due_on == date(2024, 12, 31)  # 23, 24, 27, 30, 31 December


def test_every_notification_opens_a_rapid_review_due_fifteen_working_days_on(
    world: World,
) -> None:
    n = notification(officer(world), aware_on=date(2024, 12, 2))
    assert n.due_on == date(2024, 12, 9)
    assert n.rapid_review.due_on == date(2025, 1, 2)  # 15 from 9 December: not 25, 26, 1
    n.sent_on = date(2024, 12, 5)
    actions.save_notification(n, by=officer(world))
    n.rapid_review.refresh_from_db()
    assert n.rapid_review.due_on == date(2024, 12, 30)  # the clock runs from the day it was sent


def test_a_care_leavers_death_is_notified_up_to_age_24_and_not_beyond(world: World) -> None:
    n = notification(
        officer(world), "SI-CL-1", kind=IncidentKind.CARE_LEAVER_DEATH, age_at_incident=24
    )
    assert n.pk
    with pytest.raises(ValidationError):
        notification(
            officer(world), "SI-CL-2", kind=IncidentKind.CARE_LEAVER_DEATH, age_at_incident=25
        )
    with pytest.raises(ValidationError):
        notification(
            officer(world), "SI-CL-3", kind=IncidentKind.CARE_LEAVER_DEATH, age_at_incident=None
        )
    with pytest.raises(ValidationError):
        notification(officer(world), "SI-C-4", kind=IncidentKind.CHILD, age_at_incident=19)


def test_a_rapid_review_cannot_go_to_the_panel_without_a_decision(world: World) -> None:
    review = notification(officer(world)).rapid_review
    review.sent_to_panel_on = date(2024, 6, 20)
    with pytest.raises(ValidationError):
        actions.save_rapid_review(review, by=officer(world))
    review.decision = ReviewDecision.NO_REVIEW
    review.rationale = "Learning is clear; an action plan is enough."
    actions.save_rapid_review(review, by=officer(world))
    assert AuditEntry.objects.filter(
        action=AuditAction.LEARNING_CHANGE, object_type="rapidreview"
    ).exists()


def test_information_requests_are_due_five_working_days_on_and_record_their_return(
    world: World,
) -> None:
    review = notification(officer(world)).rapid_review
    item = actions.request_information(
        review, world.police, by=officer(world), requested_on=date(2024, 6, 4)
    )
    assert item.due_on == date(2024, 6, 11)
    actions.record_information_return(item, by=officer(world), on=date(2024, 6, 10))
    item.refresh_from_db()
    assert item.returned_on == date(2024, 6, 10)


def test_a_practice_reviews_publication_target_is_six_months_from_the_decision_by_default(
    world: World,
) -> None:
    assert practice_review(officer(world)).publication_target_on == date(2025, 1, 1)
    settings = queries.learning_settings()
    settings.publication_target_months = 9
    settings.save()
    later = practice_review(officer(world), "LCSPR-2", decided_on=date(2024, 8, 31))
    assert later.publication_target_on == date(2025, 5, 31)


def test_the_deadlines_list_picks_out_the_missed_and_the_at_risk(world: World) -> None:
    by = officer(world)
    missed = notification(by, "SI-MISSED", aware_on=date(2025, 3, 3))  # due 10 March
    at_risk = notification(by, "SI-RISK", aware_on=date(2025, 3, 7))  # due 14 March
    notification(by, "SI-LATER", aware_on=date(2025, 3, 24))  # due 31 March
    done = notification(by, "SI-DONE", aware_on=date(2025, 3, 3))
    done.sent_on = date(2025, 3, 5)
    actions.save_notification(done, by=by)
    action(by, world.la, date(2025, 3, 11), title="Late action")

    summary = deadlines.deadlines(date(2025, 3, 12))
    states = {(d.kind, d.label): d.state for d in summary.items}
    assert states[("Notification to the National Panel", "SI-MISSED")] == "missed"
    assert states[("Notification to the National Panel", "SI-RISK")] == "at_risk"
    assert states[("Notification to the National Panel", "SI-LATER")] == "open"
    assert ("Notification to the National Panel", "SI-DONE") not in states
    assert states[("Action", "Late action")] == "missed"
    assert summary.missed == 2
    assert [d.label for d in deadlines.deadlines(date(2025, 3, 12), state="at_risk").items] == [
        "SI-RISK"
    ]
    assert missed.pk and at_risk.pk


def test_the_calendar_puts_each_deadline_on_its_day(world: World) -> None:
    notification(officer(world), "SI-CAL", aware_on=date(2025, 3, 3))
    action(officer(world), world.la, date(2025, 3, 10))
    weeks = deadlines.calendar_month(2025, 3, today=date(2025, 3, 1))
    days = {d.day: d for week in weeks for d in week}
    assert weeks[0][0].day == date(2025, 2, 24)  # Monday first
    assert [i.label for i in days[date(2025, 3, 10)].items] == ["SI-CAL"]
    assert days[date(2025, 3, 10)].actions == 1


def test_reminders_go_to_owners_once_however_often_the_command_runs(world: World) -> None:
    by = officer(world)
    notification(by, "SI-REM", aware_on=date(2025, 3, 3))  # due 10 March
    action(by, world.la, date(2025, 3, 1), owner_person=world.users["involved"])
    # On 7 March the notification is at risk and the action, due on 1 March, missed.
    assert send_reminders(date(2025, 3, 7)) == 2
    assert {m.to[0] for m in mail.outbox} == {by.email, world.users["involved"].email}
    assert send_reminders(date(2025, 3, 7)) == 0
    call_command("learning_reminders", "--today", "2025-03-11")  # now it is missed
    assert {m.subject for m in mail.outbox} == {
        "Due soon: Notification SI-REM",
        "Missed: Notification SI-REM",
        "Missed: Action: Refresh the guidance on bruising in non-mobile babies",
    }
    call_command("learning_reminders", "--today", "2025-03-12")
    assert len(mail.outbox) == 3
    assert ReminderSent.objects.count() == 3


def test_counts_per_financial_year_run_april_to_march(world: World) -> None:
    by = officer(world)
    n = notification(by, "SI-A", aware_on=date(2024, 4, 1))
    n.rapid_review.meeting_on = date(2024, 4, 20)
    actions.save_rapid_review(n.rapid_review, by=by)
    notification(by, "SI-B", aware_on=date(2025, 3, 31))
    notification(by, "SI-C", aware_on=date(2024, 3, 31))
    notification(
        by, "SI-D", aware_on=date(2024, 5, 1), kind="care_leaver_death", age_at_incident=20
    )
    practice_review(by, "LR-1", kind=ReviewKind.LOCAL, decided_on=date(2024, 9, 1))
    actions.save_audit(
        PracticeAudit(kind=AuditKind.MULTI_AGENCY, title="Absence", held_on=date(2024, 10, 1)),
        by=by,
    )
    counts = queries.counts_by_financial_year()
    assert counts[2024]["notifications"] == 2
    assert counts[2024]["care_leaver_notifications"] == 1
    assert counts[2024]["rapid_reviews"] == 1
    assert counts[2024]["local_reviews"] == 1
    assert counts[2024]["lcsprs"] == 0
    assert counts[2024]["multi_agency_audits"] == 1
    assert counts[2023]["notifications"] == 1


def test_themes_are_counted_by_year_across_reviews_and_audits(world: World) -> None:
    by = officer(world)
    housing = Theme.objects.get_or_create(name="Housing")[0]
    fathers = Theme.objects.get_or_create(name="Engagement of fathers and male carers")[0]
    n = notification(by, "SI-T", aware_on=date(2024, 6, 1))
    n.themes.set([housing, fathers])
    actions.save_audit(
        PracticeAudit(kind=AuditKind.MULTI_AGENCY, title="A", held_on=date(2025, 5, 1)),
        by=by,
        themes=[housing],
    )
    assert queries.themes_by_year() == {
        2024: {"Engagement of fathers and male carers": 1, "Housing": 1},
        2025: {"Housing": 1},
    }


def test_an_agencys_late_information_return_is_reminded_to_the_rapid_reviews_owner(
    world: World,
) -> None:
    review = notification(officer(world), "SI-INFO", aware_on=date(2025, 3, 3)).rapid_review
    actions.request_information(
        review, world.police, by=officer(world), requested_on=date(2025, 3, 4)
    )  # due 11 March
    review.notification.sent_on = date(2025, 3, 4)
    actions.save_notification(review.notification, by=officer(world))
    send_reminders(date(2025, 3, 12))
    assert "Missed: Information from Testshire Police for SI-INFO" in {
        m.subject for m in mail.outbox
    }
