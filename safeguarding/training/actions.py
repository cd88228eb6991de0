"""Every change of state in training, each in one transaction and audited.

Emails are sent after the transaction has committed (each action collects them and sends
them once its `atomic` block is done), so a rolled-back change never mails anyone.

The last place: `book` locks the session's row (`select_for_update`) before it counts the
places taken, so two learners asking at once for the last place are served one after the
other: one gets the place, the other the waiting list. On SQLite the lock is a no-op, but
the hub's SQLite transactions are IMMEDIATE (settings.py), which serialises writers the
same way. When a place frees, the first on the waiting list is booked into it at once and
told by email (docs/decisions/0027-waiting-list-books-directly.md).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.utils import timezone

from safeguarding.core import audit, refusals, transactions
from safeguarding.core.models import Agency, AuditAction, User
from safeguarding.training import mail
from safeguarding.training.dates import cancellation_deadline, local_today
from safeguarding.training.models import (
    LIVE_STATUSES,
    PLACE_STATUSES,
    Booking,
    BookingStatus,
    Course,
    ELearningCompletion,
    ELearningImport,
    Evaluation,
    Learner,
    LearnerStatus,
    TrainingSession,
    TrainingSettings,
)
from safeguarding.training.queries import (
    agency_domains,
    agency_for_email,
    evaluation_open,
    training_settings,
)

Mail = Callable[[], None]


class TrainingRefused(refusals.Refused):
    """An action a learner or officer asked for that the rules do not allow; the message
    says why, in words to show them."""

    code = "training.refused"


def _send_all(outbox: Iterable[Mail]) -> None:
    for send in outbox:
        send()


def _learner_audit(learner: Learner, what: str, obj: Any, **detail: Any) -> None:
    audit.record(
        AuditAction.TRAINING_CHANGE,
        user_email=learner.email,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        detail={"what": what, **detail},
    )


def _staff_audit(
    request: HttpRequest | None, user: User | None, what: str, obj: Any, **detail: Any
) -> None:
    audit.record(
        AuditAction.TRAINING_CHANGE,
        request=request,
        user=user,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        detail={"what": what, **detail},
    )


# --- Courses, sessions and settings (partnership officers) ----------------------------------


def save_course(request: HttpRequest, form: Any) -> Course:
    with transactions.action():
        created = form.instance.pk is None
        course: Course = form.save()
        _staff_audit(request, None, "course saved", course, created=created)
    return course


def save_settings(request: HttpRequest, form: Any) -> TrainingSettings:
    with transactions.action():
        saved: TrainingSettings = form.save(commit=False)
        saved.pk = 1
        saved.save()
        _staff_audit(request, None, "settings saved", saved, fields=sorted(form.changed_data))
    return saved


def save_session(request: HttpRequest, form: Any, *, base_url: str) -> TrainingSession:
    """Create or change a session; a larger capacity moves the waiting list up at once."""
    outbox: list[Mail] = []
    with transactions.action():
        created = form.instance.pk is None
        if not created:
            TrainingSession.objects.select_for_update().get(pk=form.instance.pk)
        session: TrainingSession = form.save()
        if not created:
            _promote(session, base_url, outbox)
        _staff_audit(request, None, "session saved", session, created=created)
    _send_all(outbox)
    return session


# --- Learners -----------------------------------------------------------------------------


@dataclass
class Registration:
    learner: Learner
    # True when the learner was already known: their link was sent again.
    existing: bool


def register_learner(
    *, full_name: str, email: str, job_title: str, organisation: str, base_url: str
) -> Registration:
    """A member of staff registers. An approved agency's domain: their link is emailed
    now, and opening it confirms the address. Another domain: they wait for an officer."""
    email = email.strip().lower()
    outbox: list[Mail] = []
    with transactions.action():
        learner = Learner.objects.select_for_update().filter(email=email).first()
        existing = learner is not None
        if learner is None:
            agency = agency_for_email(email)
            learner = Learner.objects.create(
                full_name=full_name.strip(),
                email=email,
                job_title=job_title.strip(),
                organisation=organisation.strip(),
                agency=agency,
                status=LearnerStatus.APPROVED if agency else LearnerStatus.PENDING,
            )
            _learner_audit(learner, "registered", learner, status=learner.status)
        if learner.status == LearnerStatus.APPROVED and mail.may_send_link(email):
            outbox.append(_mail(learner, "link", "Your training bookings link", base_url))
    _send_all(outbox)
    return Registration(learner, existing)


def send_link(email: str, *, base_url: str) -> bool:
    """Email an approved learner their bookings link again; False if there is no such learner
    (the page says the same either way)."""
    learner = Learner.objects.filter(
        email=email.strip().lower(), status=LearnerStatus.APPROVED
    ).first()
    if learner is None or not mail.may_send_link(learner.email):
        return False
    _mail(learner, "link", "Your training bookings link", base_url)()
    return True


def confirm_email(learner: Learner) -> None:
    """The learner opened a link sent to their address: the address is theirs."""
    if learner.email_confirmed_at is None:
        Learner.objects.filter(pk=learner.pk, email_confirmed_at__isnull=True).update(
            email_confirmed_at=timezone.now()
        )
        learner.email_confirmed_at = timezone.now()


def decide_learner(
    request: HttpRequest, learner: Learner, *, approve: bool, agency: Agency | None, base_url: str
) -> None:
    """A partnership officer approves (into an agency) or refuses a learner of an unknown domain."""
    outbox: list[Mail] = []
    with transactions.action():
        learner = Learner.objects.select_for_update().get(pk=learner.pk)
        learner.status = LearnerStatus.APPROVED if approve else LearnerStatus.REFUSED
        learner.agency = agency if approve else learner.agency
        learner.decided_by = request.user  # type: ignore[assignment]
        learner.decided_at = timezone.now()
        learner.save(update_fields=["status", "agency", "decided_by", "decided_at"])
        _staff_audit(request, None, "learner decided", learner, status=learner.status)
        if approve:
            outbox.append(_mail(learner, "approved", "You can now book training", base_url))
        else:
            outbox.append(_mail(learner, "refused", "Your training registration", base_url))
    _send_all(outbox)


def _mail(learner: Learner, template: str, subject: str, base_url: str, **context: Any) -> Mail:
    return lambda: mail.send(learner, template, subject, base_url, **context)


# --- Bookings -----------------------------------------------------------------------------


def _places_taken(session: TrainingSession) -> int:
    return Booking.objects.filter(session=session, status__in=PLACE_STATUSES).count()


def book(
    learner: Learner, session_id: int, *, base_url: str, now: datetime | None = None
) -> Booking:
    """A place if one is free, else the waiting list. Booking again returns the live booking."""
    now = now or timezone.now()
    if not learner.may_book:
        raise TrainingRefused("Your registration has not been approved yet.")
    outbox: list[Mail] = []
    with transactions.action():
        # The lock that makes the last place go to one learner only (module docstring).
        session = (
            TrainingSession.objects.select_for_update()
            .select_related("course")
            .filter(pk=session_id)
            .first()
        )
        if session is None:
            raise TrainingRefused("There is no such session.")
        if session.starts_at <= now:
            raise TrainingRefused("This session has started: it can no longer be booked.")
        if not session.course.is_active:
            raise TrainingRefused("This course is not taking bookings.")
        live = Booking.objects.filter(
            session=session, learner=learner, status__in=LIVE_STATUSES
        ).first()
        if live is not None:
            return live
        has_place = _places_taken(session) < session.capacity
        booking = Booking.objects.create(
            session=session,
            learner=learner,
            status=BookingStatus.BOOKED if has_place else BookingStatus.WAITING,
            created_at=now,
            placed_at=now if has_place else None,
        )
        _learner_audit(learner, "booked", booking, status=booking.status)
        template = "booked" if has_place else "waiting"
        subject = (
            f"Booked: {session.course.title}"
            if has_place
            else f"Waiting list: {session.course.title}"
        )
        deadline = cancellation_deadline(
            session.starts_at, training_settings().cancellation_working_days
        )
        outbox.append(
            _mail(learner, template, subject, base_url, booking=booking, deadline=deadline)
        )
    _send_all(outbox)
    return booking


def is_late(booking: Booking, settings: TrainingSettings, today: date) -> bool:
    """Cancelling after the deadline is late, unless the waiting list gave the learner the
    place after the deadline had passed: they could not have cancelled in time."""
    deadline = cancellation_deadline(booking.session.starts_at, settings.cancellation_working_days)
    if today <= deadline:
        return False
    placed_on = timezone.localtime(booking.placed_at).date() if booking.placed_at else None
    return not (placed_on is not None and placed_on > deadline)


def cancel(
    learner: Learner, booking: Booking, *, base_url: str, now: datetime | None = None
) -> Booking:
    """The learner cancels: a place or a waiting-list entry. A cancellation after the
    deadline is recorded as late (charged if the settings say so); the place goes to the
    first on the waiting list."""
    now = now or timezone.now()
    settings = training_settings()
    outbox: list[Mail] = []
    with transactions.action():
        session = TrainingSession.objects.select_for_update().get(pk=booking.session_id)
        booking = Booking.objects.select_related("session__course").get(pk=booking.pk)
        if booking.learner_id != learner.pk:
            raise TrainingRefused("There is no such booking.")
        if booking.status not in (BookingStatus.BOOKED, BookingStatus.WAITING):
            raise TrainingRefused("This booking cannot be cancelled now.")
        if session.starts_at <= now:
            raise TrainingRefused("The session has started: ask the trainer to record you.")
        late = booking.status == BookingStatus.BOOKED and is_late(
            booking, settings, timezone.localtime(now).date()
        )
        booking.status = BookingStatus.LATE_CANCELLED if late else BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.charge = settings.late_cancellation_charge if late else Decimal("0.00")
        booking.save(update_fields=["status", "cancelled_at", "charge"])
        _learner_audit(learner, "cancelled", booking, late=late)
        outbox.append(
            _mail(
                learner,
                "cancelled",
                f"Cancelled: {session.course.title}",
                base_url,
                booking=booking,
                late=late,
            )
        )
        _promote(session, base_url, outbox, now=now)
    _send_all(outbox)
    return booking


def _promote(
    session: TrainingSession, base_url: str, outbox: list[Mail], *, now: datetime | None = None
) -> list[Booking]:
    """Give free places to the waiting list, first come first served. The caller holds the
    session's lock."""
    now = now or timezone.now()
    if session.starts_at <= now:
        return []
    free = session.capacity - _places_taken(session)
    if free <= 0:
        return []
    promoted = list(
        Booking.objects.filter(session=session, status=BookingStatus.WAITING)
        .select_related("learner", "session__course")
        .order_by("created_at", "pk")[:free]
    )
    for booking in promoted:
        booking.status = BookingStatus.BOOKED
        booking.placed_at = now
        booking.save(update_fields=["status", "placed_at"])
        _learner_audit(booking.learner, "given a place from the waiting list", booking)
        outbox.append(
            _mail(
                booking.learner,
                "promoted",
                f"A place for you: {session.course.title}",
                base_url,
                booking=booking,
            )
        )
    return promoted


