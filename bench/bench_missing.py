"""The missing tracker's pages at 50,000 episodes, on SQLite and PostgreSQL.

For each database (bench/results/bench_missing.sqlite3 and the PostgreSQL database
bench_missing, kept between runs) a subprocess migrates it and, unless the same sizes
are there already, fills it: --missing-children children (default 20,000) known to the
council and the police, --missing-episodes episodes (default 50,000) over two years
reported by the police, nearly all returned, each with its return home interview (a few
never offered, so the overdue list is not empty), and a third of the children repeat
missing. A council practitioner is involved with every child: the worst case for the
access rule, which must be checked for every row a list shows.

It then times, with django.test.Client (DEBUG off), after a warm-up:
- the tracker's children missing now and its list of every episode (a random page of the
  first 20: the list pages through 1,000 at most);
- the overdue interviews; the repeat-missing list;
- a child's missing page; the monthly figures (an analyst).

Target (issue 5): tracker pages p95 <= 200 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import asdict
from datetime import timedelta
from typing import Any

import harness

NAME = "missing"
DESCRIPTION = (
    "missing tracker pages (open and all episodes, overdue interviews, repeat missing, a "
    "child's page, figures) at 50,000 episodes on SQLite and PostgreSQL: p50/p95 and queries"
)
DATABASE_NAME = "bench_missing"
CHILDREN = 20_000
EPISODES = 50_000
REQUESTS = 100
WARMUP = 10
SEED = 20261125
TARGET_P95_MS = 200.0
PRACTITIONER = "practitioner@council.bench.example"
ANALYST = "analyst@council.bench.example"


def add_arguments(group: argparse._ArgumentGroup) -> None:
    group.add_argument("--missing-children", type=int, default=CHILDREN)
    group.add_argument("--missing-episodes", type=int, default=EPISODES)
    group.add_argument("--missing-requests", type=int, default=REQUESTS)
    group.add_argument("--missing-rebuild", action="store_true", help="build the data again")


def run(args: argparse.Namespace) -> None:
    if args.database:
        measure(args.database, args)
        return
    options = [
        "--missing-children",
        str(args.missing_children),
        "--missing-episodes",
        str(args.missing_episodes),
        "--missing-requests",
        str(args.missing_requests),
    ] + ["--missing-rebuild"] * args.missing_rebuild
    harness.run_on_each_database(NAME, DATABASE_NAME, options, TARGET_P95_MS)


# --- One database, in its own process ------------------------------------------------


def build(children: int, episodes: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from safeguarding.children.models import Child, SourceRecord
    from safeguarding.core.models import Agency, RoleGrant, User
    from safeguarding.core.roles import Role
    from safeguarding.missing.clock import interview_due
    from safeguarding.missing.models import (
        Episode,
        InterviewStatus,
        MissingProfile,
        ReturnInterview,
        SchoolNotice,
    )

    rng = random.Random(SEED)
    started = time.perf_counter()
    print(f"Building {children:,} children and {episodes:,} episodes…", flush=True)
    with transaction.atomic():
        SchoolNotice.objects.all().delete()
        ReturnInterview.objects.all().delete()
        MissingProfile.objects.all().delete()
        Episode.objects.all().delete()
        SourceRecord.objects.all().delete()
        Child.objects.all().delete()
        council, _ = Agency.objects.get_or_create(
            code="LA", defaults={"name": "Benchmark Council", "kind": "local_authority"}
        )
        police, _ = Agency.objects.get_or_create(
            code="POLICE", defaults={"name": "Benchmark Police", "kind": "police"}
        )
        charity, _ = Agency.objects.get_or_create(
            code="CHARITY", defaults={"name": "Benchmark Charity", "kind": "voluntary"}
        )
        for email, role in ((PRACTITIONER, Role.PRACTITIONER), (ANALYST, Role.ANALYST)):
            user, _ = User.objects.get_or_create(
                email=email, defaults={"full_name": email.split("@")[0], "agency": council}
            )
            RoleGrant.objects.get_or_create(user=user, role=role)
        made = Child.objects.bulk_create(
            [
                Child(given_name=f"Given{i}", family_name=f"Family{i % 5000}")
                for i in range(children)
            ],
            batch_size=5000,
        )
        SourceRecord.objects.bulk_create(
            [
                SourceRecord(agency=agency, child=child, record_id=f"{agency.code}-{i}")
                for i, child in enumerate(made)
                for agency in (council, police)
            ],
            batch_size=5000,
        )
        now = timezone.now()
        repeaters = made[: len(made) // 3]
        rows = []
        for i in range(episodes):
            child = rng.choice(repeaters) if i % 2 else rng.choice(made)
            reported = now - timedelta(days=rng.uniform(0, 730))
            returned = None if i % 500 == 0 else reported + timedelta(hours=rng.uniform(1, 72))
            rows.append(
                Episode(
                    child=child,
                    agency=police,
                    reported_at=reported,
                    returned_at=returned if returned is None or returned < now else None,
                    risk_grading=rng.choice(["high", "medium", "low"]),
                )
            )
        Episode.objects.bulk_create(rows, batch_size=5000)
        interviews = []
        for episode in rows:
            if episode.returned_at is None:
                continue
            due = interview_due(episode.returned_at)
            offered = rng.random() > 0.025
            interviews.append(
                ReturnInterview(
                    episode=episode,
                    child=episode.child,
                    due_at=due,
                    status=InterviewStatus.COMPLETED if offered else InterviewStatus.DUE,
                    offered_at=episode.returned_at + timedelta(hours=20) if offered else None,
                    completed_at=episode.returned_at + timedelta(hours=30) if offered else None,
                    by_agency=charity if offered else None,
                )
            )
        ReturnInterview.objects.bulk_create(interviews, batch_size=5000)
    print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)


def measure(database_url: str, args: argparse.Namespace) -> None:
    harness.setup_django(database_url)
    from allauth.mfa.models import Authenticator
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from safeguarding.core.models import User
    from safeguarding.core.tests.factories import enrol_totp
    from safeguarding.missing.models import Episode

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if args.missing_rebuild or Episode.objects.count() != args.missing_episodes:
        build(args.missing_children, args.missing_episodes)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  {harness.database_description()}: {Episode.objects.count():,} episodes", flush=True)
    clients = {}
    for email in (PRACTITIONER, ANALYST):
        user = User.objects.get(email=email)
        if not Authenticator.objects.filter(user=user).exists():
            enrol_totp(user)
        client = Client()
        client.force_login(user)
        clients[email] = client
    rng = random.Random(SEED)
    missing_children = list(
        Episode.objects.values_list("child__public_id", flat=True).distinct()[:2000]
    )
    pages = max(1, Episode.objects.count() // 50)

    def get(client: Client) -> Any:
        def fetch(url: str) -> Any:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            return response

        return fetch

    practitioner = get(clients[PRACTITIONER])
    n = args.missing_requests
    plan: dict[str, tuple[Any, Any]] = {
        "children missing now": (practitioner, lambda: "/missing/"),
        "every episode, a random page": (
            practitioner,
            lambda: f"/missing/?show=all&page={rng.randint(1, min(pages, 20))}",
        ),
        "overdue interviews": (practitioner, lambda: "/missing/overdue/"),
        "repeat missing": (practitioner, lambda: "/missing/repeat/"),
        "a child's missing page": (
            practitioner,
            lambda: f"/missing/child/{rng.choice(missing_children)}/",
        ),
        "monthly figures (analyst)": (get(clients[ANALYST]), lambda: "/missing/figures/"),
    }
    timings = {
        label: harness.time_requests(
            fetch,
            url,
            requests=n if "figures" not in label else max(10, n // 5),
            warmup=WARMUP,
            counted=2,
            label=label,
        )  # fmt: skip
        for label, (fetch, url) in plan.items()
    }
    harness.save_results(
        NAME,
        connection.vendor,
        {
            "database": harness.database_description(),
            "pages": {
                label: {"summary": asdict(t.summary), "queries": t.queries}
                for label, t in timings.items()
            },
        },
    )
