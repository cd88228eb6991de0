"""The deadlines page and the quarterly assurance report with 10,000 actions.

The parent finds (or creates) the SQLite file and the PostgreSQL database bench_learning
and measures each in a subprocess. The subprocess migrates it and, unless a previous run
left the same number of actions, loads (bulk_create, seeded): 20 agencies, 6 sub-groups
with chairs, 60 serious incident notifications with their rapid reviews and requests for
information, 10 practice reviews with milestones, and --learning-actions actions (default
10,000) spread over the sub-groups, owners and due dates from two years ago to a year on,
in every status.

Signed in as a partnership officer (django.test.Client, DEBUG off) it times, over
--learning-requests requests after a warm-up: the deadlines page (all, first page), the
deadlines page filtered to missed, the month calendar, the assurance report of the
sub-group with most actions for the current quarter; and, as an extra, the PDF of it.

Target (issue 7): the deadlines page and the assurance report p95 <= 300 ms.
"""

from __future__ import annotations

import argparse
import os
import random
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

import harness

NAME = "learning"
DESCRIPTION = (
    "the learning deadlines page, calendar and quarterly assurance report (HTML and PDF) "
    "with 10,000 actions, on SQLite and PostgreSQL: p50/p95 and query counts"
)
DATABASE_NAME = "bench_learning"
ACTIONS = 10_000
REQUESTS = 100
WARMUP = 10
SEED = 20261125
TARGET_P95_MS = 300.0
OFFICER_EMAIL = "officer@learning.bench.example"


def add_arguments(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--learning-actions",
        type=int,
        default=ACTIONS,
        help=f"actions to load (default {ACTIONS:,})",
    )
    group.add_argument(
        "--learning-requests",
        type=int,
        default=REQUESTS,
        help=f"timed requests per page (default {REQUESTS})",
    )
    group.add_argument(
        "--learning-warmup",
        type=int,
        default=WARMUP,
        help=f"untimed requests per page first (default {WARMUP})",
    )


def run(args: argparse.Namespace) -> None:
    if args.database:
        measure(args.database, args)
        return
    options = [
        "--learning-actions",
        str(args.learning_actions),
        "--learning-requests",
        str(args.learning_requests),
        "--learning-warmup",
        str(args.learning_warmup),
    ]
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
    print_summary()
    if failed:
        raise SystemExit(f"The learning benchmark failed on {', '.join(failed)}.")


@dataclass(frozen=True)
class Measured:
    label: str
    url: str
    extra: bool
    p50: float
    p95: float
    max: float
    requests: int
    queries: str


def load(actions: int) -> Any:
    """The partnership, its learning records and `actions` actions; the officer."""
    from django.utils import timezone

    from safeguarding.core.calendar import add_working_days
    from safeguarding.core.models import Agency, AgencyKind, RoleGrant, SubGroup, User
    from safeguarding.core.roles import Role
    from safeguarding.learning import models as m

    officer = User.objects.filter(email=OFFICER_EMAIL).first()
    if officer is not None and m.Action.objects.count() == actions:
        print(f"{actions:,} actions already loaded.")
        return officer
    for model in (m.Action, m.Milestone, m.PracticeReview, m.InformationRequest):
        model.objects.all().delete()
    m.RapidReview.objects.all().delete()
    m.Notification.objects.all().delete()
    rng = random.Random(SEED)
    today = timezone.localdate()
    agencies = [
        Agency.objects.get_or_create(
            code=f"B{i:02d}", defaults={"name": f"Bench agency {i}", "kind": AgencyKind.OTHER}
        )[0]
        for i in range(20)
    ]
    if officer is None:
        officer = User.objects.create_user(
            OFFICER_EMAIL, None, full_name="Bench Officer", agency=agencies[0]
        )
        RoleGrant.objects.create(user=officer, role=Role.PARTNERSHIP_OFFICER)
    staff = []
    for i in range(100):
        email = f"staff{i}@learning.bench.example"
        person = User.objects.filter(email=email).first()
        if person is None:
            person = User.objects.create_user(
                email, None, full_name=f"Bench Staff {i}", agency=rng.choice(agencies)
            )
            RoleGrant.objects.create(user=person, role=Role.PRACTITIONER)
        staff.append(person)
    groups = [
        SubGroup.objects.get_or_create(name=f"Bench sub-group {i}", defaults={"chair": staff[i]})[0]
        for i in range(6)
    ]
    for i in range(60):
        aware = today - timedelta(days=rng.randint(0, 730))
        n = m.Notification.objects.create(
            case_reference=f"SI-B-{i:03d}",
            summary="Benchmark.",
            aware_on=aware,
            due_on=add_working_days(aware, 5),
            sent_on=None if i % 10 == 0 else aware + timedelta(days=2),
            owner=officer,
        )
        review = m.RapidReview.objects.create(
            notification=n,
            due_on=add_working_days(n.due_on, 15),
            sent_to_panel_on=None if i % 8 == 0 else n.due_on + timedelta(days=20),
        )
        for agency in agencies[:4]:
            m.InformationRequest.objects.create(
                rapid_review=review,
                agency=agency,
                requested_on=aware,
                due_on=add_working_days(aware, 5),
                returned_on=None if i % 12 == 0 else aware + timedelta(days=5),
            )
    for i in range(10):
        decided = today - timedelta(days=rng.randint(0, 400))
        practice = m.PracticeReview.objects.create(
            case_reference=f"LCSPR-B-{i}",
            summary="Benchmark.",
            decided_on=decided,
            publication_target_on=decided + timedelta(days=182),
            owner=officer,
        )
        for week in (3, 10, 18, 22):
            due = decided + timedelta(weeks=week)
            m.Milestone.objects.create(
                review=practice,
                title=f"Week {week}",
                due_on=due,
                done_on=due if due < today else None,
            )
    statuses = [s.value for s in m.ActionStatus]
    batch = []
    for i in range(actions):
        due = today + timedelta(days=rng.randint(-730, 365))
        status = rng.choice(statuses)
        batch.append(
            m.Action(
                title=f"Benchmark action {i}",
                source_kind=rng.choice(m.SourceKind.values),
                source_label=f"Plan {i % 97}",
                owner_agency=rng.choice(agencies),
                owner_person=rng.choice(staff),
                sub_group=rng.choice(groups),
                due_on=due,
                status=status,
                evidence="Done." if status in ("completed", "signed_off") else "",
                completed_on=due if status in ("completed", "signed_off") else None,
                signed_off_on=due + timedelta(days=14) if status == "signed_off" else None,
                created_on=due - timedelta(days=180),
            )
        )
    m.Action.objects.bulk_create(batch, batch_size=1000)
    print(f"Loaded {actions:,} actions.")
    return officer


