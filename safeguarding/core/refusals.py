"""`Refused`: the one base of every refusal an action (or a shared helper) makes.

A refusal is an action saying no for a reason the user can act on: the booking is full,
the decision was saved by someone else meanwhile, the file is not a workbook. Its message
is written for the person who asked; its `code` names it for the program: the app's label
and what was refused, e.g. "exploitation.stale_decision", the same wherever it is shown
(a form's error, the API's JSON, a command's exit, a test). A page's form helper
(`core/pages.form_page`) puts any refusal on the form. Decision 0063.

Each subclass states its own code (checked when the class is made); codes are unique
across the project (core/tests/test_refusals.py walks every module).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")


class Refused(Exception):
    """An action would not do what was asked; the message says why, for the user."""

    code: ClassVar[str] = "core.refused"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        code = cls.__dict__.get("code")
        if not isinstance(code, str) or not CODE.match(code):
            raise TypeError(
                f"{cls.__qualname__} must state its own code, '<app>.<what>' in lower case "
                f"(e.g. 'exploitation.stale_decision'), not {code!r}."
            )
