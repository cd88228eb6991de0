"""The pipelines are packages entered through their public modules
(docs/decisions/0064-pipelines-as-packages.md).

Outside `children/imports/`, code imports the import pipeline only as
`safeguarding.children.imports` (its public names), its `actions` (the one import action,
`import_extract`) or its `queries`: never a step of the pipeline (`persons`, `staging`, …),
so that no caller can load an extract without the action's checks, batch and audit entry.
Outside `children/linkage/`, code imports linkage only as `safeguarding.children.linkage`
(the hub's side) or `safeguarding.children.linkage.core` (the database-free core). Tests
are exempt: they reach into the steps to break them on purpose.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # safeguarding/
REPOSITORY = ROOT.parent
PUBLIC = {
    "safeguarding.children.imports": {"actions", "queries"},
    "safeguarding.children.linkage": {"core"},
}


def _submodules(package: str) -> set[str]:
    folder = REPOSITORY.joinpath(*package.split("."))
    return {path.stem for path in folder.glob("*.py") if path.stem != "__init__"}


SUBMODULES = {package: _submodules(package) for package in PUBLIC}


def breaches(source: str, module_path: str) -> Iterator[str]:
    """Each import in `source` (a module at `module_path`) of a pipeline's inner module."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            named = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            named = [(node.module, alias.name) for alias in node.names]
        else:
            continue
        for module, name in named:
            for package, public in PUBLIC.items():
                if package.replace(".", "/") in module_path:
                    continue  # the package's own modules use each other freely
                if module.startswith(package + "."):
                    inner = module.removeprefix(package + ".").split(".")[0]
                elif module == package and name in SUBMODULES[package]:
                    inner = name
                else:
                    continue
                if inner not in public:
                    yield f"{module_path}:{node.lineno} imports {package}.{inner}"


def _modules() -> Iterator[Path]:
    for path in sorted([*ROOT.rglob("*.py"), *(REPOSITORY / "bench").glob("*.py")]):
        parts = path.relative_to(REPOSITORY).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


def test_no_module_reaches_past_a_pipelines_public_modules() -> None:
    found = [
        breach
        for path in _modules()
        for breach in breaches(path.read_text(encoding="utf-8"), str(path.relative_to(REPOSITORY)))
    ]

    assert found == []


def test_the_checker_finds_each_way_of_reaching_into_a_pipeline() -> None:
    source = "\n".join(
        [
            "from safeguarding.children.imports.persons import PersonsRun",
            "import safeguarding.children.imports.staging",
            "from safeguarding.children.imports import staging",
            "from safeguarding.children.linkage.decide import decide",
            "from safeguarding.children.linkage import database",
            # Allowed: the public modules.
            "from safeguarding.children.imports import ImportRefused, actions, queries",
            "from safeguarding.children.imports.actions import import_extract",
            "from safeguarding.children.linkage import core, link",
            "from safeguarding.children.linkage.core import prepare",
        ]
    )

    found = list(breaches(source, "safeguarding/reports/views.py"))

    assert found == [
        "safeguarding/reports/views.py:1 imports safeguarding.children.imports.persons",
        "safeguarding/reports/views.py:2 imports safeguarding.children.imports.staging",
        "safeguarding/reports/views.py:3 imports safeguarding.children.imports.staging",
        "safeguarding/reports/views.py:4 imports safeguarding.children.linkage.decide",
        "safeguarding/reports/views.py:5 imports safeguarding.children.linkage.database",
    ]
    # Inside its own package a module may import the steps.
    assert list(breaches(source, "safeguarding/children/imports/actions.py"))[:1] == [
        "safeguarding/children/imports/actions.py:4 imports safeguarding.children.linkage.decide"
    ]
