"""Loading the comparators (England, the region, statistical neighbours) from a CSV, all or
nothing and audited."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.http import HttpRequest

from safeguarding.core import audit, transactions
from safeguarding.core.models import AuditAction, User
from safeguarding.insight.actions import Problem, Refused, parse_decimal
from safeguarding.insight.models import (
    Comparator,
    ComparatorKind,
    Indicator,
    as_decimal,
)

# Comparators.

COMPARATOR_COLUMNS = ("indicator", "comparator", "year", "value", "source")
COMPARATOR_NAMES = {
    "england": ComparatorKind.ENGLAND,
    "region": ComparatorKind.REGION,
    "statistical_neighbours": ComparatorKind.NEIGHBOURS,
    "statistical neighbours": ComparatorKind.NEIGHBOURS,
    "neighbours": ComparatorKind.NEIGHBOURS,
}


def parse_year(text: str) -> int:
    """2024, "2024/25" or "2024-25": the financial year by its first year."""
    head = text.strip().replace("-", "/").split("/")[0]
    if not head.isdigit() or len(head) != 4:
        raise ValueError(f"{text.strip()!r} is not a year such as 2024/25")
    return int(head)


def import_comparators(request: HttpRequest | None, text: str, *, user: User | None = None) -> int:
    """Load comparators from CSV (indicator, comparator, year, value, source): all or none."""
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in COMPARATOR_COLUMNS[:4] if c not in headers]
    if missing:
        raise Refused([Problem(f"The file has no {c!r} column.", row=1, column=c) for c in missing])
    indicators = {i.code: i for i in Indicator.objects.all()}
    problems: list[Problem] = []
    rows: dict[tuple[int, str, int], tuple[Decimal, str]] = {}
    for number, raw_row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw_row.items()}
        indicator = indicators.get(row.get("indicator", ""))
        if indicator is None:
            problems.append(Problem("No indicator has this code.", number, "indicator"))
        kind = COMPARATOR_NAMES.get(row.get("comparator", "").lower())
        if kind is None:
            problems.append(
                Problem("Use england, region or statistical_neighbours.", number, "comparator")
            )
        try:
            year = parse_year(row.get("year", ""))
        except ValueError as error:
            problems.append(Problem(str(error).capitalize() + ".", number, "year"))
            year = 0
        try:
            value = parse_decimal(row.get("value"))
            if value is None:
                raise ValueError("the value is blank")
        except ValueError as error:
            problems.append(Problem(str(error).capitalize() + ".", number, "value"))
            value = None
        if indicator and kind and year and value is not None:
            rows[(indicator.pk, kind, year)] = (as_decimal(value), row.get("source", "")[:300])
    if problems:
        raise Refused(problems)
    with transactions.action():
        for (indicator_pk, kind_code, year), (value, source) in rows.items():
            Comparator.objects.update_or_create(
                indicator_id=indicator_pk,
                kind=kind_code,
                year=year,
                defaults={"value": value, "source": source},
            )
        audit.record(
            AuditAction.INDICATOR_CHANGE,
            request=request,
            user=user,
            object_type="comparators",
            detail={"rows": len(rows)},
        )
    return len(rows)
