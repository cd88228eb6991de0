"""Every refusal is a core `Refused` with its own code (decision 0063).

The check imports every module of the project (not tests or migrations) and looks at the
exception classes each defines: one named "...Refused", or defined in an `actions` module
(an action's exceptions are its refusals), must subclass `Refused`; every `Refused` has a
code "<app>.<what>" naming its own app, unique across the project.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import safeguarding
from safeguarding.core.refusals import Refused

SKIPPED_PARTS = {"tests", "migrations", "settings", "wsgi", "manage", "conftest"}

# Exceptions of an actions module that are failures, not refusals: nothing the user asked
# was refused; the hub could not do it.
FAILURES = {
    "safeguarding.reports.actions.PublishFailed": "the report's files could not be built",
}


def project_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(safeguarding.__path__, "safeguarding."):
        if not SKIPPED_PARTS & set(info.name.split(".")):
            names.append(info.name)
    return names


def defined_exceptions(module_name: str) -> list[type[BaseException]]:
    module = importlib.import_module(module_name)
    return [
        value
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, BaseException)
        and value.__module__ == module_name
    ]


def should_be_refused(cls: type[BaseException]) -> bool:
    name = f"{cls.__module__}.{cls.__qualname__}"
    if name in FAILURES:
        return False
    return cls.__name__.endswith("Refused") or cls.__module__.split(".")[-1] == "actions"


def not_refused(classes: list[type[BaseException]]) -> list[str]:
    return [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in classes
        if should_be_refused(cls) and not issubclass(cls, Refused)
    ]


def code_problems(classes: list[type[Refused]]) -> list[str]:
    problems, seen = [], {}
    for cls in classes:
        app = cls.__module__.split(".")[1]
        if cls.code.split(".")[0] != app:
            problems.append(f"{cls.__qualname__}: code {cls.code!r} does not name its app {app}")
        if cls.code in seen:
            problems.append(f"{cls.__qualname__}: code {cls.code!r} is {seen[cls.code]}'s too")
        seen[cls.code] = cls.__qualname__
    return problems


def all_refusals() -> list[type[Refused]]:
    found: list[type[Refused]] = []
    pending = [Refused]
    while pending:
        for sub in pending.pop().__subclasses__():
            if sub.__module__.startswith("safeguarding.") and "<locals>" not in sub.__qualname__:
                found.append(sub)
            pending.append(sub)
    return found


def test_every_refusal_is_a_core_refused() -> None:
    classes = [cls for name in project_modules() for cls in defined_exceptions(name)]
    offences = not_refused(classes)
    assert not offences, "Make these subclass core.refusals.Refused:\n" + "\n".join(offences)


def test_every_refusal_has_its_own_code_naming_its_app() -> None:
    for name in project_modules():
        importlib.import_module(name)
    refusals = all_refusals()
    assert len(refusals) >= 20
    problems = code_problems(refusals)
    assert not problems, "\n".join(problems)


def test_a_refusal_must_state_its_code() -> None:
    with pytest.raises(TypeError, match="must state its own code"):

        class Silent(Refused):
            pass


def test_the_checks_catch_a_plain_exception_and_a_borrowed_code() -> None:
    class NotAllowedRefused(Exception):
        pass

    NotAllowedRefused.__module__ = "safeguarding.training.actions"

    class Borrowed(Refused):
        code = "exploitation.stale_decision"

    Borrowed.__module__ = "safeguarding.training.actions"
    assert not_refused([NotAllowedRefused]) == [
        "safeguarding.training.actions."
        "test_the_checks_catch_a_plain_exception_and_a_borrowed_code.<locals>.NotAllowedRefused"
    ]
    problems = code_problems([Borrowed])
    assert problems and "does not name its app training" in problems[0]
