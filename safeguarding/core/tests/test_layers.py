"""Views read through queries and change state through actions.

An AST check over every view module of every app: a view module never reaches a model's
manager (`Case.objects`, `_default_manager`), never opens a transaction and never writes
SQL (`connection.cursor`, `.raw(`, `RawSQL`, `.extra(`). Reads live in the app's
`queries.py`, state changes in its `actions.py`, so that the rules a page depends on (who
sees which rows, what one save changes) are written once, where they can be tested
without a request. See docs/decisions/0065-views-read-through-queries.md.

A view module is any `views.py`, `*_views.py` or module of a `views/` package, and any
module the URLconf points a view at (the APIs' `api.py`, core's `errors.py`).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

import safeguarding

ROOT = Path(safeguarding.__file__).resolve().parent
SKIPPED_PARTS = {"migrations", "tests", "management"}
MANAGER_ATTRIBUTES = {"objects", "_default_manager", "_base_manager"}
RAW_SQL_CALLS = {"raw", "extra", "cursor"}
RAW_SQL_NAMES = {"RawSQL", "connection", "connections"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def _names_a_model(node: ast.expr) -> bool:
    """A bare class name (`Case`, `models.Case`): a shortcut given one queries its manager."""
    name = (
        node.id
        if isinstance(node, ast.Name)
        else node.attr
        if isinstance(node, ast.Attribute)
        else ""
    )
    return name[:1].isupper()


def offences_in(source: str) -> list[str]:
    """What in a view module's source reaches past queries and actions, line by line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in MANAGER_ATTRIBUTES:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Attribute) and node.attr in RAW_SQL_CALLS:
            found.append(f"line {node.lineno}: .{node.attr}(")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in SHORTCUTS
            and node.args
            and _names_a_model(node.args[0])
        ):
            found.append(f"line {node.lineno}: {node.func.id}({ast.unparse(node.args[0])})")
        elif isinstance(node, ast.Name) and node.id in RAW_SQL_NAMES | {"transaction"}:
            found.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.db"):
            names = {alias.name for alias in node.names}
            if node.module == "django.db.transaction" or names & ({"transaction"} | RAW_SQL_NAMES):
                found.append(f"line {node.lineno}: from {node.module} import {sorted(names)}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("django.db.transaction"):
                    found.append(f"line {node.lineno}: import {alias.name}")
    return found


def _is_view_file(relative: Path) -> bool:
    return (
        relative.name == "views.py"
        or relative.name.endswith("_views.py")
        or ("views" in relative.parts[:-1])
    )


def _url_callback_modules() -> set[str]:
    modules: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            else:
                callback = pattern.callback
                module = getattr(callback, "view_class", callback).__module__
                modules.add(module)

    resolver = get_resolver()
    walk(resolver.url_patterns)
    urlconf = sys.modules[resolver.urlconf_name] if isinstance(resolver.urlconf_name, str) else None
    for name in ("handler403", "handler404", "handler500"):
        handler = getattr(urlconf, name, None)
        if handler is not None:
            modules.add(handler.__module__)
    return modules


def view_modules() -> list[Path]:
    """Every view module of the project, by file name and by the URLconf."""
    found = {
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED_PARTS.intersection(path.relative_to(ROOT).parts)
        and _is_view_file(path.relative_to(ROOT))
    }
    for module in _url_callback_modules():
        if module.startswith("safeguarding."):
            file = getattr(sys.modules[module], "__file__", None)
            if file:
                found.add(Path(file).resolve())
    return sorted(found)


def test_every_app_has_its_view_modules_found() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in view_modules()}
    apps_with_views = {name.split("/")[0] for name in names}
    assert {
        "children",
        "core",
        "education",
        "exploitation",
        "insight",
        "learning",
        "missing",
        "reports",
        "training",
        "young_carers",
    } <= apps_with_views
    assert {"children/api.py", "insight/api.py", "core/errors.py"} <= names


def test_no_view_module_queries_the_database_itself() -> None:
    offences = {
        path.relative_to(ROOT).as_posix(): found
        for path in view_modules()
        if (found := offences_in(path.read_text(encoding="utf-8")))
    }
    assert not offences, (
        "view modules reaching past queries.py/actions.py (move reads to queries, "
        f"writes to actions): {offences}"
    )


def test_the_check_catches_a_manager_in_a_view() -> None:
    source = (
        "def index(request):\n"
        "    rows = AuditReturn.objects.filter(agency_id=request.user.agency_id or 0)\n"
        "    first = Case._default_manager.first()\n"
    )
    assert offences_in(source) == ["line 2: .objects", "line 3: ._default_manager"]


def test_the_check_catches_a_shortcut_given_a_model() -> None:
    source = "def detail(request, pk):\n    return get_object_or_404(Notification, pk=pk)\n"
    assert offences_in(source) == ["line 2: get_object_or_404(Notification)"]
    through_queries = "found = get_object_or_404(queries.notifications_for(user), pk=pk)\n"
    assert offences_in(through_queries) == []


def test_the_check_catches_a_transaction_in_a_view() -> None:
    imported = "from django.db import transaction\n"
    used = "def save(request):\n    with transaction.atomic():\n        pass\n"
    assert offences_in(imported)
    assert offences_in(used) == ["line 2: transaction"]
    assert offences_in("from django.db.transaction import atomic\n")
    assert offences_in("import django.db.transaction\n")