# --- The register (trainers and officers) ---------------------------------------------------


def take_register(
    request: HttpRequest,
    session: TrainingSession,
    marks: dict[int, str],
    *,
    now: datetime | None = None,
) -> int:
    """Record who came: `marks` maps booking pk to attended or no_show. A no-show is charged
    if the settings say so. Returns how many bookings changed."""
    now = now or timezone.now()
    if timezone.localtime(session.starts_at).date() > timezone.localtime(now).date():
        raise TrainingRefused("The register opens on the day of the session.")
    settings = training_settings()
    changed = 0
    with transactions.action():
        bookings = Booking.objects.select_for_update().filter(
            session=session, pk__in=list(marks), status__in=PLACE_STATUSES
        )
        for booking in bookings:
            wanted = marks[booking.pk]
            if wanted not in (BookingStatus.ATTENDED, BookingStatus.NO_SHOW):
                continue
            if booking.status == wanted:
                continue
            booking.status = wanted
            booking.marked_at = now
            booking.marked_by = request.user  # type: ignore[assignment]
            booking.charge = (
                settings.no_show_charge if wanted == BookingStatus.NO_SHOW else Decimal("0.00")
            )
            booking.save(update_fields=["status", "marked_at", "marked_by", "charge"])
            changed += 1
        _staff_audit(request, None, "register taken", session, changed=changed)
    return changed


