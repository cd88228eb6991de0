"""Figures of the linkage review pages, as a person reads them."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(probability: float | None) -> str:
    """0.8734 -> "87.3%"; certainty is never shown as 100% unless it is."""
    if probability is None:
        return ""
    value = float(probability) * 100
    if 99.9 < value < 100:
        shown = f"{value:.2f}"
        return "over 99.99%" if shown == "100.00" else f"{shown}%"
    return f"{value:.1f}%"


@register.filter
def signed(weight: float | None) -> str:
    """A match weight with its sign, using a true minus sign: "+4.2", "−3.1"."""
    if weight is None:
        return ""
    value = float(weight)
    return f"+{value:.1f}" if value >= 0 else f"\u2212{abs(value):.1f}"


@register.filter
def moved_count(change: object) -> int:
    """How many source records a merge or split moved."""
    records = getattr(change, "records", None)
    if isinstance(records, dict):
        return len(records.get("records") or [])
    return len(records or [])


LINK_METHODS = {
    "model": "By the linkage model",
    "nhs number": "Same NHS number",
    "new": "First record of the child",
    "person": "By a linkage officer",
    "entered by hand": "Typed in by a practitioner: never linked without review",
}


@register.filter
def link_method(method: str | None) -> str:
    """How a record came to its child (SourceRecord.link_method), in words."""
    if not method:
        return "Not recorded"
    return LINK_METHODS.get(method, method.replace("_", " ").capitalize())
