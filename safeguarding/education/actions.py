"""Every change to the CME cases and the EHE register, each in one transaction, recorded."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone

from safeguarding.core import access, audit, refusals, transactions
from safeguarding.core.models import Agency, AuditAction
from safeguarding.education import absence
from safeguarding.education import access as education_access
from safeguarding.education.models import (
    AbsenceImport,
    AbsenceRecord,
    CmeCase,
    CmeCheck,
    EheRecord,
    EheVisit,
    Population,
)


class Refused(refusals.Refused):
    code = "education.refused"


def _agency_id(request: HttpRequest) -> int:
    user = access.signed_in_user(request)
    if user.agency_id is None:
        raise Refused("Only a user of an agency holds a case.")
    return user.agency_id


def open_case(
    request: HttpRequest,
    granted: access.ChildAccess,
    *,
    referred_on: date,
    referred_by: Agency | None,
    reason: str,
) -> CmeCase:
    """Open a CME case for the granted child, held by the user's agency."""
    agency_id = _agency_id(request)
    if access.rows_for_child(granted, CmeCase).filter(closed_on__isnull=True).exists():
        raise Refused("This child already has an open CME case.")
    with transactions.action():
        case = CmeCase(
            child=granted.child,
            agency_id=agency_id,
            referred_on=referred_on,
            referred_by=referred_by,
            reason=reason.strip(),
            created_by=access.signed_in_user(request),
        )
        access.save_child_row(request, granted, case, purpose="open a CME case")
    return case


def record_check(
    request: HttpRequest,
    granted: access.ChildAccess,
    case: CmeCase,
    *,
    kind: str,
    made_on: date,
    found: bool,
    note: str,
) -> CmeCheck:
    if case.child_id != granted.child.pk:
        raise Refused("The case is not about this child.")
    if case.closed_on is not None:
        raise Refused("The case is closed.")
    if made_on < case.referred_on:
        raise Refused("A check cannot be made before the referral.")
    with transactions.action():
        check = CmeCheck(
            case=case,
            child=granted.child,
            kind=kind,
            made_on=made_on,
            found=found,
            note=note.strip(),
            by=access.signed_in_user(request),
        )
        access.save_child_row(request, granted, check, purpose="record a CME check")
    return check


def close_case(
    request: HttpRequest,
    granted: access.ChildAccess,
    case: CmeCase,
    *,
    closed_on: date,
    destination: str,
    destination_detail: str,
) -> CmeCase:
    """Close a case with the destination found (DOMAIN.md: every case closes with one)."""
    if case.child_id != granted.child.pk:
        raise Refused("The case is not about this child.")
    if case.closed_on is not None:
        raise Refused("The case is closed already.")
    if closed_on < case.referred_on:
        raise Refused("A case cannot close before it was referred.")
    if not destination:
        raise Refused("Give the destination the searches found.")
    with transactions.action():
        case.closed_on = closed_on
        case.destination = destination
        case.destination_detail = destination_detail.strip()
        access.save_child_row(request, granted, case, purpose="close a CME case")
    return case


def start_ehe(
    request: HttpRequest, granted: access.ChildAccess, *, started_on: date, reason: str
) -> EheRecord:
    agency_id = _agency_id(request)
    if access.rows_for_child(granted, EheRecord).filter(ended_on__isnull=True).exists():
        raise Refused("This child is on the elective home education register already.")
    with transactions.action():
        record = EheRecord(
            child=granted.child,
            agency_id=agency_id,
            started_on=started_on,
            reason=reason,
            created_by=access.signed_in_user(request),
        )
        access.save_child_row(request, granted, record, purpose="add to the EHE register")
    return record


