"""The data set's pages: thin views over queries.py and actions.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from safeguarding.core import audit
from safeguarding.core.access import signed_in_user
from safeguarding.core.calendar import year_label
from safeguarding.core.decorators import role_required
from safeguarding.core.exports import csv_response
from safeguarding.core.models import AuditAction
from safeguarding.insight import (
    actions,
    chart,
    comparator_actions,
    expected_values,
    queries,
    spc,
    workbook,
)
from safeguarding.insight.actions import Refused
from safeguarding.insight.forms import (
    CommentaryForm,
    ComparatorUploadForm,
    ExportForm,
    IndicatorForm,
    SpotlightForm,
    UploadForm,
    ValueForm,
)
from safeguarding.insight.models import Indicator, Submission, Unit
from safeguarding.insight.periods import Frequency, Period, parse

READERS = tuple(queries.READER_ROLES)
OFFICERS = tuple(queries.CATALOGUE_ROLES)
SUBMITTERS = tuple(queries.SUBMITTER_ROLES)


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return queries.latest_year()


@role_required(*READERS)
def dashboard(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    loaded = queries.indicators_with_series(queries.active_indicators())
    analyses = queries.analyse_all(loaded)
    context = {
        "groups": queries.dashboard(loaded=loaded, analyses=analyses),
        "headlines": queries.year_headlines(year, limit=12, loaded=loaded, analyses=analyses),
        "year": year,
        "year_label": year_label(year),
        "years": range(min(year, queries.latest_year()) - 3, max(year, queries.current_year()) + 1),
    }
    return render(request, "insight/dashboard.html", context)


@role_required(*READERS)
def indicator_list(request: HttpRequest) -> HttpResponse:
    indicators = queries.indicators()
    return render(request, "insight/indicator_list.html", {"indicators": indicators})


@login_required
@require_safe
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in_user(request)
    indicator = queries.indicator_for(user, code)
    points = queries.value_series(indicator)
    analysis = queries.analyse(indicator, points)
    target = float(indicator.target) if indicator.target is not None else None
    commentary = queries.commentary_for(indicator)
    rows = [
        {
            "point": p,
            "value": spc_value(p.value, indicator.unit),
            "signal": s,
            "rules": ", ".join(spc.RULE_LABELS[r] for r in s.rules) if s else "",
            "commentary": commentary.get(p.period.start),
        }
        for p, s in zip(points, analysis.signals, strict=True)
    ]
    context = {
        "indicator": indicator,
        "analysis": analysis,
        "chart": chart.build(indicator.title, indicator.unit, points, analysis, target),
        "rows": list(reversed(rows)),
        "tile": queries.Tile(indicator, points, analysis),
        "comparators": queries.comparators_of(indicator)[:9],
        "headlines": queries.year_headlines(queries.latest_year(), queries.only(indicator)),
        "may_edit": user.has_role(*OFFICERS),
        "may_export": user.has_role(*READERS),
        "year": queries.current_year(),
    }
    return render(request, "insight/indicator_detail.html", context)


def spc_value(value: float, unit: str) -> str:
    from safeguarding.insight.headlines import format_value

    return format_value(value, unit)


@role_required(*OFFICERS)
def indicator_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    instance = queries.indicator(code) if code else None
    form = IndicatorForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        indicator = actions.save_indicator(request, form)
        messages.success(request, f"{indicator.title}: saved.")
        return redirect("insight:indicator", code=indicator.code)
    title = f"Change {instance.title}" if instance else "Add an indicator"
    return render(
        request, "core/edit.html", {"form": form, "title": title, "back": "insight:indicators"}
    )


@role_required(*OFFICERS)
def commentary_edit(request: HttpRequest, code: str, start: str) -> HttpResponse:
    indicator = queries.indicator(code)
    period = _period_or_404(indicator, start)
    held = queries.commentary_on(indicator, period)
    form = CommentaryForm(request.POST or None, initial={"text": held.text if held else ""})
    if request.method == "POST" and form.is_valid():
        actions.save_commentary(
            request, indicator, period, form.cleaned_data["text"], signed_in_user(request)
        )
        messages.success(request, f"Commentary for {period.label}: saved.")
        return redirect("insight:indicator", code=indicator.code)
    title = f"Commentary: {indicator.title}, {period.label}"
    return render(
        request, "core/edit.html", {"form": form, "title": title, "back": "insight:indicators"}
    )


def _period_or_404(indicator: Indicator, start: str) -> Period:
    try:
        return parse(start, indicator.frequency)
    except ValueError:
        raise Http404("No such period.") from None


@role_required(*READERS)
@require_safe
def export(request: HttpRequest, code: str) -> HttpResponse:
    indicator = queries.indicator(code)
    form = ExportForm(request.GET or None)
    if not form.is_valid():
        return render(request, "insight/export.html", {"form": form, "indicator": indicator})
    year = form.cleaned_data["year"]
    policy = queries.policy_for_year(year).value
    rows = queries.public_table(indicator, year)
    audit.record(
        AuditAction.EXPORT,
        request=request,
        object_type="indicator_public_csv",
        object_id=indicator.code,
        detail={"year": year, "policy": policy},
    )
    return csv_response(rows, f"{indicator.code}-{year}.csv")


@login_required
def sub_group_list(request: HttpRequest) -> HttpResponse:
    groups = queries.readable_sub_groups(signed_in_user(request))
    if not groups.exists() and not queries.reads_everything(signed_in_user(request)):
        raise PermissionDenied("You sit on no sub-group.")
    return render(request, "insight/sub_group_list.html", {"groups": groups})


@login_required
def sub_group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(queries.readable_sub_groups(signed_in_user(request)), pk=pk)
    indicators = queries.active_indicators(group)
    year = queries.latest_year()
    loaded = queries.indicators_with_series(indicators)
    analyses = queries.analyse_all(loaded)
    context = {
        "group": group,
        "groups": queries.dashboard(loaded=loaded, analyses=analyses),
        "headlines": queries.year_headlines(year, loaded=loaded, analyses=analyses),
        "spotlights": queries.spotlights(group),
        "year_label": year_label(year),
    }
    return render(request, "insight/sub_group_detail.html", context)


@role_required(*READERS)
def spotlight_list(request: HttpRequest) -> HttpResponse:
    spotlights = queries.spotlights()
    return render(
        request,
        "insight/spotlight_list.html",
        {"spotlights": spotlights, "may_edit": signed_in_user(request).has_role(*OFFICERS)},
    )


@role_required(*OFFICERS)
def spotlight_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = queries.spotlight(pk) if pk else None
    form = SpotlightForm(
        request.POST or None, instance=instance, initial={"year": queries.current_year()}
    )
    if request.method == "POST" and form.is_valid():
        actions.save_spotlight(request, form, signed_in_user(request))
        messages.success(request, "Spotlight topic: saved.")
        return redirect("insight:spotlights")
    title = "Change the spotlight topic" if instance else "Add a spotlight topic"
    return render(
        request, "core/edit.html", {"form": form, "title": title, "back": "insight:spotlights"}
    )


@role_required(*OFFICERS)
def comparators(request: HttpRequest) -> HttpResponse:
    form = ComparatorUploadForm(request.POST or None, request.FILES or None)
    problems: list[actions.Problem] = []
    if request.method == "POST" and form.is_valid():
        try:
            text = form.cleaned_data["file"].read().decode("utf-8-sig")
            count = comparator_actions.import_comparators(request, text)
        except UnicodeDecodeError:
            problems = [actions.Problem("The file is not UTF-8 text (CSV).")]
        except Refused as refused:
            problems = refused.problems
        else:
            messages.success(request, f"{count} comparators loaded.")
            return redirect("insight:comparators")
    held = queries.comparators_held()[:200]
    return render(
        request, "insight/comparators.html", {"form": form, "problems": problems, "held": held}
    )


@role_required(*OFFICERS)
def late(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    expected = [
        e
        for e in expected_values.expected_values(None, today, periods_back=6)
        if e.status != "received"
    ]
    return render(request, "insight/late.html", {"expected": expected})


@role_required(*SUBMITTERS)
def submissions(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if user.agency is None:
        raise PermissionDenied("Only a member of an agency sends its values.")
    expected = expected_values.expected_values(user.agency, timezone.localdate())
    templates = _template_periods()
    return render(
        request,
        "insight/submissions.html",
        {"expected": expected, "templates": templates, "upload_form": UploadForm()},
    )


def _template_periods() -> list[Period]:
    from safeguarding.insight.periods import last_complete

    today = timezone.localdate()
    monthly = last_complete(today, Frequency.MONTHLY)
    quarterly = last_complete(today, Frequency.QUARTERLY)
    return [monthly, monthly.shift(-1), quarterly, quarterly.shift(-1)]


@role_required(*SUBMITTERS)
def submit(request: HttpRequest, code: str, start: str) -> HttpResponse:
    user = signed_in_user(request)
    indicator = queries.indicator(code)
    if not actions.may_submit(user, indicator):
        raise Http404("Your agency does not send this indicator.")
    period = _period_or_404(indicator, start)
    if user.agency is None:
        raise PermissionDenied("Only a member of an agency sends its values.")
    held = queries.held_value(indicator, period, user.agency)
    ratio = indicator.unit in (Unit.PERCENTAGE, Unit.RATE)
    form = ValueForm(request.POST or None, ratio=ratio, correcting=held is not None)
    if request.method == "POST" and form.is_valid():
        try:
            _save_value(request, form.cleaned_data, indicator, period, held)
        except Refused as refused:
            for problem in refused.problems:
                form.add_error(None, problem.reason)
        else:
            messages.success(request, f"{indicator.title}, {period.label}: saved.")
            return redirect("insight:submissions")
    corrections = held.corrections.select_related("by") if held else []
    context = {
        "form": form,
        "indicator": indicator,
        "period": period,
        "held": held,
        "corrections": corrections,
    }
    return render(request, "insight/submit.html", context)


def _save_value(
    request: HttpRequest,
    data: dict[str, Any],
    indicator: Indicator,
    period: Period,
    held: Submission | None,
) -> None:
    user = signed_in_user(request)
    if user.agency is None:
        raise PermissionDenied("Only a member of an agency sends its values.")
    if held is None:
        actions.submit_value(
            indicator=indicator,
            period=period,
            agency=user.agency,
            raw=data["parsed"],
            channel="form",
            user=user,
            request=request,
        )
    else:
        actions.correct_value(
            held, data["parsed"], reason=data.get("reason", ""), user=user, request=request
        )


@role_required(*SUBMITTERS)
@require_safe
def template(request: HttpRequest, frequency: str, start: str) -> HttpResponse:
    user = signed_in_user(request)
    if user.agency is None:
        raise PermissionDenied("Only a member of an agency sends its values.")
    try:
        period = parse(start, frequency)
    except ValueError:
        raise Http404("No such period.") from None
    content = workbook.build_template(user.agency, period)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"{user.agency.code}-{period.frequency.value}-{period.slug}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(*SUBMITTERS)
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    problems: list[actions.Problem] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = workbook.read_upload(
                request, form.cleaned_data["file"], user=signed_in_user(request)
            )
        except Refused as refused:
            problems = refused.problems
        else:
            messages.success(
                request,
                f"Loaded: {result.submitted} new, {result.corrected} corrected, {result.unchanged} unchanged.",
            )
            return redirect("insight:submissions")
    return render(request, "insight/upload.html", {"form": form, "problems": problems})
