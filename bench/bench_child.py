"""Finding a child and the child's page at 1 million children and 10 million events.

The parent process finds (or creates) the database bench_child on the PostgreSQL server
and measures it in a subprocess. The subprocess migrates it and, unless a previous run
built the same sizes already (kept between runs), fills it with set-based SQL
(INSERT … SELECT over generate_series, foreign-key triggers off, secondary indexes
dropped during the load and rebuilt after):

- agencies: the council, the police, a health trust, schools, a voluntary agency;
- --children children (default 1,000,000) aged 0 to 18, their names drawn with weights
  falling by rank from the demo's lists, a third of family names from a long synthetic
  tail (as a real population has), Soundex keys as children/names.py computes them,
  dates of birth, valid NHS numbers for most;
- about 1.8 agency records per child: the council holds 30% of the children, so its
  practitioner is involved with 300,000 of them; health 70% (with the NHS number),
  schools 60%, police 15%, the voluntary agency 5%;
- --events events (default 10,000,000) spread over the records with an exponential
  number per record, each agency its own event types, a share of police intelligence
  restricted; one council child with exactly 10 events and one with exactly 1,000.

It then signs in as a council practitioner (django.test.Client, DEBUG off) and times:
search by a mistyped name, by date of birth and by NHS number, and the child's page of
random council children, each over --requests requests after a warm-up, with each page's
SQL query count; and the page of the 10-event and the 1,000-event child.

Targets (issue 3): search p95 <= 100 ms, child page p95 <= 150 ms; the page's query count
does not depend on the number of events.
"""

from __future__ import annotations

import argparse
import os
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import harness

if TYPE_CHECKING:
    from django.test import Client

NAME = "child"
DESCRIPTION = (
    "child search (mistyped name, date of birth, NHS number) and the child's page at "
    "1 million children and 10 million events on PostgreSQL: p50/p95 and query counts"
)

DATABASE_NAME = "bench_child"
CHILDREN = 1_000_000
EVENTS = 10_000_000
REQUESTS = 300
WARMUP = 30
COUNTED_REQUESTS = 5
SEED = 20261125
EMAIL = "practitioner@council.bench.example"

TARGET_SEARCH_P95_MS = 100.0
TARGET_PAGE_P95_MS = 150.0

from child_population import (  # noqa: E402
    AGENCIES,
    FEW_EVENTS,
    FEW_EVENTS_CHILD,
    MANY_EVENTS,
    MANY_EVENTS_CHILD,
    NHS_FUNCTION,
    build,
    built_sizes,
)


def add_arguments(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--children", type=int, default=CHILDREN, help=f"children (default {CHILDREN:,})"
    )
    group.add_argument("--events", type=int, default=EVENTS, help=f"events (default {EVENTS:,})")
    group.add_argument(
        "--child-requests",
        type=int,
        default=REQUESTS,
        help=f"timed requests per page (default {REQUESTS})",
    )
    group.add_argument(
        "--child-database",
        default=DATABASE_NAME,
        metavar="NAME",
        help=f"the PostgreSQL database (default {DATABASE_NAME}); kept between runs",
    )
    group.add_argument(
        "--rebuild", action="store_true", help="build the data again even if it is there"
    )
    group.add_argument(
        "--child-explain", action="store_true", help="print the plans of each page's queries"
    )


def run(args: argparse.Namespace) -> None:
    if args.database:
        measure(args.database, args)
        return
    url = harness.postgres_url(args.child_database)
    if url is None:
        raise SystemExit("The child benchmark needs PostgreSQL (BENCH_POSTGRES_URL).")
    options = [
        "--children",
        str(args.children),
        "--events",
        str(args.events),
        "--child-requests",
        str(args.child_requests),
        "--child-database",
        args.child_database,
    ]
    options += ["--rebuild"] * args.rebuild + ["--child-explain"] * args.child_explain
    print(f"--- postgresql: {url}")
    if harness.run_child(NAME, url, options) != 0:
        raise SystemExit("The child benchmark failed.")


# --- Building the data, in the measuring process ----------------------------------------


