"""Child-level data is reached only through core/access.py.

An AST check over the project's source: outside the allowed modules, no code may touch
the managers of a child-level model (`Child.objects`, `SourceRecord._default_manager`,
…) nor import those models to query them. See docs/decisions/0008-access-boundary-test.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

import safeguarding

ROOT = Path(safeguarding.__file__).resolve().parent

# Where touching the child-level models' managers is allowed, and why.
ALLOWED = {
    "core/access.py": "the helper family itself",
}
ALLOWED_PARTS = {"migrations", "tests"}  # migrations use historical models; tests set up worlds
MANAGER_ATTRIBUTES = {"objects", "_default_manager", "_base_manager"}


def child_level_model_names() -> set[str]:
    return {model.__name__ for model in apps.get_models() if getattr(model, "child_level", False)}


def offences_in(source: str, models: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in MANAGER_ATTRIBUTES:
            target = node.value
            name = (
                target.id
                if isinstance(target, ast.Name)
                else target.attr
                if isinstance(target, ast.Attribute)
                else None
            )
            if name in models:
                found.append(f"line {node.lineno}: {name}.{node.attr}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_model"
        ):
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if any(str(arg).split(".")[-1] in models for arg in args):
                found.append(f"line {node.lineno}: get_model({', '.join(map(str, args))})")
    return found


def project_modules() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not ALLOWED_PARTS.intersection(path.relative_to(ROOT).parts)
        and path.relative_to(ROOT).as_posix() not in ALLOWED
        and path.name != "conftest.py"
    ]


def test_child_level_models_are_marked() -> None:
    assert {"Child", "SourceRecord", "ChildEvent", "PanelChild"} <= child_level_model_names()


def test_no_code_outside_the_access_helpers_queries_child_level_models() -> None:
    models = child_level_model_names()
    offences = {
        str(path.relative_to(ROOT)): found
        for path in project_modules()
        if (found := offences_in(path.read_text(encoding="utf-8"), models))
    }
    assert not offences, f"child-level models queried around core/access.py: {offences}"


def test_the_check_catches_a_direct_query() -> None:
    models = {"Child"}
    assert offences_in("from x import Child\nChild.objects.filter(pk=1)", models) == [
        "line 2: Child.objects"
    ]
    assert offences_in("import m\nm.Child._default_manager.all()", models) == [
        "line 2: Child._default_manager"
    ]
    assert offences_in("apps.get_model('children.Child').objects.all()", models)
    assert (
        offences_in("from safeguarding.core import access\naccess.visible_children(user)", models)
        == []
    )
