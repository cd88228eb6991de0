"""Make missing episodes of imported missing-episode events (idempotent: run after imports)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safeguarding.missing.processes import episodes_from_events


class Command(BaseCommand):
    help = "Make an episode of every imported missing-episode event that has none yet."

    def handle(self, *args: Any, **options: Any) -> None:
        made = episodes_from_events()
        self.stdout.write(f"{made} episode{'s' if made != 1 else ''} made from imported events.")