def ensure_practitioner() -> Any:
    from allauth.mfa.models import Authenticator

    from safeguarding.core.models import Agency, RoleGrant, User
    from safeguarding.core.roles import Role

    council = Agency.objects.get(code="LA")
    user = User.objects.filter(email=EMAIL).first()
    if user is None:
        user = User(email=EMAIL, full_name="Pat Practitioner", agency=council, job_title="Bench")
        user.set_unusable_password()
        user.save()
    RoleGrant.objects.get_or_create(user=user, role=Role.PRACTITIONER)
    if not Authenticator.objects.filter(user=user).exists():
        import base64

        secret = base64.b32encode(os.urandom(20)).decode("ascii")
        Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": secret}
        )
    return user


# --- Measuring ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    url: Callable[[random.Random], str]
    target_ms: float | None = None
    # Pages measured because they show a limit, not for a target: fewer requests.
    extra: bool = False


@dataclass(frozen=True)
class Measured:
    key: str
    label: str
    example: str
    p50: float
    p95: float
    max: float
    requests: int
    queries: str
    target_ms: float | None


def typo(name: str, rng: random.Random) -> str:
    """A misspelling a person makes that keeps the name's sound: a vowel dropped or
    doubled letters, two inner letters swapped where Soundex allows."""
    from safeguarding.children.names import name_key

    key = name_key(name)
    candidates = set()
    for i in range(1, len(name) - 1):
        candidates.add(name[:i] + name[i + 1 :])
        candidates.add(name[:i] + name[i + 1] + name[i] + name[i + 2 :])
        candidates.add(name[:i] + name[i] + name[i:])
    good = sorted(c for c in candidates if c != name and name_key(c) == key and len(c) > 1)
    return rng.choice(good) if good else name


def council_sample(rng: random.Random, children: int, size: int) -> list[dict[str, Any]]:
    """Children the council holds a record of (their ids are chosen as the load chose)."""
    from django.db import connection

    share = AGENCIES[0][3]
    ids: list[int] = []
    while len(ids) < size:
        candidate = rng.randrange(100, children)
        if (candidate * 7) % 100 < share and candidate not in (FEW_EVENTS_CHILD, MANY_EVENTS_CHILD):
            ids.append(candidate)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, public_id, given_name, family_name, date_of_birth, nhs_number "
            "FROM children_child WHERE id = ANY(%s)",
            [ids],
        )
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def public_id_of(child_id: int) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT public_id FROM children_child WHERE id = %s", [child_id])
        (public_id,) = cursor.fetchone()
    return str(public_id)


