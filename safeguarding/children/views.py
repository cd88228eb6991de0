"""Pages of the child index. Every child-level read goes through core.access."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from safeguarding.children import access as children_access
from safeguarding.children import exports, queries
from safeguarding.children.forms import (
    ChildSearchForm,
    ChronologyExportForm,
    ChronologyFilterForm,
)
from safeguarding.core import access
from safeguarding.core import home as shared_pages
from safeguarding.core.decorators import role_required
from safeguarding.core.forms import BreakGlassForm
from safeguarding.core.paging import CappedPaginator
from safeguarding.core.roles import BREAK_GLASS_ROLES, CASEWORK_ROLES

# The list of children a user works with pages through at most this many: past it, the
# user searches. Counting all 300,000 children a council works with took seconds
# (bench/bench_child.py); counting up to the limit stops early.
LIST_LIMIT = 1000


@role_required(*CASEWORK_ROLES)
def child_list(request: HttpRequest) -> HttpResponse:
    """The children the user works with; with terms, a search among the children they may see."""
    form = ChildSearchForm(request.GET or None)
    terms = form.search() if form.is_bound and form.is_valid() else None
    page, more = None, False
    if terms is not None and not terms.is_empty:
        results = children_access.search_children(
            request, terms, page_number=request.GET.get("page")
        )
        page, more = results.page, results.more
    elif not form.errors:
        children = access.list_children(request, purpose="list of children I work with")
        paginator = CappedPaginator(
            children, 50, limit=LIST_LIMIT, decorate=children_access.with_record_agencies
        )
        page, more = paginator.get_page(request.GET.get("page")), paginator.more
    searched = terms if terms is not None and not terms.is_empty else None
    context = {"form": form, "page": page, "more": more, "searched": searched}
    return render(request, "children/child_list.html", context)


def _chronology(request: HttpRequest, granted: access.ChildAccess) -> dict[str, Any]:
    """The chronology's filter form and the entries it lets through (visible ones only)."""
    visible = access.child_events(request.user, granted)
    agencies = queries.agency_choices(visible)
    form = ChronologyFilterForm(
        request.GET or None,
        agencies=agencies,
        event_types=queries.event_type_choices(visible),
    )
    filters = form.filters() if form.is_bound else queries.ChronologyFilter()
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter_form": form,
        "filters": filters,
        "filters_summary": filters.summary(dict(agencies)),
        "visible": visible,
        "entries": queries.chronology(visible, filters),
        "filter_query": query.urlencode() if not form.errors else "",
    }


@role_required(*CASEWORK_ROLES)
def child_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    if survivor := children_access.merged_child_destination(request, public_id):
        return redirect("children:detail", public_id=survivor)
    granted = access.get_child(request, public_id, purpose="child's page")
    records = list(access.child_records(request.user, granted))
    chronology = _chronology(request, granted)
    page = Paginator(chronology["entries"], queries.CHRONOLOGY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        **chronology,
        "access": granted,
        "child": granted.child,
        "identity": queries.identity_rows(granted.child, records),
        "records": records,
        "panels": access.child_panels(granted),
        "page": page,
        "timeline": queries.timeline(chronology["visible"]),
        "tracker_links": shared_pages.tracker_links(granted),
    }
    # The other apps' panels (exploitation's status), each adding its own keys.
    panels = shared_pages.panels(request, granted)
    for panel in panels:
        context.update(panel.context)
    context["child_panels"] = panels
    return render(request, "children/child_detail.html", context)


@role_required(*CASEWORK_ROLES)
def chronology_export(request: HttpRequest, public_id: str) -> HttpResponse:
    """GET: what will be exported, and the purpose asked for; POST: the file, recorded."""
    form = ChronologyExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _export_file(request, public_id, form.cleaned_data)
    granted = access.get_child(request, public_id, purpose="chronology export form")
    chronology = _chronology(request, granted)
    if chronology["filter_form"].errors:
        messages.error(request, "Correct the chronology's filters before you export it.")
        return redirect("children:detail", public_id=granted.child.public_id)
    context = {
        **chronology,
        "form": form,
        "child": granted.child,
        "count": chronology["entries"].count(),
    }
    return render(request, "children/chronology_export.html", context)


def _export_file(request: HttpRequest, public_id: str, data: dict[str, Any]) -> HttpResponse:
    filter_form = ChronologyFilterForm.lenient(request.GET)
    if filter_form.is_bound and not filter_form.is_valid():
        messages.error(request, "Correct the chronology's filters before you export it.")
        return redirect("children:detail", public_id=public_id)
    filters = filter_form.filters()
    granted = children_access.export_child(
        request,
        public_id,
        purpose=data["purpose"],
        detail={"format": data["file_format"], "filters": filters.describe()},
    )
    entries = list(queries.chronology(access.child_events(request.user, granted), filters))
    heading = exports.ExportHeading(
        child=granted.child,
        by=access.signed_in_user(request),
        at=timezone.now(),
        purpose=data["purpose"],
        filters=filters.summary({event.agency.code: event.agency.name for event in entries}),
    )
    content, content_type = exports.chronology_file(data["file_format"], heading, entries)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.file_name(granted.child, data["file_format"])}"'
    )
    response["Cache-Control"] = "no-store"
    return response


@role_required(*BREAK_GLASS_ROLES)
def break_glass(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    access.check_may_break_glass(request.user)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access.break_glass(request, public_id, reason=form.cleaned_data["reason"])
        except access.BreakGlassRefused as refused:
            form.add_error("reason", str(refused))
        else:
            messages.warning(
                request, "You opened this record by break-glass. Your reason will be reviewed."
            )
            return redirect("children:detail", public_id=public_id)
    return render(request, "children/break_glass.html", {"form": form, "public_id": public_id})
