"""Reminders to owners of deadlines at risk or missed, by email; run daily by cron.

`safeguarding learning_reminders` is idempotent: each (thing, due day, stage, recipient)
is sent once, recorded in ReminderSent, so running it twice in a day, or every day, sends
each owner one "at risk" and one "missed" email per deadline, not a daily stream. A
deadline moved to a new day is a new deadline and is reminded again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from safeguarding.core.calendar import add_working_days
from safeguarding.core.models import User
from safeguarding.learning.models import (
    OPEN_STATUSES,
    Action,
    InformationRequest,
    Milestone,
    Notification,
    PracticeReview,
    RapidReview,
    ReminderSent,
)
from safeguarding.learning.queries import learning_settings


@dataclass(frozen=True)
class Due:
    subject: str
    what: str
    due_on: date
    owner: User | None


def _outstanding(until: date) -> Iterator[Due]:
    for n in Notification.objects.filter(sent_on__isnull=True, due_on__lte=until).select_related(
        "owner"
    ):
        yield Due(f"notification:{n.pk}", f"Notification {n.case_reference}", n.due_on, n.owner)
    for r in RapidReview.objects.filter(
        sent_to_panel_on__isnull=True, due_on__lte=until
    ).select_related("owner", "notification"):
        what = f"Rapid review of {r.notification.case_reference}"
        yield Due(f"rapid_review:{r.pk}", what, r.due_on, r.owner)
    for i in InformationRequest.objects.filter(
        returned_on__isnull=True, due_on__lte=until
    ).select_related("agency", "rapid_review__owner", "rapid_review__notification"):
        what = f"Information from {i.agency.name} for {i.rapid_review.notification.case_reference}"
        yield Due(f"information_request:{i.pk}", what, i.due_on, i.rapid_review.owner)
    for p in PracticeReview.objects.filter(
        published_on__isnull=True, publication_target_on__lte=until
    ).select_related("owner"):
        what = f"Publication of {p.case_reference}"
        yield Due(f"practice_review:{p.pk}", what, p.publication_target_on, p.owner)
    for m in Milestone.objects.filter(done_on__isnull=True, due_on__lte=until).select_related(
        "review__owner"
    ):
        what = f"{m.review.case_reference}: {m.title}"
        yield Due(f"milestone:{m.pk}", what, m.due_on, m.review.owner)
    actions = Action.objects.filter(status__in=OPEN_STATUSES, due_on__lte=until).select_related(
        "owner_person", "sub_group__chair"
    )
    for a in actions.iterator():
        owner = a.owner_person or (a.sub_group.chair if a.sub_group else None)
        yield Due(f"action:{a.pk}", f"Action: {a.title}", a.due_on, owner)


def send_reminders(today: date) -> int:
    """Send what is due today and not sent before; return how many emails went."""
    risk_until = add_working_days(today, learning_settings().at_risk_working_days)
    sent = 0
    for due in _outstanding(risk_until):
        if due.owner is None or not due.owner.is_active or not due.owner.email:
            continue
        stage = "missed" if due.due_on < today else "at_risk"
        try:
            with transaction.atomic():
                ReminderSent.objects.create(
                    subject=due.subject, due_on=due.due_on, stage=stage, recipient=due.owner.email
                )
                verb = "was due" if stage == "missed" else "is due"
                send_mail(
                    f"{'Missed' if stage == 'missed' else 'Due soon'}: {due.what}",
                    f"{due.what} {verb} on {due.due_on:%-d %B %Y}.\n\n"
                    "Open the Safeguarding Partnership Hub's learning deadlines to update it.",
                    settings.DEFAULT_FROM_EMAIL,
                    [due.owner.email],
                )
        except IntegrityError:
            continue  # sent before
        sent += 1
    return sent
