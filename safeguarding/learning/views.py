"""Pages of the learning cycle. Thin: parse, call an action or a query, render.

Partnership officers run the cycle; executives see the deadlines and the assurance report;
every user of an agency sees the learning library and their agency's actions and returns.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding.core import access
from safeguarding.core.access import signed_in_user
from safeguarding.core.calendar import add_months
from safeguarding.core.decorators import role_required
from safeguarding.core.pages import form_page
from safeguarding.core.roles import Role
from safeguarding.learning import actions, charts, forms, queries
from safeguarding.learning import deadlines as deadline_queries
from safeguarding.learning.models import (
    Notification,
    PracticeAudit,
    PracticeReview,
)

officer_only = role_required(Role.PARTNERSHIP_OFFICER)
overseers = role_required(Role.PARTNERSHIP_OFFICER, Role.EXECUTIVE)


# Overview, deadlines, calendar ---------------------------------------------------------------


@overseers
def index(request: HttpRequest) -> HttpResponse:
    counts = queries.counts_by_financial_year()
    return render(request, "learning/index.html", {"counts": sorted(counts.items(), reverse=True)})


@overseers
def deadlines(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    state = state if state in {"missed", "at_risk"} else ""
    summary = deadline_queries.deadlines(state=state)
    page = Paginator(summary.items, 50).get_page(request.GET.get("page"))
    context = {"summary": summary, "page": page, "state": state}
    return render(request, "learning/deadlines.html", context)


@overseers
def deadline_calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year, month = (int(p) for p in request.GET.get("month", "").split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    weeks = deadline_queries.calendar_month(first.year, first.month, today)
    context = {
        "weeks": weeks,
        "month": first,
        "previous": add_months(first, -1),
        "next": add_months(first, 1),
        "today": today,
    }
    return render(request, "learning/calendar.html", context)


# Serious incidents and rapid reviews ---------------------------------------------------------


@officer_only
def notification_list(request: HttpRequest) -> HttpResponse:
    items = queries.notifications()
    return render(request, "learning/notification_list.html", {"notifications": items})


@officer_only
def notification_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    found = queries.notification(pk) if pk else None
    form = forms.NotificationForm(request.POST or None, instance=found)
    by = signed_in_user(request)

    def save(f: forms.NotificationForm) -> Notification:
        n = f.save(commit=False)
        return actions.save_notification(n, by=by, themes=f.cleaned_data["themes"], request=request)

    title = f"Change {found.case_reference}" if found else "Record a serious incident notification"
    return form_page(
        request,
        form,
        title=title,
        back="learning:notifications",
        save=save,
        done=lambda n: reverse("learning:notification", args=[n.pk]),
    )


@officer_only
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.notification(pk)
    review = found.rapid_review
    context = {
        "notification": found,
        "review": review,
        "requests": queries.information_requests(review),
        "practice_review": queries.practice_review_of(review),
    }
    return render(request, "learning/notification_detail.html", context)


@officer_only
def rapid_review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.notification(pk)
    form = forms.RapidReviewForm(request.POST or None, instance=found.rapid_review)
    by = signed_in_user(request)
    return form_page(
        request,
        form,
        title=f"Rapid review of {found.case_reference}",
        back="learning:notifications",
        save=lambda f: actions.save_rapid_review(f.save(commit=False), by=by, request=request),
        done=reverse("learning:notification", args=[found.pk]),
    )


@officer_only
def information_request_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.notification(pk)
    form = forms.InformationRequestForm(request.POST or None)
    by = signed_in_user(request)
    return form_page(
        request,
        form,
        title=f"Ask an agency for information: {found.case_reference}",
        back="learning:notifications",
        save=lambda f: actions.request_information(
            found.rapid_review, by=by, request=request, **f.cleaned_data
        ),
        done=reverse("learning:notification", args=[found.pk]),
    )


@officer_only
def information_return(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.information_request(pk)
    form = forms.ReturnForm(request.POST or None, initial={"returned_on": timezone.localdate()})
    by = signed_in_user(request)
    return form_page(
        request,
        form,
        title=f"Return received from {item.agency.name}",
        back="learning:notifications",
        save=lambda f: actions.record_information_return(
            item, by=by, on=f.cleaned_data["returned_on"], request=request
        ),
        done=reverse("learning:notification", args=[item.rapid_review.notification_id]),
    )


# Practice reviews ------------------------------------------------------------------------------


@officer_only
def review_list(request: HttpRequest) -> HttpResponse:
    reviews = queries.practice_reviews()
    return render(request, "learning/review_list.html", {"reviews": reviews})


@officer_only
def review_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    found = queries.practice_review(pk) if pk else None
    form = forms.PracticeReviewForm(request.POST or None, instance=found)
    by = signed_in_user(request)

    def save(f: forms.PracticeReviewForm) -> PracticeReview:
        return actions.save_practice_review(
            f.save(commit=False), by=by, themes=f.cleaned_data["themes"], request=request
        )

    return form_page(
        request,
        form,
        title=f"Change {found.case_reference}" if found else "Start a practice review",
        back="learning:reviews",
        save=save,
        done=lambda r: reverse("learning:review", args=[r.pk]),
    )


@officer_only
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.practice_review(pk)
    context = {"review": found, "milestones": found.milestones.all(), "today": timezone.localdate()}
    return render(request, "learning/review_detail.html", context)


@officer_only
def milestone_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.practice_review(pk)
    form = forms.MilestoneForm(request.POST or None)
    by = signed_in_user(request)
    return form_page(
        request,
        form,
        title=f"Add a milestone to {found.case_reference}",
        back="learning:reviews",
        save=lambda f: actions.add_milestone(found, by=by, request=request, **f.cleaned_data),
        done=reverse("learning:review", args=[found.pk]),
    )


@officer_only
@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = queries.milestone(pk)
    actions.complete_milestone(
        milestone, by=signed_in_user(request), on=timezone.localdate(), request=request
    )
    messages.success(request, f"{milestone.title}: done.")
    return redirect("learning:review", pk=milestone.review_id)


# The action tracker ------------------------------------------------------------------------------


@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    found = queries.visible_actions(user)
    rag = request.GET.get("rag", "")
    if rag in queries.Rag.LABELS:
        found = found.filter(queries.rag_filter(rag, timezone.localdate()))
    if request.GET.get("sub_group", "").isdigit():
        found = found.filter(sub_group_id=int(request.GET["sub_group"]))
    page = Paginator(found.order_by("due_on", "pk"), 50).get_page(request.GET.get("page"))
    shown = queries.with_rag(list(page.object_list))
    with_child = access.child_actions_shown(request, shown, purpose="the action tracker")
    for action in shown:
        if access.is_child_action(action) and action.pk not in with_child:
            queries.without_child_reference(action)
    page.object_list = shown
    context = {
        "page": page,
        "rag": rag,
        "rags": queries.Rag.LABELS,
        "runs": queries.runs_learning(user),
    }
    return render(request, "learning/action_list.html", context)


@officer_only
def action_new(request: HttpRequest) -> HttpResponse:
    form = forms.ActionForm(request.POST or None)
    by = signed_in_user(request)
    return form_page(
        request,
        form,
        title="Add an action",
        back="learning:actions",
        save=lambda f: actions.create_action(by=by, request=request, **f.cleaned_data),
        done=lambda a: reverse("learning:action", args=[a.pk]),
    )


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    found = queries.with_rag([queries.action_for(user, pk)])[0]
    granted = access.child_action_view(request, found, purpose="a panel's action in the tracker")
    if access.is_child_action(found) and granted is None:
        queries.without_child_reference(found)
    context = {
        "action": found,
        "may_update": queries.may_update_action(user, found),
        "may_sign_off": actions.may_sign_off(user, found),
    }
    return render(request, "learning/action_detail.html", context)


@login_required
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    found = queries.action_for(user, pk)
    if not queries.may_update_action(user, found):
        raise PermissionDenied("Only the owner agency updates this action.")
    initial = {"status": found.status, "evidence": found.evidence}
    form = forms.ActionUpdateForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        title=f"Update: {found.title}",
        back="learning:actions",
        save=lambda f: actions.update_action(found, by=user, request=request, **f.cleaned_data),
        done=reverse("learning:action", args=[found.pk]),
    )


@login_required
@require_POST
def action_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    found = queries.action_for(user, pk)
    accept = request.POST.get("decision") != "return"
    try:
        actions.sign_off_action(found, by=user, accept=accept, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Signed off." if accept else "Sent back to the owner.")
    return redirect("learning:action", pk=found.pk)


# The quarterly assurance report --------------------------------------------------------------------


@overseers
def assurance(request: HttpRequest) -> HttpResponse:
    current = queries.Quarter.containing(timezone.localdate())
    quarters = [current]
    for _ in range(7):
        q = quarters[-1]
        quarters.append(queries.Quarter(q.year - (q.number == 1), (q.number - 2) % 4 + 1))
    context = {"sub_groups": queries.active_sub_groups(), "quarters": quarters}
    return render(request, "learning/assurance.html", context)


def _report(pk: int, quarter: str) -> dict[str, Any]:
    sub_group = queries.sub_group(pk)
    parsed = queries.Quarter.parse(quarter)
    if parsed is None:
        raise Http404("No such quarter.")
    return queries.assurance_report(sub_group, parsed)


@overseers
def assurance_report(request: HttpRequest, pk: int, quarter: str) -> HttpResponse:
    return render(request, "learning/assurance_report.html", _report(pk, quarter))


@overseers
def assurance_pdf(request: HttpRequest, pk: int, quarter: str) -> HttpResponse:
    from weasyprint import HTML  # type: ignore[import-untyped]

    report = _report(pk, quarter)
    html = render_to_string("learning/assurance_print.html", report, request=request)
    # No base_url: the report fetches nothing, so nothing outside can be reached.
    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"assurance-{report['sub_group'].pk}-{report['quarter'].slug}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# Audits ---------------------------------------------------------------------------------------------


@officer_only
def audit_list(request: HttpRequest) -> HttpResponse:
    audits = queries.audits()
    return render(request, "learning/audit_list.html", {"audits": audits})


@officer_only
def audit_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    found = queries.audit(pk) if pk else None
    form = forms.AuditForm(request.POST or None, instance=found)
    by = signed_in_user(request)

    def save(f: forms.AuditForm) -> PracticeAudit:
        audit = f.save(commit=False)
        template = f.cleaned_data["template"]
        if template is not None and not audit.questions:
            audit.questions = template.question_list
        return actions.save_audit(
            audit,
            by=by,
            themes=f.cleaned_data["themes"],
            agencies=f.cleaned_data["agencies"],
            request=request,
        )

    return form_page(
        request,
        form,
        title=f"Change {found.title}" if found else "Set up an audit",
        back="learning:audits",
        save=save,
        done=lambda a: reverse("learning:audit", args=[a.pk]),
    )


@officer_only
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.audit(pk)
    returns = queries.returns_of(found)
    return render(request, "learning/audit_detail.html", {"audit": found, "returns": returns})


@login_required
def return_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    returns = queries.audit_returns_for(user)
    return render(request, "learning/return_list.html", {"returns": returns})


@login_required
def audit_return(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    item = queries.audit_return_for(user, pk)
    form = forms.AuditReturnForm(
        request.POST or None,
        questions=item.audit.questions,
        answers=item.answers,
        initial={"grade": item.grade},
    )
    return form_page(
        request,
        form,
        title=f"{item.agency.name}'s return: {item.audit.title}",
        back="learning:returns",
        save=lambda f: actions.submit_audit_return(
            item, by=user, answers=f.answers(), grade=f.cleaned_data["grade"], request=request
        ),
        done="learning:returns",
    )


@officer_only
def template_list(request: HttpRequest) -> HttpResponse:
    return render(request, "learning/template_list.html", {"templates": queries.audit_templates()})


@officer_only
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    found = queries.audit_template(pk) if pk else None
    return _plain_edit(
        request, forms.AuditTemplateForm, found, "an audit tool", "learning:templates"
    )


def _plain_edit(
    request: HttpRequest, form_class: Any, found: Model | None, noun: str, back: str
) -> HttpResponse:
    form = form_class(request.POST or None, instance=found)
    by = signed_in_user(request)

    def save(f: Any) -> Model:
        m2m = {"themes": f.cleaned_data["themes"]} if "themes" in f.fields else {}
        return actions.save_record(f.save(commit=False), by=by, request=request, **m2m)

    title = f"Change {found}" if found else f"Add {noun}"
    return form_page(request, form, title=title, back=back, save=save, done=back)


# Themes ------------------------------------------------------------------------------------------------


@overseers
def theme_list(request: HttpRequest) -> HttpResponse:
    by_year = queries.themes_by_year()
    context = {
        "themes": queries.themes(),
        "chart": charts.themes_chart(by_year),
        "runs": queries.runs_learning(signed_in_user(request)),
    }
    return render(request, "learning/theme_list.html", context)


@officer_only
def theme_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    found = queries.theme(pk) if pk else None
    return _plain_edit(request, forms.ThemeForm, found, "a theme", "learning:themes")


# Learning briefings and the library -------------------------------------------------------------------


@login_required
def library(request: HttpRequest) -> HttpResponse:
    briefings = queries.published_briefings()
    return render(request, "learning/library.html", {"briefings": briefings})


@login_required
def briefing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    found = queries.briefing(pk)
    if found.published_on is None and not queries.runs_learning(user):
        raise Http404("No such briefing.")
    cascades = queries.cascades_of(found)
    context = {
        "briefing": found,
        "cascades": cascades,
        "cascaded": any(c.agency_id == user.agency_id for c in cascades),
        "runs": queries.runs_learning(user),
    }
    return render(request, "learning/briefing_detail.html", context)


@officer_only
def briefing_list(request: HttpRequest) -> HttpResponse:
    return render(request, "learning/briefing_list.html", {"briefings": queries.briefings()})


@officer_only
def briefing_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    found = queries.briefing(pk) if pk else None
    return _plain_edit(
        request, forms.BriefingForm, found, "a learning briefing", "learning:briefings"
    )


@officer_only
@require_POST
def briefing_publish(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.briefing(pk)
    actions.publish_briefing(found, by=signed_in_user(request), request=request)
    messages.success(request, f"{found.title}: published to the learning library.")
    return redirect("learning:briefing", pk=found.pk)


@login_required
@require_POST
def briefing_cascade(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.published_briefing(pk)
    actions.confirm_cascade(found, by=signed_in_user(request), request=request)
    messages.success(request, "Thank you: your agency's cascade is recorded.")
    return redirect("learning:briefing", pk=found.pk)


@officer_only
def learning_settings(request: HttpRequest) -> HttpResponse:
    found = queries.learning_settings()
    return _plain_edit(request, forms.SettingsForm, found, "settings", "learning:settings")