# --- Evaluations and certificates -----------------------------------------------------------


def submit_evaluation(
    learner: Learner,
    booking: Booking,
    stage: str,
    answers: dict[str, Any],
    *,
    now: datetime | None = None,
) -> Evaluation:
    if booking.learner_id != learner.pk:
        raise TrainingRefused("There is no such booking.")
    reason = evaluation_open(booking, stage, now=now)
    if reason:
        raise TrainingRefused(reason)
    with transactions.action():
        if Evaluation.objects.filter(booking=booking, stage=stage).exists():
            raise TrainingRefused("You have given this evaluation already. Thank you.")
        evaluation = Evaluation.objects.create(
            booking=booking,
            stage=stage,
            confidence=answers["confidence"],
            usefulness=answers.get("usefulness"),
            comments=answers.get("comments", ""),
            impact=answers.get("impact", ""),
            may_quote=bool(answers.get("may_quote")),
            submitted_at=now or timezone.now(),
        )
        _learner_audit(learner, "evaluated", evaluation, stage=stage)
    return evaluation


# --- Reminders and follow-ups (the `training_emails` command) ----------------------------


def send_reminders(*, base_url: str, now: datetime | None = None) -> int:
    """Remind each booked learner once, in the days before their session."""
    now = now or timezone.now()
    days = training_settings().reminder_days
    due = Booking.objects.filter(
        status=BookingStatus.BOOKED,
        reminded_at__isnull=True,
        session__starts_at__gt=now,
        session__starts_at__lte=now + timedelta(days=days),
    ).select_related("learner", "session__course")
    sent = 0
    for booking in due:
        # Claimed one by one, so that two runs at once never remind anyone twice.
        if Booking.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(reminded_at=now):
            subject = f"Reminder: {booking.session.course.title}"
            _mail(booking.learner, "reminder", subject, base_url, booking=booking)()
            sent += 1
    return sent


