"""The providers' client secrets, sealed in the database with a key derived from SECRET_KEY.

A system admin types the secret into the hub's page; it is kept only as a Fernet token
(AES-128-CBC with HMAC-SHA256) under a key derived from SECRET_KEY by HKDF, and is never
shown again. SECRET_KEY_FALLBACKS still open secrets sealed under an older key, so that a
SECRET_KEY rotated the Django way keeps single sign-on working; saving the provider again
seals its secret under the new key (docs/decisions/0066-single-sign-on-per-agency.md).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"safeguarding.sso client secret"


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def seal(secret: str) -> str:
    return _keys().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    """The secret, or "" when it was sealed under a key the hub no longer has."""
    if not sealed:
        return ""
    try:
        return _keys().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return ""
