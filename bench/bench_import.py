"""Importing a persons extract: rows per second checked and loaded, beside DuckDB's floor.

The parent process writes a synthetic persons CSV (--rows, default 1 million: random
names, dates of birth in dd/mm/yyyy, valid NHS numbers on most rows, UPNs on some, a
column the hub keeps as an attribute, and about 0.2% of rows with a problem), then
times DuckDB reading the same file into a table of its own with every column as text:
the floor, the least any reader of the file could take. Then, on a fresh SQLite file
and a fresh PostgreSQL database, a subprocess migrates and times
`imports.actions.import_extract` (with load_valid_rows, so the faulty rows are rejected and the
rest loaded) twice: the first load (every record new) and a re-import of the same file
(every record unchanged). It prints rows per second, the ratio to the floor and the
process's peak memory.

Target: at least 100,000 rows/s checked and loaded for a 1 million-row persons file.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import harness

NAME = "import"
DESCRIPTION = (
    "rows/s checked and loaded for a 1 million-row persons CSV on SQLite and PostgreSQL, "
    "beside the time DuckDB takes to read the same file"
)

DATABASE_NAME = "bench_import"
ROWS = 1_000_000
SEED = 20261125
TARGET_ROWS_PER_SECOND = 100_000
AGENCY_CODE = "BENCH-HEALTH"

GIVEN = [
    "Oliver",
    "George",
    "Noah",
    "Arthur",
    "Muhammad",
    "Leo",
    "Harry",
    "Oscar",
    "Archie",
    "Henry",
    "Theodore",
    "Freddie",
    "Jack",
    "Charlie",
    "Theo",
    "Alfie",
    "Jacob",
    "Thomas",
    "Finley",
    "Arlo",
    "William",
    "Lucas",
    "Roman",
    "Tommy",
    "Isaac",
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Ivy",
    "Freya",
    "Lily",
    "Florence",
    "Mia",
    "Willow",
    "Rosie",
    "Sophia",
    "Isabella",
    "Grace",
    "Daisy",
    "Sienna",
    "Poppy",
    "Elsie",
    "Emily",
    "Ella",
    "Evelyn",
    "Phoebe",
    "Sofia",
    "Evie",
    "Charlotte",
    "Aria",
]
FAMILY = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Thomas",
    "Clarke",
    "Jackson",
    "Wood",
    "Harris",
    "Edwards",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Hughes",
    "Moore",
    "Clark",
    "King",
    "Harrison",
    "Lewis",
    "Baker",
    "Lee",
    "Allen",
    "Morris",
    "Khan",
    "Scott",
    "Watson",
    "Davis",
    "Parker",
    "James",
    "Bennett",
    "Young",
    "Phillips",
    "Richardson",
]
STREETS = [
    "Station Road",
    "High Street",
    "Church Lane",
    "Mill Lane",
    "Park Avenue",
    "Victoria Road",
]
TOWNS = ("Testtown", "Exampleham", "Sampleford", "Mockbury")
POSTCODE_AREAS = ("TS1", "TS2", "TS3", "TS4", "EX1", "EX2", "SF5", "MB7")
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
TEAMS = ("Health visiting", "School nursing", "Paediatrics", "CAMHS", "Midwifery")
HEADER = (
    "record_id",
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "nhs_number",
    "upn",
    "Team",
)


def add_arguments(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--rows", type=int, default=ROWS, help=f"rows in the persons file (default {ROWS:,})"
    )
    group.add_argument(
        "--import-database",
        default=DATABASE_NAME,
        metavar="NAME",
        help=f"name of the SQLite file and PostgreSQL database (default {DATABASE_NAME})",
    )


def run(args: argparse.Namespace) -> None:
    path = harness.RESULTS_DIR / f"import-persons-{args.rows}.csv"
    if args.database:
        measure(args.database, path)
        return
    harness.RESULTS_DIR.mkdir(exist_ok=True)
    if path.exists():
        print(f"Using {path.name} ({path.stat().st_size / 1e6:.0f} MB) written before.")
    else:
        started = time.perf_counter()
        write_extract(path, args.rows)
        print(
            f"Wrote {path.name}: {args.rows:,} rows, {path.stat().st_size / 1e6:.0f} MB "
            f"in {time.perf_counter() - started:.1f} s."
        )
    floor = duckdb_floor(path)
    print(
        f"DuckDB {floor['version']}: read into a table of its own in {floor['table_s']:.2f} s "
        f"({args.rows / floor['table_s']:,.0f} rows/s, the floor); into Python tuples in "
        f"{floor['fetch_s']:.2f} s."
    )
    failed = []
    for vendor, url in (
        ("sqlite", fresh_sqlite(args.import_database)),
        ("postgresql", fresh_postgres(args.import_database)),
    ):
        if url is None:
            continue
        print(f"--- {vendor}: {url}")
        (harness.RESULTS_DIR / f"{NAME}-{vendor}.json").unlink(missing_ok=True)
        if harness.run_child(NAME, url, ["--rows", str(args.rows)]) != 0:
            failed.append(vendor)
    print_summary(args.rows, floor)
    if failed:
        raise SystemExit(f"The import benchmark failed on {', '.join(failed)}.")


# --- The synthetic extract ---------------------------------------------------------------


def nhs_number(rng: random.Random) -> str:
    """A valid NHS number (999 prefix avoided: any nine digits with a check digit)."""
    while True:
        nine = f"{rng.randrange(400_000_000, 999_999_999):09d}"
        total = sum(int(d) * w for d, w in zip(nine, (10, 9, 8, 7, 6, 5, 4, 3, 2), strict=True))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return nine + str(check)


def upn(rng: random.Random) -> str:
    twelve = f"{rng.randrange(10**11, 10**12):012d}"
    total = sum(int(c) * p for p, c in enumerate(twelve, start=2))
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23] + twelve


def write_extract(path: Path, rows: int) -> None:
    rng = random.Random(SEED)
    today = datetime.now(UTC).date()
    earliest = today - timedelta(days=18 * 365)
    span = (today - earliest).days
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        batch = []
        for i in range(1, rows + 1):
            born = earliest + timedelta(days=rng.randrange(span))
            nhs = nhs_number(rng) if rng.random() < 0.7 else ""
            dob = born.strftime("%d/%m/%Y")
            fault = rng.random()
            if fault < 0.001:
                nhs = nhs[:9] + str((int(nhs[9]) + 1) % 10) if nhs else "12345"
            elif fault < 0.002:
                dob = f"31/02/{born.year}"
            batch.append(
                (
                    f"H{i:08d}",
                    rng.choice(GIVEN),
                    rng.choice(FAMILY),
                    rng.choice(GIVEN) if rng.random() < 0.1 else "",
                    dob,
                    rng.choice("FM") if rng.random() < 0.98 else "U",
                    f"{rng.randrange(1, 200)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}",
                    f"{rng.choice(POSTCODE_AREAS)} {rng.randrange(1, 10)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}",
                    nhs,
                    upn(rng) if rng.random() < 0.3 else "",
                    rng.choice(TEAMS),
                )
            )
            if len(batch) == 50_000:
                writer.writerows(batch)
                batch = []
        writer.writerows(batch)


def duckdb_floor(path: Path) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    source = f"read_csv('{path}', header = true, all_varchar = true)"
    started = time.perf_counter()
    con.execute(f"CREATE TABLE persons AS SELECT * FROM {source}")
    table_s = time.perf_counter() - started
    counted = con.execute("SELECT COUNT(*) FROM persons").fetchone()
    started = time.perf_counter()
    fetched = con.execute(f"SELECT * FROM {source}").fetchall()
    fetch_s = time.perf_counter() - started
    assert counted is not None and counted[0] == len(fetched)  # noqa: S101
    del fetched
    con.close()
    return {"version": duckdb.__version__, "table_s": table_s, "fetch_s": fetch_s}


def fresh_sqlite(name: str) -> str:
    url = harness.sqlite_url(name)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(harness.RESULTS_DIR / f"{name}.sqlite3") + suffix).unlink(missing_ok=True)
    return url


def fresh_postgres(name: str) -> str | None:
    """The database dropped and made again, so that every run loads into an empty index."""
    try:
        import psycopg
        from psycopg import sql

        with psycopg.connect(
            harness.POSTGRES_SERVER_URL, connect_timeout=5, autocommit=True
        ) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    except Exception as error:  # noqa: BLE001 - harness.postgres_url reports the reason
        print(f"Could not drop {name}: {error}")
    return harness.postgres_url(name)


# --- One database, in its own process --------------------------------------------------


def memory_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (the peak) of this process, from /proc. Not ru_maxrss: Linux
    carries the parent's peak into a child across fork and exec."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure(database_url: str, path: Path) -> None:
    harness.setup_django(database_url)
    from django.core.management import call_command
    from django.db import connection

    from safeguarding.children.imports.actions import import_extract
    from safeguarding.core.models import Agency, AgencyKind

    call_command("migrate", interactive=False, verbosity=0)
    vendor = connection.vendor
    described = harness.database_description()
    agency, _ = Agency.objects.get_or_create(
        code=AGENCY_CODE,
        defaults={"name": "Benchmark Health Trust", "kind": AgencyKind.HEALTH_TRUST},
    )
    print(f"{described}: migrated.")
    baseline = memory_mb("VmRSS")
    runs = []
    for label in ("first load", "re-import, unchanged"):
        load_before = os.getloadavg()[0]
        started, cpu_started = time.perf_counter(), time.process_time()
        result = import_extract(agency, path, kind="persons", load_valid_rows=True)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        runs.append(
            {
                "run": label,
                "seconds": round(seconds, 2),
                # This process's CPU (both its threads), not the database server's.
                "cpu_seconds": round(cpu, 2),
                "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                "rows": result.rows_read,
                "rows_per_second": round(result.rows_read / seconds),
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "rejected": result.rejected,
                "problems": len(result.problems),
                "peak_rss_mb": round(memory_mb("VmHWM")),
            }
        )
        print(
            f"{label}: {result.rows_read:,} rows in {seconds:.1f} s = "
            f"{result.rows_read / seconds:,.0f} rows/s ({result.created:,} created, "
            f"{result.unchanged:,} unchanged, {result.rejected:,} rejected); "
            f"CPU {cpu:.1f} s; peak RSS {runs[-1]['peak_rss_mb']:,} MB; "
            f"load average {load_before:.1f} before"
        )
    results = {
        "vendor": vendor,
        "database": described,
        "file": path.name,
        "file_mb": round(path.stat().st_size / 1e6),
        "baseline_rss_mb": round(baseline),
        "runs": runs,
        "cpus": os.cpu_count(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    harness.save_results(NAME, vendor, results)


def print_summary(rows: int, floor: dict[str, Any]) -> None:
    table_rows = []
    for vendor in ("sqlite", "postgresql"):
        results = harness.load_results(NAME, vendor)
        if results is None:
            continue
        for measured in results["runs"]:
            table_rows.append(
                [
                    results["database"].split(" (")[0],
                    measured["run"],
                    f"{measured['rows']:,}",
                    f"{measured['seconds']:.1f}",
                    f"{measured['cpu_seconds']:.1f}",
                    f"{measured['rows_per_second']:,}",
                    f"{measured['seconds'] / floor['table_s']:.1f}",
                    f"{measured['peak_rss_mb']:,} (from {results['baseline_rss_mb']:,})",
                ]
            )
    if not table_rows:
        return
    print()
    print(
        f"Persons CSV of {rows:,} rows; DuckDB's floor {floor['table_s']:.2f} s "
        f"({rows / floor['table_s']:,.0f} rows/s). Target: >= {TARGET_ROWS_PER_SECOND:,} rows/s."
    )
    print(
        harness.table(
            ["database", "run", "rows", "seconds", "CPU s", "rows/s", "x floor", "peak RSS MB"],
            table_rows,
        )
    )
