"""What every page needs: the partnership's name and the navigation for the user's roles."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from safeguarding.core.home import navigation
from safeguarding.core.queries import partnership


def hub(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    nav = navigation(user) if user is not None and user.is_authenticated else []
    return {
        "partnership": partnership(),
        "navigation": nav,
        "demo_mode": settings.DEMO,
    }
