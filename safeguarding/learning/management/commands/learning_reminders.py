"""`safeguarding learning_reminders`: email owners of learning deadlines at risk or missed.

Run daily by cron. Idempotent: a reminder already sent is not sent again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from safeguarding.learning.reminders import send_reminders


class Command(BaseCommand):
    help = "Email the owners of learning deadlines and actions that are at risk or missed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="run as if on this day"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_reminders(options["today"] or timezone.localdate())
        self.stdout.write(f"{sent} reminders sent.")
