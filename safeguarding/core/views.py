"""Pages of the core app: home, the partnership's structure, users, the audit log."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding.core import access, actions, audit, queries
from safeguarding.core import home as shared_pages
from safeguarding.core.access import signed_in_user
from safeguarding.core.decorators import role_required
from safeguarding.core.exports import csv_streaming_response
from safeguarding.core.forms import (
    AgencyForm,
    AuditSearchForm,
    BreakGlassReviewForm,
    PartnershipForm,
    PriorityForm,
    SubGroupForm,
    UserForm,
)
from safeguarding.core.models import AuditAction
from safeguarding.core.pages import form_page
from safeguarding.core.roles import AUDIT_ROLES, STRUCTURE_ROLES, USER_ADMIN_ROLES


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"sections": shared_pages.sections(request.user)})  # type: ignore[arg-type]


def _edit(request: HttpRequest, form: Any, *, title: str, back: str, done: str) -> HttpResponse:
    """Shared body of the structure forms: validate, save through the action, or show errors."""
    save = partial(actions.save_structure, request)
    return form_page(request, form, title=title, back=back, save=save, done=done)


@role_required(*STRUCTURE_ROLES)
def partnership_settings(request: HttpRequest) -> HttpResponse:
    form = PartnershipForm(request.POST or None, instance=queries.partnership())
    return _edit(request, form, title="The partnership", back="core:home", done="core:partnership")


@role_required(*STRUCTURE_ROLES)
def agency_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/agency_list.html", {"agencies": queries.agencies()})


@role_required(*STRUCTURE_ROLES)
def agency_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    agency = queries.agency_by_code(code) if code else None
    form = AgencyForm(request.POST or None, instance=agency)
    title = f"Change {agency.name}" if agency else "Add an agency"
    return _edit(request, form, title=title, back="core:agencies", done="core:agencies")


@role_required(*STRUCTURE_ROLES)
@require_POST
def agency_remove(request: HttpRequest, code: str) -> HttpResponse:
    agency = queries.agency_by_code(code)
    if agency.is_active:
        ended = actions.remove_agency(request, agency)
        messages.success(
            request, f"{agency.name} was removed from the partnership; {ended} sessions were ended."
        )
    else:
        actions.restore_agency(request, agency)
        messages.success(request, f"{agency.name} was restored to the partnership.")
    return redirect("core:agencies")


@role_required(*STRUCTURE_ROLES)
def sub_group_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/sub_group_list.html", {"sub_groups": queries.sub_groups()})


@role_required(*STRUCTURE_ROLES)
def sub_group_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    group = queries.sub_group(pk) if pk else None
    form = SubGroupForm(request.POST or None, instance=group)
    title = f"Change {group.name}" if group else "Add a sub-group"
    return _edit(request, form, title=title, back="core:sub_groups", done="core:sub_groups")


@role_required(*STRUCTURE_ROLES)
def priority_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/priority_list.html", {"priorities": queries.priorities()})


@role_required(*STRUCTURE_ROLES)
def priority_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    priority = queries.priority(pk) if pk else None
    form = PriorityForm(request.POST or None, instance=priority)
    title = "Change a priority" if priority else "Add a priority"
    return _edit(request, form, title=title, back="core:priorities", done="core:priorities")


@role_required(*USER_ADMIN_ROLES)
def user_list(request: HttpRequest) -> HttpResponse:
    users = queries.users_managed_by(request.user)  # type: ignore[arg-type]
    return render(request, "core/user_list.html", {"users": users})


@role_required(*USER_ADMIN_ROLES)
def user_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    subject = queries.managed_user(request.user, pk) if pk else None  # type: ignore[arg-type]
    form = UserForm(request.POST or None, instance=subject, admin=signed_in_user(request))
    if request.method == "POST" and form.is_valid():
        user = actions.save_user(request, form)
        messages.success(request, f"{user.full_name}: saved.")
        return redirect("core:users")
    title = f"Change {subject.full_name}" if subject else "Add a user"
    return render(request, "core/edit.html", {"form": form, "title": title, "back": "core:users"})


@role_required(*USER_ADMIN_ROLES)
@require_POST
def user_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    subject = queries.managed_user(request.user, pk)  # type: ignore[arg-type]
    if subject.pk == request.user.pk:
        messages.error(request, "You cannot disable your own account.")
    elif subject.is_active:
        ended = actions.disable_user(request, subject)
        messages.success(
            request, f"{subject.full_name} was disabled and signed out of {ended} sessions."
        )
    else:
        actions.enable_user(request, subject)
        messages.success(request, f"{subject.full_name} was enabled.")
    return redirect("core:users")


@role_required(*AUDIT_ROLES)
def audit_search(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    query = queries.AuditQuery(**form.cleaned_data) if form.is_valid() else queries.AuditQuery()
    if query.is_empty:
        # Before a search, the latest entries only: counting the whole log grows with it.
        page: Any = queries.audit_entries(query)[:50]
    else:
        page = Paginator(queries.audit_entries(query), 50).get_page(request.GET.get("page"))
    response = render(
        request, "core/audit_search.html", {"form": form, "page": page, "query": query}
    )
    if not query.is_empty:
        # Recorded once the results are read, so the search is not among its own results.
        audit.record(
            AuditAction.AUDIT_SEARCH,
            request=request,
            purpose="audit search",
            child_ref=queries.child_ref(query.child),
            detail=query.describe(),
        )
    return response


def _audit_csv_rows(query: queries.AuditQuery) -> Iterator[Iterable[Any]]:
    yield audit.EXPORTED_FIELDS
    for entry in queries.audit_entries(query).iterator(chunk_size=2000):
        yield (
            timezone.localtime(entry.at).isoformat() if name == "at" else getattr(entry, name)
            for name in audit.EXPORTED_FIELDS
        )


@role_required(*AUDIT_ROLES)
def audit_export(request: HttpRequest) -> HttpResponseBase:
    form = AuditSearchForm(request.GET or None)
    if not form.is_valid() or queries.AuditQuery(**form.cleaned_data).is_empty:
        messages.error(request, "Search first, then export what you found.")
        return redirect("core:audit")
    query = queries.AuditQuery(**form.cleaned_data)
    audit.record(
        AuditAction.EXPORT,
        request=request,
        child_ref=queries.child_ref(query.child),
        object_type="audit_log",
        purpose="audit export",
        detail=query.describe(),
    )
    return csv_streaming_response(_audit_csv_rows(query), "audit-log.csv")


@role_required(*AUDIT_ROLES)
def break_glass_queue(request: HttpRequest) -> HttpResponse:
    reviewed = request.GET.get("show") == "reviewed"
    openings = access.break_glass_queue(reviewed=reviewed)[:200]
    return render(
        request, "core/break_glass_queue.html", {"openings": openings, "reviewed": reviewed}
    )


@role_required(*AUDIT_ROLES)
def break_glass_review(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    opening = get_object_or_404(access.break_glass_queue(reviewed=False), public_id=public_id)
    form = BreakGlassReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access.review_break_glass(
                request,
                public_id,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except access.BreakGlassRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Break-glass reviewed.")
            return redirect("core:break_glass_queue")
    return render(request, "core/break_glass_review.html", {"opening": opening, "form": form})
