"""Reads of training. None touches child data.

`year_figures(year)` is the function other apps call for a financial year's training
figures (the data set and the annual report): every total in it is summed from its rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from statistics import mean

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from safeguarding.core.calendar import financial_year, financial_year_bounds, year_label
from safeguarding.core.models import Agency, User
from safeguarding.core.queries import partnership
from safeguarding.core.roles import Role
from safeguarding.training.models import (
    PLACE_STATUSES,
    Booking,
    BookingStatus,
    Course,
    ELearningCompletion,
    ELearningImport,
    Evaluation,
    EvaluationStage,
    Learner,
    LearnerStatus,
    TrainingSession,
    TrainingSettings,
)

# Who manages the training offer: courses, sessions, learners, e-learning and the report
# (docs/decisions/0025-trainer-role.md).
MANAGER_ROLES = frozenset({Role.PARTNERSHIP_OFFICER})
# Who may read the training report: aggregates only, no learner by name.
REPORT_ROLES = frozenset({Role.PARTNERSHIP_OFFICER, Role.ANALYST, Role.EXECUTIVE})


def training_settings() -> TrainingSettings:
    """The settings row, or the defaults before an officer has saved any."""
    return TrainingSettings.objects.filter(pk=1).first() or TrainingSettings(pk=1)


def agency_domains() -> dict[str, Agency]:
    """Work email domain -> the partner agency it belongs to (agencies still in the partnership)."""
    found: dict[str, Agency] = {}
    for agency in Agency.objects.filter(removed_at__isnull=True).exclude(email_domains=""):
        for domain in agency.email_domains.split(","):
            if domain.strip():
                found[domain.strip().lower()] = agency
    return found


def agency_for_email(email: str) -> Agency | None:
    return agency_domains().get(email.rsplit("@", 1)[-1].lower())


# --- Sessions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionView:
    session: TrainingSession
    taken: int
    waiting: int

    @property
    def places_left(self) -> int:
        return max(0, self.session.capacity - self.taken)

    @property
    def is_full(self) -> bool:
        return self.places_left == 0


def with_counts(sessions: Iterable[TrainingSession]) -> list[SessionView]:
    """Places taken and waiting-list length for a page of sessions, in one grouped query
    over the booking index (never an aggregate over every session)."""
    sessions = list(sessions)
    counts: dict[tuple[int, str], int] = {
        (row["session_id"], row["status"]): row["n"]
        for row in Booking.objects.filter(session__in=[s.pk for s in sessions])
        .values("session_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return [
        SessionView(
            s,
            sum(counts.get((s.pk, status), 0) for status in PLACE_STATUSES),
            counts.get((s.pk, BookingStatus.WAITING), 0),
        )
        for s in sessions
    ]


def courses(*, active_only: bool = False) -> QuerySet[Course]:
    found = Course.objects.all()
    return found.filter(is_active=True) if active_only else found


def active_course(pk: int) -> Course | None:
    """A course open for booking, or None (the public list then shows every course)."""
    return courses(active_only=True).filter(pk=pk).first()


def course(pk: int) -> Course:
    return get_object_or_404(Course, pk=pk)


def upcoming_sessions(*, course: Course | None = None) -> QuerySet[TrainingSession]:
    """Sessions open for booking: not started, of an active course, soonest first."""
    queryset = TrainingSession.objects.filter(
        starts_at__gt=timezone.now(), course__is_active=True
    ).select_related("course")
    return queryset.filter(course=course) if course else queryset


def public_session(pk: int) -> SessionView:
    session = upcoming_sessions().filter(pk=pk).first()
    if session is None:
        raise Http404("No such session open for booking.")
    return with_counts([session])[0]


def sessions_for(user: User) -> QuerySet[TrainingSession]:
    """Every session for a manager; a trainer's own only. Newest first."""
    queryset = TrainingSession.objects.select_related("course", "trainer").order_by(
        "-starts_at", "-pk"
    )
    if user.roles & MANAGER_ROLES:
        return queryset
    return queryset.filter(trainer=user)


def session_for(user: User, pk: int) -> TrainingSession:
    """A session the user may run the register of: another trainer's is a 404, the same as
    one that does not exist."""
    session = sessions_for(user).filter(pk=pk).first()
    if session is None:
        raise Http404("No such session.")
    return session


