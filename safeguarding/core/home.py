"""The shared pages' registries: the navigation, the home page's sections and the child's
page's panels. Core names no app: each app adds its part from its own `home.py`, which
`CoreConfig.ready` imports for every installed app (Django's `autodiscover_modules`, as
the demo finds its steps). Decision 0062.

Each part is registered with a place; the page shows the parts in the order of their
places, so that the order stays what it was when core called each app by name:

| place | navigation           | home page sections                     |
|-------|----------------------|----------------------------------------|
| 0     | Home (core)          |                                        |
| 10    | Children (children)  | Children (children)                    |
| 20    | Partnership (core)   | The partnership (core)                 |
| 30    | Users (core)         | People (core)                          |
| 35    |                      | Sign-in (sso)                          |
| 40    | Audit (core)         | Information governance (core)          |
| 50    | Linkage, Imports     | Linkage (children)                     |
|       | (children)           |                                        |
| 60    | insight              | Your agency's extracts (children)      |
| 70    | learning             | Training (training)                    |
| 80    | exploitation         | insight                                |
| 90    | missing              | learning                               |
| 100   | Training (training)  | exploitation                           |
| 110   | reports              | missing                                |
| 120   |                      | education and young carers (education) |
| 1000  |                      | Your account (core)                    |

On the child's page (`children/views.py`), parts (a template and its context) follow
the child's identity, and tracker links ("Register as a young carer") sit under
"Trackers"; a panel meeting's page (`exploitation/views.py`) shows other apps' parts
(missing's repeat-missing children); each is registered with a place too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.http import HttpRequest
from django.urls import reverse

from safeguarding.core.models import User
from safeguarding.core.roles import AUDIT_ROLES, STRUCTURE_ROLES, USER_ADMIN_ROLES

if TYPE_CHECKING:
    # Type hints only: the child's access is core's own (core/access), read at run time
    # by the app that registers a panel.
    from safeguarding.core.access import ChildAccess


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


@dataclass
class PagePart:
    """A part of another app's page (the child's page, a panel meeting's agenda): a template
    included with `context` added to the page's (its keys named for the app, e.g.
    "exploitation", so that parts do not collide)."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class ChildLink:
    """A link from the child's page to start something about the child (a tracker)."""

    label: str
    url: str


NavFunction = Callable[[User], list[Link]]
SectionFunction = Callable[[User], list[Section]]
PanelFunction = Callable[[HttpRequest, "ChildAccess"], list[PagePart]]
AgendaFunction = Callable[[HttpRequest, int], list[PagePart]]
ChildLinkFunction = Callable[["ChildAccess"], list[ChildLink]]
F = TypeVar("F", bound=Callable[..., Any])


class Registry(Generic[F]):
    """Functions by place; registering the same function again replaces it."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, tuple[int, F]] = {}

    def register(self, place: int) -> Callable[[F], F]:
        def add(func: F) -> F:
            key = f"{func.__module__}.{func.__qualname__}"
            for other, (other_place, _) in self._entries.items():
                if other_place == place and other != key:
                    raise ValueError(f"{self.kind}: place {place} is {other}'s, not {key}'s")
            self._entries[key] = (place, func)
            return func

        return add

    def in_order(self) -> list[F]:
        return [func for _, func in sorted(self._entries.values(), key=lambda entry: entry[0])]

    def places(self) -> dict[str, int]:
        """Each registered function's place, by its dotted name (for tests and docs)."""
        return {key: place for key, (place, _) in self._entries.items()}


nav_links: Registry[NavFunction] = Registry("navigation")
home_sections: Registry[SectionFunction] = Registry("home page")
child_panels: Registry[PanelFunction] = Registry("child's page panels")
child_links: Registry[ChildLinkFunction] = Registry("child's page tracker links")
meeting_parts: Registry[AgendaFunction] = Registry("panel meeting's page")


def navigation(user: User) -> list[Link]:
    """The header navigation for this user's roles, in a fixed order."""
    return [link for func in nav_links.in_order() for link in func(user)]


def sections(user: User) -> list[Section]:
    """The home page's sections for this user's roles, in a fixed order."""
    return [section for func in home_sections.in_order() for section in func(user)]


def panels(request: HttpRequest, granted: ChildAccess) -> list[PagePart]:
    """The other apps' panels on the child's page (the look is recorded by get_child)."""
    return [panel for func in child_panels.in_order() for panel in func(request, granted)]


def tracker_links(granted: ChildAccess) -> list[ChildLink]:
    return [link for func in child_links.in_order() for link in func(granted)]


def meeting_page_parts(request: HttpRequest, panel_id: int) -> list[PagePart]:
    """Other apps' parts of a panel meeting's page (missing's repeat-missing children)."""
    return [part for func in meeting_parts.in_order() for part in func(request, panel_id)]


# Core's own parts.


@nav_links.register(0)
def _home(user: User) -> list[Link]:
    return [Link("Home", "core:home")]


@nav_links.register(20)
def _partnership_link(user: User) -> list[Link]:
    return [Link("Partnership", "core:agencies")] if user.roles & STRUCTURE_ROLES else []


@nav_links.register(30)
def _users_link(user: User) -> list[Link]:
    return [Link("Users", "core:users")] if user.roles & USER_ADMIN_ROLES else []


@nav_links.register(40)
def _audit_link(user: User) -> list[Link]:
    return [Link("Audit", "core:audit")] if user.roles & AUDIT_ROLES else []


@home_sections.register(20)
def _partnership(user: User) -> list[Section]:
    if not user.roles & STRUCTURE_ROLES:
        return []
    return [
        Section(
            "The partnership",
            [
                Link("Agencies", "core:agencies", "The statutory partners and relevant agencies."),
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
    ]


@home_sections.register(30)
def _people(user: User) -> list[Section]:
    if not user.roles & USER_ADMIN_ROLES:
        return []
    return [
        Section(
            "People",
            [Link("Users", "core:users", "Add users, change their roles, disable accounts.")],
        )
    ]


@home_sections.register(40)
def _governance(user: User) -> list[Section]:
    from safeguarding.core import queries

    if not user.roles & AUDIT_ROLES:
        return []
    return [
        Section(
            "Information governance",
            [
                Link(
                    "Break-glass to review",
                    "core:break_glass_queue",
                    "Records opened outside the need-to-know rule.",
                    queries.break_glass_awaiting_review(),
                ),
                Link("Audit log", "core:audit", "Who looked at a child; what a user looked at."),
            ],
        )
    ]


@home_sections.register(1000)
def _account(user: User) -> list[Section]:
    return [
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
    ]
