"""The data set's analysis: SPC and headlines for 500 indicators × 60 periods, and the
executive dashboard, on SQLite and PostgreSQL.

Part one is the arithmetic alone, in this process: 500 series of 60 points (levels,
shifts, trends and spikes drawn from a fixed seed) through `spc.analyse` and the headline
rules, then ranked, --insight-rounds times (best and median reported).

Part two, for each database (bench/results/bench_insight.sqlite3 and the PostgreSQL
database bench_insight, kept between runs) in a subprocess: --insight-indicators
indicators (default 500) with 60 monthly values each (30,000 rows), then
- `queries.year_headlines` for a year over all of them, from the database (best of 5);
- the executive dashboard (django.test.Client, DEBUG off) with --insight-dashboard
  indicators active (default 60, a large partnership's data set; the rest retired),
  timed over --insight-requests requests after a warm-up, with its query count.

Targets (issue 6): SPC and headlines for 500 × 60 in <= 1 s; dashboard p95 <= 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from dataclasses import asdict
from typing import Any

import harness

NAME = "insight"
DESCRIPTION = (
    "SPC and headlines for 500 indicators x 60 periods (pure and from the database) and the "
    "executive dashboard p95, on SQLite and PostgreSQL"
)
DATABASE_NAME = "bench_insight"
INDICATORS = 500
PERIODS = 60
DASHBOARD = 60
REQUESTS = 100
WARMUP = 10
ROUNDS = 5
SEED = 20261125
TARGET_ANALYSIS_S = 1.0
TARGET_DASHBOARD_P95_MS = 300.0
EXECUTIVE_EMAIL = "executive@icb.bench.example"
FIRST = dt.date(2020, 4, 1)


def add_arguments(group: argparse._ArgumentGroup) -> None:
    group.add_argument("--insight-indicators", type=int, default=INDICATORS)
    group.add_argument("--insight-dashboard", type=int, default=DASHBOARD)
    group.add_argument("--insight-requests", type=int, default=REQUESTS)
    group.add_argument("--insight-rounds", type=int, default=ROUNDS)
    group.add_argument("--insight-rebuild", action="store_true", help="build the data again")


def series(rng: random.Random, n: int) -> list[float]:
    """A level with noise, and one of: nothing, a shift, a trend, a spike."""
    level = rng.uniform(10, 500)
    noise = level * rng.uniform(0.03, 0.12)
    values = [level + rng.gauss(0, noise) for _ in range(n)]
    kind = rng.choice(["none", "shift", "trend", "spike"])
    if kind == "shift":
        start = rng.randrange(n // 2, n - 7)
        for i in range(start, n):
            values[i] += noise * 2
    elif kind == "trend":
        for k, i in enumerate(range(n - 9, n)):
            values[i] = level + noise * 0.4 * k
    elif kind == "spike":
        values[rng.randrange(n)] += noise * 6
    return [max(v, 0.0) for v in values]


def analyse_all(all_series: list[list[float]]) -> int:
    from safeguarding.insight import headlines, spc
    from safeguarding.insight.periods import Frequency, Period

    periods = [Period(FIRST, Frequency.MONTHLY).shift(i) for i in range(len(all_series[0]))]
    found: list[headlines.Headline] = []
    year = periods[-1].year
    for k, values in enumerate(all_series):
        analysis = spc.analyse(values, spc.Direction.UP, target=values[0])
        this = [v for v, p in zip(values, periods, strict=True) if p.year == year]
        last = [v for v, p in zip(values, periods, strict=True) if p.year == year - 1]
        facts = headlines.SeriesFacts(
            code=f"i{k}",
            title=f"Indicator {k}",
            unit="count",
            frequency=Frequency.MONTHLY,
            periods=periods,
            analysis=analysis,
            this_year=sum(this) / len(this),
            last_year=sum(last[: len(this)]) / len(this),
            year=year,
            comparators=(("England", values[0]),),
        )
        found.extend(headlines.headlines_for(facts, spc.Direction.UP))
    return len(headlines.rank(found))


def run(args: argparse.Namespace) -> None:
    if args.database:
        measure(args.database, args)
        return
    harness.setup_django(harness.sqlite_url(DATABASE_NAME))  # for the imports only
    rng = random.Random(SEED)
    all_series = [series(rng, PERIODS) for _ in range(INDICATORS)]
    timings = []
    count = 0
    for _ in range(args.insight_rounds):
        started = time.perf_counter()
        count = analyse_all(all_series)
        timings.append(time.perf_counter() - started)
    best, median = min(timings), statistics.median(timings)
    print(
        f"SPC and headlines, {INDICATORS} indicators x {PERIODS} periods (pure): best "
        f"{best * 1000:.0f} ms, median {median * 1000:.0f} ms, {count} headlines"
    )
    options = [
        "--insight-indicators",
        str(args.insight_indicators),
        "--insight-dashboard",
        str(args.insight_dashboard),
        "--insight-requests",
        str(args.insight_requests),
    ] + ["--insight-rebuild"] * args.insight_rebuild
    failed = []
    for vendor, url in (
        ("sqlite", harness.sqlite_url(DATABASE_NAME)),
        ("postgresql", harness.postgres_url(DATABASE_NAME)),
    ):
        if url is None:
            continue
        print(f"--- {vendor}: {url}")
        (harness.RESULTS_DIR / f"{NAME}-{vendor}.json").unlink(missing_ok=True)
        if harness.run_child(NAME, url, options) != 0:
            failed.append(vendor)
    rows = [["pure Python", "SPC + headlines 500 x 60", f"{best * 1000:.0f} ms", "", ""]]
    for vendor in ("sqlite", "postgresql"):
        results = harness.load_results(NAME, vendor)
        if results is None:
            continue
        rows.append(
            [vendor, "year_headlines 500 x 60", f"{results['headlines_ms']:.0f} ms", "", ""]
        )
        summary = results["dashboard"]["summary"]
        rows.append(
            [
                vendor,
                f"dashboard, {results['dashboard_indicators']} indicators",
                f"p50 {summary['p50']:.1f} ms",
                f"p95 {summary['p95']:.1f} ms",
                results["dashboard"]["queries"],
            ]
        )
    print()
    print(harness.table(["where", "what", "time", "p95", "queries"], rows))
    print(
        f"Targets: SPC and headlines <= {TARGET_ANALYSIS_S:.0f} s; dashboard p95 <= "
        f"{TARGET_DASHBOARD_P95_MS:.0f} ms."
    )
    if failed:
        raise SystemExit(f"The insight benchmark failed on {', '.join(failed)}.")


# --- One database, in its own process ------------------------------------------------


def build(indicators: int) -> None:
    from django.db import transaction

    from safeguarding.core.models import Agency, RoleGrant, User
    from safeguarding.core.roles import Role
    from safeguarding.insight.models import Indicator, Submission
    from safeguarding.insight.periods import Frequency, Period

    rng = random.Random(SEED)
    print(f"Building {indicators:,} indicators x {PERIODS} monthly values…")
    with transaction.atomic():
        Submission.objects.all().delete()
        Indicator.objects.all().delete()
        agency, _ = Agency.objects.get_or_create(
            code="LA", defaults={"name": "Benchmark Council", "kind": "local_authority"}
        )
        icb, _ = Agency.objects.get_or_create(
            code="ICB", defaults={"name": "Benchmark ICB", "kind": "health_icb"}
        )
        executive, _ = User.objects.get_or_create(
            email=EXECUTIVE_EMAIL, defaults={"full_name": "Bench Executive", "agency": icb}
        )
        RoleGrant.objects.get_or_create(user=executive, role=Role.EXECUTIVE)
        made = Indicator.objects.bulk_create(
            Indicator(
                code=f"bench-{k:04d}",
                title=f"Benchmark indicator {k}",
                definition="A benchmark series.",
                unit="count",
                better_direction=rng.choice(["up", "down", "neither"]),
                frequency="monthly",
                source_agency=agency,
            )
            for k in range(indicators)
        )
        periods = [Period(FIRST, Frequency.MONTHLY).shift(i) for i in range(PERIODS)]
        rows = []
        for indicator in made:
            for period, value in zip(periods, series(rng, PERIODS), strict=True):
                rows.append(
                    Submission(
                        indicator=indicator,
                        period_start=period.start,
                        agency=agency,
                        value=round(value),
                        channel="demo",
                    )
                )
        Submission.objects.bulk_create(rows, batch_size=5000)


def measure(database_url: str, args: argparse.Namespace) -> None:
    harness.setup_django(database_url)
    from allauth.mfa.models import Authenticator
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from safeguarding.core.models import User
    from safeguarding.core.tests.factories import enrol_totp
    from safeguarding.insight import queries
    from safeguarding.insight.models import Indicator, Submission

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if (
        args.insight_rebuild
        or Indicator.objects.count() != args.insight_indicators
        or Submission.objects.count() != args.insight_indicators * PERIODS
    ):
        build(args.insight_indicators)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  {harness.database_description()}: {Submission.objects.count():,} values")
    Indicator.objects.update(active=True)
    year = queries.latest_year()
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        found = queries.year_headlines(year)
        timings.append(time.perf_counter() - started)
    headlines_ms = min(timings) * 1000
    print(
        f"  year_headlines over {args.insight_indicators} indicators: {headlines_ms:.0f} ms, {len(found)} headlines"
    )
    keep = list(
        Indicator.objects.order_by("code").values_list("pk", flat=True)[: args.insight_dashboard]
    )
    Indicator.objects.exclude(pk__in=keep).update(active=False)
    executive = User.objects.get(email=EXECUTIVE_EMAIL)
    if not Authenticator.objects.filter(user=executive).exists():
        enrol_totp(executive)
    client = Client()
    client.force_login(executive)

    def fetch(url: str) -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response

    dashboard = harness.time_requests(
        fetch,
        lambda: reverse("insight:dashboard"),
        requests=args.insight_requests,
        warmup=WARMUP,
        counted=3,
        label=f"dashboard, {len(keep)} indicators",
    )
    Indicator.objects.update(active=True)
    harness.save_results(
        NAME,
        connection.vendor,
        {
            "headlines_ms": headlines_ms,
            "dashboard_indicators": len(keep),
            "dashboard": {"summary": asdict(dashboard.summary), "queries": dashboard.queries},
        },
    )
