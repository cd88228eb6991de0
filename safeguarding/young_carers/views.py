"""Pages of the young carers register. Child-level reads and writes go through core.access."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from safeguarding.core import access
from safeguarding.core.decorators import role_required
from safeguarding.core.paging import CappedPaginator, url_prefixes
from safeguarding.core.roles import CASEWORK_ROLES, Role
from safeguarding.young_carers import actions, chart, queries
from safeguarding.young_carers.forms import CloseForm, MonthsForm, RegisterForm, ReviewForm
from safeguarding.young_carers.models import YoungCarer

# Aggregates (no child named) are for the partnership's analysts and leaders too.
FIGURE_ROLES = (*CASEWORK_ROLES, Role.ANALYST, Role.EXECUTIVE, Role.PARTNERSHIP_OFFICER)
VIEW_PURPOSE = "young carers register"


@role_required(*CASEWORK_ROLES)
def index(request: HttpRequest) -> HttpResponse:
    show = "all" if request.GET.get("show") == "all" else "open"
    paginator = CappedPaginator(
        queries.register(request, show=show), decorate=queries.register_shown
    )
    context = {
        "page": paginator.get_page(request.GET.get("page")),
        "more": paginator.more,
        "show": show,
        "today": timezone.localdate(),
        "urls": url_prefixes(carer="young_carers:detail"),
    }
    return render(request, "young_carers/index.html", context)


@role_required(*CASEWORK_ROLES)
def register(request: HttpRequest, public_id: str) -> HttpResponse:
    granted = access.get_child_to_change(request, public_id, purpose="register a young carer")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            carer = actions.register(request, granted, **form.cleaned_data)
        except actions.RegisterRefused as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, "Registered as a young carer.")
            return redirect("young_carers:detail", public_id=carer.public_id)
    return render(request, "young_carers/register.html", {"form": form, "child": granted.child})


@role_required(*CASEWORK_ROLES)
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    carer, granted = access.child_row(request, YoungCarer, public_id, purpose=VIEW_PURPOSE)
    context = {
        "carer": carer,
        "child": granted.child,
        "reviews": queries.reviews_of(granted, carer),
        "today": timezone.localdate(),
    }
    return render(request, "young_carers/detail.html", context)


@role_required(*CASEWORK_ROLES)
def review(request: HttpRequest, public_id: str) -> HttpResponse:
    carer, granted = access.child_row(request, YoungCarer, public_id, purpose=VIEW_PURPOSE)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_review(request, granted, carer, **form.cleaned_data)
        except actions.RegisterRefused as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, "Review recorded.")
            return redirect("young_carers:detail", public_id=carer.public_id)
    context = {"form": form, "carer": carer, "child": granted.child}
    return render(request, "young_carers/review.html", context)


@role_required(*CASEWORK_ROLES)
def close(request: HttpRequest, public_id: str) -> HttpResponse:
    carer, granted = access.child_row(request, YoungCarer, public_id, purpose=VIEW_PURPOSE)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.close(
                request, granted, carer, closed_on=data["closed_on"], reason=data["reason"]
            )
        except actions.RegisterRefused as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, "Registration closed.")
            return redirect("young_carers:detail", public_id=carer.public_id)
    context = {"form": form, "carer": carer, "child": granted.child}
    return render(request, "young_carers/close.html", context)


@role_required(*CASEWORK_ROLES)
def oversight(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    paginator = CappedPaginator(queries.oversight(request, today), decorate=queries.oversight_shown)
    context = {
        "page": paginator.get_page(request.GET.get("page")),
        "more": paginator.more,
        "today": today,
        "urls": url_prefixes(carer="young_carers:detail"),
    }
    return render(request, "young_carers/oversight.html", context)


@role_required(*FIGURE_ROLES)
def identification(request: HttpRequest) -> HttpResponse:
    form = MonthsForm(request.GET or None)
    today = timezone.localdate()
    start: date | None = None
    end: date | None = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    end = end or today
    start = start or queries.first_identified(end)
    months = queries.identification_by_month(start, end)
    drawn = chart.column_chart(
        [(m.month, m.identified) for m in months], what="young carers on the register"
    )
    context = {"form": form, "months": months, "chart": drawn}
    return render(request, "young_carers/identification.html", context)
