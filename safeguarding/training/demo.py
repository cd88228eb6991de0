"""The demo partnership's training offer, made from bookings and registers.

The year 2024/25 reproduces the reference report's training table row by row (7
sessions, 125 attendees, 5 no-shows; 6, 134, 8; 5, 35, 10; 1, 29, 0) and its 621
completions of the awareness e-learning. Nothing here types a total: the sessions are
made, each learner's booking is marked attended or not at the register, the completions
come in through the e-learning import, and the report counts them. The printed total
of the reference (21, 337, 35) does not add up from its own rows; the hub's does (19,
323, 23).

2023/24 and 2025/26 have sessions too, and there are sessions in the first months of
2027 with places, one full with a waiting list, so that booking can be tried.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from safeguarding.core.calendar import financial_year, is_working_day
from safeguarding.core.models import RoleGrant, User
from safeguarding.core.roles import Role
from safeguarding.demo import names
from safeguarding.demo.generator import AGENCIES_BY_CODE, london, totp_secret
from safeguarding.demo.registry import DemoContext, clearer, digest_rows, step
from safeguarding.training import actions
from safeguarding.training.models import (
    Booking,
    BookingStatus,
    Course,
    CourseLevel,
    ELearningCompletion,
    ELearningImport,
    Evaluation,
    EvaluationStage,
    Learner,
    LearnerStatus,
    SessionMode,
    TrainingSession,
    TrainingSettings,
)

TRAINER_EMAIL = "trainer@council.wealdmoor.example"
TRAINER_NAME = "Rhiannon Castellane"

WT_A = "Safeguarding Children: Working Together A"
WT_B = "Safeguarding Children: Shared Responsibilities and Procedures - Working Together B"
HSB = "Developing an Understanding of Harmful Sexual Behaviour"
CDR = "The Child Death Review: Advance Training for professionals"
WT_DAY = "Safeguarding Children: Working Together in One Day"
AWARENESS = "Safeguarding Children Awareness"


@dataclass(frozen=True)
class CourseSpec:
    title: str
    level: str
    audience: str
    outcomes: tuple[str, ...]
    hours: tuple[time, time]
    venue: str
    # Sessions, attendees and no-shows per financial year: the 2024/25 row is the
    # reference report's.
    years: dict[int, tuple[int, int, int]]
    active: bool = True


CIVIC = "Wealdmoor Civic Centre, Training Suite 1"
COURSES: tuple[CourseSpec, ...] = (
    CourseSpec(
        WT_A,
        CourseLevel.CORE,
        "Staff of any partner agency who work with children, young people or parents.",
        (
            "Recognise the signs of abuse and neglect",
            "Know the partnership's thresholds and how to share a concern",
            "Understand each agency's part in keeping children safe",
        ),
        (time(9, 30), time(16, 0)),
        CIVIC,
        {2023: (8, 132, 14), 2024: (7, 125, 5)},
        active=False,
    ),
    CourseSpec(
        WT_B,
        CourseLevel.ADVANCED,
        "Practitioners who lead on safeguarding or take part in child protection work.",
        (
            "Take part in strategy discussions, conferences and core groups",
            "Write referrals and reports that others can act on",
            "Challenge and escalate when a plan is not working",
        ),
        (time(9, 30), time(16, 0)),
        CIVIC,
        {2023: (8, 141, 17), 2024: (6, 134, 8)},
        active=False,
    ),
    CourseSpec(
        HSB,
        CourseLevel.ADVANCED,
        "Staff in schools, health, youth justice and social care who work with adolescents.",
        (
            "Place sexual behaviour on a continuum from expected to harmful",
            "Use the partnership's assessment tool",
            "Plan support for the child who harmed and the child harmed",
        ),
        (time(9, 30), time(12, 30)),
        "Online meeting (the link is sent with the reminder)",
        {2023: (4, 30, 9), 2024: (5, 35, 10), 2025: (4, 38, 4)},
    ),
    CourseSpec(
        CDR,
        CourseLevel.ADVANCED,
        "Professionals who take part in the review of a child's death.",
        (
            "Know the stages of the child death review process",
            "Support families through it",
            "Contribute to the panel's learning",
        ),
        (time(13, 0), time(16, 30)),
        "Wealdmoor Hospitals, Education Centre",
        {2024: (1, 29, 0), 2025: (1, 24, 1)},
    ),
    CourseSpec(
        WT_DAY,
        CourseLevel.CORE,
        "Staff of any partner agency who work with children, young people or parents. "
        "Replaces Working Together A and B.",
        (
            "Recognise the signs of abuse and neglect and act on them",
            "Share information and escalate with confidence",
            "Take part in child protection work",
        ),
        (time(9, 30), time(16, 0)),
        CIVIC,
        {2025: (12, 246, 9)},
    ),
)

# Future sessions to book (first months of 2027): course, day, capacity, places already
# taken, on the waiting list.
FUTURE: tuple[tuple[str, date, int, int, int], ...] = (
    (WT_DAY, date(2027, 1, 20), 24, 24, 3),
    (WT_DAY, date(2027, 2, 17), 24, 15, 0),
    (HSB, date(2027, 2, 4), 12, 7, 0),
    (WT_DAY, date(2027, 3, 10), 24, 4, 0),
    (CDR, date(2027, 3, 18), 30, 6, 0),
)

# Follow-up answers learners agreed to have quoted (invented for the demo).
IMPACT_QUOTES = (
    "I noticed a pupil's weight loss and withdrawal sooner than I would have and talked "
    "to our designated lead the same day; the family now has early help.",
    "I used the escalation route from the course when a plan drifted, and a review "
    "meeting was brought forward.",
    "Our team now checks who else lives in the home at every visit, including the men.",
    "I felt able to ask a teenager directly about what was happening online, and she told me.",
    "I shared information with the school nurse without waiting for consent, as the "
    "course showed it was right to, and the child was seen by a paediatrician that week.",
    "Our referrals are shorter and say what we are worried about and why.",
    "I now know who to ring in the police about a child going missing and did so.",
    "We changed our reception's process so that concerns raised at the door are logged.",
)

FY_START = {year: date(year, 4, 1) for year in range(2023, 2027)}


def _working_days(rng: random.Random, start: date, end: date, n: int) -> list[date]:
    """n distinct working days between start and end, spread out, in order."""
    days = [start + timedelta(d) for d in range((end - start).days)]
    days = [d for d in days if is_working_day(d) and d.weekday() in (1, 2, 3)]
    step_size = len(days) / n
    return [days[int(i * step_size + rng.randrange(max(1, int(step_size))))] for i in range(n)]


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """total split into parts near equal, shuffled."""
    base = [total // parts + (1 if i < total % parts else 0) for i in range(parts)]
    for _ in range(parts):
        i, j = rng.randrange(parts), rng.randrange(parts)
        if base[i] > 1:
            move = rng.randint(0, min(2, base[i] - 1))
            base[i] -= move
            base[j] += move
    return base


def _make_trainer(ctx: DemoContext, email: str, full_name: str, agency: str) -> User:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    user = User.objects.create(
        email=email,
        full_name=full_name,
        job_title="Safeguarding trainer",
        agency=ctx.agencies[agency],
        password=ctx.password_hash,
        date_joined=london(date(2023, 3, 20), time(9, 0)),
    )
    RoleGrant.objects.create(user=user, role=Role.TRAINER)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    enrolled = london(date(2023, 4, 3), time(9, 0))
    Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.TOTP,
        data={"secret": encrypt(totp_secret(ctx.rng))},
        created_at=enrolled,
    )
    seed = "".join(ctx.rng.choice("0123456789abcdef") for _ in range(80))
    Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": encrypt(seed), "used_mask": 0},
        created_at=enrolled,
    )
    ctx.count("users", 1)
    return user


def _second_trainer(ctx: DemoContext) -> User:
    """A community health practitioner who also trains (the harmful sexual behaviour and
    child death review courses): a generated user given the trainer role too, so that the
    demo shows two trainers who each see only their own registers."""
    candidates = [
        user
        for user in ctx.generated_users
        if user.agency is not None
        and user.agency.code in ("COMMHEALTH", "HOSP", "LA")
        and Role.PRACTITIONER in ctx.roles_by_user.get(user.pk, ())
    ]
    chosen = candidates[0] if candidates else ctx.generated_users[0]
    RoleGrant.objects.get_or_create(user=chosen, role=Role.TRAINER)
    return chosen


# Agencies whose staff come on the courses, and how often.
LEARNER_AGENCIES = (
    ("LA", 8),
    ("POLICE", 3),
    ("HOSP", 3),
    ("COMMHEALTH", 3),
    ("MINDS", 1),
    ("ICB", 1),
    ("PBU", 0.3),
)


def _learner_pool(ctx: DemoContext, n: int) -> list[Learner]:
    rng = ctx.rng
    codes = [code for code, _ in LEARNER_AGENCIES] + [
        code for code in AGENCIES_BY_CODE if code.startswith(("PRI-", "SEC-", "EY-", "GP-"))
    ]
    weights = [w for _, w in LEARNER_AGENCIES] + [0.6] * (len(codes) - len(LEARNER_AGENCIES))
    codes = [c for c in codes if c in ctx.agencies]
    weights = weights[: len(codes)]
    taken: set[str] = set()
    learners = []
    for _ in range(n):
        code = rng.choices(codes, weights=weights)[0]
        spec = AGENCIES_BY_CODE[code]
        given, family = rng.choice(names.ADULT_GIVEN_NAMES), rng.choice(names.FAMILY_NAMES)
        local, k = f"{given}.{family}".lower(), 1
        email = f"{local}@{spec.domains[0]}"
        while email in taken:
            k += 1
            email = f"{local}{k}@{spec.domains[0]}"
        taken.add(email)
        learners.append(
            Learner(
                public_id=ctx.new_uuid(),
                full_name=f"{given} {family}",
                email=email,
                job_title=rng.choice(names.job_titles(Role.PRACTITIONER, spec.kind)),
                agency=ctx.agencies[code],
                status=LearnerStatus.APPROVED,
                email_confirmed_at=london(date(2023, 4, 3), time(10, 0)),
                created_at=london(date(2023, 4, 3), time(10, 0)),
            )
        )
    return Learner.objects.bulk_create(learners)


@step("training")
def make_training(ctx: DemoContext) -> None:
    rng = ctx.rng
    settings = TrainingSettings.objects.create(
        pk=1, late_cancellation_charge=Decimal("25.00"), no_show_charge=Decimal("50.00")
    )
    # The fixed trainer: made here unless demo/partnership.py's FIXED_USERS has one.
    trainer = ctx.users.get("trainer") or _make_trainer(ctx, TRAINER_EMAIL, TRAINER_NAME, "LA")
    ctx.users["trainer"] = trainer
    second = _second_trainer(ctx)
    learners = _learner_pool(ctx, 700)
    courses = {
        spec.title: Course.objects.create(
            title=spec.title,
            audience=spec.audience,
            learning_outcomes="\n".join(spec.outcomes),
            level=spec.level,
            is_active=spec.active,
        )
        for spec in COURSES
    }
    bookings: list[Booking] = []
    # The quotes go to the reference year and the one after it.
    quotes = {2024: list(IMPACT_QUOTES[:5]), 2025: list(IMPACT_QUOTES[5:])}
    sessions_made = 0
    for spec in COURSES:
        course = courses[spec.title]
        for year, (n_sessions, attendees, no_shows) in spec.years.items():
            days = _working_days(
                rng,
                FY_START[year] + timedelta(days=14),
                FY_START[year + 1] - timedelta(days=14),
                n_sessions,
            )
            came = _split(rng, attendees, n_sessions)
            missed = _split(rng, no_shows, n_sessions) if no_shows else [0] * n_sessions
            for day, n_came, n_missed in zip(days, came, missed, strict=True):
                starts, ends = london(day, spec.hours[0]), london(day, spec.hours[1])
                capacity = max(12, -(-(n_came + n_missed + 2) // 5) * 5)
                session = TrainingSession.objects.create(
                    course=course,
                    starts_at=starts,
                    ends_at=ends,
                    mode=SessionMode.ONLINE if spec.title == HSB else SessionMode.FACE_TO_FACE,
                    venue=spec.venue,
                    capacity=capacity,
                    trainer=second if spec.title in (HSB, CDR) else trainer,
                )
                sessions_made += 1
                n_late = rng.choice((0, 0, 1, 1, 2))
                people = rng.sample(learners, n_came + n_missed + 2 + n_late)
                booked_at = starts - timedelta(days=rng.randint(20, 60))
                marked = ends - timedelta(minutes=10)
                statuses = (
                    [BookingStatus.ATTENDED] * n_came
                    + [BookingStatus.NO_SHOW] * n_missed
                    + [BookingStatus.CANCELLED] * 2
                    + [BookingStatus.LATE_CANCELLED] * n_late
                )
                for person, status in zip(people, statuses, strict=True):
                    at = booked_at + timedelta(hours=rng.randint(0, 400))
                    booking = Booking(
                        public_id=ctx.new_uuid(),
                        session=session,
                        learner=person,
                        status=status,
                        created_at=at,
                        placed_at=at,
                        marked_at=marked
                        if status in (BookingStatus.ATTENDED, BookingStatus.NO_SHOW)
                        else None,
                        marked_by=session.trainer
                        if status in (BookingStatus.ATTENDED, BookingStatus.NO_SHOW)
                        else None,
                        cancelled_at=(
                            starts
                            - timedelta(days=1 if status == BookingStatus.LATE_CANCELLED else 10)
                        )
                        if status in (BookingStatus.CANCELLED, BookingStatus.LATE_CANCELLED)
                        else None,
                        charge=settings.no_show_charge
                        if status == BookingStatus.NO_SHOW
                        else settings.late_cancellation_charge
                        if status == BookingStatus.LATE_CANCELLED
                        else Decimal("0.00"),
                        reminded_at=starts - timedelta(days=3),
                    )
                    bookings.append(booking)
    Booking.objects.bulk_create(bookings, batch_size=1000)
    ctx.count("training sessions", sessions_made)
    ctx.count("training bookings", len(bookings))

    # Evaluations of the attendees: before (most), after (most), follow-up (some).
    made: list[Evaluation] = []
    for booking in bookings:
        if booking.status != BookingStatus.ATTENDED:
            continue
        base = rng.choice((2, 2, 3, 3, 3, 4))
        if rng.random() < 0.7:
            made.append(
                Evaluation(
                    booking=booking,
                    stage=EvaluationStage.BEFORE,
                    confidence=base,
                    submitted_at=booking.session.starts_at - timedelta(days=2),
                )
            )
        if rng.random() < 0.8:
            made.append(
                Evaluation(
                    booking=booking,
                    stage=EvaluationStage.AFTER,
                    confidence=min(5, base + rng.choice((0, 1, 1, 1, 2))),
                    usefulness=rng.choice((3, 4, 4, 5, 5, 5)),
                    submitted_at=booking.session.ends_at + timedelta(hours=2),
                )
            )
            if rng.random() < 0.12:
                left = quotes.get(financial_year(booking.session.starts_at.date()), [])
                quote = left.pop() if left and rng.random() < 0.5 else ""
                made.append(
                    Evaluation(
                        booking=booking,
                        stage=EvaluationStage.FOLLOW_UP,
                        confidence=min(5, base + 1),
                        impact=quote or "It has made me more confident to ask for advice.",
                        may_quote=bool(quote),
                        submitted_at=booking.session.ends_at + timedelta(weeks=9),
                    )
                )
    Evaluation.objects.bulk_create(made, batch_size=1000)
    ctx.count("training evaluations", len(made))

    _make_future_sessions(ctx, courses, learners, trainer)
    _make_pending_learners(ctx)
    _load_elearning(ctx)


def _make_future_sessions(
    ctx: DemoContext, courses: dict[str, Course], learners: list[Learner], trainer: User
) -> None:
    rng = ctx.rng
    for title, day, capacity, taken, waiting in FUTURE:
        spec = next(s for s in COURSES if s.title == title)
        session = TrainingSession.objects.create(
            course=courses[title],
            starts_at=london(day, spec.hours[0]),
            ends_at=london(day, spec.hours[1]),
            mode=SessionMode.ONLINE if title == HSB else SessionMode.FACE_TO_FACE,
            venue=spec.venue,
            capacity=capacity,
            trainer=trainer if title == WT_DAY else None,
        )
        people = rng.sample(learners, taken + waiting)
        at = london(date(2026, 3, 2), time(9, 0))
        Booking.objects.bulk_create(
            [
                Booking(
                    public_id=ctx.new_uuid(),
                    session=session,
                    learner=person,
                    status=BookingStatus.BOOKED if i < taken else BookingStatus.WAITING,
                    created_at=at + timedelta(hours=i),
                    placed_at=at + timedelta(hours=i) if i < taken else None,
                )
                for i, person in enumerate(people)
            ]
        )


def _make_pending_learners(ctx: DemoContext) -> None:
    people = (
        ("Ffion Maddox", "ffion.maddox@wealdmoor-youthclub.example", "Wealdmoor Youth Club"),
        ("Jonah Pettifer", "jonah@marlbeck-childminding.example", "Marlbeck childminder"),
        ("Asha Venkatesan", "asha.venkatesan@wealdmoor-dance.example", "Wealdmoor Dance School"),
    )
    Learner.objects.bulk_create(
        [
            Learner(
                public_id=ctx.new_uuid(),
                full_name=name,
                email=email,
                job_title="Volunteer",
                organisation=organisation,
                status=LearnerStatus.PENDING,
                created_at=london(date(2026, 3, 10 + i), time(11, 0)),
            )
            for i, (name, email, organisation) in enumerate(people)
        ]
    )


# E-learning completions per financial year, loaded through the import (2024/25: the
# reference report's 621).
ELEARNING = {2023: 584, 2024: 621, 2025: 402}


def _load_elearning(ctx: DemoContext) -> None:
    rng = ctx.rng
    agencies = [AGENCIES_BY_CODE[code] for code in ctx.agencies if code in AGENCIES_BY_CODE]
    for year, n in ELEARNING.items():
        lines = ["module,learner_name,email,completed_on"]
        taken: set[str] = set()
        for _ in range(n):
            spec = rng.choice(agencies)
            given, family = rng.choice(names.ADULT_GIVEN_NAMES), rng.choice(names.FAMILY_NAMES)
            local, k = f"{given}.{family}".lower(), 1
            email = f"{local}@{spec.domains[0]}"
            while email in taken:
                k += 1
                email = f"{local}{k}@{spec.domains[0]}"
            taken.add(email)
            day = FY_START[year] + timedelta(days=rng.randrange(365))
            lines.append(f"{AWARENESS},{given} {family},{email},{day.isoformat()}")
        source = actions.import_elearning(
            "\n".join(lines) + "\n", filename=f"platform-completions-{year}.csv", by=None
        )
        ELearningImport.objects.filter(pk=source.pk).update(
            at=london(FY_START[year + 1] + timedelta(days=3), time(10, 0))
        )
        ctx.count("e-learning completions", source.added)


@clearer("training")
def clear_training(ctx: DemoContext) -> None:
    Evaluation.objects.all().delete()
    Booking.objects.all().delete()
    TrainingSession.objects.all().delete()
    Course.objects.all().delete()
    Learner.objects.all().delete()
    ELearningCompletion.objects.all().delete()
    ELearningImport.objects.all().delete()
    TrainingSettings.objects.all().delete()


@digest_rows("training")
def training_rows() -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["booking", b.session.course.title, b.session.starts_at, b.learner.email, b.status]
        for b in Booking.objects.select_related("session__course", "learner")
    ]
    rows += [
        ["evaluation", e.booking.learner.email, e.booking.session.starts_at, e.stage, e.confidence]
        for e in Evaluation.objects.select_related("booking__learner", "booking__session")
    ]
    rows += [
        ["completion", c.email, c.module, c.completed_on] for c in ELearningCompletion.objects.all()
    ]
    return rows
