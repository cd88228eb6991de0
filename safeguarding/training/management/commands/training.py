"""`safeguarding training emails` sends the reminders and follow-up requests that are due;
`safeguarding training elearning FILE` loads a learning platform's completions CSV.

Run `emails` from cron (every hour, say): each booking is reminded once and asked for its
follow-up once, however often it runs and even if two runs overlap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.training import actions


def default_base_url() -> str:
    hosts = [
        h for h in settings.ALLOWED_HOSTS if h not in ("*", "testserver") and not h.startswith(".")
    ]
    return f"https://{hosts[0]}" if hosts else "http://localhost:8000"


class Command(BaseCommand):
    help = "Training: send the emails that are due, or load e-learning completions from a CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("verb", choices=["emails", "elearning"])
        parser.add_argument("file", nargs="?", help="elearning: the platform's CSV file")
        parser.add_argument(
            "--base-url",
            default=None,
            help="The hub's address for the links in emails (default: https:// and the "
            "first of SAFEGUARDING_ALLOWED_HOSTS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "emails":
            base = options["base_url"] or default_base_url()
            reminded = actions.send_reminders(base_url=base)
            asked = actions.send_follow_ups(base_url=base)
            self.stdout.write(f"{reminded} reminders and {asked} follow-up requests sent.")
            return
        if not options["file"]:
            raise CommandError("Name the CSV file: safeguarding training elearning FILE")
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{path} cannot be read as UTF-8 text: {error}") from None
        try:
            done = actions.import_elearning(text, filename=path.name, by=None)
        except actions.ELearningRefused as refused:
            for problem in refused.problems:
                self.stderr.write(f"row {problem.row}, {problem.column or '-'}: {problem.reason}")
            raise CommandError(
                f"{len(refused.problems)} problems found, so nothing was loaded."
            ) from None
        self.stdout.write(f"{done.rows} rows read; {done.added} new completions loaded.")
