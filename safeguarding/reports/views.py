"""Pages of the annual report. Thin: parse, call an action or a query, render.

The published report is public (anyone, signed in or not, reads and downloads it); a
draft is read by the partnership's staff and the executive; partnership officers write
the narrative, enter the year's figures and publish.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from safeguarding.core.access import signed_in_user
from safeguarding.core.calendar import year_label
from safeguarding.core.decorators import role_required
from safeguarding.core.roles import Role
from safeguarding.reports import actions, blocks, forms, outputs, queries, structure

officer_only = role_required(Role.PARTNERSHIP_OFFICER)
draft_readers = role_required(Role.PARTNERSHIP_OFFICER, Role.EXECUTIVE)


def still_building(request: HttpRequest) -> HttpResponse:
    response = render(request, "reports/still_building.html", status=503)
    response["Retry-After"] = "30"
    return response


def _report_url(year: int) -> str:
    return reverse("reports:report", kwargs={"year": f"{year}-{(year + 1) % 100:02d}"})


def index(request: HttpRequest) -> HttpResponse:
    form = forms.NewReportForm() if queries.may_edit(request.user) else None
    return render(
        request, "reports/index.html", {"reports": queries.reports_for(request.user), "form": form}
    )


@officer_only
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    form = forms.NewReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the financial year as four digits, for example 2024.")
        return redirect("reports:index")
    report = actions.create_report(form.cleaned_data["year"])
    return redirect(_report_url(report.year))


def report(request: HttpRequest, year: str) -> HttpResponse:
    found = queries.report_for(request.user, queries.parse_year(year))
    context = {
        "report": found,
        "document": queries.draw(found),
        "may_edit": queries.may_edit(request.user) and not found.is_published,
        "may_read_drafts": queries.may_read_drafts(request.user),
        "formats": outputs.FORMATS,
    }
    return render(request, "reports/report.html", context)


def download(request: HttpRequest, year: str, fmt: str) -> HttpResponseBase:
    found = queries.report_for(request.user, queries.parse_year(year))
    if fmt not in outputs.FORMATS:
        raise Http404("No such format.")
    if found.is_published:  # the file kept since publication: nothing is built here
        try:
            kept = actions.published_file(found, fmt)
        except actions.StillBuilding:
            return still_building(request)
        return FileResponse(
            kept.file.open("rb"),
            as_attachment=True,
            filename=outputs.filename({"year": found.year}, fmt),
            content_type=outputs.CONTENT_TYPES[fmt],
        )
    document = queries.draw(found)  # a draft, for the partnership's staff: as it is now
    response = HttpResponse(outputs.render(document, fmt), content_type=outputs.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{outputs.filename(document, fmt)}"'
    return response


@draft_readers
def changes(request: HttpRequest, year: str) -> HttpResponse:
    found = queries.report_for(request.user, queries.parse_year(year))
    return render(
        request,
        "reports/changes.html",
        {"report": found, "changes": queries.changes_since_published(found)},
    )


@officer_only
def section_edit(request: HttpRequest, year: str, key: str) -> HttpResponse:
    found = queries.report_for(request.user, queries.parse_year(year))
    section = queries.section(found, key, with_versions=True)
    if found.is_published:
        messages.error(request, "This report is published: its text can no longer change.")
        return redirect(f"{_report_url(found.year)}#{section.key}")
    current = section.current
    form = forms.NarrativeForm(
        request.POST or None, initial={"text": current.text if current else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_narrative(section, form.cleaned_data["text"], by=signed_in_user(request))
        except actions.Frozen as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"{section.title}: saved.")
        return redirect(f"{_report_url(found.year)}#{section.key}")
    context = {
        "report": found,
        "section": section,
        "form": form,
        "versions": list(section.versions.all()),
        "guidance": structure.guidance_for(section.key),
    }
    return render(request, "reports/section_edit.html", context)


@officer_only
def section_blocks(request: HttpRequest, year: str, key: str) -> HttpResponse:
    found = queries.report_for(request.user, queries.parse_year(year))
    section = queries.section(found, key)
    choices = blocks.candidates(section.blocks)
    form = forms.SectionBlocksForm(
        request.POST or None,
        labels=[blocks.label(spec) for spec in choices],
        initial={"shown": [n for n, spec in enumerate(choices) if spec in section.blocks]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_section_blocks(
                section, [choices[n] for n in sorted(form.cleaned_data["shown"])]
            )
        except actions.Frozen as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"{section.title}: its figures are saved.")
        return redirect(f"{_report_url(found.year)}#{section.key}")
    context = {"form": form, "title": f"Figures shown in {section.title}", "report": found}
    return render(request, "reports/report_form.html", context)


@officer_only
def publish(request: HttpRequest, year: str) -> HttpResponse:
    found = queries.report_for(request.user, queries.parse_year(year))
    if request.method == "POST":
        try:
            actions.publish(found, by=signed_in_user(request), request=request)
        except (actions.Frozen, actions.PublishFailed) as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"The {found.label} report is published.")
        return redirect(_report_url(found.year))
    return render(request, "reports/publish.html", {"report": found})


@officer_only
def disclosure(request: HttpRequest, year: str) -> HttpResponse:
    found = queries.report_for(request.user, queries.parse_year(year))
    form = forms.DisclosureForm(request.POST or None, initial={"policy": found.disclosure_policy})
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_disclosure_policy(found, form.cleaned_data["policy"])
        except actions.Frozen as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "Saved: the report's counts of children follow it now.")
        return redirect(_report_url(found.year))
    context = {"form": form, "title": "How small counts of children are shown", "report": found}
    return render(request, "reports/report_form.html", context)


@officer_only
def entries(request: HttpRequest, year: str) -> HttpResponse:
    number = queries.parse_year(year)
    held = queries.year_entries(number)
    form = forms.EntriesForm(request.POST or None, instance=held)
    if request.method == "POST" and form.is_valid():
        actions.save_entries(form.save(commit=False))
        messages.success(request, "Communication and finance entries saved.")
        return redirect("reports:year_entries", year=year)
    context = {
        "year": year,
        "label": year_label(number),
        "form": form,
        "lines": queries.finance_lines(number),
        "line_form": forms.FinanceLineForm(),
        "area_form": forms.AreaFiguresForm(),
        "area_count": queries.area_figure_count(number),
    }
    return render(request, "reports/entries.html", context)


@officer_only
def finance_add(request: HttpRequest, year: str) -> HttpResponse:
    number = queries.parse_year(year)
    form = forms.FinanceLineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        line = form.save(commit=False)
        line.year = number
        actions.add_finance_line(line)
        messages.success(request, "Finance line added.")
        return redirect("reports:year_entries", year=year)
    return render(
        request,
        "reports/form.html",
        {"form": form, "title": f"Add a finance line for {year_label(number)}", "year": year},
    )


@officer_only
@require_POST
def finance_remove(request: HttpRequest, year: str, pk: int) -> HttpResponse:
    line = queries.finance_line(queries.parse_year(year), pk)
    actions.remove_finance_line(line)
    messages.success(request, "Finance line removed.")
    return redirect("reports:year_entries", year=year)


@officer_only
def area_import(request: HttpRequest, year: str) -> HttpResponse:
    number = queries.parse_year(year)
    form = forms.AreaFiguresForm(request.POST or None, request.FILES or None)
    errors: list[actions.RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            n = actions.import_area_figures(form.cleaned_data["file"], number)
        except actions.ImportRefused as refused:
            errors = refused.errors
        else:
            messages.success(request, f"{n} figures imported for {year_label(number)}.")
            return redirect("reports:year_entries", year=year)
    context = {"form": form, "errors": errors, "year": year, "label": year_label(number)}
    return render(request, "reports/area_import.html", context)


@officer_only
def deaths(request: HttpRequest, year: str) -> HttpResponse:
    number = queries.parse_year(year)
    held = queries.death_counts(number)
    form = forms.DeathCountsForm(request.POST or None, initial_counts=held)
    if request.method == "POST" and form.is_valid():
        actions.save_death_counts(number, form.counts())
        messages.success(request, "Child death review counts saved.")
        return redirect("reports:year_entries", year=year)
    return render(
        request,
        "reports/form.html",
        {"form": form, "title": f"Child deaths reviewed in {year_label(number)}", "year": year},
    )
