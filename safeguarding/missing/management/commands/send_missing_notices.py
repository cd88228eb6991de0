"""Email schools' designated safeguarding leads the notices of returns now due (cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safeguarding.missing.processes import send_due_notices


class Command(BaseCommand):
    help = (
        "Email each notice of a pupil's return that is due (the next school day after the "
        "return) and not yet emailed. Safe to run as often as wanted: each is sent once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_due_notices()
        self.stdout.write(f"{sent} notice{'s' if sent != 1 else ''} emailed.")