def send_follow_ups(*, base_url: str, now: datetime | None = None) -> int:
    """Ask each attendee for the follow-up evaluation once, when it opens."""
    now = now or timezone.now()
    weeks = training_settings().follow_up_weeks
    due = Booking.objects.filter(
        status=BookingStatus.ATTENDED,
        follow_up_asked_at__isnull=True,
        session__ends_at__lte=now - timedelta(weeks=weeks),
    ).select_related("learner", "session__course")
    sent = 0
    for booking in due:
        if Booking.objects.filter(pk=booking.pk, follow_up_asked_at__isnull=True).update(
            follow_up_asked_at=now
        ):
            subject = f"How has {booking.session.course.title} helped your work?"
            _mail(booking.learner, "follow_up", subject, base_url, booking=booking)()
            sent += 1
    return sent


# --- E-learning completions -----------------------------------------------------------------

ELEARNING_COLUMNS = ("module", "learner_name", "email", "completed_on")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    reason: str


@dataclass
class ELearningRefused(refusals.Refused):
    code = "training.elearning_refused"
    problems: list[Problem] = field(default_factory=list)


def _parse_date(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    return None


def import_elearning(
    text: str, *, filename: str, by: User | None, request: HttpRequest | None = None
) -> ELearningImport:
    """Load a learning platform's completions CSV: every row is checked first, every problem
    named by row, column and reason, and nothing is loaded unless every row is good.
    Completions already held (same email, module and day) are not added twice."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [c for c in ELEARNING_COLUMNS if c not in header]
    if missing:
        raise ELearningRefused(
            [Problem(1, c, "this column is missing from the header row") for c in missing]
        )
    reader.fieldnames = header
    problems: list[Problem] = []
    rows: list[tuple[str, str, str, date]] = []
    seen: set[tuple[str, str, date]] = set()
    for number, raw in enumerate(reader, start=2):
        values = {k: (raw.get(k) or "").strip() for k in ELEARNING_COLUMNS}
        for column in ("module", "learner_name", "email", "completed_on"):
            if not values[column]:
                problems.append(Problem(number, column, "this cell is empty"))
        email = values["email"].lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(
                    Problem(number, "email", f"“{values['email']}” is not an email address")
                )
        completed = _parse_date(values["completed_on"]) if values["completed_on"] else None
        if values["completed_on"] and completed is None:
            problems.append(
                Problem(
                    number,
                    "completed_on",
                    f"“{values['completed_on']}” is not a date like 2025-03-05",
                )
            )
        elif completed is not None and completed > local_today():
            problems.append(Problem(number, "completed_on", "this date is in the future"))
        if completed is not None and values["module"] and email:
            key = (email, values["module"], completed)
            if key in seen:
                problems.append(Problem(number, "email", "this completion is in the file twice"))
            seen.add(key)
            rows.append((values["module"], values["learner_name"], email, completed))
    if not rows and not problems:
        problems.append(Problem(2, "", "the file has no rows"))
    if problems:
        raise ELearningRefused(problems)
    with transactions.action():
        held = set(
            ELearningCompletion.objects.filter(email__in={r[2] for r in rows}).values_list(
                "email", "module", "completed_on"
            )
        )
        new = [r for r in rows if (r[2], r[0], r[3]) not in held]
        domains = agency_domains()
        source = ELearningImport.objects.create(
            filename=filename[:255], rows=len(rows), added=len(new), by=by
        )
        ELearningCompletion.objects.bulk_create(
            [
                ELearningCompletion(
                    module=module,
                    learner_name=name,
                    email=email,
                    agency=domains.get(email.rsplit("@", 1)[-1]),
                    completed_on=completed,
                    source=source,
                )
                for module, name, email, completed in new
            ],
            batch_size=1000,
        )
        _staff_audit(request, by, "e-learning imported", source, rows=len(rows), added=len(new))
    return source
