"""Every change of state in the learning cycle, each in one transaction and audited.

Views and commands call these; nothing else saves a learning record. Other apps create
actions through `create_action` (the exploitation panel's actions, a sub-group's plan):

    from safeguarding.learning.actions import create_action
    create_action(title=..., source_kind=SourceKind.PANEL, source_ref="panel:3",
                  source_label="Child Exploitation Risk Assessment Meeting, 5 March 2025",
                  owner_agency=agency, due_on=day, by=user)

Keep child identity out of the title and detail: an action names what will change, not
who it is about.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from safeguarding.core import audit, transactions
from safeguarding.core.calendar import add_months, add_working_days
from safeguarding.core.models import Agency, AuditAction, SubGroup, User
from safeguarding.learning.models import (
    Action,
    ActionStatus,
    AuditReturn,
    Briefing,
    Cascade,
    IncidentKind,
    InformationRequest,
    Milestone,
    Notification,
    PracticeAudit,
    PracticeReview,
    RapidReview,
    SourceKind,
    Theme,
)
from safeguarding.learning.queries import learning_settings

NOTIFICATION_WORKING_DAYS = 5
RAPID_REVIEW_WORKING_DAYS = 15
INFORMATION_RETURN_WORKING_DAYS = 5
ADULT_AGE = 18
CARE_LEAVER_MAX_AGE = 24


def _log(
    by: User | None,
    obj: Model,
    change: str,
    request: HttpRequest | None = None,
    **detail: Any,
) -> None:
    audit.record(
        AuditAction.LEARNING_CHANGE,
        request=request,
        user=by,
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk),
        detail={"change": change, **detail},
    )


def today() -> date:
    return timezone.localdate()


# Serious incidents and rapid reviews --------------------------------------------------


def check_age(kind: str, age: int | None) -> None:
    """A child is under 18; a care leaver's death is notifiable up to and including 24."""
    if kind == IncidentKind.CARE_LEAVER_DEATH:
        if age is None or not ADULT_AGE <= age <= CARE_LEAVER_MAX_AGE:
            raise ValidationError(
                {"age_at_incident": "A care leaver's death is notified for ages 18 to 24."}
            )
    elif age is not None and age >= ADULT_AGE:
        raise ValidationError(
            {"age_at_incident": "A child is under 18: for a care leaver choose that kind."}
        )


def notification_due(aware_on: date) -> date:
    return add_working_days(aware_on, NOTIFICATION_WORKING_DAYS)


def rapid_review_due(notification: Notification) -> date:
    """15 working days from the notification; before it is sent, from its own due day."""
    return add_working_days(notification.sent_on or notification.due_on, RAPID_REVIEW_WORKING_DAYS)


def save_notification(
    notification: Notification,
    *,
    by: User,
    themes: Iterable[Theme] | None = None,
    request: HttpRequest | None = None,
) -> Notification:
    """Record a new notification, or changes to one; its rapid review follows it.

    Every notification opens a rapid review, whose due day moves with the notification's.
    """
    check_age(notification.kind, notification.age_at_incident)
    with transactions.action():
        created = notification.pk is None
        notification.due_on = notification_due(notification.aware_on)
        notification.save()
        if themes is not None:
            notification.themes.set(themes)
        review, _ = RapidReview.objects.get_or_create(
            notification=notification,
            defaults={"due_on": rapid_review_due(notification), "owner": notification.owner},
        )
        review.due_on = rapid_review_due(notification)
        review.save(update_fields=["due_on"])
        _log(by, notification, "created" if created else "changed", request)
    return notification


def save_rapid_review(
    review: RapidReview, *, by: User, request: HttpRequest | None = None
) -> RapidReview:
    if review.sent_to_panel_on and review.decision == "pending":
        raise ValidationError(
            {"decision": "Record the decision before sending the review to the National Panel."}
        )
    with transactions.action():
        review.save()
        _log(by, review, "changed", request, decision=review.decision)
    return review


