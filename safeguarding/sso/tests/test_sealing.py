from __future__ import annotations

from django.test import override_settings

from safeguarding.sso import sealing


def test_a_sealed_secret_opens_with_the_key_and_its_fallbacks_only() -> None:
    with override_settings(SECRET_KEY="old-key-" * 8):
        sealed = sealing.seal("client-secret")
    assert "client-secret" not in sealed
    with override_settings(SECRET_KEY="new-key-" * 8, SECRET_KEY_FALLBACKS=["old-key-" * 8]):
        assert sealing.unseal(sealed) == "client-secret"
    with override_settings(SECRET_KEY="new-key-" * 8, SECRET_KEY_FALLBACKS=[]):
        assert sealing.unseal(sealed) == ""
