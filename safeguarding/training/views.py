"""Pages of training.

Three audiences: partners' staff (learners), who are not hub users and reach their
bookings by a signed link; trainers, who see the registers of their own sessions only;
partnership officers, who run the offer. Analysts and executives read the report.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding.core.access import signed_in_user
from safeguarding.core.decorators import role_required
from safeguarding.core.roles import TRAINER_ROLES
from safeguarding.training import actions, queries
from safeguarding.training.certificate import certificate_pdf
from safeguarding.training.chart import confidence_chart
from safeguarding.training.forms import (
    CourseForm,
    DecisionForm,
    ELearningUploadForm,
    EvaluationForm,
    RegisterForm,
    SendLinkForm,
    SessionForm,
    SettingsForm,
)
from safeguarding.training.links import learner_for_token
from safeguarding.training.models import BookingStatus, EvaluationStage
from safeguarding.training.queries import MANAGER_ROLES, REPORT_ROLES

SESSIONS_PER_PAGE = 20
TRAINING_ROLES = (*MANAGER_ROLES, *TRAINER_ROLES)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# --- Public pages -------------------------------------------------------------------------


def _session_page(request: HttpRequest, token: str | None) -> dict[str, Any]:
    course = None
    if request.GET.get("course", "").isdigit():
        course = queries.active_course(int(request.GET["course"]))
    page = Paginator(queries.upcoming_sessions(course=course), SESSIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return {
        "page": page,
        "sessions": queries.with_counts(page.object_list),
        "courses": queries.courses(active_only=True),
        "course": course,
        "token": token,
    }


def course_list(request: HttpRequest) -> HttpResponse:
    return render(request, "training/course_list.html", _session_page(request, None))


def session_public(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "training/session.html", {"view": queries.public_session(pk)})


def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = actions.register_learner(**form.cleaned_data, base_url=_base_url(request))
        return render(request, "training/registered.html", {"learner": result.learner})
    return render(request, "training/register.html", {"form": form})


def send_link(request: HttpRequest) -> HttpResponse:
    form = SendLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.send_link(form.cleaned_data["email"], base_url=_base_url(request))
        return render(request, "training/link_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "training/send_link.html", {"form": form})


def my_bookings(request: HttpRequest, token: str) -> HttpResponse:
    learner = learner_for_token(token)
    actions.confirm_email(learner)
    context = _session_page(request, token)
    context.update(learner=learner, bookings=queries.learner_booking_rows(learner))
    return render(request, "training/my_bookings.html", context)


@require_POST
def book(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    learner = learner_for_token(token)
    try:
        booking = actions.book(learner, pk, base_url=_base_url(request))
    except actions.TrainingRefused as refusal:
        messages.error(request, str(refusal))
    else:
        if booking.status == BookingStatus.BOOKED:
            messages.success(
                request, f"You have a place on {booking.session}. We have emailed you."
            )
        else:
            messages.info(request, f"{booking.session} is full: you are on its waiting list.")
    return redirect("training:my_bookings", token=token)


@require_POST
def cancel(request: HttpRequest, token: str, booking: str) -> HttpResponse:
    learner = learner_for_token(token)
    found = queries.learner_booking(learner, booking)
    try:
        done = actions.cancel(learner, found, base_url=_base_url(request))
    except actions.TrainingRefused as refusal:
        messages.error(request, str(refusal))
    else:
        late = done.status == BookingStatus.LATE_CANCELLED
        messages.success(request, f"Cancelled{' (late)' if late else ''}: {done.session}.")
    return redirect("training:my_bookings", token=token)


def evaluation(request: HttpRequest, token: str, booking: str, stage: str) -> HttpResponse:
    learner = learner_for_token(token)
    found = queries.learner_booking(learner, booking)
    if stage not in EvaluationStage.values:
        raise Http404("No such evaluation.")
    closed = queries.evaluation_open(found, stage) or (
        "You have given this evaluation already. Thank you."
        if queries.has_evaluated(found, stage)
        else None
    )
    form = EvaluationForm(request.POST or None, stage=stage, course=found.session.course.title)
    if request.method == "POST" and not closed and form.is_valid():
        try:
            actions.submit_evaluation(learner, found, stage, form.cleaned_data)
        except actions.TrainingRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, "Thank you: your evaluation is saved.")
        return redirect("training:my_bookings", token=token)
    context = {"form": form, "booking": found, "stage": EvaluationStage(stage), "closed": closed}
    return render(request, "training/evaluation.html", {**context, "token": token})


def certificate(request: HttpRequest, token: str, booking: str) -> HttpResponse:
    """The certificate is released once the learner attended and gave the after-course
    evaluation; before that, the same page explains what is missing (403)."""
    learner = learner_for_token(token)
    found = queries.learner_booking(learner, booking)
    if found.status != BookingStatus.ATTENDED or not queries.has_evaluated(
        found, EvaluationStage.AFTER
    ):
        context = {"booking": found, "token": token}
        return render(request, "training/certificate_refused.html", context, status=403)
    response = HttpResponse(certificate_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{found.public_id}.pdf"'
    return response


# --- Trainers and partnership officers -----------------------------------------------------


@role_required(*MANAGER_ROLES)
def manage(request: HttpRequest) -> HttpResponse:
    context = {
        "courses": queries.courses(),
        "upcoming": queries.with_counts(queries.upcoming_sessions()[:10]),
        "waiting_learners": queries.learners_waiting().count(),
        "settings": queries.training_settings(),
        "imports": queries.elearning_imports(),
    }
    return render(request, "training/manage.html", context)


@role_required(*TRAINING_ROLES)
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = queries.sessions_for(request.user)  # type: ignore[arg-type]
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "sessions": queries.with_counts(page.object_list)}
    return render(request, "training/session_list.html", context)


@role_required(*TRAINING_ROLES)
def session_register(request: HttpRequest, pk: int) -> HttpResponse:
    session = queries.session_for(request.user, pk)  # type: ignore[arg-type]
    if request.method == "POST":
        marks = {
            int(key.removeprefix("b")): str(request.POST.get(key, ""))
            for key in request.POST
            if key.startswith("b") and key[1:].isdigit()
        }
        try:
            changed = actions.take_register(request, session, marks)
        except actions.TrainingRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, f"The register is saved ({changed} changed).")
        return redirect("training:register_page", pk=pk)
    context = {
        "session": session,
        "view": queries.with_counts([session])[0],
        "bookings": queries.register(session),
        "waiting": queries.waiting_list(session),
        "is_open": timezone.localtime(session.starts_at).date() <= timezone.localdate(),
        "manages": bool(request.user.roles & MANAGER_ROLES),  # type: ignore[union-attr]
    }
    return render(request, "training/register_page.html", context)


def _edit(request: HttpRequest, form: Any, title: str, save: Any) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        save(form)
        messages.success(request, f"{title}: saved.")
        return redirect("training:manage")
    return render(request, "training/edit.html", {"form": form, "title": title})


@role_required(*MANAGER_ROLES)
def course_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    course = queries.course(pk) if pk else None
    form = CourseForm(request.POST or None, instance=course)
    title = f"Change {course.title}" if course else "Add a course"
    return _edit(request, form, title, lambda f: actions.save_course(request, f))


@role_required(*MANAGER_ROLES)
def session_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    session = queries.session_for(request.user, pk) if pk else None  # type: ignore[arg-type]
    form = SessionForm(request.POST or None, instance=session)
    title = "Change the session" if session else "Add a session"
    base = _base_url(request)
    return _edit(request, form, title, lambda f: actions.save_session(request, f, base_url=base))


@role_required(*MANAGER_ROLES)
def settings_edit(request: HttpRequest) -> HttpResponse:
    form = SettingsForm(request.POST or None, instance=queries.training_settings())
    return _edit(request, form, "Training settings", lambda f: actions.save_settings(request, f))


@role_required(*MANAGER_ROLES)
def learners(request: HttpRequest) -> HttpResponse:
    waiting = Paginator(queries.learners_waiting(), 50).get_page(request.GET.get("page"))
    return render(request, "training/learners.html", {"page": waiting})


@role_required(*MANAGER_ROLES)
def learner_decide(request: HttpRequest, public_id: str) -> HttpResponse:
    learner = queries.pending_learner(public_id)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        actions.decide_learner(
            request,
            learner,
            approve=approve,
            agency=form.cleaned_data["agency"],
            base_url=_base_url(request),
        )
        messages.success(request, f"{learner.full_name}: {'approved' if approve else 'refused'}.")
        return redirect("training:learners")
    return render(request, "training/learner_decide.html", {"form": form, "learner": learner})


@role_required(*MANAGER_ROLES)
def elearning_upload(request: HttpRequest) -> HttpResponse:
    form = ELearningUploadForm(request.POST or None, request.FILES or None)
    problems: list[actions.Problem] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
            done = actions.import_elearning(
                text,
                filename=upload.name,
                by=signed_in_user(request),
                request=request,
            )
        except UnicodeDecodeError:
            problems = [actions.Problem(1, "", "the file is not UTF-8 text (save it as CSV UTF-8)")]
        except actions.ELearningRefused as refused:
            problems = refused.problems
        else:
            messages.success(
                request, f"{done.rows} rows read; {done.added} new completions loaded."
            )
            return redirect("training:elearning")
    context = {"form": form, "problems": problems, "imports": queries.elearning_imports()}
    return render(request, "training/elearning.html", context)


@role_required(*REPORT_ROLES)
def report(request: HttpRequest) -> HttpResponse:
    years = queries.report_years()
    wanted = request.GET.get("year", "")
    year = int(wanted) if wanted.isdigit() and int(wanted) in years else years[0]
    figures = queries.year_figures(year)
    context = {"figures": figures, "years": years, "year": year}
    return render(
        request, "training/report.html", {**context, "chart": confidence_chart(figures.rows)}
    )
