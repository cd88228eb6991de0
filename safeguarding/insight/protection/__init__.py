"""Protection of everything published for a financial year, together
(docs/decisions/0068-protection-across-linked-tables.md).

Each app that publishes counts about children for a year puts in its `publications.py`
one function per output, registered with `@source`, that adds the output's figures to
the year's linked tables under the keys the output then asks for. `for_year(year)` builds
the linked tables from every source, chooses the hidden cells (suppress.py) under the
year's one policy and returns a `Protection`, which every output reads: the data set's
CSV, the report's tables, charts and headlines. The pattern is kept per fingerprint of
the figures and policy, so a year is solved once until its figures change.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

from safeguarding.core import disclosure
from safeguarding.insight.protection.audit import Finding, audit
from safeguarding.insight.protection.model import LinkedTables, hidden_rates
from safeguarding.insight.protection.rules import Rule, rule_for
from safeguarding.insight.protection.suppress import Pattern, protect

Source = Callable[[LinkedTables, int], None]
_sources: dict[str, Source] = {}


def source(name: str) -> Callable[[Source], Source]:
    """Register an output's figures for a year (in an app's publications.py)."""

    def register(func: Source) -> Source:
        _sources[name] = func
        return func

    return register


def sources() -> dict[str, Source]:
    autodiscover_modules("publications")
    return dict(sorted(_sources.items()))


@dataclass
class Protection:
    year: int
    rule: Rule
    linked: LinkedTables
    pattern: Pattern

    @property
    def policy(self) -> disclosure.Policy:
        return self.rule.policy

    def holds(self, name: str) -> bool:
        return name in self.linked.aliases

    def is_hidden(self, name: str) -> bool:
        if name in self.linked.rates:
            return name in hidden_rates(self.linked, self.pattern.hidden)
        return self.linked.aliases[name] in self.pattern.hidden

    def value(self, name: str) -> int:
        """The true value (to decide what a table lists, never to publish)."""
        return self.linked.value(name)

    def count(self, name: str) -> str:
        """A count as published: its symbol when hidden, else shown (rounded under NHS)."""
        if self.is_hidden(name):
            return disclosure.SYMBOL[self.policy]
        return disclosure.count(self.linked.value(name), self.policy)

    def rate(self, name: str) -> str:
        """A rate or percentage as published: hidden with its numerator or denominator."""
        rate = self.linked.rates[name]
        if self.is_hidden(name):
            return disclosure.SYMBOL[self.policy]
        den = self.linked.value(rate.denominator)
        if not den:
            return disclosure.NOT_APPLICABLE
        return disclosure.one_decimal(self.linked.value(rate.numerator) / den * rate.scale)

    def audit(self) -> list[Finding]:
        return audit(self.linked, self.pattern.hidden, self.rule)

    @property
    def small_cells(self) -> int:
        return len(self.pattern.primary)

    @property
    def hidden_cells(self) -> int:
        return len(self.pattern.hidden)


def build(year: int) -> LinkedTables:
    linked = LinkedTables()
    for add in sources().values():
        add(linked, year)
    return linked


_solved: OrderedDict[str, Pattern] = OrderedDict()
KEPT = 32
_batch: ContextVar[dict[int, Protection] | None] = ContextVar("protection_batch", default=None)


def protection_of(linked: LinkedTables, year: int, policy: disclosure.Policy | str) -> Protection:
    """The protection of these linked tables (solved once per fingerprint)."""
    rule = rule_for(policy)
    fingerprint = linked.fingerprint(rule)
    pattern = _solved.get(fingerprint)
    if pattern is None:
        pattern = protect(linked, rule)
        _solved[fingerprint] = pattern
        while len(_solved) > KEPT:
            _solved.popitem(last=False)
    else:
        _solved.move_to_end(fingerprint)
    return Protection(year, rule, linked, pattern)


def for_year(year: int) -> Protection:
    """Everything published for the financial year, protected together under its policy."""
    from safeguarding.insight.queries import policy_for_year

    batch = _batch.get()
    if batch is not None and year in batch:
        return batch[year]
    found = protection_of(build(year), year, policy_for_year(year))
    if batch is not None:
        batch[year] = found
    return found


@contextmanager
def batch() -> Iterator[None]:
    """Build each year's linked tables once while drawing many outputs (a report)."""
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)
