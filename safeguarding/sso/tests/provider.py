"""A real OpenID Connect provider for the tests: oidc_server.mjs (the npm package
oidc-provider, installed from package-lock.json) run by Node on a free port of this machine.

`TestProvider.start(...)` writes its clients and accounts to a JSON file, starts Node and
waits for "listening <issuer>"; `stop()` ends that process. `ProviderBrowser` is the
person at the provider's login page for tests that drive the hub with Django's test
client: it follows the provider's redirects with `requests` and hands back the hub's
callback address.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

SERVER = Path(__file__).with_name("oidc_server.mjs")
PACKAGE = Path(settings.PROJECT_DIR) / "node_modules" / "oidc-provider" / "package.json"
CLIENT_ID = "hub-client"
CLIENT_SECRET = "a-client-secret-for-the-tests"


def account(
    email: str, *, verified: bool = True, amr: list[str] | None = None, **more: Any
) -> dict[str, Any]:
    return {
        "claims": {"email": email, "email_verified": verified, "name": more.pop("name", email)},
        "amr": amr or ["pwd"],
        **more,
    }


@dataclass
class TestProvider:
    process: subprocess.Popen[str]
    issuer: str
    workdir: tempfile.TemporaryDirectory[str]

    __test__ = False  # not a test class, for pytest

    @classmethod
    def start(cls, *, redirect_uris: list[str], accounts: dict[str, Any]) -> TestProvider:
        node = shutil.which("node")
        if node is None or not PACKAGE.is_file():
            raise RuntimeError(
                "The test identity provider needs Node and node_modules/oidc-provider: "
                "run `make install` (npm ci installs it from package-lock.json)."
            )
        workdir = tempfile.TemporaryDirectory(prefix="oidc-provider-")
        config = Path(workdir.name) / "config.json"
        clients = [
            {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": redirect_uris}
        ]
        config.write_text(json.dumps({"clients": clients, "accounts": accounts}))
        process = subprocess.Popen(  # noqa: S603 (our own server file, node from PATH)
            [node, str(SERVER), str(config)],
            cwd=settings.PROJECT_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("listening "):
            process.kill()
            raise RuntimeError(f"The test identity provider did not start: {line!r}")
        return cls(process=process, issuer=line.removeprefix("listening "), workdir=workdir)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.workdir.cleanup()

    def tamper_next_token(self, how: str) -> None:
        """'aud' or 'exp': the next ID token comes back with that claim wrong."""
        requests.post(
            f"{self.issuer}/_test/tamper", data={"next": how}, timeout=5
        ).raise_for_status()


@dataclass
class ProviderBrowser:
    """A person's browser at the provider: its cookies, and the login they type."""

    provider: TestProvider
    session: requests.Session = field(default_factory=requests.Session)

    def sign_in(self, authorize_url: str, login: str) -> str:
        """Open the provider's authorisation address, type `login`, and return the address
        the provider sends the browser back to (the hub's callback, not followed)."""
        assert authorize_url.startswith(self.provider.issuer), authorize_url
        url = authorize_url
        for _ in range(10):
            response = self.session.get(url, allow_redirects=False, timeout=10)
            if response.status_code == 200 and "/interaction/" in url:
                response = self.session.post(
                    url, data={"login": login}, allow_redirects=False, timeout=10
                )
            assert response.status_code in (302, 303), (response.status_code, response.text[:500])
            location = response.headers["Location"]
            if location.startswith("/"):
                location = self.provider.issuer + location
            if not location.startswith(self.provider.issuer):
                return location
            url = location
        raise AssertionError("The provider kept redirecting")


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
