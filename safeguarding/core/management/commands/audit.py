"""`safeguarding audit verify`: check the whole hash chain, and hold it to the signed
checkpoints; `safeguarding audit checkpoint`: write one (run it on a schedule)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from safeguarding.core import audit, checkpoints


class Command(BaseCommand):
    help = (
        "Work with the audit log. `verify` checks the hash chain from the first entry to the "
        "last, and against the signed checkpoints; `checkpoint` appends a signed checkpoint "
        "of the chain's head to SAFEGUARDING_AUDIT_CHECKPOINT_DIR (run it on a schedule)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "verb",
            choices=["verify", "checkpoint"],
            help="verify: check the whole chain; checkpoint: write a signed checkpoint",
        )
        parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
        parser.add_argument(
            "--checkpoints",
            type=Path,
            help="a checkpoint file (or its folder) to verify against, such as the lines "
            "kept from the checkpoint emails; default: SAFEGUARDING_AUDIT_CHECKPOINT_DIR's",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "checkpoint":
            self.checkpoint(options["checkpoints"])
        else:
            self.verify(options)

    def checkpoint(self, path: Path | None) -> None:
        try:
            written, _ = checkpoints.write(path)
        except checkpoints.CheckpointError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Checkpoint written: the log reaches entry {written.seq}.")
        )

    def verify(self, options: dict[str, Any]) -> None:
        path = options["checkpoints"]
        anchors: list[checkpoints.Checkpoint] = []
        problems: list[str] = []
        note = ""
        if path is None:
            try:
                path = checkpoints.default_path()
            except checkpoints.CheckpointError:
                note = (
                    " No checkpoints are configured (SAFEGUARDING_AUDIT_CHECKPOINT_DIR), so "
                    "the chain was checked against itself only: a recomputed chain or a "
                    "deleted end would not be seen."
                )
        elif not path.exists():
            raise CommandError(f"There is no checkpoint file at {path}.")
        if path is not None:
            anchors, problems = checkpoints.read(path)
            if not anchors and not problems:
                note = f" No checkpoint has been written to {path} yet."
        total, _ = audit.head()
        with tqdm(
            total=total, unit="entries", disable=options["no_progress"], file=sys.stderr
        ) as bar:
            result = audit.verify(progress=bar.update, checkpoints=anchors)
        if not result.ok:
            broken = result.first_break
            if broken is None:  # for the type checker: not ok means a break
                raise CommandError("The audit log could not be verified.")
            raise CommandError(
                f"The audit log is broken at entry {broken.seq}: {broken.reason}. "
                f"{result.checked} entries before it hold."
            )
        if problems:
            raise CommandError(
                "The chain holds, but the checkpoints do not: " + "; ".join(problems) + "."
            )
        against = (
            f", and it matches {len(anchors)} signed checkpoint{'s' if len(anchors) != 1 else ''}"
            if path is not None
            else ""
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"The audit log holds: {result.checked} entries checked, the chain is whole"
                f"{against}.{note}"
            )
        )
