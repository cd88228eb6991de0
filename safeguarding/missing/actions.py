"""Every change of state of the missing tracker, each in one transaction.

Child-level rows are saved through the access helpers (core/access/, missing/access.py), which
check that the user was granted the child and write the audit entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils import dateformat, timezone
from django.utils.dateparse import parse_datetime

from safeguarding.core import access, audit, refusals, transactions
from safeguarding.core.calendar import LONDON
from safeguarding.core.models import Agency, AuditAction
from safeguarding.missing import access as missing_access
from safeguarding.missing import clock, queries
from safeguarding.missing.concerns import exploitation_concern_raised
from safeguarding.missing.models import (
    Classification,
    Episode,
    EpisodeCorrection,
    InterviewStatus,
    MissingProfile,
    ReturnInterview,
    SchoolHoliday,
    SchoolNotice,
)


class MissingRefused(refusals.Refused):
    """A change the tracker will not make, with the reason shown to the user."""

    code = "missing.refused"


def _after_return(episode: Episode) -> ReturnInterview:
    """The interview due and the schools' notices, made when the child returns."""
    if episode.returned_at is None:
        raise MissingRefused("The child has not returned.")
    interview = ReturnInterview(
        episode=episode, child_id=episode.child_id, due_at=clock.interview_due(episode.returned_at)
    )
    interview.save()
    due_on = queries.next_school_day(episode.returned_at)
    leads = missing_access.school_leads_of(episode.child)
    for lead in leads:
        if lead.agency_id is None:  # pragma: no cover - leads are found by their agency
            continue
        SchoolNotice(
            episode=episode,
            child_id=episode.child_id,
            school_id=lead.agency_id,
            recipient=lead,
            due_on=due_on,
        ).save()
    return interview


def _check_times(reported_at: datetime, returned_at: datetime | None) -> None:
    now = timezone.now()
    if reported_at > now:
        raise MissingRefused("The time reported missing cannot be in the future.")
    if returned_at is not None and (returned_at < reported_at or returned_at > now):
        raise MissingRefused("The time of return must be after the report and not in the future.")


def record_episode(
    request: HttpRequest,
    granted: access.ChildAccess,
    *,
    reported_at: datetime,
    risk_grading: str,
    looked_after: bool,
    classification: str = Classification.MISSING,
    returned_at: datetime | None = None,
    where_found: str = "",
) -> Episode:
    """An episode recorded by a practitioner of an agency involved with the child."""
    user = access.signed_in_user(request)
    if user.agency is None:
        raise PermissionDenied("Only a practitioner of an agency records an episode.")
    _check_times(reported_at, returned_at)
    with transactions.action():
        episode = Episode(
            child=granted.child,
            agency=user.agency,
            recorded_by=user,
            reported_at=reported_at,
            returned_at=returned_at,
            where_found=where_found.strip(),
            risk_grading=risk_grading,
            looked_after=looked_after,
            classification=classification,
        )
        access.save_child_row(request, granted, episode, purpose="missing episode recorded")
        if returned_at is not None:
            _after_return(episode)
    return episode


def record_return(
    request: HttpRequest,
    granted: access.ChildAccess,
    episode: Episode,
    *,
    returned_at: datetime,
    where_found: str,
) -> ReturnInterview:
    """The child is found or returned: the interview falls due and the school is told."""
    with transactions.action():
        if episode.returned_at is not None:
            raise MissingRefused("The child's return is recorded already.")
        _check_times(episode.reported_at, returned_at)
        episode.returned_at = returned_at
        episode.where_found = where_found.strip()
        access.save_child_row(request, granted, episode, purpose="return recorded")
        return _after_return(episode)


# What a correction may change, with the label the episode page gives each.
CORRECTABLE = {
    "reported_at": "Reported missing",
    "classification": "Missing or absent",
    "risk_grading": "Risk grading",
    "looked_after": "Looked after",
    "returned_at": "Found or returned",
    "where_found": "Where found",
}


def _shown(episode: Episode, name: str) -> str:
    value = getattr(episode, name)
    if isinstance(value, datetime):
        return dateformat.format(value.astimezone(LONDON), "j F Y, H:i")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name in ("classification", "risk_grading"):
        return str(getattr(episode, f"get_{name}_display")())
    return str(value or "")


