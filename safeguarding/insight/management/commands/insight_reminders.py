"""Email agencies' data officers about data set values past their due date.

Run it daily (cron or a scheduler). It is idempotent for a day: a value already reminded
about today is not reminded about again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safeguarding.insight import actions


class Command(BaseCommand):
    help = "Remind agencies of overdue data set values (at most once a day per value)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, help="Act as if today were this date."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run = actions.send_reminders(options.get("today"))
        agencies = ", ".join(sorted(run.agencies)) or "none"
        self.stdout.write(
            f"{run.sent} overdue value{'s' if run.sent != 1 else ''} reminded "
            f"(agencies: {agencies}); {run.skipped} already reminded today."
        )
