"""The data set API: an agency's system sends indicator values as JSON.

`POST /data/api/values` with the agency's bearer token (the same tokens as the import API,
checked by core/api.py's `token_required`, so a session cookie is ignored and CSRF does
not apply). The body is `{"values": [{"indicator", "period_start", "value" | "numerator" +
"denominator", "reason"?}, ...]}`; every item is checked first and either all are stored or
none (400 with every problem, by item number and field).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from safeguarding.core import jsonbody
from safeguarding.core.api import error, token_required
from safeguarding.core.models import ApiToken
from safeguarding.insight import actions, queries
from safeguarding.insight.actions import Problem, Refused, Value
from safeguarding.insight.models import Indicator
from safeguarding.insight.periods import Frequency, Period

MAX_ITEMS = 1000
MAX_BYTES = 1_000_000


def _parse(body: Any, token: ApiToken) -> list[tuple[Indicator, Period, Value, str]]:
    if not isinstance(body, dict) or not isinstance(body.get("values"), list):
        raise Refused([Problem("The body must be a JSON object with a 'values' list.")])
    items = body["values"]
    if len(items) > MAX_ITEMS:
        raise Refused([Problem(f"Send at most {MAX_ITEMS} values at a time.")])
    indicators = {i.code: i for i in queries.active_indicators()}
    problems: list[Problem] = []
    plan: list[tuple[Indicator, Period, Value, str]] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(Problem("Each value is a JSON object.", number))
            continue
        indicator = indicators.get(str(item.get("indicator", "")))
        if indicator is None or not actions.agency_sends(token.agency_id, indicator):
            problems.append(
                Problem("Your agency sends no indicator with this code.", number, "indicator")
            )
            continue
        try:
            period = Period(
                dt.date.fromisoformat(str(item.get("period_start", ""))),
                Frequency(indicator.frequency),
            )
        except ValueError:
            problems.append(
                Problem(
                    "Not the first day of one of this indicator's periods.", number, "period_start"
                )
            )
            continue
        raw = Value(None)
        for name, parse in (
            ("value", actions.parse_decimal),
            ("numerator", actions.parse_whole),
            ("denominator", actions.parse_whole),
        ):
            try:
                setattr(raw, name, parse(item.get(name)))
            except (ValueError, TypeError) as problem:
                problems.append(Problem(str(problem).capitalize() + ".", number, name))
        _, reasons = actions.check_value(indicator, period, raw)
        problems.extend(Problem(r, number, "value") for r in reasons)
        plan.append((indicator, period, raw, str(item.get("reason", ""))[:2000]))
    if problems:
        raise Refused(problems)
    return plan


@token_required("POST")
def values(request: HttpRequest, token: ApiToken) -> HttpResponse:
    try:
        body = jsonbody.read_json(request, max_bytes=MAX_BYTES)
    except jsonbody.BodyRefused as refused:
        return error(refused.status, str(refused))
    try:
        plan = _parse(body, token)
        counts = actions.store_api_values(plan, token.agency)
    except Refused as refused:
        return error(400, "Nothing was stored.", problems=[p.as_dict() for p in refused.problems])
    return JsonResponse(counts, status=201)
