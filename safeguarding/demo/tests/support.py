"""What the demo's tests share: the scales they run at and small helpers."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from safeguarding.core.access import SystemAccess
from safeguarding.core.models import User
from safeguarding.demo.partnership import FIXED_USERS

REFERENCE_REPORT = Path("/work/shared/reference/annual-report-2024-25.md")
# A small scale keeps the suite quick; the shape of the partnership does not depend on it.
# At 0.02 the area has 720 children, about 72 of them known to agencies.
SMALL = "0.02"
# Large enough for the fixed users to have dozens of children to see.
MEDIUM = "0.1"


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


def system() -> SystemAccess:
    return SystemAccess("demo tests")


def fixed(key: str) -> User:
    email = next(f.email for f in FIXED_USERS if f.key == key)
    return User.objects.get(email=email)


def nhs_number_is_valid(number: str) -> bool:
    """DOMAIN.md's rule, written out again here rather than trusting identifiers.py."""
    if not re.fullmatch(r"\d{10}", number):
        return False
    check = 11 - sum(int(number[i]) * (10 - i) for i in range(9)) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(number[9])
