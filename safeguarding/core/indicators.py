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
from decimal import Decimal

from django.utils.module_loading import autodiscover_modules

Figure = int | float | Decimal | None
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
