"""A watched browser tab, and the helpers the browser tests share."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client

from safeguarding.core.tests.factories import PASSWORD

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
CSP_WORDS = ("Content Security Policy", "Content-Security-Policy", "Refused to")


@dataclass
class Tab:
    """A page in its own browser context, with what went wrong on it recorded."""

    page: Any
    base_url: str
    axe_source: str
    problems: list[str] = field(default_factory=list)

    def watch(self) -> None:
        def on_console(message: Any) -> None:
            text = message.text
            if any(word in text for word in CSP_WORDS):
                self.problems.append(f"CSP, console {message.type}: {text}")

        def on_page_error(error: Any) -> None:
            self.problems.append(f"JavaScript error: {error}")

        def on_response(response: Any) -> None:
            request = response.request
            if response.status >= 400 and request.resource_type != "document":
                self.problems.append(
                    f"{request.resource_type} {response.url} answered {response.status}"
                )

        def on_request_failed(request: Any) -> None:
            if request.failure == "net::ERR_ABORTED":
                return  # cancelled by the browser, as when a new page is opened
            self.problems.append(f"{request.resource_type} {request.url} failed: {request.failure}")

        self.page.on("console", on_console)
        self.page.on("pageerror", on_page_error)
        self.page.on("response", on_response)
        self.page.on("requestfailed", on_request_failed)

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.base_url + path)
        # Module scripts run after parsing; wait for them, so that their errors are seen.
        self.page.wait_for_load_state("load")
        return response

    def path(self) -> str:
        """The path of the page the tab is on, without the query string."""
        return urlsplit(self.page.url).path

    def h1(self) -> str:
        return self.page.locator("h1").inner_text().strip()

    def sign_in_by_cookie(self, user: Any) -> None:
        """Signed in, MFA done, without the forms: the test client's session in the browser.
        Whoever was signed in before in this tab is signed out first."""
        self.sign_out()
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        self.page.context.add_cookies(
            [{"name": name, "value": client.cookies[name].value, "url": self.base_url}]
        )

    def sign_out(self) -> None:
        self.page.context.clear_cookies()

    def sign_in_with_password(self, email: str, password: str = PASSWORD) -> None:
        self.goto("/accounts/login/")
        self.page.get_by_label("Email address", exact=True).fill(email)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state("load")

    def enter_code(self, code: str, button: str = "Continue", label: str = "Code") -> None:
        self.page.get_by_label(label, exact=True).fill(code)
        self.page.get_by_role("button", name=button).click()
        self.page.wait_for_load_state("load")

    def axe_violations(self) -> list[dict[str, Any]]:
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            # evaluate() is not subject to the page's Content-Security-Policy;
            # add_script_tag() would be refused.
            self.page.evaluate(self.axe_source)
        result = self.page.evaluate(
            """async (tags) => await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            })""",
            AXE_TAGS,
        )
        return list(result["violations"])

    def assert_accessible(self, what: str = "") -> None:
        violations = self.axe_violations()
        assert not violations, f"axe-core on {what or self.path()}:\n" + describe(violations)

    def take_problems(self) -> list[str]:
        problems, self.problems[:] = list(self.problems), []
        return problems

    def assert_no_problems(self) -> None:
        problems = self.take_problems()
        assert not problems, f"on {self.path()}:\n" + "\n".join(problems)

    def check(self, what: str) -> list[str]:
        """What is wrong with the page the tab is on: axe-core's violations, and anything
        refused, thrown or not loaded. For tests that go through many pages and then
        report every failing page at once."""
        found = []
        violations = self.axe_violations()
        if violations:
            found.append(f"axe-core on {what} ({self.path()}):\n{describe(violations)}")
        problems = self.take_problems()
        if problems:
            found.append(f"on {what} ({self.path()}):\n" + "\n".join(problems))
        return found


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            if node.get("failureSummary"):
                summary = " ".join(node["failureSummary"].split())
                lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


def totp_code(secret: str) -> str:
    """The authenticator app's current code. allauth accepts only the current 30-second
    step (no tolerance), so a code about to expire is not used: wait for the next one."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