def correct_episode(
    request: HttpRequest,
    granted: access.ChildAccess,
    episode: Episode,
    *,
    values: dict[str, Any],
    reason: str,
) -> EpisodeCorrection | None:
    """Correct an episode's details, keeping what each was (EpisodeCorrection) and why.

    None when nothing changed. A return is corrected here, not recorded (that is the
    episode page's return form) nor removed. A corrected return moves the interview's
    72 hours and the date the schools hear of it, if they have not been told yet.
    """
    user = access.signed_in_user(request)
    if user.agency is None:
        raise PermissionDenied("Only a practitioner of an agency corrects an episode.")
    if not reason.strip():
        raise MissingRefused("Say why the episode is corrected.")
    wanted = {name: values[name] for name in CORRECTABLE if name in values}
    if "where_found" in wanted:
        wanted["where_found"] = str(wanted["where_found"] or "").strip()
    if episode.returned_at is None:
        if wanted.get("returned_at") or wanted.get("where_found"):
            raise MissingRefused("Record the return with the return form, not as a correction.")
        wanted.pop("returned_at", None)
        wanted.pop("where_found", None)
    elif "returned_at" in wanted and wanted["returned_at"] is None:
        raise MissingRefused("A return is corrected, not removed: give the time of return.")
    with transactions.action():
        before = {name: _shown(episode, name) for name in wanted}
        for name, value in wanted.items():
            setattr(episode, name, value)
        try:
            _check_times(episode.reported_at, episode.returned_at)
        except MissingRefused:
            episode.refresh_from_db()
            raise
        changes = {
            CORRECTABLE[name]: [before[name], _shown(episode, name)]
            for name in wanted
            if before[name] != _shown(episode, name)
        }
        if not changes:
            return None
        access.save_child_row(
            request,
            granted,
            episode,
            purpose="missing episode corrected",
            detail={"fields": sorted(changes), "reason": reason.strip()},
        )
        correction = EpisodeCorrection(
            episode=episode,
            child=granted.child,
            changes=changes,
            reason=reason.strip(),
            by=user,
            agency=user.agency,
        )
        correction.save()
        if CORRECTABLE["returned_at"] in changes and episode.returned_at is not None:
            access.rows_for_child(granted, ReturnInterview).filter(episode=episode).update(
                due_at=clock.interview_due(episode.returned_at)
            )
            access.rows_for_child(granted, SchoolNotice).filter(
                episode=episode, emailed_at__isnull=True
            ).update(due_on=queries.next_school_day(episode.returned_at))
    return correction


@dataclass(frozen=True)
class InterviewChange:
    status: str
    by_agency: Agency | None
    offered_at: datetime | None
    completed_at: datetime | None
    push_factors: str
    pull_factors: str
    concerns: str
    exploitation_concern: bool


def update_interview(
    request: HttpRequest,
    granted: access.ChildAccess,
    interview: ReturnInterview,
    change: InterviewChange,
) -> ReturnInterview:
    """Offer, accept, decline or complete the interview. The interviewer must be
    independent: not of the agency that reported the episode (docs/decisions/0039)."""
    user = access.signed_in_user(request)
    episode = interview.episode
    if change.by_agency is not None and change.by_agency.pk == episode.agency_id:
        raise MissingRefused(
            "The interview must be offered by someone independent: not the agency that "
            "reported the child missing."
        )
    if change.status != InterviewStatus.DUE and (change.by_agency is None or not change.offered_at):
        raise MissingRefused("Say who offered the interview, and when.")
    if change.status == InterviewStatus.COMPLETED and not change.completed_at:
        raise MissingRefused("Give the date the interview was completed.")
    if episode.returned_at is None:
        raise MissingRefused("The interview is offered after the child returns.")
    for when in (change.offered_at, change.completed_at):
        if when is not None and (when < episode.returned_at or when > timezone.now()):
            raise MissingRefused("Interview times must be after the return and not in the future.")
    newly_concerned = change.exploitation_concern and not interview.exploitation_concern
    # Together: a first exploitation concern runs the exploitation app's referral action.
    with transactions.together():
        interview.status = change.status
        interview.by_agency = change.by_agency
        interview.by_user = user
        interview.offered_at = change.offered_at
        interview.completed_at = (
            change.completed_at if change.status == InterviewStatus.COMPLETED else None
        )
        interview.push_factors = change.push_factors.strip()
        interview.pull_factors = change.pull_factors.strip()
        interview.concerns = change.concerns.strip()
        interview.exploitation_concern = change.exploitation_concern
        interview.updated_at = timezone.now()
        access.save_child_row(
            request,
            granted,
            interview,
            purpose="return home interview",
            detail={"status": change.status},
        )
        if newly_concerned:
            exploitation_concern_raised(request, granted, interview)
    return interview