def request_information(
    review: RapidReview,
    agency: Agency,
    *,
    by: User,
    requested_on: date,
    due_on: date | None = None,
    request: HttpRequest | None = None,
) -> InformationRequest:
    with transactions.action():
        item, created = InformationRequest.objects.update_or_create(
            rapid_review=review,
            agency=agency,
            defaults={
                "requested_on": requested_on,
                "due_on": due_on or add_working_days(requested_on, INFORMATION_RETURN_WORKING_DAYS),
            },
        )
        _log(by, item, "requested" if created else "changed", request)
    return item


def record_information_return(
    item: InformationRequest, *, by: User, on: date, request: HttpRequest | None = None
) -> InformationRequest:
    with transactions.action():
        item.returned_on = on
        item.save(update_fields=["returned_on"])
        _log(by, item, "returned", request)
    return item


# Practice reviews ----------------------------------------------------------------------


def save_practice_review(
    review: PracticeReview,
    *,
    by: User,
    themes: Iterable[Theme] | None = None,
    request: HttpRequest | None = None,
) -> PracticeReview:
    """Save a review; a new one's publication target is the configured months on."""
    with transactions.action():
        created = review.pk is None
        if not getattr(review, "publication_target_on", None):
            months = learning_settings().publication_target_months
            review.publication_target_on = add_months(review.decided_on, months)
        review.save()
        if themes is not None:
            review.themes.set(themes)
        _log(by, review, "created" if created else "changed", request)
    return review


def add_milestone(
    review: PracticeReview,
    *,
    title: str,
    due_on: date,
    by: User,
    request: HttpRequest | None = None,
) -> Milestone:
    with transactions.action():
        milestone = Milestone.objects.create(review=review, title=title, due_on=due_on)
        _log(by, milestone, "created", request)
    return milestone


def complete_milestone(
    milestone: Milestone, *, by: User, on: date, request: HttpRequest | None = None
) -> Milestone:
    with transactions.action():
        milestone.done_on = on
        milestone.save(update_fields=["done_on"])
        _log(by, milestone, "done", request)
    return milestone


# The action tracker --------------------------------------------------------------------


def create_action(
    *,
    title: str,
    source_kind: str,
    owner_agency: Agency,
    due_on: date,
    by: User | None,
    source_ref: str = "",
    source_label: str = "",
    owner_person: User | None = None,
    sub_group: SubGroup | None = None,
    detail: str = "",
    created_on: date | None = None,
    request: HttpRequest | None = None,
) -> Action:
    """Add an action to the one tracker, from any source. `by` is None for a system job."""
    if source_kind not in SourceKind.values:
        raise ValueError(f"Unknown source kind {source_kind!r}.")
    if owner_person is not None and owner_person.agency_id != owner_agency.pk:
        raise ValidationError({"owner_person": "The owner must work for the owning agency."})
    with transactions.action():
        action = Action.objects.create(
            title=title,
            detail=detail,
            source_kind=source_kind,
            source_ref=source_ref,
            source_label=source_label,
            owner_agency=owner_agency,
            owner_person=owner_person,
            sub_group=sub_group,
            due_on=due_on,
            created_on=created_on or today(),
        )
        _log(by, action, "created", request, source=source_ref or source_kind)
    return action


def update_action(
    action: Action,
    *,
    by: User,
    status: str,
    evidence: str,
    on: date | None = None,
    request: HttpRequest | None = None,
) -> Action:
    """The owner's update: progress, or done with evidence (it then awaits sign-off)."""
    if action.status == ActionStatus.SIGNED_OFF:
        raise ValidationError("A signed-off action cannot be changed.")
    if status == ActionStatus.SIGNED_OFF:
        raise ValidationError({"status": "Only the sub-group's chair signs an action off."})
    if status == ActionStatus.COMPLETED and not evidence.strip():
        raise ValidationError({"evidence": "Give the evidence that the action is complete."})
    with transactions.action():
        action.status = status
        action.evidence = evidence
        action.completed_on = (on or today()) if status == ActionStatus.COMPLETED else None
        action.save(update_fields=["status", "evidence", "completed_on"])
        _log(by, action, "updated", request, status=status)
    return action


