"""Training's link in the navigation and its home page section (places in core/home.py)."""

from __future__ import annotations

from safeguarding.core.home import Link, Section, home_sections, nav_links
from safeguarding.core.models import User
from safeguarding.core.roles import TRAINER_ROLES, Role
from safeguarding.training.queries import learners_waiting


@nav_links.register(100)
def training_link(user: User) -> list[Link]:
    if Role.PARTNERSHIP_OFFICER in user.roles:
        return [Link("Training", "training:manage")]
    if user.roles & TRAINER_ROLES:
        return [Link("Training", "training:sessions")]
    return []


@home_sections.register(70)
def training_section(user: User) -> list[Section]:
    """Training: the whole offer for a partnership officer; their registers for a trainer."""
    if Role.PARTNERSHIP_OFFICER in user.roles:
        return [officer_section()]
    if user.roles & TRAINER_ROLES:
        return [
            Section(
                "Training",
                [Link("Your sessions", "training:sessions", "Take the register on the day.")],
            )
        ]
    return []


def officer_section() -> Section:
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
