"""Work out the data set's computed indicators from the hub's own records.

Run it after each period ends (a scheduler, nightly is fine): it is idempotent, writing
only figures that are new or have changed, and a changed figure keeps the old one as a
correction. `safeguarding compute_indicators --since 2024-04-01 --indicator
training-attendees` narrows it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from safeguarding.insight import computed
from safeguarding.insight.models import Indicator


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date such as 2024-04-01.") from error


class Command(BaseCommand):
    help = "Compute the data set's computed indicators from the hub's records (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--indicator",
            action="append",
            dest="codes",
            metavar="CODE",
            help="Only this indicator (repeat for more). Default: every active computed one.",
        )
        parser.add_argument(
            "--since",
            type=_date,
            help="From the period containing this date (default: three financial years back).",
        )
        parser.add_argument("--today", type=_date, help="Act as if today were this date.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(items: Iterable[Indicator]) -> Iterable[Indicator]:
            return tqdm(items, desc="Computing", unit="indicator", file=self.stderr)

        try:
            outcomes = computed.compute(
                codes=options["codes"],
                since=options["since"],
                today=options["today"],
                progress=None if options["no_progress"] or options["verbosity"] == 0 else progress,
            )
        except KeyError as error:
            raise CommandError(error.args[0]) from error
        except computed.NoAgency as error:
            raise CommandError(str(error)) from error
        missing = [o for o in outcomes if o.missing_function]
        for outcome in outcomes:
            if outcome.missing_function:
                continue
            self.stdout.write(
                f"{outcome.code}: {outcome.added} added, {outcome.changed} changed, "
                f"{outcome.unchanged} unchanged, {outcome.no_records} periods with no records"
            )
        written = sum(o.written for o in outcomes)
        done = len(outcomes) - len(missing)
        self.stdout.write(
            f"{done} indicator{'s' if done != 1 else ''} "
            f"computed; {written} value{'s' if written != 1 else ''} written."
        )
        if missing:
            raise CommandError(
                "No function computes "
                + ", ".join(o.code for o in missing)
                + ": the app that holds its records must define it in its indicators.py."
            )