def register(session: TrainingSession) -> list[Booking]:
    """Who holds a place, by name, for the register."""
    return list(
        Booking.objects.filter(session=session, status__in=PLACE_STATUSES)
        .select_related("learner", "learner__agency")
        .order_by("learner__full_name", "pk")
    )


def waiting_list(session: TrainingSession) -> list[Booking]:
    return list(
        Booking.objects.filter(session=session, status=BookingStatus.WAITING)
        .select_related("learner", "learner__agency")
        .order_by("created_at", "pk")
    )


# --- Learners -------------------------------------------------------------------------------


def learners_waiting() -> QuerySet[Learner]:
    return Learner.objects.filter(status=LearnerStatus.PENDING).order_by("created_at", "pk")


def pending_learner(public_id: str) -> Learner:
    learner = learners_waiting().filter(public_id=public_id).first()
    if learner is None:
        raise Http404("No such learner waiting for approval.")
    return learner


def learner_bookings(learner: Learner) -> list[Booking]:
    return list(
        Booking.objects.filter(learner=learner)
        .select_related("session__course")
        .prefetch_related("evaluations")
        .order_by("-session__starts_at", "-pk")
    )


def learner_booking(learner: Learner, public_id: str) -> Booking:
    booking = (
        Booking.objects.filter(learner=learner, public_id=public_id)
        .select_related("session__course", "learner")
        .first()
    )
    if booking is None:
        raise Http404("No such booking.")
    return booking


def has_evaluated(booking: Booking, stage: str) -> bool:
    return Evaluation.objects.filter(booking=booking, stage=stage).exists()


def elearning_imports() -> QuerySet[ELearningImport]:
    return ELearningImport.objects.select_related("by").order_by("-at")[:20]


# --- The year's figures -------------------------------------------------------------------


@dataclass(frozen=True)
class CourseYear:
    course: str
    sessions: int
    attendees: int
    no_shows: int
    late_cancellations: int
    # Mean confidence (1 to 5) before and after, over the evaluations given; None if none.
    confidence_before: float | None
    confidence_after: float | None

    @property
    def confidence_change(self) -> float | None:
        if self.confidence_before is None or self.confidence_after is None:
            return None
        return round(self.confidence_after - self.confidence_before, 2)


@dataclass(frozen=True)
class TrainingYear:
    year: int
    label: str
    rows: list[CourseYear]
    elearning: list[tuple[str, int]]
    quotes: list[str]
    charges: Decimal
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def elearning_total(self) -> int:
        return sum(n for _, n in self.elearning)


def current_financial_year() -> int:
    p = partnership()
    return financial_year(
        timezone.localdate(), p.financial_year_start_month, p.financial_year_start_day
    )


def _year_span(year: int) -> tuple[datetime, datetime, Sequence[object]]:
    p = partnership()
    first, after = financial_year_bounds(
        year, p.financial_year_start_month, p.financial_year_start_day
    )
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(after, time.min, tzinfo=tz)
    return start, end, (first, after)


def _mean(values: list[int]) -> float | None:
    return round(mean(values), 2) if values else None


