"""Child-level data is reached only through the access modules.

AST checks over the project's source (docs/decisions/0008 and 0061):

1. Outside the access modules, no code touches the managers of a child-level model
   (`Child.objects`, `SourceRecord._default_manager`, …). The access modules are the
   core family (`core/access/`) and each app's `access.py`, which touches only its own
   app's child-level models.
2. `SystemAccess` (the whole index, for processes acting for no user) is built only in
   the modules of an allow-list: the pipelines, commands, scheduled processes and the
   demo; never in a view or an action a request runs for a user. Each one writes its
   purpose to the audit log at its first use.
3. No reverse relation of a child-level model (`child.source_records.all()`,
   `prefetch_related("events")`, `Count("checks")`) is followed outside the access
   modules: it would read rows about a child past the rule.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db.models import Model

import safeguarding
from safeguarding.core.models import AuditAction, AuditEntry

ROOT = Path(safeguarding.__file__).resolve().parent

CORE_ACCESS = "core/access/"  # the helper family itself
APP_ACCESS = "access.py"  # an app's own child-level queries: that app's models only
ALLOWED_PARTS = {"migrations", "tests"}  # migrations use historical models; tests set up worlds
MANAGER_ATTRIBUTES = {"objects", "_default_manager", "_base_manager"}

# Who may build a SystemAccess, and why. A path ending in "/" allows the folder.
SYSTEM_ACCESS_ALLOWED = {
    "core/access/": "the helper family itself",
    "children/access.py": "a linkage officer's grant of the whole index, built only after "
    "the role check (linkage_index); each change is recorded per child",
    "children/imports/": "the import pipeline (one run for an upload, the API or the "
    "command), which writes the whole index for an agency and records its run",
    "children/management/commands/": "the import and linkage commands",
    "missing/processes.py": "the missing tracker's scheduled processes (commands, cron)",
    "demo/": "the demo generator",
    "education/demo.py": "the demo's education step",
    "exploitation/demo.py": "the demo's exploitation step",
    "missing/demo.py": "the demo's missing step",
    "young_carers/demo.py": "the demo's young carers step",
}

# Calls on a reverse relation's manager. Names a dict also has (values, get, update,
# items) are left out, so that a dict attribute named like a relation is not taken for it.
MANAGER_CALLS = {
    "all",
    "filter",
    "exclude",
    "count",
    "exists",
    "first",
    "last",
    "create",
    "values_list",
    "select_related",
    "prefetch_related",
    "delete",
    "order_by",
    "annotate",
    "aggregate",
    "iterator",
    "only",
    "defer",
    "distinct",
    "none",
    "add",
    "remove",
    "set",
    "in_bulk",
    "bulk_create",
    "get_or_create",
    "update_or_create",
}
# Calls whose string arguments or keywords are ORM lookups.
LOOKUP_CALLS = {
    "prefetch_related",
    "select_related",
    "Prefetch",
    "values",
    "values_list",
    "order_by",
    "only",
    "defer",
    "distinct",
    "Count",
    "Max",
    "Min",
    "Sum",
    "Avg",
    "F",
    "OuterRef",
    "annotate",
    "aggregate",
    "filter",
    "exclude",
    "Q",
}


def child_level_models() -> dict[str, str]:
    """Each child-level model's name, with its app's label."""
    return {
        model.__name__: model._meta.app_label
        for model in apps.get_models()
        if getattr(model, "child_level", False)
    }


def child_level_model_names() -> set[str]:
    return set(child_level_models())


def app_of(relative: str) -> str | None:
    """The app whose own access module this is (`missing/access.py` -> `missing`)."""
    parts = relative.split("/")
    return parts[0] if len(parts) == 2 and parts[1] == APP_ACCESS else None


def forbidden_models(relative: str) -> set[str]:
    """The child-level models a module may not query: none in the core family, the other
    apps' in an app's access.py, every one elsewhere."""
    models = child_level_models()
    if relative.startswith(CORE_ACCESS):
        return set()
    app = app_of(relative)
    return {name for name, label in models.items() if label != app}


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
        and path.name != "conftest.py"
    ]


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_child_level_models_are_marked() -> None:
    assert {"Child", "SourceRecord", "ChildEvent", "PanelChild"} <= child_level_model_names()
    # Every domain app's rows about a child are child-level (docs/architecture.md lists them).
    assert len(child_level_model_names()) >= 23


def test_no_code_outside_the_access_modules_queries_child_level_models() -> None:
    offences = {
        relative(path): found
        for path in project_modules()
        if (
            found := offences_in(path.read_text(encoding="utf-8"), forbidden_models(relative(path)))
        )
    }
    assert not offences, f"child-level models queried outside the access modules: {offences}"


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


def test_an_apps_access_module_may_query_only_its_own_apps_models() -> None:
    mine = forbidden_models("missing/access.py")
    assert offences_in("Episode.objects.all()", mine) == []
    assert offences_in("Decision.objects.all()", mine) == ["line 1: Decision.objects"]
    assert offences_in("Child.objects.all()", mine) == ["line 1: Child.objects"]
    assert forbidden_models("core/access/rows.py") == set()
    # Not an app's own access module: everything is forbidden.
    assert "Episode" in forbidden_models("missing/views.py")
    assert "Episode" in forbidden_models("missing/sub/access.py")


# --- Who builds a SystemAccess ---


def system_access_builds(source: str) -> list[str]:
    """Each call building a SystemAccess (by its name, an attribute or an alias)."""
    tree = ast.parse(source)
    names = {"SystemAccess"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names |= {a.asname for a in node.names if a.name == "SystemAccess" and a.asname}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = (
            func.id
            if isinstance(func, ast.Name)
            else func.attr
            if isinstance(func, ast.Attribute)
            else None
        )
        if called in names:
            found.append(f"line {node.lineno}: {called}(…)")
    return found


def may_build_system_access(relative_path: str) -> bool:
    return any(
        relative_path.startswith(allowed) if allowed.endswith("/") else relative_path == allowed
        for allowed in SYSTEM_ACCESS_ALLOWED
    )


def test_only_the_allowed_modules_build_a_system_access() -> None:
    offences = {
        relative(path): found
        for path in project_modules()
        if not may_build_system_access(relative(path))
        and (found := system_access_builds(path.read_text(encoding="utf-8")))
    }
    assert not offences, (
        "SystemAccess built outside its allow-list (a view or a user's action asks an "
        f"access helper instead): {offences}"
    )


def test_the_allow_list_names_no_view_and_no_action_module() -> None:
    for allowed in SYSTEM_ACCESS_ALLOWED:
        name = allowed.rstrip("/").rsplit("/", 1)[-1]
        assert not re.match(r"(\w+_)?(views|actions)(\.py)?$", name), allowed


def test_the_check_catches_a_system_access_built_by_a_view() -> None:
    assert system_access_builds("from x import access\naccess.SystemAccess('look')") == [
        "line 2: SystemAccess(…)"
    ]
    assert system_access_builds("from m import SystemAccess as Whole\nWhole('x').children()") == [
        "line 2: Whole(…)"
    ]
    # Naming it in a signature builds nothing.
    assert system_access_builds("def f(system: SystemAccess) -> None:\n    system.events()") == []
    assert not may_build_system_access("missing/views.py")
    assert not may_build_system_access("education/actions.py")
    assert may_build_system_access("children/management/commands/link.py")
    assert may_build_system_access("demo/generator.py")


@pytest.mark.django_db
def test_a_system_access_writes_its_purpose_to_the_audit_log_at_its_first_use() -> None:
    from safeguarding.children.models import SourceRecord
    from safeguarding.core.access import SystemAccess, system_rows

    opened = AuditEntry.objects.filter(action=AuditAction.SYSTEM_ACCESS)
    system = SystemAccess("a test of the audit")
    assert not opened.exists()
    system.children().count()
    system.events().count()
    system_rows(system, SourceRecord).count()
    (entry,) = opened
    assert entry.purpose == "a test of the audit"
    assert entry.detail == {"module": __name__}
    with pytest.raises(ValueError, match="says what it opens"):
        SystemAccess("  ")


# --- Reverse relations of child-level models ---


def reverse_relations() -> dict[str, str]:
    """Each name by which a row reaches child-level rows backwards (a reverse accessor,
    e.g. `child.source_records`, or its lookup name, e.g. `Count("checks")`), with the
    child-level model's app. A name that some other relation also has (a report's
    `versions`) cannot be told apart in the source and is left out."""
    child_level = {m for m in apps.get_models() if getattr(m, "child_level", False)}
    found: dict[str, str] = {}
    for model in child_level:
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and not field.auto_created):
                continue
            for name in (field.remote_field.get_accessor_name(), field.related_query_name()):
                if name and not name.endswith("+"):
                    found[name] = model._meta.app_label
    elsewhere: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not field.is_relation:
                continue
            if field.auto_created and not field.concrete:
                if field.related_model in child_level:
                    continue
                elsewhere.add(field.get_accessor_name() or "")
            elsewhere.add(field.name)
    return {name: app for name, app in found.items() if name not in elsewhere}


def _called(node: ast.Call) -> str | None:
    func = node.func
    return (
        func.attr
        if isinstance(func, ast.Attribute)
        else func.id
        if isinstance(func, ast.Name)
        else None
    )


def reverse_relations_in(source: str, relations: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in MANAGER_CALLS
            and isinstance(node.value, ast.Attribute)
            and node.value.attr in relations
        ):
            found.append(f"line {node.lineno}: .{node.value.attr}.{node.attr}")
        if isinstance(node, ast.Call) and _called(node) in LOOKUP_CALLS:
            lookups = [
                a.value.lstrip("-")
                for a in node.args
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ] + [k.arg for k in node.keywords if k.arg]
            found += [
                f"line {node.lineno}: {_called(node)}({lookup})"
                for lookup in lookups
                if lookup.split("__")[0] in relations
            ]
    return found


def forbidden_relations(relative_path: str, relations: dict[str, str]) -> set[str]:
    """The reverse relations a module may not follow (as `forbidden_models`)."""
    if relative_path.startswith(CORE_ACCESS):
        return set()
    app = app_of(relative_path)
    return {name for name, label in relations.items() if label != app}


def test_no_code_outside_the_access_modules_follows_a_reverse_relation() -> None:
    relations = reverse_relations()
    assert {"source_records", "events", "panel_entries", "checks", "interview"} <= set(relations)
    offences = {
        relative(path): found
        for path in project_modules()
        if (
            found := reverse_relations_in(
                path.read_text(encoding="utf-8"), forbidden_relations(relative(path), relations)
            )
        )
    }
    assert not offences, f"reverse relations of child-level models followed: {offences}"


def test_the_check_catches_a_reverse_relation() -> None:
    relations = {"source_records", "checks", "interview"}
    assert reverse_relations_in("child.source_records.all()", relations) == [
        "line 1: .source_records.all"
    ]
    assert reverse_relations_in("row.child.source_records.filter(x=1)", relations)
    assert reverse_relations_in("rows.annotate(n=Count('checks'))", relations) == [
        "line 1: Count(checks)"
    ]
    assert reverse_relations_in("rows.prefetch_related('source_records__agency')", relations)
    assert reverse_relations_in("rows.filter(checks__kind='visit')", relations)
    assert reverse_relations_in("rows.select_related('interview')", relations)
    # A method named like a relation, and a dict attribute, are not relations.
    assert reverse_relations_in("system.source_records().filter(x=1)", relations) == []
    assert reverse_relations_in("self.checks.values()", relations) == []
    mine = forbidden_relations("education/access.py", {"checks": "education", "events": "children"})
    assert mine == {"events"}


TEMPLATE_RELATION = r"\.({names})\.(all|count|first|last|exists)\b"


def reverse_relations_in_template(text: str, relations: set[str]) -> list[str]:
    pattern = re.compile(TEMPLATE_RELATION.format(names="|".join(map(re.escape, relations))))
    return [match.group(0) for match in pattern.finditer(text)]


def test_no_template_follows_a_reverse_relation_to_many_rows() -> None:
    relations = set(reverse_relations())
    offences = {
        template.relative_to(ROOT).as_posix(): found
        for template in ROOT.rglob("*.html")
        if (found := reverse_relations_in_template(template.read_text("utf-8"), relations))
    }
    assert not offences, f"templates reading child-level rows backwards: {offences}"
    assert reverse_relations_in_template("{% for r in child.source_records.all %}", relations)
    assert not reverse_relations_in_template("{{ child.display_name }}", relations)


def _model_named(name: str) -> type[Model]:
    return next(m for m in apps.get_models() if m.__name__ == name)


def test_the_reverse_relations_come_from_the_models() -> None:
    relations = reverse_relations()
    assert relations["source_records"] == "children"
    assert relations["checks"] == "education"
    assert relations["interview"] == "missing"
    assert relations["reviews"] == "young_carers"
    # The related name is the model's own, not a guess.
    field = _model_named("CmeCheck")._meta.get_field("case")
    assert field.remote_field.get_accessor_name() == "checks"  # type: ignore[union-attr]
