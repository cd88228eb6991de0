"""What each role can do today: the sections of the home page, and the navigation."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from safeguarding.core.models import User
from safeguarding.core.roles import (
    AUDIT_ROLES,
    CASEWORK_ROLES,
    IMPORT_ROLES,
    LINKAGE_ROLES,
    STRUCTURE_ROLES,
    TRAINER_ROLES,
    USER_ADMIN_ROLES,
    Role,
)


@dataclass
class Link:
    label: str
    url_name: str
    description: str = ""
    count: int | None = None
    # The count stopped at this many (a count of every child an agency works with costs
    # seconds at a million children; the home page needs "a lot", not the number).
    count_limit: int | None = None

    @property
    def shown_count(self) -> str:
        if self.count is None:
            return ""
        if self.count_limit is not None and self.count > self.count_limit:
            return f"More than {self.count_limit:,}"
        return f"{self.count:,}"

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass
class Section:
    title: str
    links: list[Link] = field(default_factory=list)


def navigation(user: User) -> list[Link]:
    """The header navigation for this user's roles, in a fixed order."""
    links = [Link("Home", "core:home")]
    if user.roles & CASEWORK_ROLES:
        links.append(Link("Children", "children:list"))
    if user.roles & STRUCTURE_ROLES:
        links.append(Link("Partnership", "core:agencies"))
    if user.roles & USER_ADMIN_ROLES:
        links.append(Link("Users", "core:users"))
    if user.roles & AUDIT_ROLES:
        links.append(Link("Audit", "core:audit"))
    if user.roles & LINKAGE_ROLES:
        links.append(Link("Linkage", "linkage:queue"))
    if user.roles & IMPORT_ROLES:
        links.append(Link("Imports", "imports:list"))
    from safeguarding.insight.home import nav_links as insight_links

    links.extend(insight_links(user))
    from safeguarding.learning.home import nav_links as learning_links

    links.extend(learning_links(user))
    from safeguarding.exploitation.home import nav_links as exploitation_links

    links.extend(exploitation_links(user))
    from safeguarding.missing.home import nav_links as missing_links

    links.extend(missing_links(user))
    if Role.PARTNERSHIP_OFFICER in user.roles:
        links.append(Link("Training", "training:manage"))
    elif user.roles & TRAINER_ROLES:
        links.append(Link("Training", "training:sessions"))
    from safeguarding.reports.home import nav_links as report_links

    links.extend(report_links(user))
    return links


CHILDREN_COUNT_LIMIT = 1000


def home_sections(user: User) -> list[Section]:
    from safeguarding.children import access as children_access
    from safeguarding.core import access, queries

    sections: list[Section] = []
    if user.roles & CASEWORK_ROLES:
        count = access.visible_children(user)[: CHILDREN_COUNT_LIMIT + 1].count()
        sections.append(
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
        )
    if user.roles & STRUCTURE_ROLES:
        sections.append(
            Section(
                "The partnership",
                [
                    Link(
                        "Agencies", "core:agencies", "The statutory partners and relevant agencies."
                    ),
                    Link(
                        "Sub-groups",
                        "core:sub_groups",
                        "Who sits on each sub-group and who chairs it.",
                    ),
                    Link(
                        "Priorities",
                        "core:priorities",
                        "The partnership's priorities for each year.",
                    ),
                    Link(
                        "Settings",
                        "core:partnership",
                        "Name, area and when the financial year starts.",
                    ),
                ],
            )
        )
    if user.roles & USER_ADMIN_ROLES:
        sections.append(
            Section(
                "People",
                [Link("Users", "core:users", "Add users, change their roles, disable accounts.")],
            )
        )
    if user.roles & AUDIT_ROLES:
        waiting = queries.break_glass_awaiting_review()
        sections.append(
            Section(
                "Information governance",
                [
                    Link(
                        "Break-glass to review",
                        "core:break_glass_queue",
                        "Records opened outside the need-to-know rule.",
                        waiting,
                    ),
                    Link(
                        "Audit log", "core:audit", "Who looked at a child; what a user looked at."
                    ),
                ],
            )
        )
    if user.roles & LINKAGE_ROLES:
        sections.append(
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
        )
    if user.roles & IMPORT_ROLES:
        sections.append(
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
                    Link(
                        "API tokens", "imports:tokens", "For systems that send records by the API."
                    ),
                ],
            )
        )
    if Role.PARTNERSHIP_OFFICER in user.roles or user.roles & TRAINER_ROLES:
        sections.append(training_section(user))
    from safeguarding.insight.home import sections as insight_sections

    sections.extend(insight_sections(user))
    from safeguarding.learning.home import sections as learning_sections

    sections.extend(learning_sections(user))
    from safeguarding.exploitation.home import sections as exploitation_sections

    sections.extend(exploitation_sections(user))
    from safeguarding.missing.home import sections as missing_sections

    sections.extend(missing_sections(user))
    from safeguarding.education.home import sections as education_sections

    sections.extend(education_sections(user))
    sections.append(
        Section(
            "Your account",
            [
                Link(
                    "Sign-in security",
                    "mfa_index",
                    "Your authenticator app, security keys and recovery codes.",
                ),
                Link(
                    "Your sessions",
                    "usersessions_list",
                    "Where you are signed in; sign out of the others.",
                ),
            ],
        )
    )
    return sections


def training_section(user: User) -> Section:
    """Training: the whole offer for a partnership officer; their registers for a trainer."""
    if Role.PARTNERSHIP_OFFICER not in user.roles:
        return Section(
            "Training",
            [Link("Your sessions", "training:sessions", "Take the register on the day.")],
        )
    from safeguarding.training.queries import learners_waiting

    return Section(
        "Training",
        [
            Link(
                "Training",
                "training:manage",
                "Courses, sessions, bookings and waiting lists; the registers.",
            ),
            Link(
                "Learners to approve",
                "training:learners",
                "Staff who registered with an email address of no partner agency.",
                learners_waiting().count(),
            ),
            Link(
                "Training report",
                "training:report",
                "Sessions, attendees and no-shows per course and year; evaluations.",
            ),
        ],
    )
