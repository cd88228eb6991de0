"""The whole annual report in all three formats at demo scale, on SQLite and PostgreSQL.

For each database (bench/results/bench_reports.sqlite3 and the PostgreSQL database
bench_reports, kept between runs) a subprocess migrates it and, unless the demo
partnership is there already, builds it (`safeguarding demo --seed 1 --scale 1 --reset`,
about a minute). It then times what `safeguarding report annual 2024-25 --format F -o
FILE` does for each format, from today's records (the draft path: every data block
worked out again from the modules, not the published snapshot): draw the report, then
write HTML, PDF (WeasyPrint) and Word (python-docx). Each round draws the report once per
format, as three runs of the command would; three rounds, the median reported.

Target (issue 9): the whole report in all three formats in <= 15 s at demo scale.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import harness

NAME = "reports"
DESCRIPTION = (
    "the 2024/25 annual report drawn from the demo partnership's records and written as "
    "HTML, PDF and DOCX, on SQLite and PostgreSQL: seconds per format and in all"
)
DATABASE_NAME = "bench_reports"
ROUNDS = 3
TARGET_SECONDS = 15.0


def run(args: argparse.Namespace) -> None:
    if args.database:
        measure(args.database)
        return
    failed = []
    for vendor, url in (
        ("sqlite", harness.sqlite_url(DATABASE_NAME)),
        ("postgresql", harness.postgres_url(DATABASE_NAME)),
    ):
        if url is None:
            continue
        print(f"--- {vendor}: {url}")
        if harness.run_child(NAME, url) != 0:
            failed.append(vendor)
    rows = []
    for vendor in ("sqlite", "postgresql"):
        results = harness.load_results(NAME, vendor)
        if results is None:
            continue
        rows.append(
            [
                results["database"],
                *(f"{results['seconds'][f]:.2f}" for f in ("draw", "html", "pdf", "docx")),
                f"{results['seconds']['total']:.2f}",
                "yes" if results["seconds"]["total"] <= TARGET_SECONDS else "NO",
            ]
        )
    print(
        harness.table(
            ["database", "draw (s)", "HTML (s)", "PDF (s)", "DOCX (s)", "all three (s)", "<= 15 s"],
            rows,
        )
    )
    if failed:
        raise SystemExit(f"The reports benchmark failed on {', '.join(failed)}.")


def measure(database_url: str) -> None:
    harness.setup_django(database_url)
    from django.core.management import call_command

    from safeguarding.reports import outputs, queries
    from safeguarding.reports.models import AnnualReport

    call_command("migrate", verbosity=0)
    if not AnnualReport.objects.filter(year=2024).exists():
        print("Building the demo partnership (seed 1, scale 1)…")
        call_command("demo", seed=1, scale=1, reset=True, verbosity=0)
    report = AnnualReport.objects.get(year=2024)
    rounds: list[dict[str, float]] = []
    sizes: dict[str, int] = {}
    for _ in range(ROUNDS):
        seconds: dict[str, float] = {"draw": 0.0}
        for fmt in outputs.FORMATS:
            started = time.perf_counter()
            document = queries.draw_live(report)
            drawn = time.perf_counter()
            sizes[fmt] = len(outputs.render(document, fmt))
            seconds["draw"] += drawn - started
            seconds[fmt] = time.perf_counter() - drawn
        seconds["draw"] /= len(outputs.FORMATS)
        seconds["total"] = sum(seconds[f] for f in outputs.FORMATS) + seconds["draw"] * 3
        rounds.append(seconds)
    median = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    figures = len(queries.figures_of(queries.draw_live(report)))
    database = harness.database_description()
    print(
        f"  {database}: {figures} figures; "
        + ", ".join(f"{k} {v:.2f} s" for k, v in median.items())
    )
    print("  sizes: " + ", ".join(f"{k} {v:,} bytes" for k, v in sizes.items()))
    results: dict[str, Any] = {
        "database": database,
        "seconds": median,
        "sizes": sizes,
        "figures": figures,
    }
    harness.save_results(NAME, "postgresql" if "PostgreSQL" in database else "sqlite", results)
