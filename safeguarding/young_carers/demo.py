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

from datetime import date, datetime, time, timedelta
from typing import Any

from safeguarding.core import access
from safeguarding.core.calendar import LONDON, add_months
from safeguarding.demo.extracts import WINDOW_END, WINDOW_START
from safeguarding.demo.registry import DemoContext, clearer, digest_rows, step
from safeguarding.young_carers.models import (
    AssessmentKind,
    CaredFor,
    CareReason,
    ClosureReason,
    Review,
    YoungCarer,
)
from safeguarding.young_carers.queries import month_end

# The reference report's two figures: on the register at the end of the month.
CALIBRATION = {date(2023, 6, 30): 28, date(2025, 1, 31): 95}
OPEN_AT_START = 24  # on the register on 31 March 2023
# Of those identified from July 2023, the share who are young adult carers (18 to 25),
# whom the carers' charity supports: no child of the index is over 17, so each is added
# to the index with the charity's record of them, as linkage would add them.
YOUNG_ADULT_SHARE = 0.1
YOUNG_ADULT_RECORD = "KF-YAC"
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


def _young_adult(ctx: DemoContext, on: date, agency_id: int, number: int) -> Any:
    """A person aged 18 to 25 on `on`, added to the index with the agency's record."""
    from safeguarding.children import names
    from safeguarding.children.models import Child, Sex, SourceRecord
    from safeguarding.demo.generator import pseudonym
    from safeguarding.demo.population import BOYS, GIRLS, SURNAMES

    sex = ctx.rng.choice([Sex.FEMALE, Sex.MALE])
    given = (GIRLS if sex == Sex.FEMALE else BOYS).pick(ctx.rng)
    family = SURNAMES.pick(ctx.rng)
    born = on - timedelta(days=ctx.rng.randint(18 * 365 + 5, 25 * 365))
    # The record arrived, and the person joined the index, on the day of identification.
    arrived = datetime.combine(on, time(9, 0), tzinfo=LONDON)
    person = Child(
        created_at=arrived,
        updated_at=arrived,
        public_id=ctx.new_uuid(),
        pseudonym=pseudonym(ctx.rng),
        given_name=given,
        family_name=family,
        date_of_birth=born,
        sex=sex,
        given_name_key=names.name_key(given),
        family_name_key=names.name_key(family),
    )
    ctx.system.create_rows([person])
    record = SourceRecord(
        agency_id=agency_id,
        record_id=f"{YOUNG_ADULT_RECORD}{number:04d}",
        child=person,
        given_name=given,
        family_name=family,
        date_of_birth=born,
        sex=sex,
        needs_linking=False,
        link_method="demo",
        created_at=arrived,
    )
    ctx.system.create_rows([record])
    return person


def _day_in(ctx: DemoContext, first: date, last: date) -> date:
    return first + timedelta(days=ctx.rng.randint(0, max(0, (last - first).days)))


@step("young carers")
def make_young_carers(ctx: DemoContext) -> None:
    pool = _eligible(ctx)
    carers: list[YoungCarer] = []

    charity = next(
        (a for a in ctx.agencies.values() if a.code == "KINDRED"),
        next((a for a in ctx.agencies.values() if a.code == "LA"), None),
    )
    young_adults = 0

    def identify(on: date) -> YoungCarer | None:
        nonlocal young_adults
        young_adult = (
            charity is not None and on >= date(2023, 7, 1) and ctx.rng.random() < YOUNG_ADULT_SHARE
        )
        if young_adult and charity is not None:
            young_adults += 1
            child = _young_adult(ctx, on, charity.pk, young_adults)
            agency_id = charity.pk
        elif pool:
            child = pool.pop()
            agency_id = ctx.rng.choice(ctx.records_by_child[child.pk]).agency_id
        else:
            return None
        assessed = young_adult or ctx.rng.random() < 0.8
        kind = AssessmentKind.YOUNG_ADULT_CARER if young_adult else AssessmentKind.YOUNG_CARER
        carer = YoungCarer(
            public_id=ctx.new_uuid(),
            child=child,
            agency_id=agency_id,
            identified_on=on,
            young_adult_carer=young_adult,
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
            assessment_kind=kind if assessed else "",
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
    ctx.count("of them young adult carers (18 to 25)", young_adults)
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
    access.system_rows(ctx.system, Review).delete()
    access.system_rows(ctx.system, YoungCarer).delete()
    records = ctx.system.source_records().filter(record_id__startswith=YOUNG_ADULT_RECORD)
    people = list(records.values_list("child_id", flat=True))
    records.delete()
    ctx.system.children().filter(pk__in=people).delete()


@digest_rows("young carers")
def young_carer_rows() -> list[list[Any]]:
    system = access.SystemAccess("demo digest")
    return [
        [str(c.child.pseudonym), c.agency.code, c.identified_on, c.closed_on, c.next_review_on]
        for c in access.system_rows(system, YoungCarer)
        .select_related("child", "agency")
        .order_by("child__pseudonym", "identified_on")
    ]
