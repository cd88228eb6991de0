"""The browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

- Chromium missing: every test here skips with a loud reason, and a banner says so at the
  end of the run (scripts/ensure-chromium installs it; `make pytest` runs that first).
- Playwright's sync API keeps an asyncio loop running in the main thread for as long as it
  is started, and Django refuses synchronous ORM calls where a loop is running
  (SynchronousOnlyOperation). So DJANGO_ALLOW_ASYNC_UNSAFE is set for exactly that long:
  the `browser` fixture is scoped to this package, and when this folder's tests are done it
  stops Playwright and puts the variable back, so the rest of the suite keeps Django's check.
- Users are signed in either for real (email, password, a TOTP code computed here), or by
  copying the session cookie of Django's test client's force_login into the browser.
- Every page a `Tab` opens is watched: a Content-Security-Policy refusal, a JavaScript
  error or a sub-resource (CSS, script, image, favicon) that fails to load is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache

from safeguarding.conftest import CHROMIUM_MISSING, World
from safeguarding.core.tests import test_view_access_matrix as access_matrix
from safeguarding.core.tests.browser.tabs import Tab

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_PATH = Path(settings.PROJECT_DIR) / "build" / "static" / "vendor" / "axe.min.js"


def find_chromium() -> str | None:
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


CHROMIUM = find_chromium()
BROWSER_GROUP = "browser"
MISSING_CHROMIUM = (
    f"{CHROMIUM_MISSING}: no /usr/bin/chromium and no `chromium` on PATH, so the browser "
    "tests (sign-in with MFA, navigation by role, axe-core accessibility scan of every page) "
    "DID NOT RUN. Install it with `make browser` (scripts/ensure-chromium)."
)

# The one fixture that plays the matrix's world (breaks-glass, sub-groups, priorities on top
# of the fixed users) is the access matrix's own, so the two never drift apart.
matrix_world = access_matrix.matrix_world


# --- Loud skip -------------------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium, every test of this folder is skipped before any fixture runs (the
    banner at the end of the run is safeguarding/conftest.py's, which counts these skips,
    so that it is shown by pytest-xdist's controller too).

    Under pytest-xdist, this folder's tests all go to one worker, one after another
    (`--dist loadgroup`), so one Chromium serves them all, and DJANGO_ALLOW_ASYNC_UNSAFE
    is set only while they run (docs/decisions/0060-parallel-test-suite.md)."""
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason=MISSING_CHROMIUM)
    together = pytest.mark.xdist_group(BROWSER_GROUP)
    for item in items:
        if here in item.path.parents:
            item.add_marker(together)
            if CHROMIUM is None:
                item.add_marker(skip)


# --- Browser ---------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One headless Chromium for this folder's tests."""
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        pytest.skip(MISSING_CHROMIUM)
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_PATH.is_file():
        pytest.fail(
            f"{AXE_PATH} is missing: build the front-end first (`make assets`, or "
            "`node frontend/build.mjs`).",
            pytrace=False,
        )
    return AXE_PATH.read_text(encoding="utf-8")


@pytest.fixture
def browser_world(transactional_db: None, matrix_world: World) -> World:
    """The fixed users and the matrix's objects, committed so that the live server sees them.

    `world` takes `db`; asked for together with `transactional_db`, pytest-django makes that
    database access transactional. The cache (rate limits, used TOTP codes) lives in the
    database but is no model's table, so no flush empties it: it is emptied here.
    """
    cache.clear()
    return matrix_world


@pytest.fixture
def tab(browser: Any, live_server: Any, axe_source: str) -> Iterator[Tab]:
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    page = context.new_page()
    tab = Tab(page=page, base_url=live_server.url, axe_source=axe_source)
    tab.watch()
    yield tab
    context.close()
    problems = tab.problems
    if problems:
        pytest.fail("on the last page:\n" + "\n".join(problems), pytrace=False)