def test_the_check_catches_raw_sql_in_a_view() -> None:
    assert offences_in("with connection.cursor() as c:\n    pass\n")
    assert offences_in("rows = Case.objects.raw('select 1')\n")
    assert offences_in("from django.db.models.expressions import RawSQL\n")
    assert offences_in("x = RawSQL('1', [])\n") == ["line 1: RawSQL"]
    assert offences_in("rows = qs.extra(where=['1=1'])\n") == ["line 1: .extra("]


def test_the_check_lets_queries_and_actions_through() -> None:
    source = (
        "from safeguarding.learning import actions, queries\n"
        "def index(request):\n"
        "    rows = queries.audit_returns_for(request.user)\n"
        "    actions.record(request.user, rows)\n"
    )
    assert offences_in(source) == []


def test_the_view_modules_include_a_view_package() -> None:
    assert _is_view_file(Path("children/imports/views/upload.py"))
    assert _is_view_file(Path("children/review/views.py"))
    assert not _is_view_file(Path("children/queries.py"))


# Actions: the outermost transaction is durable ------------------------------------------------

WRITE_CALLS = {
    "save",
    "create",
    "update",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "add",
    "remove",
    "clear",
    "set",
}
WRAPPERS = ("transactions.action", "transactions.together")

# Public actions that write without `transactions.action`, and why.
NOT_DURABLE = {
    "children/imports/actions.py:hold_extract": "keeps the upload in the cache, not the database",
    "children/imports/actions.py:release_extract": "drops the upload from the cache",
    "children/imports/actions.py:import_extract": (
        "two transactions of its own, each transactions.action(): the load, then the batch's "
        "record, so that the record of a failed load outlives the load's rollback"
    ),
    "children/imports/actions.py:save_mapping": (
        "called inside save_column_mapping's transaction and the load's, never on its own"
    ),
    "core/actions.py:set_roles": ("called inside save_user's transaction, never on its own"),
    "exploitation/actions.py:build_agenda": (
        "called inside schedule_meeting's transaction, never on its own"
    ),
    "insight/actions.py:set_year_policy": (
        "called inside the report's choice of policy, in its transaction, never on its own"
    ),
    "insight/actions.py:fix_year_policy": (
        "called inside the report's publishing, in its transaction, never on its own"
    ),
    "missing/actions.py:mark_notice_read": "one UPDATE of one notice, atomic by itself",
    "training/actions.py:confirm_email": "one UPDATE of one learner, atomic by itself",
    "training/actions.py:send_reminders": (
        "mails one learner at a time and marks each as reminded on its own: a failed mail "
        "leaves the others sent and recorded"
    ),
    "training/actions.py:send_follow_ups": (
        "mails one learner at a time and marks each on its own, as send_reminders"
    ),
}


def action_modules() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED_PARTS.intersection(path.relative_to(ROOT).parts)
        and (
            path.name == "actions.py"
            or path.name.endswith("_actions.py")
            or "actions" in path.relative_to(ROOT).parts[:-1]
        )
    )


def undurable_actions_in(source: str) -> list[str]:
    """Public functions that write (or open a transaction) without `transactions.action`."""
    found = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        decorators = " ".join(ast.unparse(d) for d in node.decorator_list)
        text = decorators + (ast.get_source_segment(source, node) or "")
        opens_raw = "transaction.atomic" in text
        writes = opens_raw or any(
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in WRITE_CALLS
            for call in ast.walk(node)
        )
        if opens_raw or (writes and not any(wrapper in text for wrapper in WRAPPERS)):
            found.append(node.name)
    return found


def test_every_action_that_writes_commits_durably_or_says_why_not() -> None:
    offences = []
    for path in action_modules():
        relative = path.relative_to(ROOT).as_posix()
        for name in undurable_actions_in(path.read_text(encoding="utf-8")):
            if f"{relative}:{name}" not in NOT_DURABLE:
                offences.append(f"{relative}:{name}")
    assert not offences, (
        "actions writing outside transactions.action() (durable where outermost); wrap "
        f"them or give the reason in NOT_DURABLE: {offences}"
    )


def test_the_exemptions_name_actions_that_exist() -> None:
    held = {
        f"{path.relative_to(ROOT).as_posix()}:{name}"
        for path in action_modules()
        for name in undurable_actions_in(path.read_text(encoding="utf-8"))
    }
    assert set(NOT_DURABLE) <= held


def test_the_durability_check_catches_a_plain_atomic_and_an_unwrapped_write() -> None:
    plain = "def publish(report):\n    with transaction.atomic():\n        report.save()\n"
    unwrapped = "def close(case):\n    case.closed = True\n    case.save()\n"
    wrapped = "def close(case):\n    with transactions.action():\n        case.save()\n"
    decorated = "@transactions.action\ndef close(case):\n    case.save()\n"
    reads = "def count(cases):\n    return cases.filter(open=True).count()\n"
    assert undurable_actions_in(plain) == ["publish"]
    assert undurable_actions_in(unwrapped) == ["close"]
    assert undurable_actions_in(wrapped) == undurable_actions_in(decorated) == []
    assert undurable_actions_in(reads) == []
