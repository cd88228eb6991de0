"""The child index's links in the navigation and on the home page (places in core/home.py)."""

from __future__ import annotations

from safeguarding.children import access as children_access
from safeguarding.core import access
from safeguarding.core.home import Link, Section, home_sections, nav_links
from safeguarding.core.models import User
from safeguarding.core.roles import CASEWORK_ROLES, IMPORT_ROLES, LINKAGE_ROLES

CHILDREN_COUNT_LIMIT = 1000


@nav_links.register(10)
def children_link(user: User) -> list[Link]:
    return [Link("Children", "children:list")] if user.roles & CASEWORK_ROLES else []


@nav_links.register(50)
def linkage_and_import_links(user: User) -> list[Link]:
    links = []
    if user.roles & LINKAGE_ROLES:
        links.append(Link("Linkage", "linkage:queue"))
    if user.roles & IMPORT_ROLES:
        links.append(Link("Imports", "imports:list"))
    return links


@home_sections.register(10)
def children_section(user: User) -> list[Section]:
    if not user.roles & CASEWORK_ROLES:
        return []
    count = access.visible_children(user)[: CHILDREN_COUNT_LIMIT + 1].count()
    return [
        Section(
            "Children",
            [
                Link(
                    "Children you work with",
                    "children:list",
                    "Find a child your agency is involved with or your panels hold, by name, "
                    "date of birth, NHS number, UPN or an agency's reference; see what each "
                    "agency knows in one chronology.",
                    count,
                    CHILDREN_COUNT_LIMIT,
                )
            ],
        )
    ]


@home_sections.register(50)
def linkage_section(user: User) -> list[Section]:
    if not user.roles & LINKAGE_ROLES:
        return []
    return [
        Section(
            "Linkage",
            [
                Link(
                    "Pairs to review",
                    "linkage:queue",
                    "Agency records the linkage was unsure of: the same child or not?",
                    children_access.pending_pair_count(),
                ),
                Link(
                    "Merges and splits",
                    "linkage:history",
                    "Every merge and split of children, with undo.",
                ),
            ],
        )
    ]


@home_sections.register(60)
def extracts_section(user: User) -> list[Section]:
    if not user.roles & IMPORT_ROLES:
        return []
    return [
        Section(
            "Your agency's extracts",
            [
                Link(
                    "Upload an extract",
                    "imports:upload",
                    "Check and load a persons or events file (CSV or Excel).",
                ),
                Link("Imports", "imports:list", "Every extract sent, with its problems."),
                Link(
                    "Column mappings",
                    "imports:mappings",
                    "Let your system's own export load as it is.",
                ),
                Link("API tokens", "imports:tokens", "For systems that send records by the API."),
            ],
        )
    ]
