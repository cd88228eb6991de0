"""The demo partnership's education trackers over the window (April 2023 to March 2026).

At scale 1, a partnership the size of the reference one: about 22,000 children of
compulsory school age; some 15 children a month referred as missing education (searched
for over days to months, nearly all closed with a destination, open cases at about 0.3%
of the population); some 8 a month starting elective home education (a third return to
school); and each school's absence return every term, with the persistently and
severely absent and their vulnerabilities. The children are of the index and of the
right age; the holder of a CME case or an EHE record is the council.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from safeguarding.core import access
from safeguarding.core.calendar import LONDON, add_months
from safeguarding.core.models import AgencyKind
from safeguarding.demo.extracts import WINDOW_END, WINDOW_START
from safeguarding.demo.registry import DemoContext, clearer, digest_rows, step
from safeguarding.education.models import (
    AbsenceImport,
    AbsenceRecord,
    CheckKind,
    CmeCase,
    CmeCheck,
    Destination,
    EheReason,
    EheRecord,
    EheVisit,
    Population,
    Term,
    VisitOutcome,
)
from safeguarding.young_carers.queries import month_end

SCHOOL_AGE_POPULATION = 22_000
CME_A_MONTH = 15
EHE_A_MONTH = 8
CHECK_ORDER = (
    CheckKind.SCHOOL_CENSUS,
    CheckKind.HEALTH,
    CheckKind.HOUSING,
    CheckKind.OTHER_LA,
    CheckKind.HOME_VISIT,
    CheckKind.HOME_OFFICE,
)
DESTINATIONS = (
    (Destination.LOCAL_SCHOOL, 35),
    (Destination.OTHER_LA_SCHOOL, 30),
    (Destination.ABROAD, 20),
    (Destination.HOME_EDUCATED, 8),
    (Destination.ALTERNATIVE, 4),
    (Destination.NOT_FOUND, 3),
)
TERMS = [  # (academic year, term, first day, last day)
    (year, term, first, last)
    for year in (2023, 2024, 2025)
    for term, first, last in (
        (Term.AUTUMN, date(year, 9, 1), date(year, 12, 20)),
        (Term.SPRING, date(year + 1, 1, 3), date(year + 1, 3, 28)),
        (Term.SUMMER, date(year + 1, 4, 10), date(year + 1, 7, 20)),
    )
    if last <= WINDOW_END
]


def _school_age(ctx: DemoContext) -> list[Any]:
    """Children of compulsory school age (5 to 15) at the window's start, shuffled."""
    children = [
        child
        for child in ctx.children
        if child.date_of_birth and 5 <= (WINDOW_START - child.date_of_birth).days // 365 <= 15
    ]
    ctx.rng.shuffle(children)
    return children


def _day_in(ctx: DemoContext, first: date, last: date) -> date:
    return first + timedelta(days=ctx.rng.randint(0, max(0, (last - first).days)))


def _months() -> list[tuple[date, date]]:
    months, cursor = [], WINDOW_START
    while cursor <= WINDOW_END:
        months.append((cursor, month_end(cursor.year, cursor.month)))
        cursor = add_months(cursor, 1)
    return months


@step("education trackers")
def make_education(ctx: DemoContext) -> None:
    la = ctx.agencies["LA"]
    Population.objects.create(
        count=round(SCHOOL_AGE_POPULATION * ctx.scale),
        from_date=date(2023, 4, 1),
        label="Children of compulsory school age",
    )
    pool = _school_age(ctx)
    schools = [a for a in ctx.agencies.values() if a.kind == AgencyKind.SCHOOL]
    cases, checks = _cme(ctx, pool, la, schools)
    records, visits = _ehe(ctx, pool, la)
    ctx.system.create_rows(cases)
    ctx.system.create_rows(records)
    for check in checks:
        check.case_id = check.case.pk
    for visit in visits:
        visit.record_id = visit.record.pk
    ctx.system.create_rows(checks)
    ctx.system.create_rows(visits)
    absent = _absence(ctx, schools)
    ctx.count("CME cases", len(cases))
    ctx.count("EHE records", len(records))
    ctx.count("absence records", absent)


def _cme(
    ctx: DemoContext, pool: list[Any], la: Any, schools: list[Any]
) -> tuple[list[CmeCase], list[CmeCheck]]:
    cases: list[CmeCase] = []
    checks: list[CmeCheck] = []
    for first, last in _months():
        for _ in range(ctx.scaled(CME_A_MONTH) if ctx.rng.random() < 0.9 else 0):
            if not pool:
                break
            child = pool.pop()
            referred = _day_in(ctx, first, last)
            # Most are found within weeks; a few take months; some are open at the end.
            days = int(ctx.rng.lognormvariate(3.3, 0.8))
            closed = referred + timedelta(days=days)
            destination = ctx.rng.choices(
                [d for d, _ in DESTINATIONS], [w for _, w in DESTINATIONS]
            )[0]
            case = CmeCase(
                public_id=ctx.new_uuid(),
                child=child,
                agency=la,
                referred_on=referred,
                referred_by=ctx.rng.choice(schools) if schools else None,
                reason="Not attending and not at the family's last known address.",
                closed_on=closed if closed <= WINDOW_END else None,
                destination=destination if closed <= WINDOW_END else "",
            )
            cases.append(case)
            made = referred
            kinds = CHECK_ORDER[: ctx.rng.randint(2, len(CHECK_ORDER))]
            for i, kind in enumerate(kinds):
                made = min(
                    made + timedelta(days=ctx.rng.randint(0, 6)), case.closed_on or WINDOW_END
                )
                checks.append(
                    CmeCheck(
                        case=case,
                        child=child,
                        kind=kind,
                        made_on=made,
                        found=case.closed_on is not None
                        and destination != Destination.NOT_FOUND
                        and i == len(kinds) - 1,
                        note="",
                    )
                )
    return cases, checks


