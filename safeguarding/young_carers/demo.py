"""The demo partnership's young carers register, calibrated on the reference report.

The reference partnership counted 28 young carers identified in June 2023 and 95 by
January 2025. At scale 1 (a partnership of its size) the register here holds exactly
those numbers at the end of those months; other scales hold them in proportion. Between
and after, the register grows steadily, a few close each month, and every registration
is reviewed about every 12 weeks, mostly on time.

The children are of the index: each is identified by an agency that holds a record of
them (a school, health, the council, the carers' charity), so the registration is
consistent with who knows the child.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from safeguarding.core import access
from safeguarding.demo.extracts import WINDOW_END, WINDOW_START
from safeguarding.demo.generator import DemoContext, clearer, digest_rows, step
from safeguarding.young_carers.models import (
    AssessmentKind,
    CaredFor,
    CareReason,
    ClosureReason,
    Review,
    YoungCarer,
)
from safeguarding.young_carers.queries import add_months, month_end

# The reference report's two figures: on the register at the end of the month.
CALIBRATION = {date(2023, 6, 30): 28, date(2025, 1, 31): 95}
OPEN_AT_START = 24  # on the register on 31 March 2023
GROWTH_AFTER = 1.2  # a month, after January 2025
CLOSE_CHANCE = 0.03  # of a registration open six months or more, each month
SUMMARIES = (
    "Met the young carer at school; attending the young carers' group weekly.",
    "Family network meeting held; respite agreed with the carers' centre.",
    "One-to-one sessions continue; caring load reduced since the parent's new care package.",
    "School reports better attendance; the young carer asked for a break from the group.",
    "Whole-family assessment updated; the parent is now supported by adult services.",
    "Young carer declined a group but is happy with drop-ins at school.",
)
SUPPORT = (
    "Young carers' group and one-to-one support from the carers' centre.",
    "Early help worker; school drop-in sessions.",
    "Cognitive behavioural therapy sessions through the whole-family project.",
    "Young carers card for school; respite activities in the holidays.",
)


def targets(scale: float) -> dict[date, int]:
    """The register's size at each month's end from March 2023 to the window's end."""
    k = scale
    june, january = CALIBRATION[date(2023, 6, 30)], CALIBRATION[date(2025, 1, 31)]
    points: dict[date, int] = {date(2023, 3, 31): round(OPEN_AT_START * k)}
    ramp_up = {date(2023, 4, 30): 25, date(2023, 5, 31): 27, date(2023, 6, 30): june}
    cursor = date(2023, 4, 1)
    between = 19  # July 2023 to January 2025
    step_number = 0
    while cursor <= WINDOW_END:
        end = month_end(cursor.year, cursor.month)
        if end in ramp_up:
            value: float = ramp_up[end]
        elif end <= date(2025, 1, 31):
            step_number += 1
            value = june + (january - june) * step_number / between
        else:
            months_after = (end.year - 2025) * 12 + end.month - 1
            value = january + GROWTH_AFTER * months_after
        points[end] = round(value * k)
        cursor = add_months(cursor, 1)
    return points


def _eligible(ctx: DemoContext) -> list[Any]:
    """Children aged 6 to 15 at the window's start, known to at least one agency."""
    eligible = []
    for child in ctx.children:
        born = child.date_of_birth
        if born is None or not ctx.records_by_child.get(child.pk):
            continue
        age = (WINDOW_START - born).days // 365
        if 6 <= age <= 15:
            eligible.append(child)
    ctx.rng.shuffle(eligible)
    return eligible


def _day_in(ctx: DemoContext, first: date, last: date) -> date:
    return first + timedelta(days=ctx.rng.randint(0, max(0, (last - first).days)))


@step("young carers")
def make_young_carers(ctx: DemoContext) -> None:
    pool = _eligible(ctx)
    carers: list[YoungCarer] = []

    def identify(on: date) -> YoungCarer | None:
        if not pool:
            return None
        child = pool.pop()
        record = ctx.rng.choice(ctx.records_by_child[child.pk])
        assessed = ctx.rng.random() < 0.8
        carer = YoungCarer(
            public_id=ctx.new_uuid(),
            child=child,
            agency_id=record.agency_id,
            identified_on=on,
            cares_for=ctx.rng.choices(
                [CaredFor.PARENT, CaredFor.SIBLING, CaredFor.GRANDPARENT], [7, 2, 1]
            )[0],
            care_reason=ctx.rng.choices(
                [
                    CareReason.MENTAL_HEALTH,
                    CareReason.PHYSICAL,
                    CareReason.SUBSTANCE,
                    CareReason.NEURODIVERGENCE,
                    CareReason.LEARNING_DISABILITY,
                ],
                [4, 3, 1, 1, 1],
            )[0],
            assessment_kind=AssessmentKind.YOUNG_CARER if assessed else "",
            assessed_on=on + timedelta(days=ctx.rng.randint(7, 42)) if assessed else None,
            support_offered=ctx.rng.choice(SUPPORT),
            next_review_on=on + timedelta(weeks=12),
        )
        carers.append(carer)
        return carer

    plan = targets(ctx.scale)
    months = sorted(plan)
    for _ in range(plan[months[0]]):
        identify(_day_in(ctx, date(2021, 9, 1), date(2023, 3, 31)))
    for previous, end in zip(months, months[1:], strict=False):
        start = date(end.year, end.month, 1)
        open_now = [c for c in carers if c.closed_on is None]
        closing = [
            c
            for c in open_now
            if c.identified_on <= add_months(start, -6) and ctx.rng.random() < CLOSE_CHANCE
        ]
        for carer in closing:
            carer.closed_on = _day_in(ctx, start, end)
            carer.closure_reason = ctx.rng.choice(list(ClosureReason))
        for _ in range(max(0, plan[end] - (len(open_now) - len(closing)))):
            identify(_day_in(ctx, start, end))
        del previous
    reviews = _reviews(ctx, carers)
    ctx.system.create_rows(carers)
    for review in reviews:
        review.young_carer_id = review.young_carer.pk
    ctx.system.create_rows(reviews)
    ctx.count("young carers registered", len(carers))
    ctx.count("young carers' reviews", len(reviews))


def _reviews(ctx: DemoContext, carers: list[YoungCarer]) -> list[Review]:
    """Reviews about every 12 weeks, four in five on time, until closure or the window's end."""
    reviews = []
    for carer in carers:
        last_day = min(carer.closed_on or WINDOW_END, WINDOW_END)
        due = carer.identified_on + timedelta(weeks=12)
        while due <= last_day:
            late = ctx.rng.random() < 0.2
            held = due + timedelta(days=ctx.rng.randint(1, 25) if late else -ctx.rng.randint(0, 10))
            if held > last_day:
                break
            reviews.append(
                Review(
                    young_carer=carer,
                    child=carer.child,
                    held_on=held,
                    was_due_on=due,
                    summary=ctx.rng.choice(SUMMARIES),
                )
            )
            due = held + timedelta(weeks=12)
        carer.next_review_on = due
    return reviews


@clearer("young carers")
def clear_young_carers(ctx: DemoContext) -> None:
    access.tracker_system_rows(ctx.system, Review).delete()
    access.tracker_system_rows(ctx.system, YoungCarer).delete()


@digest_rows("young carers")
def young_carer_rows() -> list[list[Any]]:
    system = access.SystemAccess("demo digest")
    return [
        [str(c.child.pseudonym), c.agency.code, c.identified_on, c.closed_on, c.next_review_on]
        for c in access.tracker_system_rows(system, YoungCarer)
        .select_related("child", "agency")
        .order_by("child__pseudonym", "identified_on")
    ]
