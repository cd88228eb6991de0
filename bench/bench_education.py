"""The education and young carers trackers' pages at a realistic volume, SQLite and PostgreSQL.

For each database (bench/results/bench_education.sqlite3 and the PostgreSQL database
bench_education, kept between runs) a subprocess migrates it and, unless the same sizes
are there already, fills it: --education-children children (default 40,000) each with a
council record, 6,000 CME cases (300 open) with 4 checks each, 3,000 EHE records with
visits, 2,000 young carers registrations with a review every 12 weeks (about 12,000),
and 30,000 absence records over 12 school returns. Several years of a large
partnership's trackers.

It then times, with django.test.Client (DEBUG off), after a warm-up, as a council
practitioner (involved with every child) and an analyst:
- the CME cases open, longest first (page 1) and one case with its checks;
- the EHE register; the young carers register and the tracking meeting's list;
- persistent absence, vulnerable children only;
- the young carers identification chart and the feeds page (analyst).

Target (issue 5): tracker pages p95 <= 200 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

import harness

NAME = "education"
DESCRIPTION = (
    "education and young carers tracker pages (CME, EHE, absence, young carers register, "
    "tracking meeting, chart, feeds) at 40,000 children on SQLite and PostgreSQL: p50/p95"
)
DATABASE_NAME = "bench_education"
CHILDREN = 40_000
CME_CASES = 6_000
EHE_RECORDS = 3_000
YOUNG_CARERS = 2_000
ABSENCE = 30_000
REQUESTS = 100
WARMUP = 10
SEED = 20261125
TARGET_P95_MS = 200.0
PRACTITIONER = "practitioner@council.bench.example"
ANALYST = "analyst@council.bench.example"


def add_arguments(group: argparse._ArgumentGroup) -> None:
    group.add_argument("--education-children", type=int, default=CHILDREN)
    group.add_argument(
        "--education-requests", type=int, default=REQUESTS, help="timed requests per page"
    )
    group.add_argument("--education-rebuild", action="store_true", help="build the data again")


def run(args: argparse.Namespace) -> None:
    if args.database:
        measure(args.database, args)
        return
    options = [
        "--education-children",
        str(args.education_children),
        "--education-requests",
        str(args.education_requests),
    ] + ["--education-rebuild"] * args.education_rebuild
    harness.run_on_each_database(NAME, DATABASE_NAME, options, TARGET_P95_MS)


# --- One database, in its own process ------------------------------------------------


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def build(children_count: int) -> None:
    from django.db import transaction

    from safeguarding.children.models import Child, SourceRecord
    from safeguarding.core.models import Agency, RoleGrant, User
    from safeguarding.core.roles import Role
    from safeguarding.education.models import (
        AbsenceImport,
        AbsenceRecord,
        CmeCase,
        CmeCheck,
        EheRecord,
        EheVisit,
        Population,
    )
    from safeguarding.young_carers.models import Review, YoungCarer

    rng = random.Random(SEED)
    started = time.perf_counter()
    print(f"Building {children_count:,} children and their trackers…", flush=True)
    with transaction.atomic():
        for model in (Review, YoungCarer, CmeCheck, CmeCase, EheVisit, EheRecord, AbsenceRecord):
            model._default_manager.all().delete()
        AbsenceImport.objects.all().delete()
        Population.objects.all().delete()
        SourceRecord.objects.all().delete()
        Child.objects.all().delete()
        council, _ = Agency.objects.get_or_create(
            code="LA",
            defaults={
                "name": "Benchmark Council",
                "kind": "local_authority",
                "email_domains": "council.bench.example",
            },
        )
        schools = [
            Agency.objects.get_or_create(
                code=f"SCH{i}", defaults={"name": f"Benchmark School {i}", "kind": "school"}
            )[0]
            for i in range(4)
        ]
        for email, role in ((PRACTITIONER, Role.PRACTITIONER), (ANALYST, Role.ANALYST)):
            user, _ = User.objects.get_or_create(
                email=email, defaults={"full_name": email.split("@")[0], "agency": council}
            )
            RoleGrant.objects.get_or_create(user=user, role=role)
        children = Child.objects.bulk_create(
            [
                Child(
                    given_name=f"Given{i}",
                    family_name=f"Family{i % 5000}",
                    date_of_birth=_day(rng, date(2008, 9, 1), date(2019, 8, 31)),
                )
                for i in range(children_count)
            ],
            batch_size=5000,
        )
        SourceRecord.objects.bulk_create(
            [
                SourceRecord(agency=council, record_id=f"LCS{i}", child=child)
                for i, child in enumerate(children)
            ],
            batch_size=5000,
        )
        Population.objects.create(count=children_count * 11 // 18, from_date=date(2020, 1, 1))
        pool = list(children)
        rng.shuffle(pool)
        end = date(2026, 3, 31)
        cases = []
        for i in range(CME_CASES):
            referred = _day(rng, date(2021, 4, 1), end)
            closed = referred + timedelta(days=rng.randint(5, 200)) if i % 20 else None
            cases.append(
                CmeCase(
                    child=pool[i % len(pool)],
                    agency=council,
                    referred_on=referred,
                    closed_on=closed,
                    destination="local_school" if closed else "",
                )
            )
        CmeCase.objects.bulk_create(cases, batch_size=5000)
        CmeCheck.objects.bulk_create(
            [
                CmeCheck(case=case, child=case.child, kind=kind, made_on=case.referred_on)
                for case in cases
                for kind in ("school_census", "health", "housing", "other_la")
            ],
            batch_size=5000,
        )
        records = [
            EheRecord(
                child=pool[(CME_CASES + i) % len(pool)],
                agency=council,
                started_on=_day(rng, date(2019, 9, 1), end),
                reason="mental_health",
            )
            for i in range(EHE_RECORDS)
        ]
        EheRecord.objects.bulk_create(records, batch_size=5000)
        EheVisit.objects.bulk_create(
            [
                EheVisit(record=r, child=r.child, visited_on=r.started_on, outcome="suitable")
                for r in records
            ],
            batch_size=5000,
        )
        carers = []
        for i in range(YOUNG_CARERS):
            identified = _day(rng, date(2021, 4, 1), end)
            carers.append(
                YoungCarer(
                    child=pool[(CME_CASES + EHE_RECORDS + i) % len(pool)],
                    agency=council,
                    identified_on=identified,
                    cares_for="parent",
                    care_reason="mental_health",
                    next_review_on=identified + timedelta(weeks=12),
                    closed_on=identified + timedelta(days=400) if i % 3 == 0 else None,
                )
            )
        YoungCarer.objects.bulk_create(carers, batch_size=5000)
        reviews = []
        for carer in carers:
            due = carer.identified_on + timedelta(weeks=12)
            while due < min(carer.closed_on or end, end):
                reviews.append(
                    Review(
                        young_carer=carer,
                        child=carer.child,
                        held_on=due + timedelta(days=rng.randint(-5, 10)),
                        was_due_on=due,
                        summary="Support continues; attending the young carers' group.",
                    )
                )
                due += timedelta(weeks=12)
        Review.objects.bulk_create(reviews, batch_size=5000)
        per_return = ABSENCE // 12
        absent = []
        for k in range(12):
            school = schools[k % 4]
            batch = AbsenceImport.objects.create(
                school=school, academic_year=2022 + k // 4, term="autumn", pupils=per_return * 5
            )
            for j in range(per_return):
                child = pool[(k * per_return + j) % len(pool)]
                absent.append(
                    AbsenceRecord(
                        batch=batch,
                        agency=school,
                        child=child,
                        upn=f"A{k:02d}{j:010d}",
                        sessions_possible=120,
                        sessions_missed=rng.randint(12, 90),
                        send=j % 4 == 0,
                        vulnerable=j % 4 == 0,
                        severe=j % 10 == 0,
                    )
                )
        AbsenceRecord.objects.bulk_create(absent, batch_size=5000)
    print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)


def measure(database_url: str, args: argparse.Namespace) -> None:
    harness.setup_django(database_url)
    from allauth.mfa.models import Authenticator
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from safeguarding.children.models import Child
    from safeguarding.core.models import User
    from safeguarding.core.tests.factories import enrol_totp
    from safeguarding.education.models import CmeCase

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if args.education_rebuild or Child.objects.count() != args.education_children:
        build(args.education_children)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  {harness.database_description()}: {Child.objects.count():,} children")
    rng = random.Random(SEED)
    clients = {}
    for email in (PRACTITIONER, ANALYST):
        user = User.objects.get(email=email)
        if not Authenticator.objects.filter(user=user).exists():
            enrol_totp(user)
        client = Client()
        client.force_login(user)
        clients[email] = client
    open_cases = [
        str(p)
        for p in CmeCase.objects.filter(closed_on__isnull=True).values_list("public_id", flat=True)
    ]

    def get(client: Client) -> Any:
        def fetch(url: str) -> Any:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            return response

        return fetch

    practitioner, analyst = get(clients[PRACTITIONER]), get(clients[ANALYST])
    pages: list[tuple[str, Any, Any]] = [
        ("CME cases open, longest first", practitioner, lambda: "/education/"),
        ("a CME case", practitioner, lambda: f"/education/cme/{rng.choice(open_cases)}/"),
        ("EHE register", practitioner, lambda: "/education/home-education/"),
        ("absence, vulnerable only", practitioner, lambda: "/education/absence/?vulnerable=on"),
        ("young carers register", practitioner, lambda: "/young-carers/"),
        ("young carers tracking meeting", practitioner, lambda: "/young-carers/oversight/"),
        ("identification chart (analyst)", analyst, lambda: "/young-carers/identification/"),
        ("figures by quarter (analyst)", analyst, lambda: "/education/feeds/?year=2024"),
    ]
    n = args.education_requests
    timings = {
        label: harness.time_requests(fetch, url, requests=n, warmup=WARMUP, counted=2, label=label)
        for label, fetch, url in pages
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
