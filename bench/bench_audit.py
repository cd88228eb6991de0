"""The audit log at one million entries: page latency, query counts, and the chain check.

The parent process finds its databases (a SQLite file under bench/results/, and the
database bench_audit on the PostgreSQL server when it answers) and measures each in a
subprocess. Each subprocess migrates its database, creates an agency, 200 users (one
information governance lead, enrolled in TOTP, and 199 practitioners) and appends
entries with a correct hash chain until the log holds --entries of them (a re-run that
finds them there skips this). It then signs in as the IG lead with django.test.Client and
times --requests requests of each page after a warm-up, counts the SQL queries of each,
and times audit.verify() over the whole chain.

Target: "who looked at this child" p95 <= 100 ms at 1 million entries on PostgreSQL.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import harness
from audit_population import AGENCY_CODE, SEED, existing_refs, load_entries

if TYPE_CHECKING:
    from django.test import Client

    from safeguarding.core.models import User

NAME = "audit"
DESCRIPTION = (
    "p50/p95 latency of the home page and the audit search at 1 million audit entries, "
    "on SQLite and on PostgreSQL, and query counts per page"
)

DATABASE_NAME = "bench_audit"
ENTRIES = 1_000_000
REQUESTS = 200
WARMUP = 20
COUNTED_REQUESTS = 10  # requests per page run again under CaptureQueriesContext
USERS = 200  # the IG lead and 199 practitioners
CHILDREN = 20_000
OUTSIDERS = 100  # addresses tried at sign-in that belong to no user
EMAIL_DOMAIN = "bench.example"
IG_LEAD_EMAIL = f"ig.lead@{EMAIL_DOMAIN}"

TARGET_PAGE = "child"
TARGET_P95_MS = 100.0
TARGET_ENTRIES = 1_000_000


def add_arguments(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--entries", type=int, default=ENTRIES, help=f"audit entries to load (default {ENTRIES:,})"
    )
    group.add_argument(
        "--requests",
        type=int,
        default=REQUESTS,
        help=f"timed requests per page (default {REQUESTS})",
    )
    group.add_argument(
        "--warmup",
        type=int,
        default=WARMUP,
        help=f"untimed requests per page first (default {WARMUP})",
    )
    group.add_argument(
        "--audit-database",
        default=DATABASE_NAME,
        metavar="NAME",
        help=f"name of the SQLite file and PostgreSQL database (default {DATABASE_NAME})",
    )
    group.add_argument(
        "--explain", action="store_true", help="print the query plans of the audit searches"
    )
    group.add_argument("--skip-verify", action="store_true", help="do not time audit.verify()")


def run(args: argparse.Namespace) -> None:
    if args.database:
        measure(args.database, args)
        return
    options = [
        "--entries",
        str(args.entries),
        "--requests",
        str(args.requests),
        "--warmup",
        str(args.warmup),
    ]
    options += ["--explain"] * args.explain + ["--skip-verify"] * args.skip_verify
    failed = []
    for vendor, url in (
        ("sqlite", harness.sqlite_url(args.audit_database)),
        ("postgresql", harness.postgres_url(args.audit_database)),
    ):
        if url is None:
            continue
        print(f"--- {vendor}: {url}")
        stale = harness.RESULTS_DIR / f"{NAME}-{vendor}.json"
        stale.unlink(missing_ok=True)
        if harness.run_child(NAME, url, options) != 0:
            failed.append(vendor)
    print_summary()
    if failed:
        raise SystemExit(f"The audit benchmark failed on {', '.join(failed)}.")


# --- One database, in its own process ------------------------------------------------


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    url: Callable[[random.Random], str]
    # Not among the pages the brief asks for; measured because it shows a problem.
    extra: bool = False


@dataclass(frozen=True)
class Measured:
    key: str
    label: str
    example: str
    extra: bool
    p50: float
    p95: float
    max: float
    requests: int
    queries: str
    bytes: int


def measure(database_url: str, args: argparse.Namespace) -> None:
    harness.setup_django(database_url)
    from django.core.management import call_command
    from django.db import connection

    migrate()
    call_command("createcachetable", verbosity=0)
    vendor = connection.vendor
    described = harness.database_description()
    print(f"{described}: migrated.")

    ig_lead, practitioners = ensure_people()
    refs = child_refs()
    outsiders = [f"outsider{i:03d}@elsewhere.example" for i in range(OUTSIDERS)]
    load_entries(args.entries, practitioners, refs, outsiders)
    if vendor == "postgresql":
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"ANALYZE: {time.perf_counter() - started:.1f} s")

    from safeguarding.core.models import AuditEntry

    entries = AuditEntry.objects.count()
    rng = random.Random(SEED + 1)
    searched = existing_refs(rng.sample(refs, min(len(refs), 400)))
    if not searched:
        raise SystemExit("No generated child appears in the log: load more entries.")
    emails = [email for _, email in practitioners]
    pages = [
        Page("home", "Home page", lambda r: "/"),
        Page(
            "child",
            "Audit: who looked at this child",
            lambda r: "/audit/?" + urlencode({"child": r.choice(searched)}),
        ),
        Page(
            "user",
            "Audit: what did this user look at",
            lambda r: "/audit/?" + urlencode({"user": r.choice(emails)}),
        ),
        Page(
            "export",
            "Audit: CSV export for one child",
            lambda r: "/audit/export.csv?" + urlencode({"child": r.choice(searched)}),
        ),
        Page("latest", "Audit: the search page, no search yet", lambda r: "/audit/", extra=True),
        Page(
            "outsider",
            "Audit: an address that is no user's",
            lambda r: "/audit/?" + urlencode({"user": r.choice(outsiders)}),
            extra=True,
        ),
    ]

    from django.test import Client

    client = Client(raise_request_exception=True)
    client.force_login(ig_lead)
    print(
        f"Signed in as {IG_LEAD_EMAIL}; {args.requests} timed requests per page after {args.warmup} warm-up."
    )
    load_before = os.getloadavg()[0]
    measured = [time_page(client, page, rng, args.requests, args.warmup) for page in pages]
    load_after = os.getloadavg()[0]

    plans: dict[str, list[str]] = {}
    if args.explain:
        for page in pages:
            plans[page.key] = explain_page(client, page, rng)

    verified: dict[str, Any] | None = None
    if not args.skip_verify:
        verified = time_verify()

    results: dict[str, Any] = {
        "vendor": vendor,
        "database": described,
        "entries": entries,
        "users": USERS,
        "children": CHILDREN,
        "requests": args.requests,
        "warmup": args.warmup,
        "pages": [asdict(m) for m in measured],
        "cpus": os.cpu_count(),
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "verify": verified,
        "plans": plans,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    harness.save_results(NAME, vendor, results)
    report(results)


def migrate() -> None:
    """Migrate the bench database, working round a broken trigger migration on PostgreSQL.

    core/migrations/0002_audit_append_only.py as first committed passed its trigger's SQL
    to schema_editor.execute() with the default params=(), so Django's PostgreSQL schema
    editor merged it client-side and psycopg refused the plpgsql `%` ("incomplete
    placeholder"). The migration now passes params=None; with a version that does not,
    the benchmark runs the same SQL itself, unmerged, marks 0002 as applied and migrates
    the rest, saying so.
    """
    import importlib

    import psycopg
    from django.core.management import call_command
    from django.db import ProgrammingError, connection

    try:
        call_command("migrate", interactive=False, verbosity=0)
        return
    except (
        ProgrammingError,
        psycopg.ProgrammingError,
    ) as error:  # psycopg's: raised while merging, before execution
        if connection.vendor != "postgresql" or "placeholder" not in str(error):
            raise
        print(f"WARNING: migrate failed on PostgreSQL ({error}).")
        print(
            "  core 0002_audit_append_only cannot create its trigger; the benchmark creates it itself."
        )
    trigger = importlib.import_module("safeguarding.core.migrations.0002_audit_append_only")
    with connection.cursor() as cursor:
        cursor.execute(trigger.CREATE)
    call_command("migrate", "core", "0002", fake=True, interactive=False, verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)


def ensure_people() -> tuple[User, list[tuple[int, str]]]:
    """The agency, the IG lead (role and TOTP authenticator) and the practitioners."""
    from allauth.mfa.models import Authenticator

    from safeguarding.core.models import Agency, AgencyKind, RoleGrant, User
    from safeguarding.core.roles import Role

    agency, _ = Agency.objects.get_or_create(
        code=AGENCY_CODE,
        defaults={
            "name": "Benchmark Council",
            "kind": AgencyKind.LOCAL_AUTHORITY,
            "statutory_partner": True,
        },
    )
    wanted = {IG_LEAD_EMAIL: "Ida Lead"} | {
        f"practitioner{i:03d}@{EMAIL_DOMAIN}": f"Practitioner {i:03d}" for i in range(1, USERS)
    }
    present = set(User.objects.filter(email__in=wanted).values_list("email", flat=True))
    missing = []
    for email, full_name in wanted.items():
        if email not in present:
            user = User(email=email, full_name=full_name, agency=agency, job_title="Benchmark")
            user.set_unusable_password()  # no password hashing for 200 users
            missing.append(user)
    User.objects.bulk_create(missing)
    users = {u.email: u for u in User.objects.filter(email__in=wanted)}
    ig_lead = users[IG_LEAD_EMAIL]
    grants = [RoleGrant(user=ig_lead, role=Role.IG_LEAD)]
    grants += [
        RoleGrant(user=u, role=Role.PRACTITIONER)
        for email, u in users.items()
        if email != IG_LEAD_EMAIL
    ]
    RoleGrant.objects.bulk_create(grants, ignore_conflicts=True)
    if not Authenticator.objects.filter(user=ig_lead).exists():
        secret = base64.b32encode(os.urandom(20)).decode("ascii")
        Authenticator.objects.create(
            user=ig_lead, type=Authenticator.Type.TOTP, data={"secret": secret}
        )
    practitioners = sorted((u.pk, email) for email, u in users.items() if email != IG_LEAD_EMAIL)
    return ig_lead, practitioners


def child_refs() -> list[str]:
    """The children's public ids: the same on every run (no Child rows are needed)."""
    rng = random.Random(SEED)
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(CHILDREN)]


