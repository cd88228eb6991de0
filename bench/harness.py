"""What the benchmarks share: their databases, one subprocess per database, timing, tables.

Settings are read once per process from the environment (safeguarding/settings.py), so a
benchmark measures each database in a process of its own: the parent finds or creates
the databases, then runs `bench/run.py NAME --database URL` once for each. Only the child
sets DJANGO_SETTINGS_MODULE and DATABASE_URL and calls django.setup().
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"  # gitignored
RUNNER = BENCH_DIR / "run.py"

# The PostgreSQL server the benchmarks create their databases on, as a URL naming a
# database that already exists there (the maintenance database `postgres`).
POSTGRES_SERVER_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)

# Environment variables of the hub that a benchmark must not inherit from the shell:
# the benchmarks measure the default configuration (debug off, no demo shortcuts).
UNSET_SETTINGS = ("SAFEGUARDING_DEBUG", "SAFEGUARDING_DEMO", "SAFEGUARDING_PRODUCTION")


def sqlite_url(name: str) -> str:
    """A SQLite file under bench/results/, created on first use by migrate."""
    RESULTS_DIR.mkdir(exist_ok=True)
    return f"sqlite:///{RESULTS_DIR / f'{name}.sqlite3'}"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def postgres_url(name: str) -> str | None:
    """The URL of database `name` on the benchmark server, created if missing.

    None, with the reason printed, when the server cannot be reached.
    """
    try:
        import psycopg
        from psycopg import sql
    except ImportError as error:  # pragma: no cover - psycopg is a dependency of the hub
        print(f"PostgreSQL skipped: psycopg cannot be imported ({error}).")
        return None
    try:
        with psycopg.connect(POSTGRES_SERVER_URL, connect_timeout=5, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"PostgreSQL: created database {name}.")
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"PostgreSQL skipped: cannot connect to {POSTGRES_SERVER_URL} ({reason}).")
        print(
            "  Set BENCH_POSTGRES_URL to a reachable server's maintenance database to include it."
        )
        return None
    return _with_database(POSTGRES_SERVER_URL, name)


def run_child(name: str, database_url: str, options: Sequence[str] = ()) -> int:
    """Run benchmark `name` against one database in a fresh Python process."""
    command = [sys.executable, str(RUNNER), name, "--database", database_url, *options]
    sys.stdout.flush()
    return subprocess.run(command, cwd=PROJECT_DIR, check=False).returncode  # noqa: S603


def setup_django(database_url: str) -> None:
    """Point the settings at one database, then start Django. Once per process."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "safeguarding.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["SAFEGUARDING_ALLOWED_HOSTS"] = "testserver"
    for variable in UNSET_SETTINGS:
        os.environ.pop(variable, None)
    import django

    django.setup()


def database_description() -> str:
    """The vendor and version of the default connection (Django must be set up)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        settings = {}
        with connection.cursor() as cursor:
            for name in ("server_version", "shared_buffers", "autovacuum"):
                cursor.execute(f"SHOW {name}")
                row = cursor.fetchone()
                settings[name] = row[0] if row else "?"
        return (
            f"PostgreSQL {settings['server_version'].split()[0]} "
            f"(shared_buffers {settings['shared_buffers']}, autovacuum {settings['autovacuum']})"
        )
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    return connection.vendor


@dataclass(frozen=True)
class Summary:
    """Latency figures of a series of requests, in milliseconds."""

    count: int
    p50: float
    p95: float
    max: float

    @classmethod
    def of(cls, samples_ms: Sequence[float]) -> Summary:
        if len(samples_ms) < 2:
            only = samples_ms[0] if samples_ms else 0.0
            return cls(len(samples_ms), only, only, only)
        cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
        return cls(len(samples_ms), cuts[49], cuts[94], max(samples_ms))


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table, columns padded so that it also reads well in a terminal."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [
        all(_is_number(row[i]) for row in cells[1:]) and len(cells) > 1 for i in range(len(headers))
    ]

    def line(row: Sequence[str]) -> str:
        padded = [
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(row, widths, numeric, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if num else ("-" * (w + 2))
            for w, num in zip(widths, numeric, strict=True)
        )
        + "|"
    )
    return "\n".join([line(cells[0]), rule, *[line(row) for row in cells[1:]]])


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "").replace("–", "").split()[0] if text.strip() else "x")
    except ValueError:
        return False
    return True


def save_results(name: str, vendor: str, results: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}-{vendor}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return path


def load_results(name: str, vendor: str) -> dict[str, Any] | None:
    path = RESULTS_DIR / f"{name}-{vendor}.json"
    if not path.exists():
        return None
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@dataclass
class PageTiming:
    summary: Summary
    queries: str  # "12", or "12–14" when the count varied
    last: Any  # what the last timed fetch returned (the audit benchmark's page size)


def time_requests(
    fetch: Callable[[str], Any],
    url: Callable[[], str],
    *,
    requests: int,
    warmup: int,
    counted: int,
    label: str,
) -> PageTiming:
    """Time `requests` fetches of `url()` after `warmup`, then count SQL over `counted` more.

    Queries are counted apart from the timed requests, so that recording the SQL costs
    them nothing. Prints one line with p50, p95 and the query count.
    """
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        fetch(url())
    samples: list[float] = []
    last: Any = None
    for _ in range(requests):
        target = url()
        started = time.perf_counter()
        last = fetch(target)
        samples.append((time.perf_counter() - started) * 1000)
    counts = []
    for _ in range(counted):
        with CaptureQueriesContext(connection) as captured:
            fetch(url())
        counts.append(len(captured.captured_queries))
    queries = str(min(counts)) if min(counts) == max(counts) else f"{min(counts)}–{max(counts)}"
    summary = Summary.of(samples)
    print(f"  {label}: p50 {summary.p50:.1f} ms, p95 {summary.p95:.1f} ms, {queries} queries")
    return PageTiming(summary, queries, last)


def run_on_each_database(
    name: str, database_name: str, options: Sequence[str], target_p95_ms: float
) -> None:
    """Run benchmark `name` on SQLite and on PostgreSQL (when there is a server), each in a
    fresh process, then print its pages' summary; exits if either run failed."""
    failed = []
    for vendor, url in (
        ("sqlite", sqlite_url(database_name)),
        ("postgresql", postgres_url(database_name)),
    ):
        if url is None:
            continue
        print(f"--- {vendor}: {url}")
        (RESULTS_DIR / f"{name}-{vendor}.json").unlink(missing_ok=True)
        if run_child(name, url, options) != 0:
            failed.append(vendor)
    print_page_summary(name, target_p95_ms)
    if failed:
        raise SystemExit(f"The {name} benchmark failed on {', '.join(failed)}.")


def print_page_summary(name: str, target_p95_ms: float) -> None:
    """The saved page timings (`pages`: label to summary and queries) of benchmark `name`
    on each database, against its p95 target, as one table."""
    rows = []
    for vendor in ("sqlite", "postgresql"):
        results = load_results(name, vendor)
        if results is None:
            continue
        for label, timing in results["pages"].items():
            summary = timing["summary"]
            rows.append(
                [
                    vendor,
                    label,
                    f"{summary['p50']:.1f}",
                    f"{summary['p95']:.1f}",
                    timing["queries"],
                    "yes" if summary["p95"] <= target_p95_ms else "NO",
                ]
            )
    if rows:
        print()
        header = ["database", "page", "p50 ms", "p95 ms", "queries", f"p95 <= {target_p95_ms:.0f}"]
        print(table(header, rows))
