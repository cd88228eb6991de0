"""The single sign-on pages in the access matrix (core/tests/matrix.py).

Registering an agency's identity provider is the system admin's alone (not one of the
matrix's users, so every one of them is refused); an agency's admin sees their agency's
sign-in page and may change whether a first sign-in creates an account (a form that
answers only POST: 405 to a GET).
"""

from __future__ import annotations

from typing import Any

from safeguarding.conftest import World
from safeguarding.core.tests.matrix import OK, Entries, expect
from safeguarding.sso import sealing
from safeguarding.sso.models import IdentityProvider


def provider(w: World) -> dict[str, Any]:
    found = IdentityProvider.objects.create(
        agency=w.la,
        slug="la",
        issuer="https://login.example",
        client_id="hub",
        sealed_secret=sealing.seal("s"),
        allowed_domains="la.example",
    )
    return {"pk": found.pk}


ENTRIES: Entries = {
    "sso:providers": (lambda w: {}, expect()),
    "sso:provider_new": (lambda w: {}, expect()),
    "sso:provider_edit": (provider, expect()),
    "sso:agency": (lambda w: {}, expect(agency_admin=OK)),
    "sso:account_creation": (lambda w: {}, expect(agency_admin=405)),
}