def fetch(client: Client, url: str) -> int:
    """One GET, its body read to the end (a streamed CSV too); the body's size."""
    from django.http import StreamingHttpResponse

    response = client.get(url)
    if response.status_code != 200:
        where = response.headers.get("Location", "")
        raise SystemExit(f"GET {url} answered {response.status_code} {where}".rstrip())
    if isinstance(response, StreamingHttpResponse):
        size = sum(len(chunk) for chunk in response.streaming_content)
        response.close()
        return size
    return len(response.content)


def time_page(
    client: Client, page: Page, rng: random.Random, requests: int, warmup: int
) -> Measured:
    timing = harness.time_requests(
        lambda url: fetch(client, url),
        lambda: page.url(rng),
        requests=requests,
        warmup=warmup,
        counted=COUNTED_REQUESTS,
        label=page.label,
    )
    summary = timing.summary
    return Measured(
        page.key,
        page.label,
        page.url(rng),
        page.extra,
        summary.p50,
        summary.p95,
        summary.max,
        summary.count,
        timing.queries,
        timing.last or 0,
    )


def explain_page(client: Client, page: Page, rng: random.Random) -> list[str]:
    """The plans of the audit-log reads one request of `page` makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fetch(client, page.url(rng))
    lines: list[str] = [f"{len(captured.captured_queries)} queries:"]
    lines += [
        f"  {n}. {query['sql'][:160]}" for n, query in enumerate(captured.captured_queries, 1)
    ]
    for query in captured.captured_queries:
        # A streamed read on PostgreSQL is a server-side cursor: explain the SELECT it holds.
        declared = re.match(
            r"DECLARE .*? CURSOR (?:WITH(?:OUT)? HOLD )?FOR (SELECT .*)", query["sql"], re.DOTALL
        )
        sql = declared.group(1) if declared else query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or "core_auditentry" not in sql:
            continue
        lines.append(f"-- {sql}")
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                lines += [row[0] for row in cursor.fetchall()]
            else:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                lines += [str(row[-1]) for row in cursor.fetchall()]
    print(f"\nPlans for {page.label}:")
    print("\n".join(f"  {line}" for line in lines))
    return lines


def time_verify() -> dict[str, Any]:
    from safeguarding.core import audit

    print("Timing audit.verify() over the whole chain...", flush=True)
    started = time.perf_counter()
    result = audit.verify()
    seconds = time.perf_counter() - started
    outcome = "chain intact" if result.ok else f"BROKEN at entry {result.first_break}"
    return {
        "checked": result.checked,
        "seconds": seconds,
        "per_second": result.checked / seconds,
        "outcome": outcome,
    }


# --- Reporting --------------------------------------------------------------------------


def report(results: dict[str, Any]) -> None:
    print(
        f"\nAudit benchmark on {results['database']}: {results['entries']:,} audit entries, "
        f"{results['users']} users, {results['children']:,} children; "
        f"{results['requests']} timed requests per page after {results['warmup']} warm-up."
    )
    rows = [
        [
            p["label"] + (" (extra)" if p["extra"] else ""),
            f"{p['p50']:.1f}",
            f"{p['p95']:.1f}",
            f"{p['max']:.1f}",
            p["queries"],
        ]
        for p in results["pages"]
    ]
    print(harness.table(["Page", "p50 ms", "p95 ms", "max ms", "SQL queries"], rows))
    before, after = results["load_average"]
    print(
        f"Load average (1 min) on {results['cpus']} CPUs: {before:.2f} before the requests, {after:.2f} after."
    )
    verified = results["verify"]
    if verified:
        print(
            f"audit.verify(): {verified['checked']:,} entries in {verified['seconds']:.1f} s, "
            f"{verified['per_second']:,.0f} entries/s; {verified['outcome']}."
        )
    print(target_line(results))


def target_line(results: dict[str, Any]) -> str:
    page = next(p for p in results["pages"] if p["key"] == TARGET_PAGE)
    claim = f"Target: '{page['label']}' p95 <= {TARGET_P95_MS:.0f} ms at {TARGET_ENTRIES:,} entries on PostgreSQL"
    if results["vendor"] != "postgresql":
        return f"{claim}: not applicable here (p95 {page['p95']:.1f} ms on {results['database']})."
    if results["entries"] < TARGET_ENTRIES:
        return f"{claim}: not judged, the log holds only {results['entries']:,} entries (p95 {page['p95']:.1f} ms)."
    verdict = "PASS" if page["p95"] <= TARGET_P95_MS else "FAIL"
    return f"{claim}: {verdict} (p95 {page['p95']:.1f} ms)."


def print_summary() -> None:
    measured = [
        r
        for r in (harness.load_results(NAME, v) for v in ("sqlite", "postgresql"))
        if r is not None
    ]
    if not measured:
        return
    print("\nAudit benchmark, all databases:")
    headers = ["Page"]
    for results in measured:
        short = results["database"].split()[0]
        headers += [f"{short} p50 ms", f"{short} p95 ms", f"{short} queries"]
    rows = []
    for index, page in enumerate(measured[0]["pages"]):
        row = [page["label"] + (" (extra)" if page["extra"] else "")]
        for results in measured:
            other = results["pages"][index]
            row += [f"{other['p50']:.1f}", f"{other['p95']:.1f}", other["queries"]]
        rows.append(row)
    print(harness.table(headers, rows))
    for results in measured:
        print(target_line(results))
