"""The population the child benchmark measures: a million children and ten million events.

Built once in the database bench_child with set-based SQL (see bench_child.py) and kept
between runs; `built_sizes` tells what a previous run left.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

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