def may_sign_off(user: User, action: Action) -> bool:
    return (
        action.sub_group is not None
        and action.sub_group.chair_id is not None
        and action.sub_group.chair_id == user.pk
    )


def sign_off_action(
    action: Action,
    *,
    by: User,
    accept: bool = True,
    on: date | None = None,
    request: HttpRequest | None = None,
) -> Action:
    """The owning sub-group's chair signs a completed action off, or sends it back."""
    if not may_sign_off(by, action):
        raise PermissionDenied("Only the chair of the owning sub-group signs this action off.")
    if action.status != ActionStatus.COMPLETED:
        raise ValidationError("Only a completed action, with its evidence, can be signed off.")
    with transactions.action():
        if accept:
            action.status = ActionStatus.SIGNED_OFF
            action.signed_off_by = by
            action.signed_off_on = on or today()
        else:
            action.status = ActionStatus.IN_PROGRESS
            action.completed_on = None
        action.save(update_fields=["status", "signed_off_by", "signed_off_on", "completed_on"])
        _log(by, action, "signed off" if accept else "sent back", request)
    return action


# Audits, themes, briefings ---------------------------------------------------------------


def save_audit(
    practice_audit: PracticeAudit,
    *,
    by: User,
    themes: Iterable[Theme] | None = None,
    agencies: Iterable[Agency] = (),
    request: HttpRequest | None = None,
) -> PracticeAudit:
    """Save an audit; a multi-agency audit asks each agency named for a return."""
    with transactions.action():
        created = practice_audit.pk is None
        practice_audit.save()
        if themes is not None:
            practice_audit.themes.set(themes)
        for agency in agencies:
            AuditReturn.objects.get_or_create(audit=practice_audit, agency=agency)
        _log(by, practice_audit, "created" if created else "changed", request)
    return practice_audit


def submit_audit_return(
    item: AuditReturn,
    *,
    by: User,
    answers: list[str],
    grade: str,
    on: date | None = None,
    request: HttpRequest | None = None,
) -> AuditReturn:
    if by.agency_id != item.agency_id:
        raise PermissionDenied("Only the agency's own staff send its return.")
    with transactions.action():
        item.answers = answers
        item.grade = grade
        item.returned_on = on or today()
        item.returned_by = by
        item.save(update_fields=["answers", "grade", "returned_on", "returned_by"])
        _log(by, item, "returned", request)
    return item


def save_record(
    obj: Model, *, by: User, request: HttpRequest | None = None, **m2m: Iterable[Any]
) -> Model:
    """Save a plain record (a theme, a template, a briefing, the settings) and log it."""
    with transactions.action():
        created = obj.pk is None
        obj.save()
        for name, values in m2m.items():
            getattr(obj, name).set(values)
        _log(by, obj, "created" if created else "changed", request)
    return obj


def publish_briefing(
    briefing: Briefing, *, by: User, on: date | None = None, request: HttpRequest | None = None
) -> Briefing:
    with transactions.action():
        briefing.published_on = on or today()
        briefing.save(update_fields=["published_on"])
        audit.record(
            AuditAction.PUBLISH,
            request=request,
            user=by,
            object_type="briefing",
            object_id=str(briefing.pk),
        )
    return briefing


def confirm_cascade(
    briefing: Briefing, *, by: User, on: date | None = None, request: HttpRequest | None = None
) -> Cascade:
    """The user's agency confirms it passed a published briefing on to its staff."""
    if briefing.published_on is None or by.agency is None:
        raise PermissionDenied("Only a published briefing is cascaded, by an agency's staff.")
    with transactions.action():
        cascade, created = Cascade.objects.get_or_create(
            briefing=briefing,
            agency=by.agency,
            defaults={"confirmed_by": by, "confirmed_on": on or today()},
        )
        if created:
            _log(by, cascade, "confirmed", request)
    return cascade
