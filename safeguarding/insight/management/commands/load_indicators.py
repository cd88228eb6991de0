"""Add the shipped indicator catalogue (insight/data/indicators.json) to the data set."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safeguarding.insight import actions


class Command(BaseCommand):
    help = "Add the shipped indicators not yet in the catalogue; edited ones are left alone."

    def handle(self, *args: Any, **options: Any) -> None:
        made = actions.load_default_catalogue()
        self.stdout.write(f"{made} indicator{'s' if made != 1 else ''} added to the catalogue.")
