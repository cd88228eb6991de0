"""Single sign-on's home page section (its place in core/home.py's table: 35, after People).

A system admin registers the agencies' identity providers; an agency's admins see their
agency's sign-in (who may be created at a first sign-in, and the leavers disabled).
"""

from __future__ import annotations

from safeguarding.core.home import Link, Section, home_sections
from safeguarding.core.models import User
from safeguarding.core.roles import USER_ADMIN_ROLES, Role


@home_sections.register(35)
def sign_in_section(user: User) -> list[Section]:
    links = []
    if Role.SYSTEM_ADMIN in user.roles:
        links.append(
            Link(
                "Sign-in providers",
                "sso:providers",
                "Register an agency's own identity provider, so its staff sign in with their "
                "agency's account.",
            )
        )
    if user.roles & USER_ADMIN_ROLES and user.agency_id is not None:
        links.append(
            Link(
                "Your agency's sign-in",
                "sso:agency",
                "Whether a first sign-in may create an account, and the leavers disabled.",
            )
        )
    return [Section("Sign-in", links)] if links else []
