"""The learning cycle's deadlines: statutory ones and the tracker's, merged and dated,
and the month calendar that shows them (docs/decisions/0029)."""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone

from safeguarding.core.calendar import add_working_days
from safeguarding.core.models import User
from safeguarding.learning.models import (
    OPEN_STATUSES,
    Action,
    InformationRequest,
    Milestone,
    Notification,
    PracticeReview,
    RapidReview,
)
from safeguarding.learning.queries import learning_settings

# Deadlines ----------------------------------------------------------------------------------


@dataclass
class Deadline:
    kind: str
    label: str
    due_on: date
    url: str
    owner: str = ""
    state: str = "open"  # "missed", "at_risk" or "open"

    @property
    def state_label(self) -> str:
        return {"missed": "Missed", "at_risk": "At risk", "open": "Open"}[self.state]


def _state(due_on: date, today: date, risk_until: date) -> str:
    if due_on < today:
        return "missed"
    if due_on <= risk_until:
        return "at_risk"
    return "open"


def _name(user: User | None) -> str:
    return user.full_name if user else ""


def statutory_deadlines(today: date, risk_until: date) -> list[Deadline]:
    """Every outstanding deadline of the statutory cycle (a few dozen at most)."""
    items: list[Deadline] = []

    def add(kind: str, label: str, due_on: date, url: str, owner: str = "") -> None:
        items.append(Deadline(kind, label, due_on, url, owner, _state(due_on, today, risk_until)))

    for n in Notification.objects.filter(sent_on__isnull=True).select_related("owner"):
        url = reverse("learning:notification", args=[n.pk])
        add("Notification to the National Panel", n.case_reference, n.due_on, url, _name(n.owner))
    reviews = RapidReview.objects.filter(sent_to_panel_on__isnull=True).select_related(
        "notification", "owner"
    )
    for r in reviews:
        url = reverse("learning:notification", args=[r.notification_id])
        add("Rapid review", r.notification.case_reference, r.due_on, url, _name(r.owner))
    requests = InformationRequest.objects.filter(returned_on__isnull=True).select_related(
        "agency", "rapid_review__notification"
    )
    for i in requests:
        url = reverse("learning:notification", args=[i.rapid_review.notification_id])
        label = f"{i.rapid_review.notification.case_reference}: {i.agency.name}"
        add("Information return", label, i.due_on, url)
    for p in PracticeReview.objects.filter(published_on__isnull=True).select_related("owner"):
        url = reverse("learning:review", args=[p.pk])
        add("Publication", p.case_reference, p.publication_target_on, url, _name(p.owner))
    for m in Milestone.objects.filter(done_on__isnull=True).select_related("review"):
        url = reverse("learning:review", args=[m.review_id])
        add("Review milestone", f"{m.review.case_reference}: {m.title}", m.due_on, url)
    return items


def _open_actions(today: date, risk_until: date, state: str) -> QuerySet[Action]:
    found = Action.objects.filter(status__in=OPEN_STATUSES)
    if state == "missed":
        found = found.filter(due_on__lt=today)
    elif state == "at_risk":
        found = found.filter(due_on__gte=today, due_on__lte=risk_until)
    return found


class MergedDeadlines(Sequence[Deadline]):
    """The statutory deadlines and the open actions as one list by due date, for Paginator.

    The statutory deadlines are few and held in full; the actions (tens of thousands at
    scale) stay in the database: a page reads only the actions up to its last position,
    and only the shown ones become Deadline objects with a URL.
    """

    def __init__(
        self, statutory: list[Deadline], actions: QuerySet[Action], today: date, risk_until: date
    ) -> None:
        self.statutory = sorted(statutory, key=lambda d: d.due_on)
        self.actions = actions.order_by("due_on", "pk")
        self.today, self.risk_until = today, risk_until
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:
            self._count = len(self.statutory) + self.actions.count()
        return self._count

    def _action_deadline(self, row: tuple[int, str, date, str]) -> Deadline:
        pk, title, due_on, agency = row
        url = reverse("learning:action", args=[pk])
        return Deadline(
            "Action", title, due_on, url, agency, _state(due_on, self.today, self.risk_until)
        )

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _ = index.indices(len(self))
        rows = list(self.actions.values_list("pk", "title", "due_on", "owner_agency__name")[:stop])
        merged: list[tuple[date, int, Any]] = [(d.due_on, 0, d) for d in self.statutory]
        merged += [(row[2], 1, row) for row in rows]
        merged.sort(key=lambda item: (item[0], item[1]))
        return [
            item if kind == 0 else self._action_deadline(item)
            for _, kind, item in merged[start:stop]
        ]


@dataclass
class DeadlineSummary:
    items: MergedDeadlines
    missed: int
    at_risk: int
    risk_until: date


def deadlines(today: date | None = None, *, state: str = "") -> DeadlineSummary:
    """Every outstanding deadline, earliest first; `state` keeps only missed or at risk."""
    today = today or timezone.localdate()
    risk_until = add_working_days(today, learning_settings().at_risk_working_days)
    statutory = statutory_deadlines(today, risk_until)
    counts = Counter(d.state for d in statutory)
    missed = counts["missed"] + _open_actions(today, risk_until, "missed").count()
    at_risk = counts["at_risk"] + _open_actions(today, risk_until, "at_risk").count()
    if state:
        statutory = [d for d in statutory if d.state == state]
    items = MergedDeadlines(statutory, _open_actions(today, risk_until, state), today, risk_until)
    return DeadlineSummary(items, missed, at_risk, risk_until)


def missed_count(today: date | None = None) -> int:
    """How many deadlines are missed, counted in the database (the home page's figure)."""
    today = today or timezone.localdate()
    missed = [d for d in statutory_deadlines(today, today) if d.state == "missed"]
    return len(missed) + Action.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today).count()


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    items: list[Deadline]
    actions: int
    actions_late: int


def calendar_month(year: int, month: int, today: date | None = None) -> list[list[CalendarDay]]:
    """The month as weeks of days (Monday first), each with its statutory deadlines and a
    count of the actions due that day (the list page has the actions one by one)."""
    today = today or timezone.localdate()
    risk_until = add_working_days(today, learning_settings().at_risk_working_days)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    by_day: dict[date, list[Deadline]] = defaultdict(list)
    for item in statutory_deadlines(today, risk_until):
        if first <= item.due_on <= last:
            by_day[item.due_on].append(item)
    action_counts = dict(
        Action.objects.filter(status__in=OPEN_STATUSES, due_on__range=(first, last))
        .values_list("due_on")
        .annotate(n=Count("pk"))
        .values_list("due_on", "n")
    )
    return [
        [
            CalendarDay(
                day,
                day.month == month,
                by_day.get(day, []),
                action_counts.get(day, 0),
                action_counts.get(day, 0) if day < today else 0,
            )
            for day in week
        ]
        for week in weeks
    ]
