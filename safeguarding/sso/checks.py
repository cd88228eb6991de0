"""`check --deploy` warns on an identity provider registered without PKCE."""

from __future__ import annotations

from typing import Any

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def check_providers_use_pkce(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    from safeguarding.sso import queries

    try:
        without = [idp.agency.name for idp in queries.providers().filter(pkce=False)]
    except DatabaseError:  # not migrated yet: nothing registered to warn about
        return []
    if not without:
        return []
    return [
        Warning(
            f"Single sign-on without PKCE for {', '.join(without)}: an authorisation code "
            "intercepted on its way back could be exchanged by someone else.",
            hint="Turn on 'Use PKCE' on the provider's page (Single sign-on, in the hub); "
            "see docs/security.md, 'Single sign-on'.",
            id="safeguarding.W010",
        )
    ]
