"""Django's `flush`, run as the owner of the tables when DATABASE_OWNER_URL is set
(core/dbroles.py): the app's own role may not do it."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoCommand

from safeguarding.core import dbroles


class Command(DjangoCommand):
    def handle(self, *args: Any, **options: Any) -> Any:
        with dbroles.as_owner(options.get("database") or "default"):
            return super().handle(*args, **options)
