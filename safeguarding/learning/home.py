"""The learning app's part of the navigation and the home page (places in core/home.py)."""

from __future__ import annotations

from safeguarding.core.home import Link, Section, home_sections, nav_links
from safeguarding.core.models import User
from safeguarding.core.roles import Role
from safeguarding.learning import deadlines, queries
from safeguarding.learning.models import OPEN_STATUSES, AuditReturn


def _oversees(user: User) -> bool:
    return bool(user.roles & {Role.PARTNERSHIP_OFFICER, Role.EXECUTIVE})


@nav_links.register(70)
def learning_links(user: User) -> list[Link]:
    if _oversees(user):
        return [Link("Learning", "learning:index")]
    return []


@home_sections.register(90)
def learning_sections(user: User) -> list[Section]:
    """Everyone with an agency: the library, their actions and returns; officers and the
    executive: the deadlines and the assurance reports too."""
    if not user.is_authenticated:
        return []
    links: list[Link] = []
    if _oversees(user):
        links += [
            Link(
                "Deadlines",
                "learning:deadlines",
                "Notifications, rapid reviews, practice reviews and actions: the missed count.",
                deadlines.missed_count(),
            ),
            Link("Assurance reports", "learning:assurance", "Each sub-group's actions by quarter."),
        ]
    if Role.PARTNERSHIP_OFFICER in user.roles:
        links.append(
            Link(
                "Serious incidents",
                "learning:notifications",
                "Notifications to the National Panel and rapid reviews.",
            )
        )
    open_actions = queries.visible_actions(user).filter(status__in=OPEN_STATUSES)
    links.append(
        Link(
            "Actions",
            "learning:actions",
            "Actions your agency owns, or your sub-groups monitor, with their RAG.",
            open_actions.count(),
        )
    )
    if user.agency_id is not None:
        waiting = AuditReturn.objects.filter(agency_id=user.agency_id, returned_on__isnull=True)
        links.append(
            Link(
                "Audit returns",
                "learning:returns",
                "Multi-agency audits your agency is asked to answer.",
                waiting.count(),
            )
        )
    links.append(
        Link(
            "Learning library",
            "learning:library",
            "Briefings from reviews and audits: what we learned, what to do differently.",
        )
    )
    return [Section("Learning and improvement", links)]
