"""The demo partnership's missing episodes: two years, consistent with the child index.

Episodes start from the missing-episode events the agencies' extracts carry (police and
the council, loaded by the "events" step), so each child missing is a child the index
knows and the agency that reported them holds a record of them. The reference report
gives no counts for missing children, so the volume is calibrated on national figures
for a partnership of its size (about 36,000 children at scale 1): some 600 episodes a
year, most of them by children who go missing again; returns within a day for most;
return home interviews offered within 72 hours for about four in five and completed
within 72 hours for about 63% (the national figure for 2023–24, DOMAIN.md).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from safeguarding.core import access, calendar
from safeguarding.core.calendar import LONDON
from safeguarding.core.models import AgencyKind
from safeguarding.core.roles import Role
from safeguarding.demo.extracts import WINDOW_END
from safeguarding.demo.registry import DemoContext, clearer, digest_rows, step
from safeguarding.missing import access as missing_access
from safeguarding.missing import clock
from safeguarding.missing.models import (
    Classification,
    Episode,
    EpisodeCorrection,
    EpisodeOrigin,
    InterviewStatus,
    ReturnInterview,
    RiskGrading,
    SchoolHoliday,
    SchoolNotice,
)

EPISODES_A_YEAR = 600
YEARS = 2
FIRST_DAY = WINDOW_END - timedelta(days=365 * YEARS)
END = datetime.combine(WINDOW_END, time(23, 59), tzinfo=LONDON)
WHERE_FOUND = (
    "Friend's house",
    "Town centre",
    "Returned home of own accord",
    "Family member's address",
    "Railway station",
    "Out of the area, found by another force",
    "Park near home",
)
PUSH = ("Arguments at home", "Unhappy at the placement", "Bullying at school", "Boundaries at home")
PULL = ("Spending time with friends", "An older boyfriend", "Wanting to see family", "Older peers")
GRADES = (RiskGrading.HIGH, RiskGrading.MEDIUM, RiskGrading.LOW, RiskGrading.NO_APPARENT)


def _monday_on_or_before(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _good_friday(year: int) -> date:
    found = calendar.bank_holidays(year).get_named("Good Friday")
    return found[0] if found else date(year, 4, 1)


def term_holidays(first: date, last: date) -> list[tuple[str, date, date]]:
    """School holidays like an English council's published term dates, for the academic
    years touching `first` to `last`: half-terms in October, February and May, two
    weeks at Christmas and at Easter, and the summer from late July."""
    found = []
    for year in range(first.year - 1, last.year + 1):
        good_friday = _good_friday(year + 1)
        found += [
            ("October half-term", _monday_on_or_before(date(year, 10, 31)), None),
            ("Christmas holidays", _monday_on_or_before(date(year, 12, 22)), 13),
            ("February half-term", _monday_on_or_before(date(year + 1, 2, 21)), None),
            ("Easter holidays", _monday_on_or_before(good_friday), 13),
            ("May half-term", _monday_on_or_before(date(year + 1, 5, 31)), None),
            (
                "Summer holidays",
                date(year + 1, 7, 23),
                (date(year + 1, 9, 2) - date(year + 1, 7, 23)).days,
            ),
        ]
    holidays = [
        (name, start, start + timedelta(days=4 if days is None else days))
        for name, start, days in found
    ]
    return [h for h in holidays if h[2] >= first and h[1] <= last]


def _reported(ctx: DemoContext) -> datetime:
    day = FIRST_DAY + timedelta(days=ctx.rng.randint(0, 365 * YEARS - 1))
    hour = ctx.rng.choices(range(24), [1] * 12 + [2] * 4 + [4] * 8)[0]
    return datetime.combine(day, time(hour, ctx.rng.randint(0, 59)), tzinfo=LONDON)


def _episode(
    ctx: DemoContext, child: Any, agency_id: int, reported: datetime, event: Any
) -> Episode:
    hours = ctx.rng.choices([2, 8, 20, 48, 120], [3, 4, 3, 1, 0.3])[0] * ctx.rng.uniform(0.5, 1.5)
    returned: datetime | None = reported + timedelta(hours=hours)
    if returned is not None and returned > END:
        returned = None
    return Episode(
        public_id=ctx.new_uuid(),
        child=child,
        agency_id=agency_id,
        origin=EpisodeOrigin.IMPORTED if event is not None else EpisodeOrigin.RECORDED,
        source_event=event,
        reported_at=reported,
        returned_at=returned.astimezone(UTC) if returned else None,
        where_found=ctx.rng.choice(WHERE_FOUND) if returned else "",
        risk_grading=ctx.rng.choices(GRADES, [1, 5, 3, 1])[0],
        looked_after=ctx.rng.random() < 0.45,
        classification=Classification.ABSENT if ctx.rng.random() < 0.08 else Classification.MISSING,
        created_at=reported,
    )


def _interview(ctx: DemoContext, episode: Episode, independent: list[int]) -> ReturnInterview:
    assert episode.returned_at is not None  # noqa: S101 - only returned episodes get one
    due = clock.interview_due(episode.returned_at)
    interview = ReturnInterview(
        public_id=ctx.new_uuid(), episode=episode, child=episode.child, due_at=due
    )
    draw = ctx.rng.random()
    if draw < 0.05:  # never offered: overdue if its 72 hours have run out
        return interview
    in_time = draw < 0.85
    offered = episode.returned_at + timedelta(
        hours=ctx.rng.uniform(2, 70) if in_time else ctx.rng.uniform(73, 240)
    )
    if offered > END:
        return interview
    interview.offered_at = offered
    interview.by_agency_id = ctx.rng.choice(independent)
    outcome = ctx.rng.random()
    if outcome < 0.84:
        interview.status = InterviewStatus.COMPLETED
        late = not in_time or ctx.rng.random() < 0.1
        completed = offered + timedelta(hours=ctx.rng.uniform(1, 24) if not late else 80)
        interview.completed_at = min(completed, END)
        interview.push_factors = ctx.rng.choice(PUSH)
        interview.pull_factors = ctx.rng.choice(PULL)
        interview.exploitation_concern = ctx.rng.random() < 0.1
        if interview.exploitation_concern:
            interview.concerns = (
                "Signs of criminal exploitation: unexplained money and a new phone."
            )
    else:
        interview.status = InterviewStatus.DECLINED if outcome < 0.95 else InterviewStatus.OFFERED
    interview.updated_at = interview.completed_at or offered
    return interview


@step("missing episodes")
def make_missing_episodes(ctx: DemoContext) -> None:
    first = datetime.combine(FIRST_DAY, time(0, 0), tzinfo=LONDON)
    by_code = {agency.code: agency for agency in ctx.agencies.values()}
    episodes: list[Episode] = []
    missing_children: list[tuple[Any, int]] = []
    for child in ctx.children:
        for event in ctx.events_by_child.get(child.pk, []):
            if event.event_type != "missing_episode" or event.occurred_at < first:
                continue
            episodes.append(_episode(ctx, child, event.agency_id, event.occurred_at, event))
            missing_children.append((child, event.agency_id))
    # Most episodes are of children who go missing again: the rest repeat those children,
    # reported by the police.
    police = by_code.get("POLICE")
    target = round(EPISODES_A_YEAR * YEARS * ctx.scale)
    while missing_children and police is not None and len(episodes) < target:
        child, _ = ctx.rng.choice(missing_children)
        episodes.append(_episode(ctx, child, police.pk, _reported(ctx), None))
    independent = [
        by_code[code].pk for code in ("LANTERN", "LA", "KINDRED") if code in by_code
    ] or [next(iter(by_code.values())).pk]
    ctx.system.create_rows(episodes)
    interviews = []
    for episode in episodes:
        if episode.returned_at is None:
            continue
        choices = [pk for pk in independent if pk != episode.agency_id] or independent
        interviews.append(_interview(ctx, episode, choices))
    for interview in interviews:
        interview.episode_id = interview.episode.pk
    ctx.system.create_rows(interviews)
    SchoolHoliday.objects.all().delete()
    kept = term_holidays(FIRST_DAY, WINDOW_END + timedelta(days=365))
    SchoolHoliday.objects.bulk_create(
        SchoolHoliday(name=name, first_day=first_day, last_day=last_day)
        for name, first_day, last_day in kept
    )
    notices = _school_notices(ctx, episodes, [(f, last) for _, f, last in kept])
    ctx.system.create_rows(notices)
    ctx.count("missing episodes", len(episodes))
    ctx.count("return home interviews", len(interviews))
    ctx.count("notices of returns to schools", len(notices))


def _school_notices(
    ctx: DemoContext, episodes: list[Episode], holidays: list[tuple[date, date]]
) -> list[SchoolNotice]:
    """Notices to the designated safeguarding leads of the schools holding a record of each
    returned child (none unless the partnership has DSL users), emailed and mostly read."""
    leads: dict[int, list[Any]] = {}
    for user in ctx.all_users:
        if Role.DSL in ctx.roles_by_user.get(user.pk, ()) and user.agency_id is not None:
            leads.setdefault(user.agency_id, []).append(user)
    notices = []
    for episode in episodes:
        if episode.returned_at is None or not leads:
            continue
        schools = {
            record.agency_id
            for record in ctx.records_by_child.get(episode.child.pk, [])
            if record.agency.kind == AgencyKind.SCHOOL
        }
        due_on = calendar.next_school_day(episode.returned_at, holidays)
        sent = datetime.combine(due_on, time(7, 0), tzinfo=LONDON)
        for school in sorted(schools):
            for lead in leads.get(school, []):
                notices.append(
                    SchoolNotice(
                        episode=episode,
                        episode_id=episode.pk,
                        child=episode.child,
                        school_id=school,
                        recipient=lead,
                        due_on=due_on,
                        emailed_at=sent if sent <= END else None,
                        read_at=sent + timedelta(hours=2)
                        if sent <= END and ctx.rng.random() < 0.9
                        else None,
                    )
                )
    return notices


@clearer("missing episodes")
def clear_missing_episodes(ctx: DemoContext) -> None:
    from safeguarding.missing.models import MissingProfile

    for model in (SchoolNotice, EpisodeCorrection, ReturnInterview, MissingProfile, Episode):
        access.system_rows(access.SystemAccess("demo"), model).delete()
    SchoolHoliday.objects.all().delete()


@digest_rows("missing episodes")
def missing_episode_rows() -> list[list[Any]]:
    return [
        [
            e.child.pseudonym,
            e.agency.code,
            e.reported_at,
            e.returned_at,
            e.risk_grading,
            getattr(getattr(e, "interview", None), "status", ""),
        ]
        for e in missing_access.with_interview(
            access.system_rows(access.SystemAccess("demo"), Episode)
        )
        .select_related("child", "agency")
        .order_by("child__pseudonym", "reported_at", "pk")
    ]
