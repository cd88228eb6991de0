"""Small helpers of the child pages' templates."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

LINK_METHODS = {
    "model": "Matched by the linkage model",
    "nhs number": "Same NHS number",
    "person": "Linked by a person",
    "new": "First record of this child",
    "entered by hand": "Typed in by a practitioner: never linked without review",
}


@register.filter
def agency_names(child: Any) -> str:
    """The agencies holding a record of the child, from the records prefetched with it
    (children/access.py: `with_record_agencies`, the search's page)."""
    names = sorted({record.agency.name for record in getattr(child, "agency_records", [])})
    return ", ".join(names) or "None"


@register.filter
def link_method(record: Any) -> str:
    """How a record came to its child, in words, with the model's probability if it had one."""
    words = LINK_METHODS.get(record.link_method, record.link_method or "Not recorded")
    if record.link_method == "model" and record.link_probability is not None:
        words += f" ({record.link_probability:.1%})"
    return words
