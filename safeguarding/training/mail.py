"""The emails learners get, through Django's mail settings (the console in the demo)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from safeguarding.core.queries import partnership
from safeguarding.training.links import learner_token
from safeguarding.training.models import Learner


def bookings_url(base_url: str, learner: Learner) -> str:
    return base_url.rstrip("/") + reverse(
        "training:my_bookings", kwargs={"token": learner_token(learner)}
    )


def send(learner: Learner, template: str, subject: str, base_url: str, **context: Any) -> None:
    body = render_to_string(
        f"training/email/{template}.txt",
        {
            "learner": learner,
            "link": bookings_url(base_url, learner),
            "partnership": partnership(),
            **context,
        },
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [learner.email])


# Anyone can type an address into the registration or "send my link" pages: at most this
# many link emails go to one address in an hour, so the pages cannot be used to flood a
# mailbox. The count lives in the shared cache (the database), as the sign-in limits do.
LINKS_PER_HOUR = 5


def may_send_link(email: str) -> bool:
    key = "training:links:" + hashlib.sha256(email.lower().encode()).hexdigest()
    cache.add(key, 0, timeout=3600)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        sent = 1
    return sent <= LINKS_PER_HOUR
