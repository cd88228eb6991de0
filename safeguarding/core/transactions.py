"""The transaction of an action: durable where the action is the outermost.

A state change a user starts (a view, a command, the API) runs one public action, whose
transaction is `atomic(durable=True)`: when the action returns, its change is committed,
and an action called by mistake inside someone else's transaction fails loudly instead of
being rolled back with it. Where several actions are meant to commit together (an upload's
rows, the demo's seed, one app's action that also records another app's), the caller says
so with `together()`, itself durable, and the actions inside it open savepoints.
See docs/decisions/0065-views-read-through-queries.md.

    @transactions.action                    with transactions.action():
    def publish(report, by): ...                ...

    with transactions.together():
        for row in rows:
            actions.submit_value(...)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ContextDecorator, contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction

_together: ContextVar[bool] = ContextVar("actions_together", default=False)


class _Action(ContextDecorator):
    """`atomic(durable=True)`, or a savepoint inside `together()`; a fresh block per use."""

    def __init__(self) -> None:
        self._atomic: Any = None

    def _recreate_cm(self) -> _Action:
        return _Action()

    def __enter__(self) -> None:
        self._atomic = transaction.atomic(durable=not _together.get())
        self._atomic.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._atomic.__exit__(*exc)


def action(function: Any = None) -> Any:
    """The outermost transaction of one action: as a decorator, or `with action():`."""
    if function is None:
        return _Action()
    return _Action()(function)


@contextmanager
def together() -> Iterator[None]:
    """Several actions committed as one: durable itself, the actions inside it not."""
    with _Action():
        token = _together.set(True)
        try:
            yield
        finally:
            _together.reset(token)
