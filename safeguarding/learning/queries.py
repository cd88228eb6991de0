"""Reads of the learning cycle: deadlines, the action tracker, counts for other apps.

Functions other apps may call (the annual report, the insight dashboards):
`counts_by_financial_year`, `themes_by_year`, `actions_by_sub_group_and_status`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from safeguarding.core.calendar import add_working_days, financial_year
from safeguarding.core.models import SubGroup, User
from safeguarding.core.roles import Role
from safeguarding.learning.models import (
    OPEN_STATUSES,
    Action,
    ActionStatus,
    AuditKind,
    AuditReturn,
    AuditTemplate,
    Briefing,
    Cascade,
    IncidentKind,
    InformationRequest,
    LearningSettings,
    Milestone,
    Notification,
    PracticeAudit,
    PracticeReview,
    RapidReview,
    ReviewKind,
    SourceKind,
    Theme,
)

# Roles ------------------------------------------------------------------------------------

# Who runs the learning cycle, and who sees its deadlines and the assurance report.
RUNS_LEARNING = frozenset({Role.PARTNERSHIP_OFFICER})
OVERSEES_LEARNING = frozenset({Role.PARTNERSHIP_OFFICER, Role.EXECUTIVE})


def runs_learning(user: User) -> bool:
    return bool(user.roles & RUNS_LEARNING)


def learning_settings() -> LearningSettings:
    found, _ = LearningSettings.objects.get_or_create(pk=1)
    return found


# RAG of an action (docs/decisions/0029-one-action-tracker-and-rag.md) ---------------------


class Rag:
    BLUE = "blue"  # signed off: done and assured
    GREEN = "green"  # on track, or completed and awaiting sign-off
    AMBER = "amber"  # open and due within the amber window
    RED = "red"  # open and past its due date

    LABELS: dict[str, str] = {  # noqa: RUF012
        "blue": "Blue: signed off",
        "green": "Green: on track",
        "amber": "Amber: due soon",
        "red": "Red: overdue",
    }


def rag(status: str, due_on: date, *, today: date, amber_until: date) -> str:
    """The rule, in one place: signed off is blue; completed is green; open past its due
    date is red; open and due on or before `amber_until` is amber; any other is green."""
    if status == ActionStatus.SIGNED_OFF:
        return Rag.BLUE
    if status == ActionStatus.COMPLETED:
        return Rag.GREEN
    if due_on < today:
        return Rag.RED
    if due_on <= amber_until:
        return Rag.AMBER
    return Rag.GREEN


def amber_until(today: date) -> date:
    return add_working_days(today, learning_settings().action_amber_working_days)


def with_rag(actions: list[Action], today: date | None = None) -> list[Action]:
    today = today or timezone.localdate()
    until = amber_until(today)
    for action in actions:
        action.rag = rag(action.status, action.due_on, today=today, amber_until=until)  # type: ignore[attr-defined]
        action.rag_label = Rag.LABELS[action.rag]  # type: ignore[attr-defined]
    return actions


def rag_filter(colour: str, today: date) -> Q:
    """The RAG rule as a database filter, for counts and lists over many actions."""
    until = amber_until(today)
    open_q = Q(status__in=OPEN_STATUSES)
    return {
        Rag.BLUE: Q(status=ActionStatus.SIGNED_OFF),
        Rag.GREEN: Q(status=ActionStatus.COMPLETED) | (open_q & Q(due_on__gt=until)),
        Rag.AMBER: open_q & Q(due_on__gte=today, due_on__lte=until),
        Rag.RED: open_q & Q(due_on__lt=today),
    }[colour]


# Who sees an action -----------------------------------------------------------------------


def panel_actions(source_ref: str) -> QuerySet[Action]:
    """The actions a panel agreed under `source_ref` (a decision's, e.g. "exploitation:12"),
    with their owner agencies: for the panel's own pages, which know the reference."""
    return Action.objects.filter(
        source_kind=SourceKind.PANEL, source_ref=source_ref
    ).select_related("owner_agency")


def visible_actions(user: User) -> QuerySet[Action]:
    """The partnership's officers see every action; anyone else their agency's and those of
    the sub-groups they chair or sit on. Any other action does not exist for them."""
    actions = Action.objects.select_related("owner_agency", "owner_person", "sub_group")
    if runs_learning(user):
        return actions
    q = Q(sub_group__members=user) | Q(sub_group__chair=user)
    if user.agency_id is not None:
        q |= Q(owner_agency_id=user.agency_id)
    ids = Action.objects.filter(q).values("pk")
    return actions.filter(pk__in=ids)


def without_child_reference(action: Action) -> Action:
    """A panel's action about a child, as shown to someone who may not see the child: its
    label names the meeting, not the child's pseudonym (docs/decisions/0055). Only what is
    shown changes; nothing is saved."""
    label, _, _ = action.source_label.partition(", child ")
    action.source_label = label
    return action


def action_for(user: User, pk: int) -> Action:
    found = visible_actions(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such action.")
    return found


def may_update_action(user: User, action: Action) -> bool:
    return runs_learning(user) or (
        user.agency_id is not None and user.agency_id == action.owner_agency_id
    )


# The quarterly assurance report ---------------------------------------------------------------


@dataclass(frozen=True)
class Quarter:
    """A quarter of the financial year: 2024 Q1 is April to June 2024."""

    year: int
    number: int

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.number - 1)
        return date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        nxt = Quarter(self.year + (self.number == 4), self.number % 4 + 1).start
        return date.fromordinal(nxt.toordinal() - 1)

    @property
    def slug(self) -> str:
        return f"{self.year}-q{self.number}"

    @property
    def label(self) -> str:
        return f"Quarter {self.number} of {self.year} to {self.year + 1}"

    @classmethod
    def containing(cls, day: date) -> Quarter:
        year = day.year if day.month >= 4 else day.year - 1
        return cls(year, ((day.month - 4) % 12) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter | None:
        try:
            year, number = text.lower().split("-q")
            quarter = cls(int(year), int(number))
        except ValueError:
            return None
        return quarter if 1 <= quarter.number <= 4 and 2000 <= quarter.year <= 2100 else None


# How many actions each list of the assurance report shows: the oldest first, with the
# list's total; the actions page, filtered by sub-group, has the rest.
REPORT_ROWS = 50


def assurance_report(sub_group: SubGroup, quarter: Quarter) -> dict[str, Any]:
    """What a sub-group's chair reports to the executive for a quarter: its actions by
    status and RAG now, what was completed and signed off in the quarter, what is late."""
    today = min(timezone.localdate(), quarter.end)
    actions = Action.objects.filter(sub_group=sub_group)
    by_status = dict(
        actions.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    rag_counts = {c: actions.filter(rag_filter(c, today)).count() for c in Rag.LABELS}
    late = actions.filter(rag_filter(Rag.RED, today)).order_by("due_on", "pk")
    signed_off = actions.filter(signed_off_on__range=(quarter.start, quarter.end)).order_by(
        "signed_off_on", "pk"
    )
    return {
        "sub_group": sub_group,
        "quarter": quarter,
        "as_at": today,
        "total": sum(by_status.values()),
        "by_status": [(label, by_status.get(value, 0)) for value, label in ActionStatus.choices],
        "rag": [(Rag.LABELS[c], c, n) for c, n in rag_counts.items()],
        "late": list(late.select_related("owner_agency", "owner_person")[:REPORT_ROWS]),
        "late_total": rag_counts[Rag.RED],
        "signed_off": list(signed_off.select_related("owner_agency")[:REPORT_ROWS]),
        "signed_off_total": signed_off.count(),
        "awaiting": list(
            actions.filter(status=ActionStatus.COMPLETED)
            .select_related("owner_agency")
            .order_by("completed_on", "pk")[:REPORT_ROWS]
        ),
        "awaiting_total": by_status.get(ActionStatus.COMPLETED, 0),
    }


# Counts for other apps ------------------------------------------------------------------------


def counts_by_financial_year() -> dict[int, dict[str, int]]:
    """Per financial year: notifications (of children and of care leavers' deaths), rapid
    reviews held, LCSPRs and local reviews decided, multi- and single-agency audits held."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for kind, aware_on in Notification.objects.values_list("kind", "aware_on"):
        key = (
            "care_leaver_notifications"
            if kind == IncidentKind.CARE_LEAVER_DEATH
            else "notifications"
        )
        counts[financial_year(aware_on)][key] += 1
    for meeting_on in RapidReview.objects.filter(meeting_on__isnull=False).values_list(
        "meeting_on", flat=True
    ):
        if meeting_on is not None:
            counts[financial_year(meeting_on)]["rapid_reviews"] += 1
    for kind, decided_on in PracticeReview.objects.values_list("kind", "decided_on"):
        key = "lcsprs" if kind == ReviewKind.LCSPR else "local_reviews"
        counts[financial_year(decided_on)][key] += 1
    for kind, held_on in PracticeAudit.objects.values_list("kind", "held_on"):
        key = "multi_agency_audits" if kind == AuditKind.MULTI_AGENCY else "single_agency_audits"
        counts[financial_year(held_on)][key] += 1
    keys = (
        "notifications",
        "care_leaver_notifications",
        "rapid_reviews",
        "lcsprs",
        "local_reviews",
        "multi_agency_audits",
        "single_agency_audits",
    )
    return {year: {k: counts[year][k] for k in keys} for year in sorted(counts)}


def themes_by_year() -> dict[int, dict[str, int]]:
    """Per financial year, how many notifications, reviews and audits carried each theme."""
    result: dict[int, Counter[str]] = defaultdict(Counter)
    rows = [
        *Notification.themes.through.objects.values_list("theme__name", "notification__aware_on"),
        *PracticeReview.themes.through.objects.values_list(
            "theme__name", "practicereview__decided_on"
        ),
        *PracticeAudit.themes.through.objects.values_list("theme__name", "practiceaudit__held_on"),
    ]
    for name, day in rows:
        result[financial_year(day)][name] += 1
    return {year: dict(sorted(result[year].items())) for year in sorted(result)}


def actions_by_sub_group_and_status() -> dict[str, dict[str, int]]:
    """Per sub-group (by name; "No sub-group" for the rest), actions per status."""
    result: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ActionStatus.values, 0))
    rows = Action.objects.values_list("sub_group__name", "status").annotate(n=Count("pk"))
    for name, status, n in rows.values_list("sub_group__name", "status", "n"):
        result[name or "No sub-group"][status] = n
    return dict(sorted(result.items()))


def published_briefings() -> QuerySet[Briefing]:
    return Briefing.objects.filter(published_on__isnull=False).prefetch_related("themes")


def open_panel_actions(agency_id: int, source_ref: Any) -> QuerySet[Action]:
    """The open actions a panel agreed that this agency owns, whose `source_ref` is
    `source_ref` (an expression: the exploitation panels ask with their decision's
    reference, to find the agencies involved with a child through an action)."""
    return Action.objects.filter(
        owner_agency_id=agency_id,
        source_kind=SourceKind.PANEL,
        status__in=OPEN_STATUSES,
        source_ref=source_ref,
    )


# The pages' records (views read through these, docs/decisions/0065) -----------------------


def notifications() -> QuerySet[Notification]:
    return Notification.objects.select_related("rapid_review", "owner")


def notification(pk: int) -> Notification:
    return get_object_or_404(Notification.objects.select_related("owner", "rapid_review"), pk=pk)


def practice_review_of(review: RapidReview) -> PracticeReview | None:
    """The practice review a rapid review led to, if it led to one."""
    return PracticeReview.objects.filter(rapid_review=review).first()


def information_requests(review: RapidReview) -> QuerySet[InformationRequest]:
    return review.information_requests.select_related("agency")


def information_request(pk: int) -> InformationRequest:
    found = InformationRequest.objects.select_related("agency", "rapid_review")
    return get_object_or_404(found, pk=pk)


def practice_reviews() -> QuerySet[PracticeReview]:
    return PracticeReview.objects.select_related("owner")


def practice_review(pk: int) -> PracticeReview:
    return get_object_or_404(practice_reviews(), pk=pk)


def milestone(pk: int) -> Milestone:
    return get_object_or_404(Milestone, pk=pk)


def active_sub_groups() -> QuerySet[SubGroup]:
    return SubGroup.objects.filter(is_active=True)


def sub_group(pk: int) -> SubGroup:
    return get_object_or_404(SubGroup, pk=pk)


def audits() -> QuerySet[PracticeAudit]:
    found = PracticeAudit.objects.select_related("agency", "sub_group")
    return found.prefetch_related("returns")


def audit(pk: int) -> PracticeAudit:
    return get_object_or_404(PracticeAudit.objects.select_related("agency", "sub_group"), pk=pk)


def returns_of(found: PracticeAudit) -> QuerySet[AuditReturn]:
    return found.returns.select_related("agency", "returned_by")


def audit_returns_for(user: User) -> QuerySet[AuditReturn]:
    """The audit returns a user answers: their own agency's, and none for a user with no
    agency (a partnership officer sees every return through the audit's page instead)."""
    if user.agency_id is None:
        return AuditReturn.objects.none()
    return AuditReturn.objects.filter(agency_id=user.agency_id).select_related("audit", "agency")


def audit_return_for(user: User, pk: int) -> AuditReturn:
    """One return the user's agency answers; any other is not found."""
    return get_object_or_404(audit_returns_for(user), pk=pk)


def audit_templates() -> QuerySet[AuditTemplate]:
    return AuditTemplate.objects.all()


def audit_template(pk: int) -> AuditTemplate:
    return get_object_or_404(AuditTemplate, pk=pk)


def themes() -> QuerySet[Theme]:
    return Theme.objects.all()


def theme(pk: int) -> Theme:
    return get_object_or_404(Theme, pk=pk)


def briefings() -> QuerySet[Briefing]:
    return Briefing.objects.all()


def briefing(pk: int) -> Briefing:
    return get_object_or_404(Briefing.objects.prefetch_related("themes"), pk=pk)


def published_briefing(pk: int) -> Briefing:
    return get_object_or_404(Briefing, pk=pk, published_on__isnull=False)


def cascades_of(found: Briefing) -> QuerySet[Cascade]:
    return found.cascades.select_related("agency", "confirmed_by")
