"""Linkage at 10k, 100k and 1M source records, and a new extract into a big index.

For each size the synthetic partnership (safeguarding/demo/extracts.py, with its truth)
is generated once and written to bench/results/ as an Arrow file of source records as the
hub stores them; a fresh process then links it with the shipped model, timing each step,
and reports its peak memory (VmHWM), so that the generator's memory is not counted.

- From scratch: every record is new, the index empty (the first run of a partnership).
  Precision, recall and F1 are pairwise against the truth: a pair of records is found
  when linkage put both in one child.
- Incremental: the index holds --index-size records already linked (each child as the
  truth has it), and --extract-size new records arrive, a seeded sample of the same
  population. Accuracy counts the pairs that involve a new record.

Targets: F1 >= 0.99 at 100k; 1M records linked in <= 3 minutes and <= 8 GB; a new 10k
extract into a 1M index in <= 20 s. The time is that of the linkage core (features,
Splink scoring, decisions), not of reading the records from a database nor writing them
back.

- Through the database: `children.linkage.link` as `safeguarding link` runs it, on SQLite
  and on PostgreSQL (when the server answers), with --database-records source records
  loaded and linked from scratch, then --extract-size more linked into them. This adds
  reading the records and the index, and writing children, links and pairs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import harness

NAME = "linkage"
DESCRIPTION = (
    "linkage precision, recall, F1, wall time and peak memory at 10k, 100k and 1M source "
    "records, and a new 10k extract linked into a 1M-record index"
)

SEED = 20261125
SIZES = "10000,100000,1000000"
INDEX_SIZE = 1_000_000
EXTRACT_SIZE = 10_000
THIS = Path(__file__).resolve()

DATABASE_RECORDS = 100_000
DATABASE_NAME = "bench_linkage"

TARGET_F1 = 0.99
TARGET_F1_AT = 100_000
TARGET_SECONDS_1M = 180.0
TARGET_GB_1M = 8.0
TARGET_INCREMENTAL_SECONDS = 20.0


def add_arguments(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--sizes", default=SIZES, help=f"record counts linked from scratch ({SIZES})"
    )
    group.add_argument("--linkage-seed", type=int, default=SEED, help="seed of the synthetic data")
    group.add_argument(
        "--index-size",
        type=int,
        default=INDEX_SIZE,
        help="records already in the index for the incremental run (0 skips it)",
    )
    group.add_argument(
        "--extract-size", type=int, default=EXTRACT_SIZE, help="new records of the incremental run"
    )
    group.add_argument(
        "--database-records",
        type=int,
        default=DATABASE_RECORDS,
        help=f"records linked through the database, SQLite and PostgreSQL ({DATABASE_RECORDS:,}; 0 skips)",
    )


# --- Data ------------------------------------------------------------------------------


def _data_file(seed: int, size: int) -> Path:
    return harness.RESULTS_DIR / f"linkage-records-{seed}-{size}.arrow"


def make_data(seed: int, size: int) -> Path:
    """The synthetic records of `size` as an Arrow file (made once, then reused)."""
    path = _data_file(seed, size)
    if path.exists():
        return path
    harness.RESULTS_DIR.mkdir(exist_ok=True)
    started = time.perf_counter()
    _in_fresh_process("data", str(seed), str(size))
    print(f"  generated {size:,} synthetic records in {time.perf_counter() - started:.0f} s")
    return path


def _write_data(seed: int, size: int) -> None:
    import linkage_data
    import pyarrow as pa
    import pyarrow.feather as feather

    from safeguarding.children.linkage import core as linkage_core
    from safeguarding.demo import extracts

    records = linkage_data.records_of(extracts.generate_records(seed, size))
    table = linkage_core.records_table(records.rows)
    table = table.append_column(
        "person_id", pa.array([records.truth[row["id"]] for row in records.rows], pa.int64())
    )
    path = _data_file(seed, size)
    feather.write_feather(table, str(path) + ".part")
    os.replace(str(path) + ".part", path)


# --- Measuring, in a fresh process ------------------------------------------------------


def _peak_gb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _scratch(seed: int, size: int) -> dict[str, Any]:
    import linkage_data
    import pyarrow.feather as feather

    from safeguarding.children import linkage
    from safeguarding.children.linkage import core as linkage_core

    table = feather.read_table(_data_file(seed, size))
    truth = dict(
        zip(
            table.column("unique_id").to_pylist(),
            table.column("person_id").to_pylist(),
            strict=True,
        )
    )
    raw = table.drop_columns(["person_id"])
    del table
    model = linkage.shipped_model()
    steps: dict[str, float] = {}
    started = time.perf_counter()
    features = linkage_core.prepare(raw)
    steps["features"] = time.perf_counter() - started
    settings = linkage_core.for_records(
        model["settings"], model["trained_on_records"], features.num_rows
    )
    mark = time.perf_counter()
    scored = linkage_core.score(features, None, settings, lower=model["lower_threshold"])
    steps["scoring"] = time.perf_counter() - mark
    mark = time.perf_counter()
    decisions = linkage_core.decide(
        features,
        None,
        scored,
        settings,
        upper=model["upper_threshold"],
        lower=model["lower_threshold"],
    )
    steps["decisions"] = time.perf_counter() - mark
    seconds = time.perf_counter() - started
    clusters = {a.record: a.group for a in decisions.assignments}
    precision, recall, f1 = linkage_data.pairwise(clusters, truth)
    return {
        "kind": "from scratch",
        "records": features.num_rows,
        "pairs_scored": decisions.pairs_scored,
        "children": decisions.new_groups,
        "true_children": len(set(truth.values())),
        "for_review": len(decisions.candidates),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "seconds": seconds,
        "steps": steps,
        "peak_gb": _peak_gb(),
    }


def _incremental(seed: int, index_size: int, extract_size: int) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.feather as feather

    from safeguarding.children import linkage
    from safeguarding.children.linkage import core as linkage_core

    table = feather.read_table(_data_file(seed, index_size + extract_size))
    ids = table.column("unique_id").to_pylist()
    new_ids = sorted(random.Random(seed).sample(ids, extract_size))
    is_new = pc.is_in(table.column("unique_id"), value_set=pa.array(new_ids, pa.int64()))
    truth = dict(zip(ids, table.column("person_id").to_pylist(), strict=True))
    # The index as if every earlier run had linked it as the truth has it.
    index_raw = table.filter(pc.invert(is_new))
    index_raw = index_raw.set_column(
        index_raw.schema.get_field_index("child_id"), "child_id", index_raw.column("person_id")
    ).drop_columns(["person_id"])
    new_raw = table.filter(is_new).drop_columns(["person_id"])
    del table
    model = linkage.shipped_model()
    steps: dict[str, float] = {}
    started = time.perf_counter()
    index = linkage_core.prepare(index_raw)
    steps["index features"] = time.perf_counter() - started
    mark = time.perf_counter()
    new = linkage_core.prepare(new_raw)
    steps["new features"] = time.perf_counter() - mark
    mark = time.perf_counter()
    settings = linkage_core.for_records(
        model["settings"], model["trained_on_records"], index.num_rows + new.num_rows
    )
    scored = linkage_core.score(new, index, settings, lower=model["lower_threshold"])
    steps["scoring"] = time.perf_counter() - mark
    mark = time.perf_counter()
    decisions = linkage_core.decide(
        new, index, scored, settings, upper=model["upper_threshold"], lower=model["lower_threshold"]
    )
    steps["decisions"] = time.perf_counter() - mark
    seconds = time.perf_counter() - started
    clusters: dict[int, Any] = {
        uid: ("child", child)
        for uid, child in zip(
            index.column("unique_id").to_pylist(), index.column("child_id").to_pylist(), strict=True
        )
    }
    for a in decisions.assignments:
        clusters[a.record] = ("child", a.child) if a.child is not None else ("new", a.group)
    precision, recall, f1 = _pairs_with_new(clusters, truth, set(new_ids))
    return {
        "kind": "incremental",
        "records": new.num_rows,
        "index": index.num_rows,
        "pairs_scored": decisions.pairs_scored,
        "children": decisions.new_groups,
        "joined": decisions.linked,
        "for_review": len(decisions.candidates),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "seconds": seconds,
        "steps": steps,
        "peak_gb": _peak_gb(),
    }


def _pairs_with_new(
    clusters: dict[int, Any], truth: dict[int, int], new: set[int]
) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 over the pairs that involve a new record."""

    def pairs(groups: Counter[Any], new_in: Counter[Any]) -> int:
        return sum(
            n * (n - 1) // 2 - (n - new_in[key]) * (n - new_in[key] - 1) // 2
            for key, n in groups.items()
        )

    def count(key_of: Any) -> int:
        groups: Counter[Any] = Counter()
        new_in: Counter[Any] = Counter()
        for uid in clusters:
            key = key_of(uid)
            groups[key] += 1
            if uid in new:
                new_in[key] += 1
        return pairs(groups, new_in)

    both = count(lambda uid: (clusters[uid], truth[uid]))
    found = count(lambda uid: clusters[uid])
    true = count(lambda uid: truth[uid])
    precision = both / found if found else 1.0
    recall = both / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _in_fresh_process(*job: str) -> dict[str, Any] | None:
    sys.stdout.flush()
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(THIS), *job],
        cwd=harness.PROJECT_DIR,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else None


