"""Every figure of the report passes through one of these gates before it is drawn
(docs/decisions/0051-disclosure-in-the-report.md).

The report publishes two sorts of figure, and each gate says which it takes:

- figures about children (young carers on the register, children missing, children
  flagged for exploitation, child deaths by category, the data set's counts): through
  insight's disclosure control under the report's policy (DfE by default: counts 1 to 5
  shown as "c", tables with secondary suppression; or NHS: 1 to 7 shown as "*", others
  rounded to the nearest 5), rates and percentages to one decimal place and hidden with
  their numerator;
- figures about the partnership's own work (training sessions and attendees,
  e-learning completions, followers and subscribers, money) and the statutory counts of
  notifications and reviews that the National Panel itself publishes per area: shown
  whole, formatted, never hidden. They still pass through a gate here, so that a new
  block cannot put a raw number on the page.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from safeguarding.core import disclosure

# The report being drawn chooses the policy (AnnualReport.disclosure_policy); a block
# drawn outside a report follows the default.
_policy: ContextVar[disclosure.Policy] = ContextVar("policy", default=disclosure.Policy.DFE)


def policy() -> disclosure.Policy:
    """The disclosure policy of the report being drawn."""
    return _policy.get()


@contextmanager
def under(chosen: str) -> Iterator[None]:
    """Draw the figures within under this policy."""
    token = _policy.set(disclosure.Policy(chosen))
    try:
        yield
    finally:
        _policy.reset(token)


def small_counts(what: str = "") -> str:
    """Which counts are hidden, as said under a table: "1 to 5 children" (DfE) or
    "1 to 7 children" (NHS)."""
    chosen = policy()
    return f"1 to {disclosure.SMALL_UPTO[chosen]}" + (f" {what}" if what else "")


def note(what: str = "", *, secondary: bool = False, percentages: bool = False) -> str:
    """The note under a table of counts of children: the symbol, what it hides, and (NHS)
    the rounding."""
    chosen = policy()
    text = f"{disclosure.SYMBOL[chosen]}: {small_counts(what)}, not shown"
    if chosen == disclosure.Policy.NHS:
        text += "; other counts rounded to the nearest 5"
    elif secondary:
        text += " (with another cell where a total would reveal it)"
    if percentages:
        text += "; a percentage whose count is hidden is hidden too"
    return text + "."


def children(value: int | None) -> str:
    """A count of children (or of events about children) on its own."""
    return disclosure.count(value, policy())


def protected(year: int) -> Any:
    """The year's protection (insight.protection): every count of children the report
    publishes for the year, with the data set's, protected together. Its `count(key)`
    and `rate(key)` are the figures as published."""
    from safeguarding.insight import queries

    return queries.year_protection(year)


def children_table(rows: Sequence[Sequence[int]]) -> list[list[str]]:
    """A table of counts of children with its row totals (last column) and column totals
    (last row), with primary and secondary suppression."""
    return disclosure.control_table(rows, policy()).shown()


def children_rate(numerator: int | None, denominator: int | None, per: int = 100) -> str:
    return disclosure.rate(numerator, denominator, per, policy())


def activity(value: int | None) -> str:
    """A count of the partnership's own work, or a statutory count published per area."""
    if value is None:
        return disclosure.NOT_APPLICABLE
    return f"{value:,}"


def money(value: Decimal | int | None) -> str:
    """Pounds, to the whole pound: £31,172."""
    if value is None:
        return disclosure.NOT_APPLICABLE
    whole = Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    sign = "−" if whole < 0 else ""
    return f"{sign}£{abs(whole):,}"


def published(value: Decimal | float, unit: str) -> str:
    """A figure already published by its source (public health indicators): percentages
    and rates to one decimal place as the policy says, other numbers as given."""
    number = Decimal(str(value))
    # Rounded half up in decimal (63.55 → 63.6), not through a float (63.549999…).
    one_place = f"{number.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}"
    if unit == "percentage":
        return f"{one_place}%"
    if unit.startswith("rate"):
        per = unit.removeprefix("rate_") or "1000"
        return f"{one_place} per {int(per):,}"
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return one_place


def average(value: float) -> str:
    """A mean score (confidence out of 5): one decimal place."""
    return disclosure.one_decimal(value)