def measure(database_url: str, args: argparse.Namespace) -> None:
    harness.setup_django(database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    described = harness.database_description()
    print(f"{described}: migrated.")
    officer = load(args.learning_actions)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    from safeguarding.learning.models import Action
    from safeguarding.learning.queries import Quarter

    busiest = Action.objects.values_list("sub_group").annotate(n=Count("pk")).order_by("-n").first()
    quarter = Quarter.containing(timezone.localdate()).slug
    report = f"/learning/assurance/{busiest[0] if busiest else 0}/{quarter}/"
    pages = [
        ("Deadlines: every deadline, first page", "/learning/deadlines/", False),
        ("Deadlines: missed only", "/learning/deadlines/?state=missed", False),
        ("Deadlines: this month's calendar", "/learning/deadlines/calendar/", False),
        ("Assurance report of the busiest sub-group", report, False),
        ("Assurance report as PDF", report + "pdf/", True),
    ]
    client = Client(raise_request_exception=True)
    client.force_login(officer)

    def fetch(url: str) -> int:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return len(response.content)

    load_before = os.getloadavg()[0]
    measured = []
    for label, url, extra in pages:
        requests = max(5, args.learning_requests // 10) if extra else args.learning_requests
        timing = harness.time_requests(
            fetch,
            lambda url=url: url,  # type: ignore[misc]
            requests=requests,
            warmup=2 if extra else args.learning_warmup,
            counted=2,
            label=label,
        )
        s = timing.summary
        measured.append(Measured(label, url, extra, s.p50, s.p95, s.max, s.count, timing.queries))
    results = {
        "vendor": connection.vendor,
        "database": described,
        "actions": Action.objects.count(),
        "pages": [asdict(x) for x in measured],
        "cpus": os.cpu_count(),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    harness.save_results(NAME, connection.vendor, results)


def print_summary() -> None:
    measured = [r for r in (harness.load_results(NAME, v) for v in ("sqlite", "postgresql")) if r]
    if not measured:
        return
    print(f"\nLearning benchmark, {measured[0]['actions']:,} actions:")
    headers = ["Page"]
    for results in measured:
        short = results["database"].split()[0]
        headers += [f"{short} p50 ms", f"{short} p95 ms", f"{short} queries"]
    rows = []
    for index, page in enumerate(measured[0]["pages"]):
        row = [page["label"] + (" (extra)" if page["extra"] else "")]
        for results in measured:
            other = results["pages"][index]
            row += [f"{other['p50']:.1f}", f"{other['p95']:.1f}", other["queries"]]
        rows.append(row)
    print(harness.table(headers, rows))
    for results in measured:
        worst = max(p["p95"] for p in results["pages"] if not p["extra"])
        verdict = "met" if worst <= TARGET_P95_MS else "NOT met"
        print(
            f"{results['database']}: worst p95 {worst:.1f} ms, target {TARGET_P95_MS:.0f} ms "
            f"{verdict}."
        )
