"""The apps' layering, checked on the source (decision 0062).

The import graph is built statically from every module's AST: every `import` and
`from … import`, at the top of a module, inside a function, or under `if TYPE_CHECKING:`.
Three rules:

(a) No cycle between apps.
(b) core imports no app, but for the one decided arrow: core's access rule
    (`core/access.py`, or the package `core/access/`) knows the child index (`children`).
(c) A domain app imports another only through its `queries`, `feeds`, `actions` or
    `access` module.

How imports count:

- An import under `if TYPE_CHECKING:` counts for (a) and (b) like any other: a type hint
  is knowledge of the other app. For (c) it may name the other app's `models` (type
  hints only; a ForeignKey names its model by string, "children.Child", so no model
  module is imported at run time).
- Not counted: an app's `tests` (they build worlds across apps) and `migrations`
  (Django writes them; they reach models by `apps.get_model`).
- The demo floor: the `demo` app and every app's `demo.py` (the steps the demo app
  discovers) count as `demo`, the top of the building: it writes every app's rows
  directly, so (c) does not apply to it; nothing below may import it (a cycle otherwise).
- The decided arrow core/access → children is left out of the graph that (a) checks:
  it is the one upward arrow (decision 0062), and every app imports core.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import safeguarding

ROOT = Path(safeguarding.__file__).resolve().parent
PROJECT = "safeguarding"
APPS = (
    "core",
    "children",
    "exploitation",
    "missing",
    "education",
    "young_carers",
    "learning",
    "insight",
    "training",
    "reports",
    "sso",
    "demo",
)
CORE, DEMO = "core", "demo"
PUBLIC_MODULES = frozenset({"queries", "feeds", "actions", "access"})
NOT_COUNTED = frozenset({"tests", "migrations"})
# The one arrow from core to an app: core's access rule knows the child index.
DECIDED_ARROW = ("core.access", "children")


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted: safeguarding.education.views
    target: str  # the imported module, dotted (a name from a module resolves to it)
    line: int
    type_only: bool = False

    def __str__(self) -> str:
        hint = " (TYPE_CHECKING)" if self.type_only else ""
        return f"{self.source}:{self.line} imports {self.target}{hint}"


def module_exists(dotted: str) -> bool:
    parts = dotted.split(".")
    if parts[0] != PROJECT:
        return False
    path = ROOT.joinpath(*parts[1:])
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """The ids of the nodes under `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", "")
            if name == "TYPE_CHECKING":
                for inner in node.body:
                    found.update(id(n) for n in ast.walk(inner))
    return found


def imports_in(
    source: str,
    module: str,
    *,
    is_package: bool = False,
    exists: Callable[[str], bool] = module_exists,
) -> list[Import]:
    """Every import of a project module in `source` (the text of module `module`)."""
    tree = ast.parse(source)
    type_only = _type_checking_nodes(tree)
    package = module if is_package else module.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # `from safeguarding.learning import queries` imports the module queries.
                candidate = f"{base}.{alias.name}"
                targets.append(candidate if exists(candidate) else base)
        for target in targets:
            if target.split(".")[0] == PROJECT:
                found.append(Import(module, target, node.lineno, id(node) in type_only))
    return found


def app_of(module: str) -> str | None:
    """The app a module belongs to; every app's demo.py belongs to the demo floor."""
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in APPS:
        return None
    if len(parts) >= 3 and parts[2] == DEMO:
        return DEMO
    return parts[1]


def counted(module: str) -> bool:
    return not NOT_COUNTED & set(module.split("."))


def _module_of(path: Path) -> tuple[str, bool]:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def project_imports() -> list[Import]:
    found: list[Import] = []
    for path in sorted(ROOT.rglob("*.py")):
        module, is_package = _module_of(path)
        if app_of(module) is not None and counted(module):
            found += imports_in(path.read_text(encoding="utf-8"), module, is_package=is_package)
    return list(dict.fromkeys(found))  # one per module imported on a line


def is_decided_arrow(imp: Import) -> bool:
    within, app = DECIDED_ARROW
    source = imp.source.split(".", 1)[1]
    return (source == within or source.startswith(within + ".")) and app_of(imp.target) == app


def app_graph(imports: Iterable[Import]) -> dict[str, set[str]]:
    """Which app imports which (the decided arrow left out)."""
    graph: dict[str, set[str]] = {app: set() for app in APPS}
    for imp in imports:
        source, target = app_of(imp.source), app_of(imp.target)
        if source and target and source != target and not is_decided_arrow(imp):
            graph[source].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one app (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def cycle_offences(imports: list[Import]) -> list[str]:
    """Each cycle, with its arrows: each app-to-app arrow inside it and where it is made
    (the first import making it, and how many imports make it)."""
    found = []
    for group in cycles(app_graph(imports)):
        arrows: dict[tuple[str, str], list[Import]] = {}
        for imp in imports:
            source, target = app_of(imp.source), app_of(imp.target)
            inside = source in group and target in group and source != target
            if inside and not is_decided_arrow(imp):
                arrows.setdefault((source, target), []).append(imp)  # type: ignore[arg-type]
        lines = [
            f"    {a} → {b}: {made[0]}" + (f" (and {len(made) - 1} more)" if len(made) > 1 else "")
            for (a, b), made in sorted(arrows.items())
        ]
        found.append(f"cycle {' ↔ '.join(group)}:\n" + "\n".join(lines))
    return found


def core_offences(imports: Iterable[Import]) -> list[str]:
    return [
        str(imp)
        for imp in imports
        if app_of(imp.source) == CORE
        and app_of(imp.target) not in (None, CORE)
        and not is_decided_arrow(imp)
    ]


def crossing_offences(imports: Iterable[Import]) -> list[str]:
    found = []
    for imp in imports:
        source, target = app_of(imp.source), app_of(imp.target)
        if source in (None, CORE, DEMO) or target in (None, CORE, source):
            continue
        parts = imp.target.split(".")
        room = parts[2] if len(parts) > 2 else ""
        if room in PUBLIC_MODULES or (imp.type_only and room == "models"):
            continue
        found.append(str(imp))
    return found


def _report(rule: str, offences: list[str]) -> str:
    return f"{rule} ({len(offences)}):\n" + "\n".join(f"  {offence}" for offence in offences)


def test_no_cycle_between_apps() -> None:
    offences = cycle_offences(project_imports())
    assert not offences, _report("Apps that import each other", offences)


def test_core_imports_no_app_but_the_decided_arrow() -> None:
    offences = core_offences(project_imports())
    assert not offences, _report("core imports an app", offences)


def test_an_app_reaches_another_only_through_its_public_modules() -> None:
    offences = crossing_offences(project_imports())
    assert not offences, _report(
        "Imports of another app's private module (use its queries, feeds, actions or access)",
        offences,
    )


# Self-tests: each rule catches a synthetic breach -------------------------------------


def _fake(text: str, module: str) -> list[Import]:
    known = {
        "safeguarding.learning.queries",
        "safeguarding.missing.listing",
        "safeguarding.children.models",
    }
    return imports_in(text, module, exists=lambda dotted: dotted in known)


def test_the_parser_finds_imports_in_functions_and_under_type_checking() -> None:
    found = _fake(
        "from typing import TYPE_CHECKING\n"
        "from safeguarding.learning import queries\n"
        "if TYPE_CHECKING:\n"
        "    from safeguarding.children.models import Child\n"
        "def f():\n"
        "    import safeguarding.missing.listing\n",
        "safeguarding.education.views",
    )
    assert sorted((i.target, i.type_only) for i in found) == [
        ("safeguarding.children.models", True),
        ("safeguarding.learning.queries", False),
        ("safeguarding.missing.listing", False),
    ]


def test_the_cycle_rule_catches_two_apps_importing_each_other() -> None:
    imports = [
        *_fake("from safeguarding.missing import queries", "safeguarding.learning.views"),
        *_fake("from safeguarding.learning import queries", "safeguarding.missing.views"),
    ]
    offences = cycle_offences(imports)
    assert len(offences) == 1 and offences[0].startswith("cycle learning ↔ missing")


def test_the_cycle_rule_leaves_out_the_decided_arrow_and_the_tests() -> None:
    imports = [
        *_fake("from safeguarding.children.models import Child", "safeguarding.core.access"),
        *_fake("from safeguarding.core import access", "safeguarding.children.views"),
        *_fake("from safeguarding.children import queries", "safeguarding.core.tests.test_x"),
    ]
    assert cycle_offences([i for i in imports if counted(i.source)]) == []


def test_the_core_rule_catches_core_importing_an_app() -> None:
    imports = _fake("from safeguarding.learning.home import sections", "safeguarding.core.home")
    assert core_offences(imports) == ["safeguarding.core.home:1 imports safeguarding.learning.home"]
    imports = _fake("from safeguarding.learning.models import Action", "safeguarding.core.access")
    assert len(core_offences(imports)) == 1, "only the child index is the decided arrow"
    imports = _fake(
        "from safeguarding.children.models import Child", "safeguarding.core.access.rows"
    )
    assert core_offences(imports) == [], "the access package may know the child index"


def test_the_crossing_rule_catches_a_private_module_and_a_model_at_run_time() -> None:
    private = _fake("from safeguarding.missing.listing import X", "safeguarding.education.views")
    model = _fake("from safeguarding.children.models import Child", "safeguarding.education.models")
    public = _fake("from safeguarding.learning import queries", "safeguarding.reports.blocks")
    hint = _fake(
        "if TYPE_CHECKING:\n    from safeguarding.children.models import Child",
        "safeguarding.education.models",
    )
    demo = _fake("from safeguarding.children.models import Child", "safeguarding.education.demo")
    assert len(crossing_offences(private)) == 1
    assert len(crossing_offences(model)) == 1
    assert crossing_offences([*public, *hint, *demo]) == []