def _job(argv: list[str]) -> None:
    """A fresh process: make data, or link it and print the figures as one JSON line."""
    sys.path.insert(0, str(THIS.parent))
    sys.path.insert(0, str(harness.PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
    import django

    django.setup()
    kind, *numbers = argv
    values = [int(n) for n in numbers]
    if kind == "data":
        _write_data(*values)
        return
    found = _scratch(*values) if kind == "scratch" else _incremental(*values)
    print(json.dumps(found))


# --- The report -------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    if args.database:
        _through_database(
            args.database, args.linkage_seed, args.database_records, args.extract_size
        )
        return
    seed = args.linkage_seed
    sizes = [int(size) for size in str(args.sizes).split(",") if size.strip()]
    results: list[dict[str, Any]] = []
    for size in sizes:
        make_data(seed, size)
        found = _in_fresh_process("scratch", str(seed), str(size))
        if found:
            results.append(found)
            _say(found)
    if args.index_size:
        make_data(seed, args.index_size + args.extract_size)
        found = _in_fresh_process(
            "incremental", str(seed), str(args.index_size), str(args.extract_size)
        )
        if found:
            results.append(found)
            _say(found)
    print()
    print(
        harness.table(
            (
                "run",
                "records",
                "pairs scored",
                "precision",
                "recall",
                "F1",
                "for review",
                "seconds",
                "peak GB",
            ),
            [
                (
                    r["kind"]
                    if r["kind"] == "from scratch"
                    else f"{r['records']:,} into {r['index']:,}",
                    f"{r['records']:,}",
                    f"{r['pairs_scored']:,}",
                    f"{r['precision']:.4f}",
                    f"{r['recall']:.4f}",
                    f"{r['f1']:.4f}",
                    f"{r['for_review']:,}",
                    f"{r['seconds']:.1f}",
                    f"{r['peak_gb']:.2f}",
                )
                for r in results
            ],
        )
    )
    _targets(results)
    path = harness.save_results(NAME, "duckdb", {"seed": seed, "runs": results})
    print(f"\nSaved to {path.relative_to(harness.PROJECT_DIR)}")
    if args.database_records:
        _databases(args)


# --- Through the database -----------------------------------------------------------------


def _databases(args: argparse.Namespace) -> None:
    make_data(args.linkage_seed, args.database_records + args.extract_size)
    options = [
        "--linkage-seed",
        str(args.linkage_seed),
        "--database-records",
        str(args.database_records),
        "--extract-size",
        str(args.extract_size),
    ]
    sqlite = Path(harness.sqlite_url(DATABASE_NAME).removeprefix("sqlite:///"))
    sqlite.unlink(missing_ok=True)
    urls = [("sqlite", harness.sqlite_url(DATABASE_NAME))]
    _drop_postgres_database()
    postgres = harness.postgres_url(DATABASE_NAME)
    if postgres:
        urls.append(("postgresql", postgres))
    for vendor, url in urls:
        print(f"--- through the database, {vendor}")
        if harness.run_child(NAME, url, options) != 0:
            raise SystemExit(f"The linkage benchmark failed on {vendor}.")


def _drop_postgres_database() -> None:
    """Each run starts from an empty database (the records are loaded afresh)."""
    try:
        import psycopg
        from psycopg import sql

        with psycopg.connect(
            harness.POSTGRES_SERVER_URL, connect_timeout=5, autocommit=True
        ) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(DATABASE_NAME))
            )
    except Exception as error:  # noqa: BLE001 - no server: postgres_url says so next
        print(f"PostgreSQL: could not drop {DATABASE_NAME} ({type(error).__name__}).")


