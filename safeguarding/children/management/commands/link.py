"""`safeguarding link`: link the records new or changed since the last run into children.

safeguarding link                 link what is new or changed
safeguarding link --train         re-estimate the model on the partnership's records,
                                  make it the one in use, and compare it with the old
safeguarding link --models        list the models, the one in use marked
safeguarding link --activate ID   bring an earlier model back into use
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.children import linkage
from safeguarding.children.models import LinkageModel
from safeguarding.core.access import SystemAccess


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.4g}"


class Command(BaseCommand):
    help = (
        "Link agency person records new or changed since the last run into children "
        "(--train re-estimates the model on the partnership's own records)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--train",
            action="store_true",
            help="re-estimate the model on every source record and use it from now on; "
            "the old model is kept",
        )
        action.add_argument("--models", action="store_true", help="list the linkage models")
        action.add_argument(
            "--activate", type=int, metavar="ID", help="bring model ID (see --models) back into use"
        )
        parser.add_argument("--quiet", action="store_true", help="print only the summary")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        quiet = options["quiet"]

        def progress(stage: str, done: int, total: int) -> None:
            if not quiet:
                print(
                    f"[{time.monotonic() - started:6.1f} s] {stage}: {done:,} of {total:,}",
                    file=sys.stderr,
                )

        try:
            if options["models"]:
                self._list_models()
            elif options["activate"] is not None:
                model = linkage.activate(options["activate"])
                self.stdout.write(self.style.SUCCESS(f"In use now: {model.name}."))
            elif options["train"]:
                self._train(progress)
            else:
                self._link(progress, started)
        except linkage.LinkageError as error:
            raise CommandError(str(error)) from error

    def _link(self, progress: linkage.Progress, started: float) -> None:
        run = linkage.link(SystemAccess(linkage.PURPOSE), progress=progress)
        seconds = time.monotonic() - started
        if not run.records_considered:
            self.stdout.write("Nothing to link: no record is new or changed since the last run.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Linked {run.records_considered:,} records in {seconds:.1f} s with "
                f"{run.model.name}: {run.linked_automatically:,} joined a child, "
                f"{run.new_children:,} new children, {run.sent_for_review:,} pairs sent for review."
            )
        )

    def _train(self, progress: linkage.Progress) -> None:
        new, old = linkage.train(SystemAccess(linkage.PURPOSE), progress=progress)
        self.stdout.write(self.style.SUCCESS(f"In use now: {new.name}."))
        if old is not None:
            self.stdout.write(f"Kept, no longer in use: {old.name} (id {old.pk}).")
            self.stdout.write(f"To go back: safeguarding link --activate {old.pk}")
        self.stdout.write("")
        header = ("field", "level", "m old", "m new", "u old", "u new", "weight old", "weight new")
        rows = [
            (
                field,
                level,
                _number(m_old),
                _number(m_new),
                _number(u_old),
                _number(u_new),
                f"{w_old:+.2f}",
                f"{w_new:+.2f}",
            )
            for field, level, m_old, m_new, u_old, u_new, w_old, w_new in linkage.comparison_rows(
                new, old
            )
        ]
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write(
                "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
            )

    def _list_models(self) -> None:
        for model in LinkageModel.objects.order_by("created_at", "pk"):
            mark = "*" if model.is_active else " "
            self.stdout.write(
                f"{mark} {model.pk:>4}  {model.name}  (thresholds {model.lower_threshold:g}–"
                f"{model.upper_threshold:g}, trained on {model.trained_on_records:,} records, "
                f"{model.runs.count():,} runs)"
            )
        self.stdout.write("* in use")
