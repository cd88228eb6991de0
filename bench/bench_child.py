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
import time
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

# (code, name, kind, share of children holding a record, mean events per record,
#  event types). The council's share decides how many children its practitioner sees.
AGENCIES: tuple[tuple[str, str, str, int, float, tuple[str, ...]], ...] = (
    (
        "LA",
        "Benchmark Council",
        "local_authority",
        30,
        9.0,
        (
            "mash_contact",
            "mash_referral",
            "early_help_assessment",
            "cin_start",
            "cin_end",
            "cp_start",
            "cp_end",
            "lac_start",
        ),
    ),
    (
        "POLICE",
        "Benchmark Police",
        "police",
        15,
        8.0,
        (
            "domestic_abuse_incident",
            "police_protection",
            "missing_episode",
            "police_intelligence",
            "exploitation_concern",
        ),
    ),
    (
        "HEALTH",
        "Benchmark Hospitals NHS Trust",
        "health_trust",
        70,
        5.0,
        ("ae_attendance", "camhs_referral", "camhs_discharge", "gp_appointment"),
    ),
    (
        "SCHOOLS",
        "Benchmark Schools",
        "school",
        60,
        5.5,
        ("school_suspension", "exclusion", "persistent_absence", "missing_education"),
    ),
    (
        "VOL",
        "Benchmark Young Carers",
        "voluntary",
        5,
        3.0,
        ("young_carer_identified", "early_help_assessment"),
    ),
)
# The two children whose pages are measured by their number of events (council children).
FEW_EVENTS_CHILD, MANY_EVENTS_CHILD = 3, 4
FEW_EVENTS, MANY_EVENTS = 10, 1_000