def _through_database(url: str, seed: int, records: int, extract: int) -> None:
    harness.setup_django(url)
    import linkage_data
    import pyarrow.feather as feather
    from django.core.management import call_command

    from safeguarding.children import linkage
    from safeguarding.children.models import SourceRecord
    from safeguarding.core.access import SystemAccess
    from safeguarding.core.models import Agency, AgencyKind

    call_command("migrate", interactive=False, verbosity=0)
    system = SystemAccess("linkage benchmark")
    agency, _ = Agency.objects.get_or_create(
        code="BENCH", defaults={"name": "Benchmark agency", "kind": AgencyKind.OTHER}
    )
    table = feather.read_table(_data_file(seed, records + extract))
    rows = table.to_pylist()
    truth = {row["unique_id"]: row["person_id"] for row in rows}
    later = set(random.Random(seed).sample(sorted(truth), extract))

    def load(chosen: list[dict[str, Any]]) -> float:
        started = time.perf_counter()
        fields = (
            "given_name",
            "family_name",
            "other_names",
            "address",
            "postcode",
            "nhs_number",
            "upn",
        )
        system.source_records().bulk_create(
            [
                SourceRecord(
                    agency=agency,
                    record_id=str(row["unique_id"]),
                    date_of_birth=row["date_of_birth"],
                    sex=row["sex"] or "U",
                    needs_linking=True,
                    **{field: row[field] or "" for field in fields},
                )
                for row in chosen
            ],
            batch_size=5000,
        )
        return time.perf_counter() - started

    figures = []
    for label, chosen in (
        (f"{records:,} records from scratch", [r for r in rows if r["unique_id"] not in later]),
        (f"{extract:,} new into {records:,}", [r for r in rows if r["unique_id"] in later]),
    ):
        loaded = load(chosen)
        started = time.perf_counter()
        run = linkage.link(system)
        seconds = time.perf_counter() - started
        clusters = {
            int(record_id): child
            for record_id, child in system.source_records().values_list("record_id", "child_id")
        }
        precision, recall, f1 = linkage_data.pairwise(clusters, truth)
        figures.append(
            (
                label,
                f"{loaded:.1f}",
                f"{seconds:.1f}",
                run.linked_automatically,
                run.new_children,
                run.sent_for_review,
                f"{f1:.4f}",
            )
        )
        print(
            f"  {label}: linked in {seconds:.1f} s (loading the records took {loaded:.1f} s); F1 so far {f1:.4f}"
        )
    print(
        harness.table(
            (
                f"{harness.database_description()}",
                "load s",
                "link s",
                "joined",
                "new children",
                "for review",
                "F1",
            ),
            figures,
        )
    )