PROFILE_FIELDS = ("description", "associates", "places", "health_needs")
PHOTO_MAX_BYTES = 2 * 1024 * 1024


def save_profile(
    request: HttpRequest,
    granted: access.ChildAccess,
    *,
    values: dict[str, Any],
    consent_given_by: str,
    consent_on: date,
    photo: UploadedFile | None = None,
) -> MissingProfile:
    """Keep the child's missing profile; refused without consent recorded."""
    user = access.signed_in_user(request)
    if not consent_given_by.strip() or consent_on is None:
        raise MissingRefused("Record who gave consent, and when: nothing is kept without it.")
    if user.agency is None:
        raise PermissionDenied("Only a practitioner of an agency keeps a profile.")
    with transactions.action():
        profile = access.rows_for_child(granted, MissingProfile).first() or MissingProfile(
            child=granted.child
        )
        for name in PROFILE_FIELDS:
            setattr(profile, name, str(values.get(name, "")).strip())
        profile.consent_given_by = consent_given_by.strip()
        profile.consent_on = consent_on
        profile.agency = user.agency
        profile.updated_by = user
        profile.updated_at = timezone.now()
        if photo is not None:
            if profile.photo:
                profile.photo.delete(save=False)
            profile.photo.save(f"{profile.public_id}.jpg", photo, save=False)
        access.save_child_row(request, granted, profile, purpose="missing profile kept")
    return profile


def open_episode(granted: access.ChildAccess) -> Episode | None:
    return (
        access.rows_for_child(granted, Episode)
        .filter(returned_at__isnull=True)
        .order_by("-reported_at")
        .first()
    )


def share_profile_with_police(
    request: HttpRequest, granted: access.ChildAccess, profile: MissingProfile
) -> Episode:
    """Hand the profile to police: only while the child is missing, and recorded."""
    episode = open_episode(granted)
    if episode is None:
        raise MissingRefused(
            "The profile is shared with police only while the child is missing: no open episode."
        )
    with transactions.action():
        audit.record(
            AuditAction.SHARE,
            request=request,
            object_type="missingprofile",
            object_id=str(profile.public_id),
            child_ref=str(granted.child.public_id),
            purpose="missing profile handed to police: the child is missing",
            detail={"episode": str(episode.public_id), "to": "police"},
        )
    return episode


def add_school_holiday(
    request: HttpRequest, *, name: str, first_day: date, last_day: date
) -> SchoolHoliday:
    """Keep a school holiday: returns in it are told to schools on the first day back."""
    if last_day < first_day:
        raise MissingRefused("The holiday's last day cannot be before its first.")
    with transactions.action():
        holiday = SchoolHoliday.objects.create(
            name=name.strip(),
            first_day=first_day,
            last_day=last_day,
            added_by=access.signed_in_user(request),
        )
        audit.record(
            AuditAction.STRUCTURE_CHANGE,
            request=request,
            object_type="schoolholiday",
            object_id=holiday.pk,
            detail={"added": str(holiday)},
        )
    return holiday


def remove_school_holiday(request: HttpRequest, holiday: SchoolHoliday) -> None:
    """Notices already due keep their day; returns from now on are counted without it."""
    with transactions.action():
        audit.record(
            AuditAction.STRUCTURE_CHANGE,
            request=request,
            object_type="schoolholiday",
            object_id=holiday.pk,
            detail={"removed": str(holiday)},
        )
        holiday.delete()


def mark_notice_read(request: HttpRequest, notice: SchoolNotice) -> None:
    user = access.signed_in_user(request)
    if notice.recipient_id != user.pk:
        raise PermissionDenied("Not your notice.")
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])


# --- System processes (commands, cron) ---

RETURNED = re.compile(
    r"returned\s*[:=]?\s*(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:?\d{2}|Z)?)", re.I
)


def returned_from_summary(summary: str) -> datetime | None:
    """An extract may give the return in the event's summary ("returned 2025-03-01 10:00")."""
    found = RETURNED.search(summary)
    if not found:
        return None
    when = parse_datetime(found.group(1).replace(" ", "T"))
    if when is None:
        return None
    if timezone.is_naive(when):
        when = timezone.make_aware(when, LONDON)
    return when
