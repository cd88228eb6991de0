"""The data set's pages in the access matrix (core/tests/matrix.py).

Readers (partnership officer, analyst, executive) see the dashboards, the indicators and
the spotlight topics; only the partnership officer changes the catalogue, comparators,
spotlight and commentary; only a data officer sends values, their own agency's. No one
else in the world sits on a sub-group, so the sub-group pages are the readers' too. The
API answers everyone alike: 405 to a GET, since it takes only a POST with a token.
"""

from __future__ import annotations

from typing import Any

from safeguarding.conftest import World
from safeguarding.core.tests.matrix import NOT_FOUND, OK, USERS, Entries, expect
from safeguarding.insight.models import Indicator, Spotlight

READERS = {"officer": OK, "analyst": OK, "executive": OK}


def indicator(w: World) -> dict[str, Any]:
    made, _ = Indicator.objects.get_or_create(
        code="missing-episodes",
        defaults={
            "title": "Missing episodes",
            "definition": "Episodes that started in the period.",
            "source_agency": w.la,
            "better_direction": "down",
        },
    )
    return {"code": made.code}


def commentary(w: World) -> dict[str, Any]:
    return {**indicator(w), "start": "2024-04-01"}


def spotlight(w: World) -> dict[str, Any]:
    made = Spotlight.objects.create(
        title="Online harm", summary="AI-made images", year=2024, by=w.users["officer"]
    )
    return {"pk": made.pk}


def sub_group(w: World) -> dict[str, Any]:
    return {"pk": w.sub_group.pk}  # type: ignore[attr-defined]


# Everyone signed in may ask for an indicator page; only readers and the members of its
# sub-group find one, the rest get the same 404 as for an indicator that does not exist.
INDICATOR_PAGE = {name: NOT_FOUND for name in USERS if name != "anonymous"}

ENTRIES: Entries = {
    "insight:dashboard": (lambda w: {}, expect(**READERS)),
    "insight:indicators": (lambda w: {}, expect(**READERS)),
    "insight:indicator_new": (lambda w: {}, expect(officer=OK)),
    "insight:indicator": (indicator, expect(**{**INDICATOR_PAGE, **READERS})),
    "insight:indicator_edit": (indicator, expect(officer=OK)),
    "insight:commentary": (commentary, expect(officer=OK)),
    "insight:export": (indicator, expect(**READERS)),
    # No one but a reader sits on a sub-group in the world, so the rest are turned away
    # from the list, and the view of a sub-group does not exist for them.
    "insight:sub_groups": (lambda w: {}, expect(**READERS)),
    "insight:sub_group": (
        sub_group,
        expect(**{**{name: NOT_FOUND for name in USERS if name != "anonymous"}, **READERS}),
    ),
    "insight:spotlights": (lambda w: {}, expect(**READERS)),
    "insight:spotlight_new": (lambda w: {}, expect(officer=OK)),
    "insight:spotlight_edit": (spotlight, expect(officer=OK)),
    "insight:comparators": (lambda w: {}, expect(officer=OK)),
    "insight:late": (lambda w: {}, expect(officer=OK)),
    "insight:disclosure_audit": (lambda w: {}, expect(officer=OK)),
    "insight:submissions": (lambda w: {}, expect(data_officer=OK)),
    "insight:upload": (lambda w: {}, expect(data_officer=OK)),
    "insight:submit": (commentary, expect(data_officer=OK)),
    "insight:template": (
        lambda w: {"frequency": "monthly", "start": "2024-04-01"},
        expect(data_officer=OK),
    ),
    "insight:api_values": (lambda w: {}, dict.fromkeys(USERS, 405)),
}
