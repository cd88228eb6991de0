"""Pages of the missing tracker. Every child-level read goes through core.access."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding.core import access, paging
from safeguarding.core.decorators import role_required
from safeguarding.core.roles import CASEWORK_ROLES, STRUCTURE_ROLES, Role
from safeguarding.missing import access as missing_access
from safeguarding.missing import actions, queries
from safeguarding.missing.forms import (
    CorrectionForm,
    EpisodeForm,
    InterviewForm,
    ProfileForm,
    ReturnForm,
    SchoolHolidayForm,
)
from safeguarding.missing.models import (
    Episode,
    EpisodeCorrection,
    MissingProfile,
    ReturnInterview,
    SchoolNotice,
)

FIGURE_ROLES = (Role.ANALYST, Role.EXECUTIVE, Role.PARTNERSHIP_OFFICER)


@role_required(*CASEWORK_ROLES)
def tracker(request: HttpRequest) -> HttpResponse:
    show = "all" if request.GET.get("show") == "all" else "open"
    episodes = access.list_rows(request, Episode, purpose="missing tracker", detail={"show": show})
    paginator = paging.CappedPaginator(
        queries.tracker(episodes, show), decorate=queries.tracker_shown
    )
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "show": show,
        "more": paginator.more,
        "urls": paging.url_prefixes(child="missing:child", episode="missing:episode"),
    }
    return render(request, "missing/tracker.html", context)


@role_required(*CASEWORK_ROLES)
def overdue(request: HttpRequest) -> HttpResponse:
    interviews = access.list_rows(
        request, ReturnInterview, purpose="overdue return home interviews"
    )
    paginator = paging.CappedPaginator(queries.overdue(interviews), decorate=queries.overdue_shown)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "more": paginator.more,
        "now": timezone.now(),
        "urls": paging.url_prefixes(child="missing:child", interview="missing:interview"),
    }
    return render(request, "missing/overdue.html", context)


@role_required(*CASEWORK_ROLES)
def repeat(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.repeat_missing_children(request), queries.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "threshold": queries.repeat_threshold(),
        "window": queries.repeat_window_days(),
        "urls": paging.url_prefixes(child="missing:child"),
    }
    return render(request, "missing/repeat.html", context)


@role_required(*CASEWORK_ROLES)
def child(request: HttpRequest, public_id: str) -> HttpResponse:
    granted = access.get_child(request, public_id, purpose="missing episodes")
    episodes = missing_access.with_interview(
        access.rows_for_child(granted, Episode).select_related("agency")
    )
    context = {
        "child": granted.child,
        "episodes": episodes,
        "profile": access.rows_for_child(granted, MissingProfile).first(),
        "may_change": not granted.by_break_glass,
    }
    return render(request, "missing/child.html", context)


@role_required(*CASEWORK_ROLES)
def episode_new(request: HttpRequest, public_id: str) -> HttpResponse:
    granted = access.get_child_to_change(request, public_id, purpose="record a missing episode")
    form = EpisodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            episode = actions.record_episode(request, granted, **form.cleaned_data)
        except actions.MissingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "The episode is recorded.")
            return redirect("missing:episode", public_id=episode.public_id)
    return render(request, "missing/episode_new.html", {"child": granted.child, "form": form})


@role_required(*CASEWORK_ROLES)
def episode(request: HttpRequest, public_id: str) -> HttpResponse:
    """An episode; while open, the form to record the return (POST)."""
    row, granted = access.child_row(request, Episode, public_id, purpose="missing episode")
    form = ReturnForm(request.POST or None) if row.is_open else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            actions.record_return(request, granted, row, **form.cleaned_data)
        except actions.MissingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "The return is recorded: the interview is due.")
            return redirect("missing:episode", public_id=row.public_id)
    interview = access.rows_for_child(granted, ReturnInterview).filter(episode=row).first()
    corrections = (
        access.rows_for_child(granted, EpisodeCorrection)
        .filter(episode=row)
        .select_related("by", "agency")
    )
    context = {
        "child": granted.child,
        "episode": row,
        "form": form,
        "interview": interview,
        "corrections": corrections,
    }
    return render(request, "missing/episode.html", context)


@role_required(*CASEWORK_ROLES)
def episode_correct(request: HttpRequest, public_id: str) -> HttpResponse:
    """Correct an episode's details; the corrections are kept and listed on its page."""
    row, granted = access.child_row(
        request, Episode, public_id, purpose="correct a missing episode"
    )
    initial = {name: getattr(row, name) for name in actions.CORRECTABLE}
    form = CorrectionForm(request.POST or None, initial=initial, returned=not row.is_open)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        reason = values.pop("reason")
        try:
            done = actions.correct_episode(request, granted, row, values=values, reason=reason)
        except actions.MissingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request, "The episode is corrected." if done else "Nothing was changed."
            )
            return redirect("missing:episode", public_id=row.public_id)
    context = {"child": granted.child, "episode": row, "form": form}
    return render(request, "missing/episode_correct.html", context)


