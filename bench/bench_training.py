"""Training's booking pages at 5,000 sessions and 100,000 bookings, on SQLite and PostgreSQL.

For each database (bench/results/bench_training.sqlite3 and the PostgreSQL database
bench_training, kept between runs) a subprocess migrates it and, unless the same sizes
are there already, fills it: 12 courses, --training-learners learners (default 20,000),
--training-sessions sessions (default 5,000; half past, half over the next two years)
and --training-bookings bookings (default 100,000) spread over them, the past ones marked
attended or no-show, the future ones booked with some waiting lists.

It then times, with django.test.Client (DEBUG off), after a warm-up:
- the public list of sessions open for booking, on a random page of it;
- a learner's page ("your training": their bookings and the sessions to book), by the
  signed link, for random learners;
- booking a place (the POST, which locks the session's row and counts its places),
  for random learners on random future sessions;
- a trainer's register of one of their sessions.

Target (issue 8): the booking page p95 <= 200 ms.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import asdict
from datetime import timedelta
from typing import Any

import harness

NAME = "training"
DESCRIPTION = (
    "training booking pages (public list, a learner's page, booking a place, a register) at "
    "5,000 sessions and 100,000 bookings on SQLite and PostgreSQL: p50/p95 and query counts"
)
DATABASE_NAME = "bench_training"
SESSIONS = 5_000
BOOKINGS = 100_000
LEARNERS = 20_000
REQUESTS = 200
WARMUP = 20
SEED = 20261125
TARGET_P95_MS = 200.0
TRAINER_EMAIL = "trainer@council.bench.example"


def add_arguments(group: argparse._ArgumentGroup) -> None:
    group.add_argument("--training-sessions", type=int, default=SESSIONS)
    group.add_argument("--training-bookings", type=int, default=BOOKINGS)
    group.add_argument("--training-learners", type=int, default=LEARNERS)
    group.add_argument(
        "--training-requests", type=int, default=REQUESTS, help="timed requests per page"
    )
    group.add_argument("--training-rebuild", action="store_true", help="build the data again")


def run(args: argparse.Namespace) -> None:
    if args.database:
        measure(args.database, args)
        return
    options = [
        "--training-sessions",
        str(args.training_sessions),
        "--training-bookings",
        str(args.training_bookings),
        "--training-learners",
        str(args.training_learners),
        "--training-requests",
        str(args.training_requests),
    ] + ["--training-rebuild"] * args.training_rebuild
    harness.run_on_each_database(NAME, DATABASE_NAME, options, TARGET_P95_MS)


# --- One database, in its own process ------------------------------------------------


def build(sessions: int, bookings: int, learners: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from safeguarding.core.models import Agency, RoleGrant, User
    from safeguarding.core.roles import Role
    from safeguarding.training.models import (
        Booking,
        BookingStatus,
        Course,
        Evaluation,
        Learner,
        LearnerStatus,
        TrainingSession,
    )

    rng = random.Random(SEED)
    started = time.perf_counter()
    print(f"Building {sessions:,} sessions, {bookings:,} bookings, {learners:,} learners…")
    with transaction.atomic():
        Evaluation.objects.all().delete()
        Booking.objects.all().delete()
        TrainingSession.objects.all().delete()
        Course.objects.all().delete()
        Learner.objects.all().delete()
        agency, _ = Agency.objects.get_or_create(
            code="LA",
            defaults={
                "name": "Benchmark Council",
                "kind": "local_authority",
                "email_domains": "council.bench.example",
            },
        )
        trainer, _ = User.objects.get_or_create(
            email=TRAINER_EMAIL, defaults={"full_name": "Bench Trainer", "agency": agency}
        )
        RoleGrant.objects.get_or_create(user=trainer, role=Role.TRAINER)
        courses = Course.objects.bulk_create(
            [
                Course(
                    title=f"Benchmark course {i}",
                    audience="Everyone",
                    learning_outcomes="One\nTwo",
                    level="core",
                )
                for i in range(12)
            ]
        )
        made = Learner.objects.bulk_create(
            [
                Learner(
                    full_name=f"Learner {i}",
                    email=f"learner{i}@council.bench.example",
                    agency=agency,
                    status=LearnerStatus.APPROVED,
                )
                for i in range(learners)
            ],
            batch_size=2000,
        )
        now = timezone.now()
        plan = []
        for i in range(sessions):
            # Half in the past two years, half in the next two.
            offset = timedelta(days=rng.uniform(-730, -1) if i % 2 else rng.uniform(1, 730))
            starts = (now + offset).replace(minute=30, second=0, microsecond=0)
            plan.append(
                TrainingSession(
                    course=rng.choice(courses),
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=3),
                    mode="face_to_face",
                    venue="Benchmark venue",
                    capacity=20,
                    trainer=trainer if i % 50 == 0 else None,
                )
            )
        made_sessions = TrainingSession.objects.bulk_create(plan, batch_size=2000)
        per_session = bookings // sessions
        rows = []
        for session in made_sessions:
            past = session.starts_at < now
            for k, learner in enumerate(rng.sample(made, per_session)):
                if past:
                    status = BookingStatus.NO_SHOW if k % 12 == 0 else BookingStatus.ATTENDED
                else:
                    status = BookingStatus.BOOKED if k < 20 else BookingStatus.WAITING
                if k >= 20 and past:
                    status = BookingStatus.CANCELLED
                rows.append(Booking(session=session, learner=learner, status=status, placed_at=now))
        Booking.objects.bulk_create(rows, batch_size=5000)
    print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)


def measure(database_url: str, args: argparse.Namespace) -> None:
    import os

    # Booking sends its confirmation by email: kept in memory here, never sent.
    os.environ["SAFEGUARDING_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    harness.setup_django(database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from safeguarding.core.models import User
    from safeguarding.core.tests.factories import enrol_totp
    from safeguarding.training.links import learner_token
    from safeguarding.training.models import Booking, Learner, TrainingSession

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if (
        args.training_rebuild
        or TrainingSession.objects.count() != args.training_sessions
        or Booking.objects.count() < args.training_bookings
    ):
        build(args.training_sessions, args.training_bookings, args.training_learners)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"  {harness.database_description()}: {TrainingSession.objects.count():,} sessions, "
        f"{Booking.objects.count():,} bookings"
    )
    rng = random.Random(SEED)
    learners = list(Learner.objects.values_list("pk", flat=True))
    from django.utils import timezone

    future = list(
        TrainingSession.objects.filter(starts_at__gt=timezone.now()).values_list("pk", flat=True)
    )
    tokens = {
        pk: learner_token(Learner(public_id=p))
        for pk, p in Learner.objects.values_list("pk", "public_id")
    }
    pages_count = max(1, len(future) // 20)
    visitor = Client()
    trainer = User.objects.get(email=TRAINER_EMAIL)
    from allauth.mfa.models import Authenticator

    if not Authenticator.objects.filter(user=trainer).exists():
        enrol_totp(trainer)
    staff = Client()
    staff.force_login(trainer)
    own = list(TrainingSession.objects.filter(trainer=trainer).values_list("pk", flat=True))

    def get(client: Client) -> Any:
        def fetch(url: str) -> Any:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            return response

        return fetch

    def post(url: str) -> Any:
        response = visitor.post(url)
        if response.status_code != 302:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response

    n = args.training_requests
    timings = {
        "public list of sessions": harness.time_requests(
            get(visitor),
            lambda: f"/training/?page={rng.randint(1, pages_count)}",
            requests=n,
            warmup=WARMUP,
            counted=3,
            label="public list of sessions",
        ),
        "a learner's page": harness.time_requests(
            get(visitor),
            lambda: f"/training/my/{tokens[rng.choice(learners)]}/",
            requests=n,
            warmup=WARMUP,
            counted=3,
            label="a learner's page",
        ),
        "booking a place (POST)": harness.time_requests(
            post,
            lambda: f"/training/my/{tokens[rng.choice(learners)]}/book/{rng.choice(future)}/",
            requests=n,
            warmup=WARMUP,
            counted=3,
            label="booking a place (POST)",
        ),
        "a trainer's register": harness.time_requests(
            get(staff),
            lambda: f"/training/manage/sessions/{rng.choice(own)}/",
            requests=n,
            warmup=WARMUP,
            counted=3,
            label="a trainer's register",
        ),
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