def year_figures(year: int) -> TrainingYear:
    """A financial year's training (2024 for 2024/25): per course, the sessions delivered
    (started before now), attendees and no-shows, as the reference report's table; the
    change in confidence; follow-up quotes; e-learning completions per module. Every total
    is the sum of the rows."""
    start, end, (first, after) = _year_span(year)
    now = timezone.now()
    in_year = Q(starts_at__gte=start, starts_at__lt=end, starts_at__lte=now)
    sessions = (
        TrainingSession.objects.filter(in_year)
        .values("course_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    session_counts = {row["course_id"]: row["n"] for row in sessions}
    booking_counts: dict[tuple[int, str], int] = {
        (row["session__course_id"], row["status"]): row["n"]
        for row in Booking.objects.filter(
            session__starts_at__gte=start, session__starts_at__lt=end, session__starts_at__lte=now
        )
        .values("session__course_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    confidence: dict[tuple[int, str], list[int]] = {}
    for course_id, stage, value in Evaluation.objects.filter(
        booking__session__starts_at__gte=start,
        booking__session__starts_at__lt=end,
        stage__in=[EvaluationStage.BEFORE, EvaluationStage.AFTER],
    ).values_list("booking__session__course_id", "stage", "confidence"):
        confidence.setdefault((course_id, stage), []).append(value)
    courses = Course.objects.filter(pk__in=session_counts).order_by("title")
    rows = [
        CourseYear(
            course=course.title,
            sessions=session_counts[course.pk],
            attendees=booking_counts.get((course.pk, BookingStatus.ATTENDED), 0),
            no_shows=booking_counts.get((course.pk, BookingStatus.NO_SHOW), 0),
            late_cancellations=booking_counts.get((course.pk, BookingStatus.LATE_CANCELLED), 0),
            confidence_before=_mean(confidence.get((course.pk, EvaluationStage.BEFORE), [])),
            confidence_after=_mean(confidence.get((course.pk, EvaluationStage.AFTER), [])),
        )
        for course in courses
    ]
    totals = {
        "sessions": sum(r.sessions for r in rows),
        "attendees": sum(r.attendees for r in rows),
        "no_shows": sum(r.no_shows for r in rows),
        "late_cancellations": sum(r.late_cancellations for r in rows),
    }
    elearning = [
        (row["module"], row["n"])
        for row in ELearningCompletion.objects.filter(
            completed_on__gte=first, completed_on__lt=after
        )
        .values("module")
        .annotate(n=Count("pk"))
        .order_by("module")
    ]
    quotes = list(
        Evaluation.objects.filter(
            stage=EvaluationStage.FOLLOW_UP,
            may_quote=True,
            booking__session__starts_at__gte=start,
            booking__session__starts_at__lt=end,
        )
        .exclude(impact="")
        .order_by("submitted_at", "pk")
        .values_list("impact", flat=True)
    )
    charges = Booking.objects.filter(
        session__starts_at__gte=start, session__starts_at__lt=end
    ).aggregate(total=Sum("charge"))["total"] or Decimal("0.00")
    return TrainingYear(year, year_label(year), rows, elearning, quotes, charges, totals)


def report_years() -> list[int]:
    """Financial years that have a session, most recent first (at least the current one)."""
    p = partnership()
    years = {current_financial_year()}
    first = (
        TrainingSession.objects.order_by("starts_at").values_list("starts_at", flat=True).first()
    )
    if first is not None:
        start = financial_year(
            timezone.localtime(first).date(),
            p.financial_year_start_month,
            p.financial_year_start_day,
        )
        years.update(range(start, current_financial_year() + 1))
    return sorted(years, reverse=True)


# --- A learner's bookings -------------------------------------------------------------


def evaluation_open(booking: Booking, stage: str, *, now: datetime | None = None) -> str | None:
    """None if the learner may give this stage's evaluation now; else the reason not."""
    now = now or timezone.now()
    session = booking.session
    if stage == EvaluationStage.BEFORE:
        if booking.status not in (BookingStatus.BOOKED, BookingStatus.ATTENDED):
            return "The evaluation before the course is for learners with a place."
        if session.starts_at <= now:
            return "The course has started: the evaluation before it is closed."
        return None
    if booking.status != BookingStatus.ATTENDED:
        return "This evaluation opens once the trainer records that you attended."
    if stage == EvaluationStage.FOLLOW_UP:
        weeks = training_settings().follow_up_weeks
        if now < session.ends_at + timedelta(weeks=weeks):
            return f"The follow-up evaluation opens {weeks} weeks after the course."
    return None


@dataclass(frozen=True)
class BookingRow:
    booking: Booking
    can_cancel: bool
    # Evaluations the learner may give now: (stage, label).
    evaluations_due: list[tuple[str, str]]
    certificate: bool


def learner_booking_rows(learner: Learner, *, now: datetime | None = None) -> list[BookingRow]:
    now = now or timezone.now()
    rows = []
    for booking in learner_bookings(learner):
        given = {e.stage for e in booking.evaluations.all()}
        due = [
            (stage.value, str(stage.label))
            for stage in EvaluationStage
            if stage not in given and evaluation_open(booking, stage, now=now) is None
        ]
        rows.append(
            BookingRow(
                booking,
                can_cancel=booking.status in (BookingStatus.BOOKED, BookingStatus.WAITING)
                and booking.session.starts_at > now,
                evaluations_due=due,
                certificate=booking.status == BookingStatus.ATTENDED
                and EvaluationStage.AFTER in given,
            )
        )
    return rows
