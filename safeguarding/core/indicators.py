"""The registry of computed indicators: figures the hub works out from its own records.

An app that holds records (training, the trackers, the exploitation panel) puts in its
`indicators.py` one function per computed indicator of the data set's catalogue:

    @computed("training-attendees")
    def attendees(start: date, end: date) -> int | None: ...

The dates are the period's first and last days; the function returns the period's figure,
or None when the module holds no records for the period. The data set
(insight/computed.py) finds every app's functions here and writes their figures
(docs/decisions/0052-computed-indicators.md). The registry is core's so that an app
registering a figure imports only core (decision 0062).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Ratio:
    """A percentage (or rate) with its counts: stored with its numerator and denominator,
    so that it is published with them and hidden with them
    (docs/decisions/0068-protection-across-linked-tables.md)."""

    numerator: int
    denominator: int
    scale: int = 100
    places: int | None = None  # decimal places the value is kept to, if rounded

    @property
    def value(self) -> float:
        exact = self.numerator / self.denominator * self.scale
        return exact if self.places is None else round(exact, self.places)


Figure = int | float | Decimal | Ratio | None
ComputeFunction = Callable[[dt.date, dt.date], Figure]

_registry: dict[str, ComputeFunction] = {}


def computed(code: str) -> Callable[[ComputeFunction], ComputeFunction]:
    """Register the function that works out the computed indicator `code`."""

    def register(func: ComputeFunction) -> ComputeFunction:
        _registry[code] = func
        return func

    return register


def registry() -> dict[str, ComputeFunction]:
    """Every registered function by indicator code, after importing each app's module."""
    autodiscover_modules("indicators")
    return dict(_registry)
