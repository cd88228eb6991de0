"""The report's part of the navigation (place in core/home.py)."""

from __future__ import annotations

from safeguarding.core.home import Link, nav_links
from safeguarding.core.models import User
from safeguarding.reports.queries import DRAFT_READER_ROLES


@nav_links.register(110)
def report_links(user: User) -> list[Link]:
    """The partnership's staff and the executive, who read drafts; anyone else reaches
    the published reports at /reports/."""
    if user.roles & DRAFT_READER_ROLES:
        return [Link("Annual report", "reports:index")]
    return []
