"""API tokens: issued by an agency's data officer (the child index's token pages), checked
on every API request (core/api.py's `token_required`), revoked at once.

A token is `sgh_` + an 8-character prefix + `_` + 43 random characters. Only the SHA-256
of the whole token is stored, with the prefix in clear so that a presented token is found
by one indexed lookup and then compared in constant time
(docs/decisions/0020-import-api-and-tokens.md). Tokens moved here from the child index
because three apps' APIs take them (decision 0063).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import IntegrityError
from django.http import HttpRequest
from django.utils import timezone

from safeguarding.core import audit, transactions
from safeguarding.core.access import signed_in_user
from safeguarding.core.models import ApiToken, AuditAction

TOKEN_SCHEME = "sgh"  # noqa: S105 - the tokens' visible prefix, not a secret
PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
PREFIX_LENGTH = 8


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_prefix() -> str:
    return "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    # The token itself: shown to its maker once, then never again (only its hash is kept).
    plain: str


def issue_token(request: HttpRequest, *, name: str) -> IssuedToken:
    """A new token for the user's agency, audited; the plain token is returned once."""
    user = signed_in_user(request)
    if user.agency is None:
        raise PermissionError("Only a member of an agency can issue its tokens.")
    for _ in range(5):  # a clash of random 8-character prefixes is rare; try again if one comes
        prefix = _new_prefix()
        plain = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transactions.action():
                token = ApiToken.objects.create(
                    agency=user.agency,
                    name=name.strip(),
                    prefix=prefix,
                    token_hash=token_hash(plain),
                    created_by=user,
                )
                audit.record(
                    AuditAction.API_TOKEN,
                    request=request,
                    object_type="api_token",
                    object_id=prefix,
                    detail={"change": "issued", "name": token.name},
                )
        except IntegrityError:
            continue
        return IssuedToken(token=token, plain=plain)
    raise RuntimeError("Could not find a free token prefix; try again.")


def revoke_token(request: HttpRequest, token: ApiToken) -> bool:
    """Revoke a token at once; False if it was revoked already."""
    with transactions.action():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if changed:
            audit.record(
                AuditAction.API_TOKEN,
                request=request,
                object_type="api_token",
                object_id=token.prefix,
                detail={"change": "revoked", "name": token.name},
            )
    return bool(changed)


def authenticate_token(presented: str) -> ApiToken | None:
    """The live token this text is, with its agency; None for anything else.

    A revoked token, an unknown one, a malformed one and a token of an agency that has left
    the partnership are all simply not a token. A good token's `last_used_at` is updated.
    """
    parts = presented.strip().split("_")
    if len(parts) < 3 or parts[0] != TOKEN_SCHEME or len(parts[1]) != PREFIX_LENGTH:
        return None
    token = (
        ApiToken.objects.filter(prefix=parts[1], revoked_at__isnull=True)
        .select_related("agency")
        .first()
    )
    if token is None or not hmac.compare_digest(token.token_hash, token_hash(presented.strip())):
        return None
    if not token.agency.is_active:
        return None
    token.last_used_at = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at)
    return token