@role_required(*CASEWORK_ROLES)
def interview(request: HttpRequest, public_id: str) -> HttpResponse:
    row, granted = access.child_row(
        request, ReturnInterview, public_id, purpose="return home interview"
    )
    form = InterviewForm(request.POST or None, initial=_interview_initial(row))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_interview(request, granted, row, form.change())
        except actions.MissingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "The interview is saved.")
            return redirect("missing:episode", public_id=row.episode.public_id)
    context = {"child": granted.child, "interview": row, "form": form}
    return render(request, "missing/interview.html", context)


def _interview_initial(row: ReturnInterview) -> dict[str, object]:
    names = [*InterviewForm.base_fields]
    return {name: getattr(row, name) for name in names}


@role_required(*CASEWORK_ROLES)
def profile(request: HttpRequest, public_id: str) -> HttpResponse:
    granted = access.get_child(request, public_id, purpose="missing profile")
    kept = access.rows_for_child(granted, MissingProfile).first()
    names = [name for name in ProfileForm.base_fields if name != "photo"]
    initial = {name: getattr(kept, name) for name in names} if kept else {}
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photo = data.pop("photo", None)
        consent_given_by, consent_on = data.pop("consent_given_by"), data.pop("consent_on")
        actions.save_profile(
            request, granted, values=data, consent_given_by=consent_given_by,
            consent_on=consent_on, photo=photo,
        )  # fmt: skip
        messages.success(request, "The profile is kept.")
        return redirect("missing:child", public_id=granted.child.public_id)
    context = {"child": granted.child, "form": form, "profile": kept}
    return render(request, "missing/profile.html", context)


@role_required(*CASEWORK_ROLES)
def profile_print(request: HttpRequest, public_id: str) -> HttpResponse:
    granted = access.get_child(request, public_id, purpose="print the missing profile")
    kept = access.rows_for_child(granted, MissingProfile).first()
    if kept is None:
        raise Http404("No profile is kept.")
    context = {"child": granted.child, "profile": kept, "open": actions.open_episode(granted)}
    return render(request, "missing/profile_print.html", context)


@role_required(*CASEWORK_ROLES)
def profile_photo(request: HttpRequest, public_id: str) -> FileResponse:
    granted = access.get_child(request, public_id, purpose="missing profile photograph")
    kept = access.rows_for_child(granted, MissingProfile).first()
    if kept is None or not kept.photo:
        raise Http404("No photograph is kept.")
    response = FileResponse(kept.photo.open("rb"))
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(*CASEWORK_ROLES)
@require_POST
def profile_share(request: HttpRequest, public_id: str) -> HttpResponse:
    granted = access.get_child_to_change(
        request, public_id, purpose="share the missing profile with police"
    )
    kept = access.rows_for_child(granted, MissingProfile).first()
    if kept is None:
        raise Http404("No profile is kept.")
    try:
        actions.share_profile_with_police(request, granted, kept)
    except actions.MissingRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "The profile is shared with police, and the share recorded.")
    return redirect("missing:child", public_id=granted.child.public_id)


@role_required(*CASEWORK_ROLES)
def notices(request: HttpRequest) -> HttpResponse:
    """Notices of pupils' returns, for a school's designated safeguarding lead."""
    page = Paginator(missing_access.my_school_notices(request), queries.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "missing/notices.html", {"page": page})


@role_required(*CASEWORK_ROLES)
@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    notice = missing_access.my_school_notices(request).filter(pk=pk).first()
    if not isinstance(notice, SchoolNotice):
        raise Http404("No such notice.")
    actions.mark_notice_read(request, notice)
    return redirect("missing:notices")


@role_required(*STRUCTURE_ROLES)
def school_holidays(request: HttpRequest) -> HttpResponse:
    """The school holidays kept: a return in one is told to schools on the first day back."""
    form = SchoolHolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_school_holiday(request, **form.cleaned_data)
        except actions.MissingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "The holiday is kept.")
            return redirect("missing:school_holidays")
    holidays = queries.school_holidays_kept(timezone.localdate())
    return render(request, "missing/school_holidays.html", {"form": form, "holidays": holidays})


@role_required(*STRUCTURE_ROLES)
@require_POST
def school_holiday_remove(request: HttpRequest, pk: int) -> HttpResponse:
    holiday = queries.school_holiday(pk)
    actions.remove_school_holiday(request, holiday)
    messages.success(request, "The holiday is removed.")
    return redirect("missing:school_holidays")


@role_required(*FIGURE_ROLES)
def figures(request: HttpRequest) -> HttpResponse:
    """The data set's missing figures per month, for the last twelve months."""
    rows = queries.monthly_figures(timezone.localdate())
    return render(request, "missing/figures.html", {"rows": rows})
