"""The data set's part of the home page and the navigation (places in core/home.py)."""

from __future__ import annotations

from safeguarding.core.home import Link, Section, home_sections, nav_links
from safeguarding.core.models import SubGroup, User
from safeguarding.core.roles import Role
from safeguarding.insight.queries import READER_ROLES


@nav_links.register(60)
def insight_links(user: User) -> list[Link]:
    if user.roles & READER_ROLES:
        return [Link("Data set", "insight:dashboard")]
    if Role.DATA_OFFICER in user.roles and user.agency_id is not None:
        return [Link("Data returns", "insight:submissions")]
    return []


@home_sections.register(80)
def insight_sections(user: User) -> list[Section]:
    found: list[Section] = []
    if user.roles & READER_ROLES:
        links = [
            Link(
                "Dashboard",
                "insight:dashboard",
                "The partnership's indicators by priority, with what is real change and what "
                "is noise, and the year's data headlines.",
            ),
            Link("Indicators", "insight:indicators", "The data set's catalogue."),
            Link("Spotlight topics", "insight:spotlights", "Topics the data points to."),
        ]
        if Role.PARTNERSHIP_OFFICER in user.roles:
            links.append(
                Link(
                    "Late and missing values",
                    "insight:late",
                    "Values agencies have not sent by their due date.",
                )
            )
        found.append(Section("The partnership data set", links))
    elif SubGroup.objects.filter(members=user, is_active=True).exists():
        found.append(
            Section(
                "The partnership data set",
                [
                    Link(
                        "Your sub-groups' indicators",
                        "insight:sub_groups",
                        "The indicators your sub-groups own, with their headlines.",
                    )
                ],
            )
        )
    if Role.DATA_OFFICER in user.roles and user.agency_id is not None:
        found.append(
            Section(
                "Your agency's data returns",
                [
                    Link(
                        "Values due",
                        "insight:submissions",
                        "Send your agency's figures for the data set by form or template.",
                    )
                ],
            )
        )
    return found