def record_visit(
    request: HttpRequest,
    granted: access.ChildAccess,
    record: EheRecord,
    *,
    visited_on: date,
    outcome: str,
    note: str,
) -> EheVisit:
    if record.child_id != granted.child.pk:
        raise Refused("The record is not about this child.")
    if visited_on < record.started_on:
        raise Refused("A visit cannot come before home education started.")
    with transactions.action():
        visit = EheVisit(
            record=record,
            child=granted.child,
            visited_on=visited_on,
            outcome=outcome,
            note=note.strip(),
            by=access.signed_in_user(request),
        )
        access.save_child_row(request, granted, visit, purpose="record an EHE visit")
    return visit


def end_ehe(
    request: HttpRequest,
    granted: access.ChildAccess,
    record: EheRecord,
    *,
    ended_on: date,
    returned_to_school: bool,
    end_note: str,
) -> EheRecord:
    if record.child_id != granted.child.pk:
        raise Refused("The record is not about this child.")
    if record.ended_on is not None:
        raise Refused("Home education has ended already.")
    if ended_on < record.started_on:
        raise Refused("Home education cannot end before it started.")
    with transactions.action():
        record.ended_on = ended_on
        record.returned_to_school = returned_to_school
        record.end_note = end_note.strip()
        access.save_child_row(request, granted, record, purpose="end home education")
    return record


def set_population(request: HttpRequest, *, count: int, from_date: date, label: str) -> Population:
    """A new population figure, in force from a date (the older ones stay for past periods)."""
    if count <= 0:
        raise Refused("The population must be a positive number.")
    user = access.signed_in_user(request)
    with transactions.action():
        figure = Population.objects.create(
            count=count,
            from_date=from_date,
            label=label.strip() or Population._meta.get_field("label").get_default(),
            set_by=user,
        )
        audit.record(
            AuditAction.STRUCTURE_CHANGE,
            request=request,
            object_type="population",
            object_id=str(figure.pk),
            detail={"count": count, "from": from_date.isoformat(), "label": figure.label},
        )
    return figure


class AbsenceRefused(refusals.Refused):
    code = "education.absence_refused"

    def __init__(self, problems: list[absence.Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) found; nothing was loaded.")
        self.problems = problems


def load_absence(
    request: HttpRequest,
    *,
    school: Agency,
    academic_year: int,
    term: str,
    file_name: str,
    data: bytes,
) -> AbsenceImport:
    """Load one school's return for a term, all or nothing; it replaces an earlier one.

    Only the persistently absent (10% or more of sessions) are kept; those the index
    knows by UPN are linked to their child, and the school becomes involved with them.
    """
    parsed = absence.parse(data)
    if parsed.problems:
        raise AbsenceRefused(parsed.problems)
    user = access.signed_in_user(request)
    kept = [pupil for pupil in parsed.pupils if pupil.persistent]
    children = access.children_by_upn(pupil.upn for pupil in kept)
    with transactions.action():
        batch, created = AbsenceImport.objects.get_or_create(
            school=school, academic_year=academic_year, term=term
        )
        rows = [
            AbsenceRecord(
                batch=batch,
                agency=school,
                child_id=children.get(pupil.upn),
                upn=pupil.upn,
                sessions_possible=pupil.sessions_possible,
                sessions_missed=pupil.sessions_missed,
                severe=pupil.severe,
                vulnerable=any(pupil.flags.values()),
                **pupil.flags,
            )
            for pupil in kept
        ]
        education_access.replace_absence_rows(batch, rows, replacing=not created)
        batch.file_name = file_name[:255]
        batch.pupils = len(parsed.pupils)
        batch.persistent = len(kept)
        batch.severe = sum(1 for pupil in kept if pupil.severe)
        batch.vulnerable = sum(1 for row in rows if row.vulnerable)
        batch.linked = sum(1 for row in rows if row.child_id)
        batch.by = user
        batch.loaded_at = timezone.now()
        batch.save()
        audit.record(
            AuditAction.IMPORT,
            request=request,
            object_type="absence_import",
            object_id=str(batch.pk),
            purpose="persistent and severe absence",
            detail={
                "school": school.code,
                "year": academic_year,
                "term": term,
                "pupils": batch.pupils,
                "persistent": batch.persistent,
                "replaced": not created,
            },
        )
    return batch
