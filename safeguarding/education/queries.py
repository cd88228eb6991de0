"""Reads of the CME cases and the EHE register, always through core/access/."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest

from safeguarding.core import access
from safeguarding.core.models import Agency, AgencyKind
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


def cases(request: HttpRequest, *, show: str = "open") -> QuerySet[CmeCase]:
    """CME cases about children the user may see; open ones longest open first."""
    rows = access.list_rows(
        request, CmeCase, purpose="children missing education", detail={"show": show}
    )
    if show == "open":
        return rows.filter(closed_on__isnull=True).order_by("referred_on", "pk")
    if show == "closed":
        return rows.filter(closed_on__isnull=False).order_by("-closed_on", "pk")
    return rows.order_by("-referred_on", "pk")


def cases_shown(rows: QuerySet[CmeCase]) -> QuerySet[CmeCase]:
    """What the list of cases shows of each: its checks, and the last one."""
    return education_access.with_checks_shown(rows.select_related("child", "agency", "referred_by"))


def checks_of(granted: access.ChildAccess, case: CmeCase) -> QuerySet[CmeCheck]:
    return (
        access.rows_for_child(granted, CmeCheck)
        .filter(case=case)
        .select_related("by")
        .order_by("made_on", "pk")
    )


def ehe_register(request: HttpRequest, *, show: str = "current") -> QuerySet[EheRecord]:
    rows = access.list_rows(
        request, EheRecord, purpose="elective home education register", detail={"show": show}
    )
    if show == "current":
        return rows.filter(ended_on__isnull=True).order_by("started_on", "pk")
    return rows.order_by("-started_on", "pk")


def ehe_shown(rows: QuerySet[EheRecord]) -> QuerySet[EheRecord]:
    """What the register shows of each record: the last visit."""
    return education_access.with_last_visit(rows.select_related("child", "agency"))


def visits_of(granted: access.ChildAccess, record: EheRecord) -> QuerySet[EheVisit]:
    return (
        access.rows_for_child(granted, EheVisit)
        .filter(record=record)
        .select_related("by")
        .order_by("-visited_on", "-pk")
    )


def population_on(day: date) -> Population | None:
    """The population figure in force on a day: the latest set from that day or before."""
    return Population.objects.filter(from_date__lte=day).order_by("-from_date", "-pk").first()


def cme_open_on(day: date) -> int:
    """CME cases open at the end of a day (a count: no child named)."""
    return (
        access.rows_for_counts(CmeCase)
        .filter(referred_on__lte=day)
        .exclude(closed_on__lte=day)
        .count()
    )


def ehe_on(day: date) -> int:
    """Children on the EHE register at the end of a day (a count)."""
    return (
        access.rows_for_counts(EheRecord)
        .filter(started_on__lte=day)
        .exclude(ended_on__lte=day)
        .grouped("child_id", n=Count("pk"))
        .count()
    )


def rate(count: int, population: Population | None, *, per: int) -> float | None:
    """`count` per `per` of the population, to one decimal place; None without a figure."""
    if population is None or population.count == 0:
        return None
    return round(count * per / population.count, 1)


def population_figures() -> list[Population]:
    return list(Population.objects.select_related("set_by")[:20])


TERM_ORDER = {"autumn": 0, "spring": 1, "summer": 2}


def absence_terms() -> list[tuple[int, str]]:
    """The terms with a return loaded, latest first: (academic year, term)."""
    loaded = set(AbsenceImport.objects.values_list("academic_year", "term"))
    return sorted(loaded, key=lambda t: (t[0], TERM_ORDER.get(t[1], 0)), reverse=True)


def absent_children(
    request: HttpRequest,
    *,
    term: tuple[int, str] | None,
    vulnerable_only: bool = False,
    severe_only: bool = False,
) -> QuerySet[AbsenceRecord]:
    """Persistently absent pupils the user may see (linked to a child) in one term, the
    most sessions missed first. One term at a time: a list of every term would check
    every pupil's visibility to show the first fifty."""
    rows = access.list_rows(
        request,
        AbsenceRecord,
        purpose="persistent and severe absence",
        detail={
            "term": f"{term[0]} {term[1]}" if term else "",
            "vulnerable": vulnerable_only,
            "severe": severe_only,
        },
    )
    if term is None:
        return rows.none()
    rows = rows.filter(batch__academic_year=term[0], batch__term=term[1])
    if vulnerable_only:
        rows = rows.filter(vulnerable=True)
    if severe_only:
        rows = rows.filter(severe=True)
    return rows.order_by("-sessions_missed", "pk")


def absence_shown(rows: QuerySet[AbsenceRecord]) -> QuerySet[AbsenceRecord]:
    return rows.select_related("child", "batch", "agency")


def absence_returns(school_ids: list[int] | None = None) -> QuerySet[AbsenceImport]:
    """Schools' returns with their counts (no child named); of some schools, or all."""
    returns = AbsenceImport.objects.select_related("school", "by")
    if school_ids is not None:
        returns = returns.filter(school_id__in=school_ids)
    return returns.order_by("-academic_year", "term", "school__name")


def schools_for(user: Any) -> QuerySet[Agency]:
    """The local authority's data officer loads any school's return; a school's its own."""
    schools = Agency.objects.filter(
        removed_at__isnull=True, kind__in=[AgencyKind.SCHOOL, AgencyKind.COLLEGE]
    )
    if user.agency and user.agency.kind == AgencyKind.LOCAL_AUTHORITY:
        return schools
    return schools.filter(pk=user.agency_id)
