"""The missing tracker's scheduled processes (the `missing_episodes` and
`send_missing_notices` commands), which act for no user: each opens the child index as
a `SystemAccess` with its purpose, which is audited (docs/decisions/0061). No request
reaches here.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from safeguarding.core import access, audit, transactions
from safeguarding.core.models import AuditAction
from safeguarding.missing import access as missing_access
from safeguarding.missing.actions import _after_return, returned_from_summary
from safeguarding.missing.models import Classification, Episode, EpisodeOrigin, SchoolNotice


def episodes_from_events() -> int:
    """Make an episode of every imported missing-episode event that has none; idempotent.

    Returns how many were made. The run is written to the audit log.
    """
    system = access.SystemAccess("missing episodes from imported events")
    done = access.system_rows(system, Episode).filter(source_event__isnull=False)
    events = (
        missing_access.missing_episode_events(system)
        .exclude(pk__in=done.values("source_event_id"))
        .select_related("child")
        .order_by("pk")
    )
    made = 0
    with transactions.action():
        for event in events.iterator(chunk_size=2000):
            returned_at = returned_from_summary(event.summary)
            if returned_at is not None and returned_at < event.occurred_at:
                returned_at = None
            episode = Episode(
                child=event.child,
                agency_id=event.agency_id,
                origin=EpisodeOrigin.IMPORTED,
                source_event=event,
                reported_at=event.occurred_at,
                returned_at=returned_at,
                looked_after="looked after" in event.summary.lower(),
                classification=Classification.ABSENT
                if "absent" in event.summary.lower()
                else Classification.MISSING,
            )
            episode.save()
            if returned_at is not None:
                _after_return(episode)
            made += 1
        if made:
            audit.record(
                AuditAction.CHILD_CREATE,
                object_type="episode",
                purpose=system.purpose,
                detail={"made": made},
            )
    return made


def send_due_notices(today: date | None = None) -> int:
    """Email every notice due by today not yet emailed; idempotent (cron).

    The email names no child: it asks the lead to sign in, where the notice names them.
    """
    today = today or timezone.localdate()
    system = access.SystemAccess("notices of pupils' returns")
    due = (
        access.system_rows(system, SchoolNotice)
        .filter(emailed_at__isnull=True, due_on__lte=today)
        .select_related("recipient", "child")
        .order_by("pk")
    )
    sent = 0
    link = reverse("missing:notices")
    for notice in due.iterator(chunk_size=500):
        with transactions.action():
            claimed = (
                access.system_rows(system, SchoolNotice)
                .filter(pk=notice.pk, emailed_at__isnull=True)
                .update(emailed_at=timezone.now())
            )
            if not claimed:  # another run sent it
                continue
            send_mail(
                "A pupil has returned from being missing",
                "A pupil of your school has returned from a missing episode. Sign in to the "
                f"Safeguarding Partnership Hub to see who, and when: {link}\n",
                settings.DEFAULT_FROM_EMAIL,
                [notice.recipient.email],
            )
            audit.record(
                AuditAction.NOTICE,
                object_type="schoolnotice",
                object_id=str(notice.pk),
                child_ref=str(notice.child.public_id),
                purpose="school told of a pupil's return from missing",
                detail={"school": notice.school_id, "to": notice.recipient.email, "emailed": True},
            )
            sent += 1
    return sent
