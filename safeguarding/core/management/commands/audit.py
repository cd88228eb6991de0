"""`safeguarding audit verify`: check the whole hash chain and name the first broken entry."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from safeguarding.core import audit
from safeguarding.core.models import AuditHead


class Command(BaseCommand):
    help = (
        "Work with the audit log. `verify` checks the hash chain from the first entry to the last."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("verb", choices=["verify"], help="verify: check the whole chain")
        parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        head = AuditHead.objects.filter(pk=1).first()
        total = head.last_seq if head else 0
        with tqdm(
            total=total, unit="entries", disable=options["no_progress"], file=sys.stderr
        ) as bar:
            result = audit.verify(progress=bar.update)
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"The audit log holds: {result.checked} entries checked, the chain is whole."
                )
            )
            return
        broken = result.first_break
        if broken is None:  # for the type checker: not ok means a break
            raise CommandError("The audit log could not be verified.")
        raise CommandError(
            f"The audit log is broken at entry {broken.seq}: {broken.reason}. {result.checked} entries before it hold."
        )
