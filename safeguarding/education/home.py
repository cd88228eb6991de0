"""The education and young carers trackers' links on the home page, by role, and the
education trackers' links on the child's page (places in core/home.py)."""

from __future__ import annotations

from django.urls import reverse

from safeguarding.core import access
from safeguarding.core.home import ChildLink, Link, Section, child_links, home_sections
from safeguarding.core.models import User
from safeguarding.core.roles import CASEWORK_ROLES, IMPORT_ROLES, Role

FIGURE_ROLES = {Role.ANALYST, Role.EXECUTIVE, Role.PARTNERSHIP_OFFICER}


@home_sections.register(120)
def education_sections(user: User) -> list[Section]:
    links: list[Link] = []
    if user.roles & CASEWORK_ROLES:
        links += [
            Link(
                "Children missing education",
                "education:cases",
                "CME cases, longest open first: the checks made and the destinations found.",
            ),
            Link(
                "Elective home education",
                "education:ehe",
                "The register: start, reason, visits, return to school.",
            ),
            Link(
                "Persistent and severe absence",
                "education:absence",
                "Pupils missing 10% or more of sessions; children with vulnerabilities picked out.",
            ),
            Link(
                "Young carers",
                "young_carers:index",
                "The register, reviews, and those open more than 6 months for the tracking meeting.",
            ),
        ]
    if user.roles & IMPORT_ROLES:
        links.append(
            Link(
                "Absence returns",
                "education:absence_import",
                "Load a school's absence return for a term.",
            )
        )
    if Role.PARTNERSHIP_OFFICER in user.roles:
        links.append(
            Link(
                "Population for education rates",
                "education:population",
                "The figure CME and home education are counted against.",
            )
        )
    if user.roles & (FIGURE_ROLES | CASEWORK_ROLES):
        links.append(
            Link(
                "Young carers identified over time",
                "young_carers:identification",
                "The register's size month by month, as a chart and a table.",
            )
        )
    if user.roles & FIGURE_ROLES:
        links.append(
            Link(
                "Education and young carers figures",
                "education:feeds",
                "CME open and rate, home education, young carers identified and reviewed in time.",
            )
        )
    return [Section("Education and young carers", links)] if links else []


@child_links.register(20)
def tracker_links(granted: access.ChildAccess) -> list[ChildLink]:
    public_id = granted.child.public_id
    return [
        ChildLink(
            "Open a children missing education case",
            reverse("education:case_new", args=[public_id]),
        ),
        ChildLink(
            "Add to the elective home education register",
            reverse("education:ehe_new", args=[public_id]),
        ),
    ]