def _ehe(ctx: DemoContext, pool: list[Any], la: Any) -> tuple[list[EheRecord], list[EheVisit]]:
    records: list[EheRecord] = []
    visits: list[EheVisit] = []
    reasons = list(EheReason)
    # Children already home educated when the window opens.
    starts = [_day_in(ctx, date(2019, 9, 1), date(2023, 3, 31)) for _ in range(ctx.scaled(110))]
    for first, last in _months():
        starts += [_day_in(ctx, first, last) for _ in range(ctx.scaled(EHE_A_MONTH))]
    for started in starts:
        if not pool:
            break
        child = pool.pop()
        ended = started + timedelta(days=ctx.rng.randint(90, 720))
        ends = ctx.rng.random() < 0.35 and ended <= WINDOW_END
        record = EheRecord(
            public_id=ctx.new_uuid(),
            child=child,
            agency=la,
            started_on=started,
            reason=ctx.rng.choices(reasons, [20, 15, 25, 5, 12, 8, 5, 5, 5])[0],
            ended_on=ended if ends else None,
            returned_to_school=ends,
            end_note="Back on a school roll" if ends else "",
        )
        records.append(record)
        visit_on = started + timedelta(days=ctx.rng.randint(20, 60))
        while visit_on <= min(record.ended_on or WINDOW_END, WINDOW_END):
            visits.append(
                EheVisit(
                    record=record,
                    child=child,
                    visited_on=visit_on,
                    outcome=ctx.rng.choices(list(VisitOutcome), [80, 8, 12])[0],
                )
            )
            visit_on += timedelta(days=ctx.rng.randint(300, 380))
    return records, visits


def _absence(ctx: DemoContext, schools: list[Any]) -> int:
    """Each school's return per term: its pupils the index knows, 18% persistently absent."""
    made = 0
    for school in schools:
        pupils = [
            (child, record.upn)
            for child in ctx.children
            for record in ctx.records_by_child.get(child.pk) or []
            if record.agency_id == school.pk and record.upn
        ]
        for year, term, _first, last in TERMS:
            rows = []
            for child, upn in pupils:
                share = ctx.rng.random()
                if share > 0.18:
                    continue
                possible = ctx.rng.randint(110, 140)
                missed = round(
                    possible
                    * (
                        0.5 + ctx.rng.random() * 0.4
                        if share < 0.02
                        else 0.1 + ctx.rng.random() * 0.3
                    )
                )
                flags = {
                    "child_in_need": ctx.rng.random() < 0.08,
                    "child_protection_plan": ctx.rng.random() < 0.03,
                    "send": ctx.rng.random() < 0.25,
                    "free_school_meals": ctx.rng.random() < 0.35,
                }
                rows.append(
                    AbsenceRecord(
                        agency=school,
                        child=child,
                        upn=upn,
                        sessions_possible=possible,
                        sessions_missed=missed,
                        severe=100 * missed >= 50 * possible,
                        vulnerable=any(flags.values()),
                        **flags,
                    )
                )
            batch = AbsenceImport.objects.create(
                school=school,
                academic_year=year,
                term=term,
                file_name=f"{school.code.lower()}-{year}-{term}.csv",
                pupils=len(pupils),
                persistent=len(rows),
                severe=sum(1 for r in rows if r.severe),
                vulnerable=sum(1 for r in rows if r.vulnerable),
                linked=len(rows),
                by=ctx.users.get("data_officer"),
                loaded_at=_noon(last),
            )
            for row in rows:
                row.batch = batch
            ctx.system.create_rows(rows)
            made += len(rows)
    return made


def _noon(day: date) -> Any:
    from datetime import datetime, time

    return datetime.combine(day + timedelta(days=7), time(12), tzinfo=LONDON)


@clearer("education trackers")
def clear_education(ctx: DemoContext) -> None:
    for model in (CmeCheck, EheVisit, AbsenceRecord):
        access.system_rows(ctx.system, model).delete()
    access.system_rows(ctx.system, CmeCase).delete()
    access.system_rows(ctx.system, EheRecord).delete()
    AbsenceImport.objects.all().delete()
    Population.objects.all().delete()


@digest_rows("education trackers")
def education_rows() -> list[list[Any]]:
    system = access.SystemAccess("demo digest")
    rows: list[list[Any]] = [
        ["cme", c.child.pseudonym, c.referred_on, c.closed_on, c.destination]
        for c in access.system_rows(system, CmeCase)
        .select_related("child")
        .order_by("child__pseudonym", "referred_on")
    ]
    rows += [
        ["ehe", r.child.pseudonym, r.started_on, r.ended_on, r.reason]
        for r in access.system_rows(system, EheRecord)
        .select_related("child")
        .order_by("child__pseudonym", "started_on")
    ]
    rows += [
        ["absence", b.school.code, b.academic_year, b.term, b.pupils, b.persistent, b.severe]
        for b in AbsenceImport.objects.select_related("school").order_by(
            "school__code", "academic_year", "term"
        )
    ]
    return rows
