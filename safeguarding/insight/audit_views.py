"""The disclosure audit a partnership officer runs on a year's figures before publishing
(docs/decisions/0068-protection-across-linked-tables.md): every hidden count of the
year's data set and annual report, with the smallest and largest values a reader could
work out for it from everything published for the year."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from safeguarding.core.decorators import role_required
from safeguarding.core.disclosure import POLICY_LABELS
from safeguarding.core.forms import HubForm
from safeguarding.insight import queries
from safeguarding.insight.periods import year_label


class AuditForm(HubForm):
    year = forms.IntegerField(
        min_value=2000, max_value=2100, label="Financial year (its first calendar year)"
    )


@role_required(*queries.CATALOGUE_ROLES)
@require_safe
def disclosure_audit(request: HttpRequest) -> HttpResponse:
    form = AuditForm(request.GET or None, initial={"year": queries.latest_year()})
    context: dict[str, object] = {"form": form}
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["year"]
        found = queries.year_protection(year)
        findings = sorted(found.audit(), key=lambda f: f.key)
        context.update(
            {
                "checked": True,
                "year_label": year_label(year),
                "policy": POLICY_LABELS[found.policy],
                "published": len(found.linked.figures),
                "small": found.small_cells,
                "hidden": found.hidden_cells,
                "findings": findings,
                "exposed": [f for f in findings if not f.protected],
                "interval": found.rule.interval,
                "optimal": found.pattern.optimal,
            }
        )
    return render(request, "insight/disclosure_audit.html", context)
