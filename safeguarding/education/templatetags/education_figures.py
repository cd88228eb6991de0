"""Figures as an analyst may see them (core/disclosure.py: 1 to 5 shown as "c")."""

from __future__ import annotations

from django import template

from safeguarding.core import disclosure

register = template.Library()


@register.filter
def shown(value: int | None) -> str:
    return disclosure.count(value)


@register.filter
def shown_rate(numerator: int | None, value: float | None) -> str:
    """A rate computed already; suppressed with its numerator, "x" without a population."""
    if value is None or numerator is None:
        return disclosure.NOT_APPLICABLE
    if disclosure.is_small(numerator):
        return disclosure.count(numerator)
    return disclosure.one_decimal(value)


@register.filter
def shown_percentage(numerator: int | None, denominator: int | None) -> str:
    return disclosure.percentage(numerator, denominator)
