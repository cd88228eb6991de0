"""The linkage officers' pages: the review queue, a pair, a child's identity, merges and splits.

Identifiable data on these pages is shown only to linkage officers (`role_required`), and
every look at a pair or a child is recorded by the access helpers with the purpose
"linkage review".
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safeguarding.children import access as children_access
from safeguarding.children import actions
from safeguarding.children.models import Child, SourceRecord
from safeguarding.children.review import display as review_display
from safeguarding.children.review.forms import DecisionForm, MergeForm, SplitForm, UndoForm
from safeguarding.core.decorators import role_required
from safeguarding.core.roles import LINKAGE_ROLES


def _record_label(record: SourceRecord) -> str:
    born = review_display.shown("date_of_birth", record.date_of_birth) or "date of birth not known"
    name = f"{record.given_name} {record.family_name}".strip() or "name not known"
    return f"{record.agency.name} {record.record_id}: {name}, {born}"


def _child_page(
    request: HttpRequest,
    child: Child,
    *,
    merge_form: MergeForm | None = None,
    split_form: SplitForm | None = None,
) -> HttpResponse:
    records = list(children_access.linkage_child_records(child))
    choices = [(r.pk, _record_label(r)) for r in records]
    context: dict[str, Any] = {
        "child": child,
        "identity": review_display.identity_rows(child),
        "records": records,
        "history": children_access.identity_history(child)[:50],
        "pending": children_access.linkage_child_pending(child)[:20],
        "merge_form": merge_form or MergeForm(),
        "split_form": split_form or SplitForm(records=choices),
    }
    return render(request, "children/linkage/child.html", context)


@role_required(*LINKAGE_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    page = Paginator(children_access.linkage_queue(request), 25).get_page(request.GET.get("page"))
    return render(request, "children/linkage/queue.html", {"page": page})


@role_required(*LINKAGE_ROLES)
def pair(request: HttpRequest, public_id: str) -> HttpResponse:
    found = children_access.linkage_pair(request, public_id)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.decide_candidate(
                request, found.public_id, same_child=form.same_child, note=form.cleaned_data["note"]
            )
        except actions.IdentityChangeRefused as refused:
            form.add_error(None, str(refused))
        else:
            done = "linked into one child" if form.same_child else "kept as different children"
            messages.success(request, f"The two records were {done}.")
            return redirect("linkage:queue")
    context = {
        "pair": found,
        "form": form,
        "rows": review_display.side_by_side(found.candidate, found.record),
        "bars": review_display.weight_bars(found.comparisons or []),
    }
    return render(request, "children/linkage/pair.html", context)


@role_required(*LINKAGE_ROLES)
def child(request: HttpRequest, public_id: str) -> HttpResponse:
    return _child_page(request, children_access.linkage_child(request, public_id))


@role_required(*LINKAGE_ROLES)
def history(request: HttpRequest) -> HttpResponse:
    page = Paginator(children_access.linkage_history(request), 25).get_page(request.GET.get("page"))
    return render(request, "children/linkage/history.html", {"page": page})


def _merge_target(request: HttpRequest, keep: Child, form: MergeForm) -> Child | None:
    """The child named in the merge form, if it may be merged into `keep`; else the form
    carries the reason."""
    if not form.is_valid():
        return None
    other = children_access.linkage_find_child(request, form.cleaned_data["other"])
    if other is None or other.pk == keep.pk:
        form.add_error("other", "No other child has that pseudonym or reference.")
        return None
    if problem := actions.merge_refusal(request, keep, other):
        form.add_error(None, problem)
        return None
    return other


@role_required(*LINKAGE_ROLES)
@require_POST
def merge(request: HttpRequest, public_id: str) -> HttpResponse:
    keep = children_access.linkage_child(request, public_id)
    form = MergeForm(request.POST)
    other = _merge_target(request, keep, form)
    if other is None:
        return _child_page(request, keep, merge_form=form)
    if not form.cleaned_data["confirm"]:
        context = {"keep": keep, "other": other, "form": form}
        context["keep_records"] = children_access.linkage_child_records(keep)
        context["other_records"] = children_access.linkage_child_records(other)
        return render(request, "children/linkage/merge_confirm.html", context)
    try:
        actions.merge_children(request, keep, other, reason=form.cleaned_data["reason"])
    except actions.IdentityChangeRefused as refused:  # changed since the confirmation
        form.add_error(None, str(refused))
        return _child_page(request, keep, merge_form=form)
    messages.success(request, f"{other.pseudonym} was merged into this child.")
    return redirect("linkage:child", public_id=keep.public_id)


@role_required(*LINKAGE_ROLES)
@require_POST
def split(request: HttpRequest, public_id: str) -> HttpResponse:
    found = children_access.linkage_child(request, public_id)
    choices = [(r.pk, _record_label(r)) for r in children_access.linkage_child_records(found)]
    form = SplitForm(request.POST, records=choices)
    if form.is_valid():
        try:
            change = actions.split_child(
                request, found, form.record_ids, reason=form.cleaned_data["reason"]
            )
        except actions.IdentityChangeRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request, f"The chosen records are now a new child, {change.other.pseudonym}."
            )
            return redirect("linkage:child", public_id=found.public_id)
    return _child_page(request, found, split_form=form)


@role_required(*LINKAGE_ROLES)
@require_POST
def undo(request: HttpRequest, public_id: str) -> HttpResponse:
    change = children_access.linkage_change(request, public_id)
    # The undo buttons post without a reason: the first post asks for one.
    form = UndoForm(request.POST if "reason" in request.POST else None)
    if form.is_bound and form.is_valid():
        try:
            actions.undo_change(request, change.public_id, reason=form.cleaned_data["reason"])
        except actions.IdentityChangeRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"The {change.get_kind_display().lower()} was undone.")
            return redirect("linkage:child", public_id=change.child.public_id)
    return render(request, "children/linkage/undo_confirm.html", {"change": change, "form": form})
