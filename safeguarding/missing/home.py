"""The missing tracker's links in the navigation and on the home page, and its part of a
panel meeting's page (places in core/home.py)."""

from __future__ import annotations

from django.http import HttpRequest

from safeguarding.core.home import Link, PagePart, Section, home_sections, meeting_parts, nav_links
from safeguarding.core.models import User
from safeguarding.core.roles import CASEWORK_ROLES, SCHOOL_ROLES, STRUCTURE_ROLES, Role

FIGURE_ROLES = frozenset({Role.ANALYST, Role.EXECUTIVE, Role.PARTNERSHIP_OFFICER})


@nav_links.register(90)
def missing_links(user: User) -> list[Link]:
    """A "Missing" link for casework roles."""
    if user.roles & CASEWORK_ROLES:
        return [Link("Missing", "missing:tracker")]
    return []


@home_sections.register(110)
def missing_sections(user: User) -> list[Section]:
    found: list[Section] = []
    links: list[Link] = []
    if user.roles & SCHOOL_ROLES:
        links.append(
            Link(
                "Notices of returns",
                "missing:notices",
                "Your pupils who have returned from being missing, told the next school day.",
            )
        )
    if user.roles & CASEWORK_ROLES:
        links += [
            Link(
                "Missing episodes",
                "missing:tracker",
                "Children missing now and every episode of the children you work with.",
            ),
            Link(
                "Return home interviews overdue",
                "missing:overdue",
                "Children not offered an interview within 72 hours of their return.",
            ),
            Link(
                "Repeat missing",
                "missing:repeat",
                "Children missing again and again, for the missing panel.",
            ),
        ]
    if user.roles & FIGURE_ROLES:
        links.append(
            Link(
                "Missing children: figures",
                "missing:figures",
                "Episodes, children missing, interviews within 72 hours and repeat missing, "
                "by month.",
            )
        )
    if user.roles & STRUCTURE_ROLES:
        links.append(
            Link(
                "School holidays",
                "missing:school_holidays",
                "The term dates that decide when schools hear of a pupil's return.",
            )
        )
    if links:
        found.append(Section("Missing from home and care", links))
    return found


@meeting_parts.register(10)
def repeat_missing_part(request: HttpRequest, panel_id: int) -> list[PagePart]:
    """Repeat-missing children not on the panel's list, for a member to refer (issue 5)."""
    from safeguarding.missing import queries

    repeat = queries.repeat_missing_for_panel(request, panel_id)
    return [PagePart("missing/includes/panel_repeat.html", {"repeat_missing": repeat})]
