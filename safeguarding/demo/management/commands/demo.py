"""`safeguarding demo [--seed N] [--scale K] [--reset]`: seed the fictional Wealdmoor partnership."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import ProtectedError
from tqdm import tqdm

from safeguarding.core import transactions
from safeguarding.demo import registry
from safeguarding.demo.partnership import PARTNERSHIP_NAME


def _scale(value: str) -> float:
    try:
        scale = float(value)
    except ValueError:
        raise CommandError(f"--scale must be a number, such as 1 or 0.5, not {value!r}.") from None
    if not 0 < scale <= 100:
        raise CommandError(f"--scale must be more than 0 and at most 100, not {value}.")
    return scale


SINGULAR = {"agencies": "agency", "users": "user", "children": "child"}


def _describe(what: str, n: int) -> str:
    if what == "partnership settings":
        return "the partnership's settings"
    return f"{n} {SINGULAR.get(what, what) if n == 1 else what}"


class Command(BaseCommand):
    help = (
        "Seed the fictional Wealdmoor Safeguarding Children Partnership: agencies, users of every "
        "role with MFA enrolled, sub-groups, priorities, panels and synthetic children. The same "
        "--seed gives the same data. --reset deletes the partnership's data first (the audit log "
        "is kept). Everything happens in one transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="the same seed gives the same partnership (default 1)",
        )
        parser.add_argument(
            "--scale",
            type=str,
            default="1",
            help="multiplies the generated people and children (default 1)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the partnership's agencies, users, children and so on before seeding",
        )
        parser.add_argument(
            "--extracts",
            metavar="DIR",
            type=Path,
            help="keep the agencies' extract files the demo loads, and the truth of who is who, "
            "in DIR (to try `safeguarding import` or linkage on them)",
        )
        parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "The demo partnership is never made in production (SAFEGUARDING_PRODUCTION is on)."
            )
        scale = _scale(str(options["scale"]))
        seed: int = options["seed"]

        def progress(description: str) -> registry.Progress:
            def wrap(steps: list[registry.Step]) -> Iterable[registry.Step]:
                # The wrapped stream itself: OutputWrapper would end each redraw with a newline.
                stream: Any = getattr(self.stderr, "_out", sys.stderr)
                bar = tqdm(
                    steps,
                    desc=description,
                    unit="step",
                    disable=options["no_progress"],
                    file=stream,
                )
                for each in bar:
                    bar.set_postfix_str(each.name)
                    yield each

            return wrap

        try:
            with transactions.together():
                existing = {what: n for what, n in registry.existing_data().items() if n}
                if existing and not options["reset"]:
                    held = ", ".join(_describe(what, n) for what, n in existing.items())
                    raise CommandError(
                        f"This database already holds partnership data ({held}). Run "
                        "`safeguarding demo --reset` to delete it and seed the demo partnership "
                        "in its place, or point DATABASE_URL at an empty database."
                    )
                if options["reset"] and existing:
                    registry.clear(progress=progress("Clearing"))
                ctx = registry.generate(
                    seed=seed,
                    scale=scale,
                    progress=progress("Demo partnership"),
                    extracts_dir=options["extracts"],
                )
        except ProtectedError as error:
            blocking = sorted({type(obj).__name__ for obj in error.protected_objects})
            raise CommandError(
                "The previous data could not be deleted: rows of "
                f"{', '.join(blocking)} still point at it. The app that owns them needs a "
                "@clearer in its demo.py (see safeguarding/demo/registry.py). Nothing was changed."
            ) from None

        self.stdout.write(
            self.style.SUCCESS(f"Seeded the {PARTNERSHIP_NAME} (seed {seed}, scale {scale:g}):")
        )
        width = max(len(label) for label in ctx.counts)
        for label, n in ctx.counts.items():
            self.stdout.write(f"  {label.ljust(width)}  {n:>6}")
        for note in ctx.notes:
            self.stdout.write(note)
        self.stdout.write(f"Digest of the seeded data: {registry.digest()[:16]}")
        self.stdout.write("Sign-in details: `safeguarding demo_signin_help`.")
