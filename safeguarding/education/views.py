"""Pages of the education trackers. Child-level reads and writes go through core.access."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from safeguarding.core import access
from safeguarding.core.calendar import add_months
from safeguarding.core.decorators import role_required
from safeguarding.core.pages import form_page
from safeguarding.core.paging import CappedPaginator, url_prefixes
from safeguarding.core.roles import CASEWORK_ROLES, IMPORT_ROLES, Role
from safeguarding.education import actions, queries
from safeguarding.education import feeds as education_feeds
from safeguarding.education import forms as education_forms
from safeguarding.education.models import CmeCase, EheRecord
from safeguarding.young_carers import feeds as young_carer_feeds

FEED_ROLES = (Role.ANALYST, Role.EXECUTIVE, Role.PARTNERSHIP_OFFICER)
CME_PURPOSE = "children missing education"
EHE_PURPOSE = "elective home education register"


@role_required(*CASEWORK_ROLES)
def cases(request: HttpRequest) -> HttpResponse:
    wanted = request.GET.get("show", "")
    show = wanted if wanted in ("closed", "all") else "open"
    paginator = CappedPaginator(queries.cases(request, show=show), decorate=queries.cases_shown)
    context = {
        "page": paginator.get_page(request.GET.get("page")),
        "more": paginator.more,
        "show": show,
        "today": timezone.localdate(),
        "urls": url_prefixes(case="education:case"),
    }
    return render(request, "education/cases.html", context)


@role_required(*CASEWORK_ROLES)
def case_new(request: HttpRequest, public_id: str) -> HttpResponse:
    granted = access.get_child_to_change(request, public_id, purpose="open a CME case")
    form = education_forms.CaseForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda form: actions.open_case(request, granted, **form.cleaned_data),
        done=lambda case: reverse("education:case", args=[case.public_id]),
        success="CME case opened.",
        template="education/case_new.html",
        context={"child": granted.child},
    )


@role_required(*CASEWORK_ROLES)
def case(request: HttpRequest, public_id: str) -> HttpResponse:
    found, granted = access.child_row(request, CmeCase, public_id, purpose=CME_PURPOSE)
    context = {
        "case": found,
        "child": granted.child,
        "checks": queries.checks_of(granted, found),
        "days_open": found.days_open(timezone.localdate()),
    }
    return render(request, "education/case.html", context)


@role_required(*CASEWORK_ROLES)
def case_check(request: HttpRequest, public_id: str) -> HttpResponse:
    found, granted = access.child_row(request, CmeCase, public_id, purpose=CME_PURPOSE)
    return form_page(
        request,
        education_forms.CheckForm(request.POST or None),
        save=lambda form: actions.record_check(request, granted, found, **form.cleaned_data),
        done=reverse("education:case", args=[found.public_id]),
        success="Check recorded.",
        template="education/case_form.html",
        context={"case": found, "child": granted.child, "title": "Record a check"},
    )


@role_required(*CASEWORK_ROLES)
def case_close(request: HttpRequest, public_id: str) -> HttpResponse:
    found, granted = access.child_row(request, CmeCase, public_id, purpose=CME_PURPOSE)
    return form_page(
        request,
        education_forms.CloseCaseForm(request.POST or None),
        save=lambda form: actions.close_case(request, granted, found, **form.cleaned_data),
        done=reverse("education:case", args=[found.public_id]),
        success="Case closed.",
        template="education/case_form.html",
        context={"case": found, "child": granted.child, "title": "Close the case"},
    )


@role_required(*CASEWORK_ROLES)
def ehe(request: HttpRequest) -> HttpResponse:
    show = "all" if request.GET.get("show") == "all" else "current"
    paginator = CappedPaginator(
        queries.ehe_register(request, show=show), decorate=queries.ehe_shown
    )
    page = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    population = queries.population_on(today)
    count = queries.ehe_on(today)
    context = {
        "page": page,
        "more": paginator.more,
        "urls": url_prefixes(record="education:ehe_record"),
        "show": show,
        "count": count,
        "population": population,
        "per_thousand": queries.rate(count, population, per=1000),
    }
    return render(request, "education/ehe.html", context)


@role_required(*CASEWORK_ROLES)
def ehe_new(request: HttpRequest, public_id: str) -> HttpResponse:
    granted = access.get_child_to_change(request, public_id, purpose="add to the EHE register")
    return form_page(
        request,
        education_forms.EheForm(request.POST or None),
        save=lambda form: actions.start_ehe(request, granted, **form.cleaned_data),
        done="education:ehe",
        success="Added to the elective home education register.",
        template="education/ehe_form.html",
        context={"child": granted.child, "title": "Add to the elective home education register"},
    )


@role_required(*CASEWORK_ROLES)
def ehe_record(request: HttpRequest, public_id: str) -> HttpResponse:
    record, granted = access.child_row(request, EheRecord, public_id, purpose=EHE_PURPOSE)
    context = {
        "record": record,
        "child": granted.child,
        "visits": queries.visits_of(granted, record),
    }
    return render(request, "education/ehe_record.html", context)


@role_required(*CASEWORK_ROLES)
def ehe_visit(request: HttpRequest, public_id: str) -> HttpResponse:
    record, granted = access.child_row(request, EheRecord, public_id, purpose=EHE_PURPOSE)
    return form_page(
        request,
        education_forms.VisitForm(request.POST or None),
        save=lambda form: actions.record_visit(request, granted, record, **form.cleaned_data),
        done=reverse("education:ehe_record", args=[record.public_id]),
        success="Visit recorded.",
        template="education/ehe_form.html",
        context={"record": record, "child": granted.child, "title": "Record a visit"},
    )


@role_required(*CASEWORK_ROLES)
def ehe_end(request: HttpRequest, public_id: str) -> HttpResponse:
    record, granted = access.child_row(request, EheRecord, public_id, purpose=EHE_PURPOSE)
    return form_page(
        request,
        education_forms.EndEheForm(request.POST or None),
        save=lambda form: actions.end_ehe(request, granted, record, **form.cleaned_data),
        done=reverse("education:ehe_record", args=[record.public_id]),
        success="Home education ended.",
        template="education/ehe_form.html",
        context={"record": record, "child": granted.child, "title": "End home education"},
    )


@role_required(Role.PARTNERSHIP_OFFICER)
def population(request: HttpRequest) -> HttpResponse:
    figures = queries.population_figures()
    return form_page(
        request,
        education_forms.PopulationForm(request.POST or None),
        save=lambda form: actions.set_population(request, **form.cleaned_data),
        done="education:population",
        success="Population figure saved.",
        template="education/population.html",
        context={"figures": figures},
    )


@role_required(*FEED_ROLES)
def feeds(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = education_forms.YearForm(request.GET or None)
    year = form.year_or(today.year if today.month >= 4 else today.year - 1)
    starts = [add_months(date(year, 4, 1), 3 * q) for q in range(4)]
    ends = [add_months(start, 3) - timedelta(days=1) for start in starts]
    context = {
        "form": form,
        "year": year,
        "education": education_feeds.feeds(list(zip(starts, ends, strict=True))),
        "young_carers": young_carer_feeds.feeds(list(zip(starts, ends, strict=True)), today=today),
    }
    return render(request, "education/feeds.html", context)


@role_required(*IMPORT_ROLES)
def absence_import(request: HttpRequest) -> HttpResponse:
    schools = queries.schools_for(access.signed_in_user(request))
    form = education_forms.AbsenceImportForm(
        request.POST or None, request.FILES or None, schools=schools
    )
    problems: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            batch = actions.load_absence(
                request,
                school=data["school"],
                academic_year=data["academic_year"],
                term=data["term"],
                file_name=upload.name or "",
                data=upload.read(),
            )
        except actions.AbsenceRefused as refused:
            problems = refused.problems
            form.add_error("file", str(refused))
        else:
            messages.success(
                request,
                f"Loaded: {batch.pupils} pupils, {batch.persistent} persistently absent, "
                f"{batch.severe} severely.",
            )
            return redirect("education:absence_import")
    returns = queries.absence_returns([school.pk for school in schools])[:40]
    context = {
        "form": form,
        "problems": problems[:500],
        "problem_count": len(problems),
        "returns": returns,
    }
    return render(request, "education/absence_import.html", context)


@role_required(*CASEWORK_ROLES)
def absence(request: HttpRequest) -> HttpResponse:
    form = education_forms.AbsenceFilterForm(request.GET or None, terms=queries.absence_terms())
    data = form.cleaned_data if form.is_valid() else {}
    term = form.chosen_term()
    rows = queries.absent_children(
        request,
        term=term,
        vulnerable_only=bool(data.get("vulnerable")),
        severe_only=bool(data.get("severe")),
    )
    paginator = CappedPaginator(rows, decorate=queries.absence_shown)
    context = {
        "form": form,
        "page": paginator.get_page(request.GET.get("page")),
        "more": paginator.more,
        "term": term,
        "urls": url_prefixes(child="children:detail"),
    }
    return render(request, "education/absence.html", context)
