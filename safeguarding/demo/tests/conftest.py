"""The demo's tests run the demo dozens of times: publishing its annual report builds the
PDF and the Word file (seconds each, decision 0055), which those tests do not look at. Here
they are stood in for by small placeholders, except in tests marked `real_report_files`
(test_demo_report.py), which checks the real files."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def quick_report_files(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("real_report_files"):
        return
    from safeguarding.reports import outputs

    monkeypatch.setattr(outputs, "pdf", lambda document, *a, **k: b"%PDF-1.7 placeholder")
    monkeypatch.setattr(outputs, "docx", lambda document, *a, **k: b"PK placeholder")


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers", "real_report_files: build the annual report's real files in a demo test"
    )
