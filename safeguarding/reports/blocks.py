"""The report's data blocks: each a function of the year (and its arguments) giving a
plain dict that the HTML, PDF and DOCX writers draw, and that a published report keeps in
its snapshot (docs/decisions/0049-report-model.md).

Every value in a block is a string that has been through a gate of figures.py
(docs/decisions/0051-disclosure-in-the-report.md). Blocks read the modules only through
their public query functions; none touches a child-level model.

A block dict has: "block" (its registry key), "title", "kind" and, by kind:
- "table": "headers", "rows" (lists of strings, the first cell the row's label),
  "total" (the last row is a total row);
- "figures": "items" of {"label", "value"};
- "groups": "groups" of {"title", "items": [{"label", "value", "period"}]};
- "list": "items" of strings;
- "indicators": "headlines" (strings) and "charts" of {"title", "chart" (or None when
  withheld), "note", "headers", "rows"}.
Every kind may carry "note" and, when it holds nothing, "empty".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from safeguarding.core.calendar import year_label
from safeguarding.insight import queries as insight_queries
from safeguarding.reports import figures
from safeguarding.reports.models import (
    AreaFigure,
    ChildDeathCount,
    FinanceKind,
    FinanceLine,
    YearEntries,
)

Block = dict[str, Any]
BlockFunction = Callable[..., Block]
REGISTRY: dict[str, BlockFunction] = {}


def block(key: str) -> Callable[[BlockFunction], BlockFunction]:
    def register(func: BlockFunction) -> BlockFunction:
        REGISTRY[key] = func
        return func

    return register


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """The financial year's first and last days (inclusive)."""
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def quarters(year: int) -> list[tuple[str, dt.date, dt.date]]:
    out = []
    for q, (m1, m2) in enumerate(((4, 6), (7, 9), (10, 12), (1, 3))):
        y = year if q < 3 else year + 1
        last = (dt.date(y, m2, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        out.append((f"{dt.date(y, m1, 1):%b} to {last:%b %Y}", dt.date(y, m1, 1), last))
    return out


def empty_text(year: int) -> str:
    return f"No figures are held for {year_label(year)} yet."


# What each block shows, for the officer choosing a section's blocks.
LABELS = {
    "area-figures": "The children of the area in numbers (the year's public health figures)",
    "communications": "Communication in numbers (followers, subscribers, website visits)",
    "finance": "The partnership's budget (contributions, spend, deficit or surplus)",
    "child-deaths": "Child deaths reviewed, by category",
    "learning-counts": "Notifications, rapid reviews, practice reviews and audits",
    "learning-themes": "Themes of the reviews and audits",
    "training-table": "Multi-agency training sessions and attendees",
    "elearning": "E-learning completed",
    "training-evaluation": "Confidence before and after training",
    "young-carers": "Young carers identified",
    "exploitation": "Children assessed at risk of exploitation",
    "missing": "Children missing from home or care",
    "education": "Children missing education and electively home educated",
    "indicators": "The data set: SPC charts and headlines of the most signalled indicators",
}


def label(spec: dict[str, Any]) -> str:
    """What a block of a section shows, in words."""
    if spec["block"] == "indicators" and spec.get("priority"):
        return f"The data set: SPC charts and headlines of priority {spec['priority']}'s indicators"
    if spec["block"] == "indicators" and spec.get("limit") == 0:
        return "The data set: its headlines"
    return LABELS.get(spec["block"], spec["block"])


def candidates(current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The blocks a section may show: those it shows now, in their order, then every
    other block of the registry."""
    shown = {spec["block"] for spec in current if spec["block"] != "indicators"}
    others = [{"block": key} for key in REGISTRY if key not in shown]
    return [*current, *(spec for spec in others if spec not in current)]


def draw(spec: dict[str, Any], year: int) -> Block:
    """One block from its spec in a section ({"block": key, ...arguments})."""
    arguments = {k: v for k, v in spec.items() if k != "block"}
    drawn = REGISTRY[spec["block"]](year, **arguments)
    drawn["block"] = spec["block"]
    return drawn


# --- The year's entries -----------------------------------------------------------------


@block("area-figures")
def area_figures(year: int) -> Block:
    groups: dict[str, list[dict[str, str]]] = {}
    for row in AreaFigure.objects.filter(year=year):
        groups.setdefault(row.group, []).append(
            {
                "label": row.indicator,
                "value": figures.published(row.value, row.unit),
                "period": row.period,
            }
        )
    drawn: Block = {
        "title": "The children of the area in numbers",
        "kind": "groups",
        "groups": [{"title": title, "items": items} for title, items in groups.items()],
    }
    sources = sorted(set(AreaFigure.objects.filter(year=year).values_list("source", flat=True)))
    if any(sources):
        drawn["note"] = "Sources: " + "; ".join(s for s in sources if s) + "."
    if not groups:
        drawn["empty"] = empty_text(year)
    return drawn


@block("communications")
def communications(year: int) -> Block:
    entries = YearEntries.objects.filter(year=year).first()
    items = []
    if entries is not None:
        if entries.social_followers is not None:
            items.append(
                {
                    "label": f"followers on {entries.social_platform or 'social media'}",
                    "value": figures.activity(entries.social_followers),
                }
            )
        if entries.newsletter_subscribers is not None:
            items.append(
                {
                    "label": "people signed up to the e-newsletter",
                    "value": figures.activity(entries.newsletter_subscribers),
                }
            )
        if entries.website_visits_per_month is not None:
            label = "visits to the website a month"
            if entries.website_visits_change:
                change = entries.website_visits_change
                word = "more" if change > 0 else "fewer"
                label += f" ({figures.activity(abs(change))} {word} than the year before)"
            items.append(
                {"label": label, "value": figures.activity(entries.website_visits_per_month)}
            )
    drawn: Block = {"title": "Communication in numbers", "kind": "figures", "items": items}
    if not items:
        drawn["empty"] = empty_text(year)
    return drawn


@block("finance")
def finance(year: int) -> Block:
    lines = list(FinanceLine.objects.filter(year=year).select_related("agency"))
    rows: list[list[str]] = []
    income = sum((x.amount for x in lines if x.kind == FinanceKind.CONTRIBUTION), Decimal(0))
    spend = sum((x.amount for x in lines if x.kind == FinanceKind.SPEND), Decimal(0))
    for kind in (FinanceKind.CONTRIBUTION, FinanceKind.SPEND, FinanceKind.IN_KIND):
        for line in (x for x in lines if x.kind == kind):
            rows.append([f"{kind.label}: {line.label}", figures.money(line.amount)])
        if kind == FinanceKind.CONTRIBUTION and lines:
            rows.append(["Total contributions", figures.money(income)])
        if kind == FinanceKind.SPEND and lines:
            rows.append(["Total spend", figures.money(spend)])
    drawn: Block = {
        "title": f"Partnership budget {year_label(year)}",
        "kind": "table",
        "headers": ["Line", "Amount"],
        "rows": rows,
    }
    if not lines:
        drawn["empty"] = empty_text(year)
        return drawn
    balance = income - spend
    entries = YearEntries.objects.filter(year=year).select_related("balance_met_by").first()
    met_by = entries.balance_met_by if entries else None
    word = "Deficit" if balance < 0 else "Surplus"
    label = f"{word} for the year"
    if met_by is not None and balance < 0:
        label += f", paid by {met_by.name}"
    elif met_by is not None and balance > 0:
        label += f", held by {met_by.name}"
    rows.append([label, figures.money(abs(balance))])
    drawn["total"] = True
    drawn["note"] = (
        "Contributions in kind are services given by partners; they are not in the balance."
    )
    return drawn


@block("child-deaths")
def child_deaths(year: int) -> Block:
    from safeguarding.reports.publications import COLUMNS, child_deaths_categories, key

    drawn: Block = {
        "title": f"Child deaths reviewed in {year_label(year)}, by category",
        "kind": "table",
        "headers": ["Category", "Modifiable factors", "No modifiable factors", "Total"],
        "rows": [],
    }
    if not ChildDeathCount.objects.filter(year=year).exists():
        drawn["empty"] = empty_text(year)
        return drawn
    # Only the categories with reviews (publications.child_deaths_categories).
    categories = [c for c, _, _ in child_deaths_categories(year)]
    if not categories:
        drawn["empty"] = f"No child deaths were reviewed in {year_label(year)}."
        return drawn
    shown = figures.protected(year)
    for c in [*categories, None]:
        name = "all" if c is None else c.value
        cells = [shown.count(key("child-deaths", year, name, k)) for k in (*COLUMNS, "total")]
        drawn["rows"].append(["Total" if c is None else f"{c.value}. {c.label}", *cells])
    drawn["total"] = True
    drawn["note"] = figures.note("reviews", secondary=True)
    return drawn


# --- Learning -------------------------------------------------------------------------


@block("learning-counts")
def learning_counts(year: int) -> Block:
    from safeguarding.learning.queries import counts_by_financial_year

    counts = counts_by_financial_year().get(year)
    labels = (
        ("notifications", "Notifications about children made to the National Panel"),
        (
            "care_leaver_notifications",
            "Notifications about care leavers made to the National Panel",
        ),
        ("rapid_reviews", "Rapid reviews held by the partnership"),
        ("lcsprs", "Local child safeguarding practice reviews"),
        ("local_reviews", "Local multi-agency case reviews"),
        ("multi_agency_audits", "Multi-agency audits"),
    )
    drawn: Block = {
        "title": f"Reviews and audits in {year_label(year)}",
        "kind": "figures",
        "items": [{"label": label, "value": figures.activity(counts[key])} for key, label in labels]
        if counts
        else [],
    }
    if not counts:
        drawn["empty"] = empty_text(year)
    return drawn


@block("learning-themes")
def learning_themes(year: int) -> Block:
    from safeguarding.learning.queries import themes_by_year

    themes = list(themes_by_year().get(year, {}))
    drawn: Block = {
        "title": f"Themes of the reviews and audits of {year_label(year)}",
        "kind": "list",
        "items": themes,
    }
    if not themes:
        drawn["empty"] = empty_text(year)
    return drawn


# --- Training -------------------------------------------------------------------------


@block("training-table")
def training_table(year: int) -> Block:
    from safeguarding.training.queries import year_figures

    found = year_figures(year)
    rows = [
        [
            r.course,
            figures.activity(r.sessions),
            figures.activity(r.attendees),
            figures.activity(r.no_shows),
        ]
        for r in found.rows
    ]
    drawn: Block = {
        "title": f"Multi-agency training sessions delivered and attendees {year_label(year)}",
        "kind": "table",
        "headers": ["Course", "Sessions", "Attendees", "No-shows"],
        "rows": rows,
    }
    if rows:
        t = found.totals
        rows.append(
            [
                "Total",
                figures.activity(t["sessions"]),
                figures.activity(t["attendees"]),
                figures.activity(t["no_shows"]),
            ]
        )
        drawn["total"] = True
    else:
        drawn["empty"] = empty_text(year)
    return drawn


@block("elearning")
def elearning(year: int) -> Block:
    from safeguarding.training.queries import year_figures

    found = year_figures(year)
    items = [
        {"label": f"completions of {module}", "value": figures.activity(n)}
        for module, n in found.elearning
    ]
    drawn: Block = {
        "title": f"E-learning completed in {year_label(year)}",
        "kind": "figures",
        "items": items,
    }
    if not items:
        drawn["empty"] = empty_text(year)
    return drawn


@block("training-evaluation")
def training_evaluation(year: int) -> Block:
    from safeguarding.training.queries import year_figures

    found = year_figures(year)
    rows = [
        [
            r.course,
            figures.average(r.confidence_before),
            figures.average(r.confidence_after),
        ]
        for r in found.rows
        if r.confidence_before is not None and r.confidence_after is not None
    ]
    drawn: Block = {
        "title": "Confidence before and after training (mean, 1 to 5)",
        "kind": "table",
        "headers": ["Course", "Before", "After"],
        "rows": rows,
        "quotes": found.quotes[:3],
    }
    if not rows:
        drawn["empty"] = empty_text(year)
    return drawn


# --- The trackers ---------------------------------------------------------------------


@block("young-carers")
def young_carers(year: int) -> Block:
    from safeguarding.reports.publications import key, young_carers_months

    shown = figures.protected(year)
    chosen = young_carers_months(year)
    rows = [
        [f"{month:%B %Y}", shown.count(key("young-carers", year, month.isoformat()))]
        for month, _ in chosen
    ]
    drawn: Block = {
        "title": "Young carers identified (on the register at the month's end)",
        "kind": "table",
        "headers": ["Month", "Young carers"],
        "rows": rows,
    }
    if not any(identified for _, identified in chosen):
        drawn["rows"] = []
        drawn["empty"] = empty_text(year)
    return drawn


@block("exploitation")
def exploitation(year: int) -> Block:
    from safeguarding.exploitation.feeds import LEVELS, TYPES
    from safeguarding.reports.publications import key

    shown = figures.protected(year)
    rows: list[list[str]] = []
    for code, label in TYPES.choices:
        for level in LEVELS:
            names = [key("exploitation", year, n, code, level) for n in range(1, 5)]
            if any(shown.value(name) for name in names):
                rows.append([f"{label}: {level.label}", *map(shown.count, names)])
    referrals = [key("exploitation", year, n, "referrals") for n in range(1, 5)]
    rows.append(["Referrals", *map(shown.count, referrals)])
    drawn: Block = {
        "title": "Children assessed at risk of exploitation at each quarter's end",
        "kind": "table",
        "headers": ["Type and risk", *(label for label, _, _ in quarters(year))],
        "rows": rows,
        "note": figures.note("children", secondary=True),
    }
    if len(rows) == 1 and not any(shown.value(name) for name in referrals):
        drawn["rows"] = []
        drawn["empty"] = empty_text(year)
    return drawn


@block("missing")
def missing(year: int) -> Block:
    from safeguarding.reports.publications import key

    shown = figures.protected(year)
    rows = [
        [
            label,
            shown.count(key("missing", year, n, "episodes")),
            shown.count(key("missing", year, n, "children")),
            shown.rate(key("missing", year, n, "72-hours-percentage")),
        ]
        for n, (label, _, _) in enumerate(quarters(year), 1)
    ]
    drawn: Block = {
        "title": "Children missing from home or care",
        "kind": "table",
        "headers": [
            "Quarter",
            "Episodes",
            "Children missing",
            "Return interviews within 72 hours (%)",
        ],
        "rows": rows,
        "note": figures.note(secondary=True, percentages=True),
    }
    if not any(shown.value(key("missing", year, n, "episodes")) for n in range(1, 5)):
        drawn["rows"] = []
        drawn["empty"] = empty_text(year)
    return drawn


@block("education")
def education(year: int) -> Block:
    from safeguarding.reports.publications import key

    shown = figures.protected(year)
    columns = ("cme-referred", "cme-open", "ehe")
    rows = [
        [label, *(shown.count(key("education", year, n, c)) for c in columns)]
        for n, (label, _, _) in enumerate(quarters(year), 1)
    ]
    drawn: Block = {
        "title": "Children missing education and electively home educated",
        "kind": "table",
        "headers": [
            "Quarter",
            "Referred as missing education",
            "Missing education at the quarter's end",
            "Home educated at the quarter's end",
        ],
        "rows": rows,
        "note": figures.note("children", secondary=True),
    }
    if not any(shown.value(key("education", year, n, c)) for n in range(1, 5) for c in columns):
        drawn["rows"] = []
        drawn["empty"] = empty_text(year)
    return drawn


# --- The data set ---------------------------------------------------------------------

CHART_POINTS = 36
CHARTS_PER_PRIORITY = 3


def _small(indicator: Any, points: list[Any]) -> bool:
    """Whether a chart would show a figure its year's protection hides (a small count, a
    count hidden with it, or a rate whose numerator is hidden): such a chart is withheld,
    and the indicator gives no headline, because a dot or its hover text is the value."""
    from safeguarding.insight import queries

    return bool(queries.hidden_points(indicator, points))


def _chart_dict(indicator: Any, points: list[Any], year: int) -> dict[str, Any]:
    from safeguarding.insight import queries

    table = queries.public_table(indicator, year)
    item: dict[str, Any] = {
        "title": indicator.title,
        "headers": table[0],
        "rows": table[1:],
        "chart": None,
        "note": "",
    }
    if _small(indicator, points):
        item["note"] = (
            f"The chart is not shown: it would show counts of {figures.small_counts()}, "
            "or a figure hidden with them."
        )
        return item
    target = float(indicator.target) if indicator.target is not None else None
    drawn = insight_queries.chart_of(indicator, points, target)
    item["chart"] = dataclasses.asdict(drawn)
    return item


@block("indicators")
def indicators(
    year: int,
    priority: int | None = None,
    limit: int = CHARTS_PER_PRIORITY,
    headlines: int = CHARTS_PER_PRIORITY + 2,
) -> Block:
    """SPC charts (with their tables) and headlines of the data set's indicators: those
    of one priority of the year, or the most signalled of all."""
    first, last = year_bounds(year)
    chosen = insight_queries.report_indicators(year, priority)
    loaded = [
        (i, [p for p in points if p.period.start <= last][-CHART_POINTS:])
        for i, points in insight_queries.indicators_with_series(chosen)
    ]
    loaded = [(i, pts) for i, pts in loaded if any(p.period.year == year for p in pts)]
    # Headlines only of indicators whose figures may all be shown.
    safe = [(i, pts) for i, pts in loaded if not _small(i, pts)]
    lines = insight_queries.year_headlines(year, loaded=safe, limit=headlines)
    by_code = {h.code for h in lines}
    ranked = sorted(loaded, key=lambda x: (x[0].code not in by_code, x[0].title))
    drawn: Block = {
        "title": "What the data set shows",
        "kind": "indicators",
        "headlines": [h.text for h in lines],
        "charts": [_chart_dict(i, pts, year) for i, pts in ranked[:limit]],
    }
    if not loaded:
        drawn["empty"] = empty_text(year)
    return drawn


# --- Flattening, for the snapshot and the diff ------------------------------------------


def flatten(drawn: Block) -> dict[str, str]:
    """Every figure of a drawn block by a stable label: "title · row · column"."""
    out: dict[str, str] = {}
    title = drawn.get("title", drawn.get("block", ""))
    kind = drawn.get("kind")
    if kind == "table":
        headers = drawn.get("headers", [])
        for row in drawn.get("rows", []):
            for header, cell in zip(headers[1:], row[1:], strict=False):
                out[f"{title} · {row[0]} · {header}"] = cell
    elif kind == "figures":
        for item in drawn.get("items", []):
            out[f"{title} · {item['label']}"] = item["value"]
    elif kind == "groups":
        for group in drawn.get("groups", []):
            for item in group["items"]:
                out[f"{group['title']} · {item['label']}"] = item["value"]
    elif kind == "list":
        for item in drawn.get("items", []):
            out[f"{title} · {item}"] = "listed"
    elif kind == "indicators":
        for n, text in enumerate(drawn.get("headlines", []), 1):
            out[f"{title} · headline {n}"] = text
        for item in drawn.get("charts", []):
            headers = item["headers"]
            for row in item["rows"]:
                for header, cell in zip(headers[1:], row[1:], strict=False):
                    out[f"{item['title']} · {row[0]} · {header}"] = cell
    return out
