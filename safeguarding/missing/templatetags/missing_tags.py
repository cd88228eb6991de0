"""Disclosure control for the figures page (DOMAIN.md: DfE's rule, counts 1 to 5 as "c")."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def suppressed(count: int) -> str:
    return "c" if 1 <= count <= 5 else f"{count:,}"


@register.simple_tag
def percent_of(count: int, percent: float | None) -> str:
    """A rate whose numerator is suppressed is suppressed too."""
    if percent is None:
        return "–"
    if 1 <= count <= 5:
        return "c"
    return f"{count:,} ({percent:.1f}%)"
