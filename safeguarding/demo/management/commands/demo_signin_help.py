"""`safeguarding demo_signin_help`: how to sign in to the demo partnership, and as whom."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safeguarding.core.roles import Role
from safeguarding.demo import generator
from safeguarding.demo.partnership import DEMO_PASSWORD, DEMO_URL, PARTNERSHIP_NAME


def current_code(secret: str) -> str:
    """The code an authenticator app shows now for this secret (valid for about 30 seconds)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return str(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))


class Command(BaseCommand):
    help = "Print how to sign in to the demo partnership: the fixed users, the password and MFA."

    def handle(self, *args: Any, **options: Any) -> None:
        states = generator.fixed_users_in_database()
        present = [state for state in states if state.user is not None]
        if not present:
            raise CommandError(
                "There is no demo partnership in this database: run `safeguarding demo --reset` "
                "(or `make demo-data`) first."
            )
        out = self.stdout.write
        out(self.style.MIGRATE_HEADING(f"Signing in to the {PARTNERSHIP_NAME} demo"))
        out(f"Open {DEMO_URL} and sign in with one of these users.")
        out("")
        rows = [("Email", "Agency", "Roles")]
        for state in present:
            user = state.user
            if user is None:
                continue
            agency = user.agency.name if user.agency else "(no agency)"
            roles = (
                ", ".join(Role(role).label for role in Role.values if role in user.roles)
                or "(none)"
            )
            rows.append((state.fixed.email, agency, roles))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for n, row in enumerate(rows):
            out(
                "  "
                + "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
            if n == 0:
                out("  " + "  ".join("-" * width for width in widths))
        missing = [state.fixed.email for state in states if state.user is None]
        if missing:
            out(
                self.style.WARNING(
                    f"Missing from this database: {', '.join(missing)}. Run `safeguarding demo --reset`."
                )
            )
        out("")
        out(f"Password, for every demo user: {DEMO_PASSWORD}")
        demo_code = getattr(settings, "DEMO_MFA_CODE", None)
        if settings.DEMO and demo_code:
            out(
                f"Authenticator code: {demo_code} (SAFEGUARDING_DEMO is on, so the demo accepts this fixed code)."
            )
        else:
            out(
                self.style.WARNING(
                    "SAFEGUARDING_DEMO is off, so there is no fixed authenticator code: add the "
                    "user's TOTP secret below to an authenticator app, or use the code shown "
                    "for it now (it changes every 30 seconds). `make serve` turns the demo on."
                )
            )
        out("")
        out(
            "TOTP secrets, to add a user to a real authenticator app (issuer: "
            f"{settings.MFA_TOTP_ISSUER}):"
        )
        email_width = max(len(state.fixed.email) for state in present)
        for state in present:
            line = f"  {state.fixed.email.ljust(email_width)}  {state.totp_secret or '(no authenticator)'}"
            if state.totp_secret and not (settings.DEMO and demo_code):
                line += f"  code now: {current_code(state.totp_secret)}"
            out(line)
        child = generator.break_glass_candidate()
        if child is not None:
            out("")
            out(
                "To try break-glass: sign in as practitioner@council.wealdmoor.example and open "
                f"{DEMO_URL}/children/{child.public_id}/break-glass/ (a child the council is not involved with)."
            )