def _say(found: dict[str, Any]) -> None:
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in found["steps"].items())
    what = (
        f"{found['records']:,} records from scratch"
        if found["kind"] == "from scratch"
        else f"{found['records']:,} new records into an index of {found['index']:,}"
    )
    print(
        f"  {what}: F1 {found['f1']:.4f} (precision {found['precision']:.4f}, recall "
        f"{found['recall']:.4f}) in {found['seconds']:.1f} s ({steps}), peak {found['peak_gb']:.2f} GB"
    )


def _targets(results: list[dict[str, Any]]) -> None:
    print()
    for r in results:
        if (
            r["kind"] == "from scratch"
            and r["records"] >= TARGET_F1_AT * 0.95
            and r["records"] <= TARGET_F1_AT * 1.05
        ):
            ok = r["f1"] >= TARGET_F1
            print(f"Target F1 >= {TARGET_F1} at 100k: {r['f1']:.4f} {'met' if ok else 'MISSED'}")
        if r["kind"] == "from scratch" and r["records"] >= 950_000:
            ok = r["seconds"] <= TARGET_SECONDS_1M and r["peak_gb"] <= TARGET_GB_1M
            print(
                f"Target 1M in <= {TARGET_SECONDS_1M:.0f} s and <= {TARGET_GB_1M:.0f} GB: "
                f"{r['seconds']:.0f} s, {r['peak_gb']:.2f} GB {'met' if ok else 'MISSED'}"
            )
        if r["kind"] == "incremental":
            ok = r["seconds"] <= TARGET_INCREMENTAL_SECONDS
            print(
                f"Target {r['records']:,} into {r['index']:,} in <= {TARGET_INCREMENTAL_SECONDS:.0f} s: "
                f"{r['seconds']:.1f} s {'met' if ok else 'MISSED'}"
            )


if __name__ == "__main__":
    _job(sys.argv[1:])
