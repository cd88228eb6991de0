"""The report's part of the navigation (core/home.py asks here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from safeguarding.reports.queries import DRAFT_READER_ROLES

if TYPE_CHECKING:
    from safeguarding.core.home import Link
    from safeguarding.core.models import User


def nav_links(user: User) -> list[Link]:
    """The partnership's staff and the executive, who read drafts; anyone else reaches
    the published reports at /reports/."""
    from safeguarding.core.home import Link

    if user.roles & DRAFT_READER_ROLES:
        return [Link("Annual report", "reports:index")]
    return []