def fetch(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")


def time_page(client: Client, page: Page, rng: random.Random, requests: int) -> Measured:
    if page.extra:
        requests = max(20, requests // 10)
    timing = harness.time_requests(
        lambda url: fetch(client, url),
        lambda: page.url(rng),
        requests=requests,
        warmup=min(WARMUP, requests),
        counted=COUNTED_REQUESTS,
        label=page.label,
    )
    summary = timing.summary
    return Measured(
        page.key,
        page.label,
        page.url(rng),
        summary.p50,
        summary.p95,
        summary.max,
        summary.count,
        timing.queries,
        page.target_ms,
    )


def explain(client: Client, page: Page, rng: random.Random) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fetch(client, page.url(rng))
    print(f"\nPlans for {page.label}:")
    timed = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or "children_" not in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = [row[0] for row in cursor.fetchall()]
        timed.append((plan[-1], sql, plan))
    for execution, sql, plan in timed:
        print(f"-- {sql[:300]}")
        print("\n".join(f"   {line}" for line in plan if "Buffers" not in line))
        print(f"   ({execution})")


def measure(database_url: str, args: argparse.Namespace) -> None:
    harness.setup_django(database_url)
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("The child benchmark runs on PostgreSQL.")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(NHS_FUNCTION)
    described = harness.database_description()
    print(f"{described}: migrated.")
    if args.rebuild or built_sizes() != (args.children, args.events):
        build(args.children, args.events)
    else:
        print(f"Reusing the data built before: {args.children:,} children, {args.events:,} events.")

    user = ensure_practitioner()
    rng = random.Random(SEED)
    sample = council_sample(rng, args.children, 400)
    with_nhs = [c for c in sample if c["nhs_number"]]
    few, many = public_id_of(FEW_EVENTS_CHILD), public_id_of(MANY_EVENTS_CHILD)

    def by_name(r: random.Random) -> str:
        child = r.choice(sample)
        name = f"{typo(child['given_name'], r)} {typo(child['family_name'], r)}"
        return "/children/?" + urlencode({"name": name})

    def by_date(r: random.Random) -> str:
        born: date = r.choice(sample)["date_of_birth"]
        return "/children/?" + urlencode({"date_of_birth": f"{born.day}/{born.month}/{born.year}"})

    def by_nhs(r: random.Random) -> str:
        number = r.choice(with_nhs)["nhs_number"]
        return "/children/?" + urlencode({"nhs_number": f"{number[:3]} {number[3:6]} {number[6:]}"})

    pages = [
        Page("name", "Search: mistyped given and family name", by_name, TARGET_SEARCH_P95_MS),
        Page("dob", "Search: date of birth", by_date, TARGET_SEARCH_P95_MS),
        Page("nhs", "Search: NHS number", by_nhs, TARGET_SEARCH_P95_MS),
        Page(
            "page",
            "Child's page, random council children",
            lambda r: f"/children/{r.choice(sample)['public_id']}/",
            TARGET_PAGE_P95_MS,
        ),
        Page("few", f"Child's page, {FEW_EVENTS} events", lambda r: f"/children/{few}/"),
        Page("many", f"Child's page, {MANY_EVENTS:,} events", lambda r: f"/children/{many}/"),
        Page(
            "family",
            "Search: family name alone (extra)",
            lambda r: "/children/?" + urlencode({"name": r.choice(sample)["family_name"]}),
            extra=True,
        ),
        Page(
            "list",
            "Children you work with, no search (extra)",
            lambda r: "/children/",
            extra=True,
        ),
        Page("home", "Home page, with its count of children (extra)", lambda r: "/", extra=True),
    ]
    from django.test import Client

    client = Client(raise_request_exception=True)
    client.force_login(user)
    print(f"Signed in as a council practitioner; {args.child_requests} timed requests per page.")
    load_before = os.getloadavg()[0]
    measured = [time_page(client, page, rng, args.child_requests) for page in pages]
    load_after = os.getloadavg()[0]
    if args.child_explain:
        for page in pages:
            explain(client, page, rng)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM children_childevent")
        (events,) = cursor.fetchone()
    results = {
        "database": described,
        "children": args.children,
        "events": events,
        "requests": args.child_requests,
        "pages": [asdict(m) for m in measured],
        "cpus": os.cpu_count(),
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    harness.save_results(NAME, "postgresql", results)
    report(results)


def report(results: dict[str, Any]) -> None:
    print(
        f"\nChild benchmark on {results['database']}: {results['children']:,} children, "
        f"{results['events']:,} events; {results['requests']} timed requests per page, "
        "as a council practitioner."
    )
    rows = []
    for page in results["pages"]:
        target = page["target_ms"]
        verdict = ""
        if target is not None:
            verdict = f"{'PASS' if page['p95'] <= target else 'FAIL'} (≤ {target:.0f})"
        rows.append(
            [
                page["label"],
                f"{page['p50']:.1f}",
                f"{page['p95']:.1f}",
                f"{page['max']:.1f}",
                page["queries"],
                verdict,
            ]
        )
    print(harness.table(["Page", "p50 ms", "p95 ms", "max ms", "SQL queries", "p95 target"], rows))
    counts = {page["key"]: page["queries"] for page in results["pages"]}
    same = counts.get("few") == counts.get("many")
    print(
        f"Query count of the child's page: {counts.get('few')} with {FEW_EVENTS} events, "
        f"{counts.get('many')} with {MANY_EVENTS:,}: "
        f"{'independent of the number of events' if same else 'DEPENDS on the number of events'}."
    )
    before, after = results["load_average"]
    print(
        f"Load average (1 min) on {results['cpus']} CPUs: {before:.2f} before, {after:.2f} after."
    )