SUMMARIES = (
    "Contact from school about attendance and presentation.",
    "Referral accepted for assessment; strategy discussion held.",
    "Child seen alone; wishes and feelings recorded.",
    "Attended with a parent; follow-up arranged.",
    "Concerns shared by a neighbour; advice given.",
    "Missing overnight, found by police the next morning.",
    "Home visit: no answer; card left and follow-up arranged.",
    "Multi-agency meeting held; actions agreed with the family.",
    "Information shared with the MASH.",
    "Case closed to the service; universal services continue.",
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


def name_tables() -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(name, key, sex) of given names and (name, key) of family names, most common first.

    A third of children get a family name from a synthetic tail of some 20,000 names made
    of syllables, so that a family name matches a few dozen children, not thousands.
    """
    from safeguarding.children.names import name_key
    from safeguarding.demo import names

    given = [(n, name_key(n), "F") for n in names.CHILD_GIVEN_NAMES_FEMALE]
    given += [(n, name_key(n), "M") for n in names.CHILD_GIVEN_NAMES_MALE]
    family = [(n, name_key(n)) for n in names.CHILD_FAMILY_NAMES]
    starts = ["Ab", "Bar", "Cal", "Dun", "El", "Fen", "Gar", "Hal", "Ing", "Kel", "Lor", "Mar"]
    starts += ["Nor", "Os", "Pen", "Rad", "Sel", "Tor", "Ul", "Ven", "Wes", "Yar", "Zel", "Bram"]
    middles = ("a", "e", "i", "o", "u", "an", "er", "in", "on", "ow", "ley", "ing", "ham")
    ends = ["by", "den", "ford", "field", "ton", "well", "worth", "wick", "ridge", "more"]
    ends += ["stead", "combe", "hurst", "gate", "side", "land", "croft", "thorpe", "dale", "mere"]
    seen = {name for name, _ in family}
    for start in starts:
        for middle in middles:
            for end in ends:
                for extra in ("", "s", "e"):
                    tail_name = f"{start}{middle}{end}{extra}"
                    if tail_name not in seen:
                        seen.add(tail_name)
                        family.append((tail_name, name_key(tail_name)))
    return given, family


def built_sizes() -> tuple[int, int] | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_child_built')")
        row = cursor.fetchone()
        if row is None or row[0] is None:
            return None
        cursor.execute("SELECT children, events FROM bench_child_built")
        built = cursor.fetchone()
    return (int(built[0]), int(built[1])) if built else None


def step(label: str, sql: str, params: Any = None) -> None:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.rowcount
    counted = f", {rows:,} rows" if rows and rows > 0 else ""
    print(f"  {label}: {time.perf_counter() - started:.1f} s{counted}", flush=True)


def secondary_indexes(table: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(name, definition) of the table's non-primary-key constraints and plain indexes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE conrelid = %s::regclass AND contype IN ('u') ORDER BY conname""",
            [table],
        )
        constraints = [(str(n), str(d)) for n, d in cursor.fetchall()]
        cursor.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
               WHERE i.tablename = %s AND i.indexname NOT IN (
                 SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)
               ORDER BY i.indexname""",
            [table, table],
        )
        indexes = [(str(n), str(d)) for n, d in cursor.fetchall()]
    return constraints, indexes


def restore_indexes() -> None:
    """Create again the constraints and indexes a build dropped, then forget them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_child_dropped')")
        row = cursor.fetchone()
        if row is None or row[0] is None:
            return
        cursor.execute(
            "SELECT tbl, kind, name, definition FROM bench_child_dropped "
            "ORDER BY kind DESC, tbl, name"  # unique constraints first
        )
        dropped = cursor.fetchall()
        cursor.execute("SELECT conname FROM pg_constraint UNION SELECT indexname FROM pg_indexes")
        present = {name for (name,) in cursor.fetchall()}
    for table, kind, name, definition in dropped:
        if name in present:
            continue
        if kind == "constraint":
            step(f"constraint {name}", f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        else:
            step(f"index {name}", definition)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_child_dropped")


def build(children: int, events: int) -> None:
    """Fill the database with set-based SQL; every step printed with its time."""
    from django.db import connection, transaction

    given, family = name_tables()
    print(f"Building {children:,} children and about {events:,} events (set-based SQL)…")
    started = time.perf_counter()
    tables = (
        "children_childevent",
        "children_panelchild",
        "children_sourcerecord",
        "children_child",
    )
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("DROP TABLE IF EXISTS bench_child_built")
        cursor.execute(
            "TRUNCATE core_breakglass, children_linkcandidate, children_identitychange, "
            "children_sourcerecordversion, " + ", ".join(tables) + " CASCADE"
        )
        cursor.execute("SELECT setseed(0.20261125)")
        # Name tables with their rank, and a weight falling with it (a Zipf-like share).
        cursor.execute("DROP TABLE IF EXISTS bench_given, bench_family")
        cursor.execute("CREATE TABLE bench_given (rank int PRIMARY KEY, name text, key text)")
        cursor.execute("CREATE TABLE bench_family (rank int PRIMARY KEY, name text, key text)")
        cursor.executemany(
            "INSERT INTO bench_given VALUES (%s, %s, %s)",
            [(i, n, k) for i, (n, k, _) in enumerate(given)],
        )
        cursor.executemany(
            "INSERT INTO bench_family VALUES (%s, %s, %s)",
            [(i, n, k) for i, (n, k) in enumerate(family)],
        )
    restore_indexes()  # what an interrupted build dropped
    with connection.cursor() as cursor:
        # Written down before they are dropped, so that an interrupted build restores them.
        cursor.execute(
            "CREATE TABLE bench_child_dropped (tbl text, kind text, name text, definition text)"
        )
        for table in tables:
            constraints, indexes = secondary_indexes(table)
            for kind, found in (("constraint", constraints), ("index", indexes)):
                for name, definition in found:
                    cursor.execute(
                        "INSERT INTO bench_child_dropped VALUES (%s, %s, %s, %s)",
                        [table, kind, name, definition],
                    )
            for name, _ in constraints:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        # Foreign keys are not checked during the load: the SQL makes them right.
        cursor.execute("SET session_replication_role = replica")

    from safeguarding.core.models import Agency
    from safeguarding.demo.names import CHILD_FAMILY_NAMES, CHILD_GIVEN_NAMES_FEMALE

    for code, name, kind, *_ in AGENCIES:
        Agency.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
    n_given, n_female = len(given), len(CHILD_GIVEN_NAMES_FEMALE)
    n_family_common, n_family = len(CHILD_FAMILY_NAMES), len(family)
    with transaction.atomic():
        # Ranks: power(random(), 1.6) favours the first names of each list.
        step(
            "children",
            f"""
            INSERT INTO children_child (id, public_id, pseudonym, given_name, family_name,
                date_of_birth, sex, nhs_number, upn, postcode, identity_sources,
                given_name_key, family_name_key, merged_into_id, created_at, updated_at)
            SELECT c.g, gen_random_uuid(), 'C-' || lpad(c.g::text, 8, '0'), bg.name, bf.name,
                date '2008-01-01' + (c.r3 * 6500)::int,
                CASE WHEN bg.rank < {n_female} THEN 'F' ELSE 'M' END,
                CASE WHEN c.g % 10 < 9 THEN bench_nhs(400000000 + c.g) ELSE '' END,
                '', 'WM' || (1 + c.g % 14) || ' ' || (c.g % 9) || 'AB',
                '{{"given_name": "LA", "family_name": "LA", "date_of_birth": "HEALTH",
                   "nhs_number": "HEALTH"}}'::jsonb,
                bg.key, bf.key, NULL, now(), now()
            FROM (
                SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4
                FROM generate_series(1, {children}) AS g
            ) c
            JOIN bench_given bg ON bg.rank = floor(power(c.r1, 1.6) * {n_given})::int
            JOIN bench_family bf ON bf.rank = CASE
                WHEN c.r4 < 0.67 THEN floor(power(c.r2, 1.6) * {n_family_common})::int
                ELSE {n_family_common} + floor(c.r2 * {n_family - n_family_common})::int END
            """,
        )
        for index, (code, _, kind, share, _, _) in enumerate(AGENCIES):
            nhs = "c.nhs_number" if kind.startswith("health") else "''"
            step(
                f"records of {code}",
                f"""
                INSERT INTO children_sourcerecord (id, agency_id, record_id, child_id,
                    given_name, family_name, other_names, date_of_birth, sex, address,
                    postcode, nhs_number, upn, attributes, needs_linking, link_method,
                    link_probability, import_batch_id, created_at, updated_at)
                SELECT {index + 1} * 10000000 + c.id, a.id, %s || '-' || lpad(c.id::text, 8, '0'),
                    c.id, c.given_name, c.family_name, '', c.date_of_birth, c.sex, '',
                    c.postcode, {nhs}, '', '{{}}'::jsonb, false, 'model', 0.999, NULL,
                    now(), now()
                FROM children_child c, core_agency a
                WHERE a.code = %s AND (c.id * 7 + {index * 13}) %% 100 < {share}
                """,
                [code, code],
            )
        scale = events / sum(a[3] / 100 * a[4] * children for a in AGENCIES)
        for code, _, _, _, mean, kinds in AGENCIES:
            kinds_sql = "ARRAY[" + ", ".join(f"'{k}'" for k in kinds) + "]"
            step(
                f"events of {code}",
                f"""
                INSERT INTO children_childevent (source_record_id, child_id, agency_id,
                    event_type, occurred_at, summary, restricted, fingerprint,
                    import_batch_id, created_at)
                SELECT r.id, r.child_id, r.agency_id, e.kind,
                    timestamptz '2014-01-01 00:00+00' + e.r2 * interval '4380 days',
                    (ARRAY[{", ".join(f"'{s}'" for s in SUMMARIES)}])[1 + (e.n % {len(SUMMARIES)})],
                    e.kind = 'police_intelligence',
                    md5(r.id || '-' || e.n), NULL, now()
                FROM children_sourcerecord r
                CROSS JOIN LATERAL (
                    SELECT n, random() AS r2,
                        ({kinds_sql})[1 + floor(random() * {len(kinds)})::int] AS kind
                    -- r.id keeps the subquery correlated, so it is drawn again per record.
                    FROM generate_series(
                        1, floor(-ln(1 - random()) * {mean * scale:.4f} + 0.5 + 0 * r.id)::int
                    ) AS n
                ) e
                WHERE r.agency_id = (SELECT id FROM core_agency WHERE code = '{code}')
                  AND r.child_id NOT IN ({FEW_EVENTS_CHILD}, {MANY_EVENTS_CHILD})
                """,
            )
        for child_id, count in ((FEW_EVENTS_CHILD, FEW_EVENTS), (MANY_EVENTS_CHILD, MANY_EVENTS)):
            step(
                f"{count:,} events of child {child_id}",
                f"""
                INSERT INTO children_childevent (source_record_id, child_id, agency_id,
                    event_type, occurred_at, summary, restricted, fingerprint,
                    import_batch_id, created_at)
                SELECT r.id, r.child_id, r.agency_id,
                    (ARRAY['mash_contact', 'cp_start', 'missing_episode'])[1 + n % 3],
                    timestamptz '2014-01-01 00:00+00' + n * interval '3 days',
                    'Entry ' || n, false, md5(r.id || '-' || n), NULL, now()
                FROM children_sourcerecord r, generate_series(1, {count}) AS n
                WHERE r.child_id = {child_id}
                  AND r.agency_id = (SELECT id FROM core_agency WHERE code = 'LA')
                """,
            )
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = origin")
    restore_indexes()
    with connection.cursor() as cursor:
        for table in ("children_child", "children_sourcerecord", "children_childevent"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    step("VACUUM ANALYZE", "VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM children_childevent")
        (event_count,) = cursor.fetchone()
        cursor.execute("CREATE TABLE bench_child_built (children int, events int, built_at text)")
        cursor.execute(
            "INSERT INTO bench_child_built VALUES (%s, %s, %s)",
            [children, events, datetime.now(UTC).isoformat(timespec="seconds")],
        )
    print(
        f"Built in {time.perf_counter() - started:.0f} s: {children:,} children, "
        f"{event_count:,} events."
    )


NHS_FUNCTION = """
CREATE OR REPLACE FUNCTION bench_nhs(base bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN c = 10 THEN '' ELSE base::text || (CASE WHEN c = 11 THEN 0 ELSE c END)::text END
  FROM (SELECT 11 - (sum(substr(base::text, i, 1)::int * (11 - i)) % 11) AS c
        FROM generate_series(1, 9) AS i) s
$$
"""


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
