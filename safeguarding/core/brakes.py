"""The brake on break-glass (docs/decisions/0058-break-glass-brake.md).

Break-glass lets a practitioner open a child their agency is not involved with. It is the
one way round need to know, so it is held back four ways, each checked in
`core.access.break_glass` before anything is opened:

- a reason that says something: enough words, not one word or character repeated;
- a daily limit: at most BREAK_GLASS_DAILY_LIMIT openings by one user in any 24 hours,
  counted from the audit log, so attempts at a child that does not exist count too;
- an alert: past BREAK_GLASS_ALERT_AFTER openings in 24 hours, the partnership's
  information governance leads are emailed at once;
- separation of duties: a role that allows break-glass opens nothing until it has been
  held for BREAK_GLASS_ROLE_AGE_HOURS, and no one grants a role to themselves
  (core.actions.save_user), so an administrator cannot make themselves a practitioner
  and break glass the same day.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from safeguarding.core.models import AuditAction, AuditEntry, RoleGrant, User
from safeguarding.core.roles import AUDIT_ROLES, BREAK_GLASS_ROLES

_WORD = re.compile(r"[^\W\d_]{2,}")
_RUN = re.compile(r"(.)\1{3,}")
WINDOW = timedelta(hours=24)


def reason_problem(reason: str) -> str | None:
    """Why a break-glass reason says nothing, or None if it says something."""
    text = reason.strip()
    words = [word.casefold() for word in _WORD.findall(text)]
    minimum = settings.BREAK_GLASS_MIN_WORDS
    if len(text) < 20 or len(words) < minimum:
        return (
            f"Say why in at least {minimum} words: what has happened, and why you need "
            "this record now. Your reason is reviewed."
        )
    letters = [c.casefold() for c in text if c.isalpha()]
    most_common_letter = Counter(letters).most_common(1)[0][1]
    distinct_words = len(set(words))
    if (
        _RUN.search(text.casefold())
        or most_common_letter > len(letters) * 0.3
        or distinct_words < max(3, (minimum + 1) // 2)
        or Counter(words).most_common(1)[0][1] > len(words) / 2
    ):
        return (
            "Your reason repeats itself. Say what has happened and why you need this "
            "record now: it is reviewed by the information governance lead."
        )
    return None


def openings_today(user: User) -> int:
    """Break-glass openings (and attempts) by the user in the last 24 hours."""
    return AuditEntry.objects.filter(
        user_id=user.pk, action=AuditAction.BREAK_GLASS, at__gte=timezone.now() - WINDOW
    ).count()


def limit_problem(count: int) -> str | None:
    """Why an opening that would be the user's `count`th in 24 hours is refused, or None."""
    limit = settings.BREAK_GLASS_DAILY_LIMIT
    if count > limit:
        return (
            f"You have opened {limit} records by break-glass in the last 24 hours, the most "
            "the partnership allows. Ask the child's agency, or the information governance "
            "lead, for the record instead."
        )
    return None


def role_age_problem(user: User) -> str | None:
    """Why the user's break-glass role is too new to use, or None."""
    hours = settings.BREAK_GLASS_ROLE_AGE_HOURS
    settled = RoleGrant.objects.filter(
        user=user,
        role__in=BREAK_GLASS_ROLES,
        granted_at__lte=timezone.now() - timedelta(hours=hours),
    )
    if hours and not settled.exists():
        return (
            f"Your role was given to you less than {hours} hours ago. A new role cannot open "
            "records by break-glass yet: ask the child's agency for the record."
        )
    return None


def alert_due(count: int) -> bool:
    """Whether the user's `count`th opening (or attempt) in 24 hours goes past the threshold."""
    return count > settings.BREAK_GLASS_ALERT_AFTER


def send_alert(user: User, *, count: int) -> None:
    """Email the information governance leads that the user has gone past the threshold.
    The email names the user and the count, never a child."""
    threshold = settings.BREAK_GLASS_ALERT_AFTER
    leads = (
        User.objects.filter(is_active=True, role_grants__role__in=AUDIT_ROLES)
        .exclude(pk=user.pk)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    recipients = sorted(leads)
    if not recipients:
        return
    agency = user.agency.name if user.agency else "no agency"
    send_mail(
        "Break-glass alert: a user has opened several records",
        (
            f"{user.full_name or user.email} ({agency}) has opened, or tried to open, {count} "
            "children's records by break-glass in the last 24 hours; the partnership's alert "
            f"threshold is {threshold}.\n\nReview the openings and their reasons in the hub: "
            "Audit, Break-glass to review.\n"
        ),
        settings.DEFAULT_FROM_EMAIL,
        recipients,
    )
