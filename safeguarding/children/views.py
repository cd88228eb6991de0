"""Pages of the child index. Every child-level read goes through core.access."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from safeguarding.core import access
from safeguarding.core.decorators import role_required
from safeguarding.core.forms import BreakGlassForm
from safeguarding.core.roles import BREAK_GLASS_ROLES, CASEWORK_ROLES


@role_required(*CASEWORK_ROLES)
def child_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    children = access.list_children(request, purpose="list of children I work with", search=search)
    page = Paginator(children, 50).get_page(request.GET.get("page"))
    return render(request, "children/child_list.html", {"page": page, "search": search})


@role_required(*CASEWORK_ROLES)
def child_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    granted = access.get_child(request, public_id, purpose="child's page")
    context = {
        "access": granted,
        "child": granted.child,
        "records": access.child_records(request.user, granted),
        "events": access.child_events(request.user, granted)[:200],
        "panels": access.child_panels(granted),
    }
    return render(request, "children/child_detail.html", context)


@role_required(*BREAK_GLASS_ROLES)
def break_glass(request: HttpRequest, public_id: str) -> HttpResponse:
    child = access.find_child_for_break_glass(request.user, public_id)
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
            return redirect("children:detail", public_id=child.public_id)
    return render(
        request, "children/break_glass.html", {"form": form, "public_id": child.public_id}
    )
