"""Nightly: disable hub accounts not signed in through their agency's provider for N days."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safeguarding.sso import actions


class Command(BaseCommand):
    help = (
        "Disable accounts linked to their agency's identity provider and not signed in "
        "through it for the agency's number of days; the agency admin sees who."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        disabled = actions.disable_leavers()
        for row in disabled:
            self.stdout.write(f"Disabled {row.user.email} ({row.provider.agency.name})")
        self.stdout.write(f"{len(disabled)} accounts disabled.")
