"""The demo partnership's learning cycle, made through the app's own actions.

2024/25 gives the reference report's counts, from records, not typed totals: 3 serious
incident notifications about children (none about care leavers), 3 rapid reviews held, no
local child safeguarding practice review, 1 local multi-agency case review, 5 multi-agency
audits. 2023/24 has its own cycle (an LCSPR among it), and a notification is open now, in
late 2026, so that the deadlines page has something at risk. Every case is invented; the
themes are those the reference report lists for its reviews.

Actions come out of every review and audit, in every state: signed off by the sub-group's
chair, completed and awaiting sign-off, in progress and overdue, not started and due soon,
and due next year. Dates are fixed: the demo never reads the clock for data.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from safeguarding.core.calendar import add_working_days
from safeguarding.core.models import Agency, SubGroup, User
from safeguarding.demo.registry import DemoContext, clearer, digest_rows, step
from safeguarding.learning import actions
from safeguarding.learning.models import (
    Action,
    ActionStatus,
    AuditKind,
    AuditReturn,
    AuditTemplate,
    Briefing,
    Cascade,
    Grade,
    IncidentKind,
    InformationRequest,
    Milestone,
    Notification,
    PracticeAudit,
    PracticeReview,
    RapidReview,
    ReminderSent,
    ReviewDecision,
    ReviewKind,
    SourceKind,
    Theme,
)

NAI = "Non-accidental injury to under ones"
DA = "Domestic abuse"
POT = "Allegations against people in positions of trust"
FATHERS = "Engagement of fathers and male carers"
CALLS = "Response to emergency calls and hospital attendance"
PMH = "Parental mental health"
PSM = "Parental substance misuse"
HOUSING = "Housing"
SEXUAL = "Sexual abuse"
ND = "Neurodiversity"
TRANSFER = "Transfer between local authorities"
CE = "Child exploitation"
SYV = "Serious youth violence"
NEGLECT = "Neglect"


@dataclass(frozen=True)
class IncidentSpec:
    reference: str
    aware_on: date
    summary: str
    themes: tuple[str, ...]
    decision: str
    rationale: str
    kind: str = IncidentKind.CHILD
    age: int | None = None
    # Whether it is finished: sent, met, decided. The open one of late 2026 is not.
    finished: bool = True


INCIDENTS: tuple[IncidentSpec, ...] = (
    IncidentSpec(
        "SI-2023-01",
        date(2023, 6, 12),
        "A toddler was seriously harmed by a parent's new partner, who was not known to the "
        "health visitor or nursery.",
        (FATHERS, DA),
        ReviewDecision.LCSPR,
        "The criteria for a local child safeguarding practice review are met: partners had "
        "each seen a part of the picture and there is wider learning about unknown adults.",
    ),
    IncidentSpec(
        "SI-2023-02",
        date(2024, 1, 22),
        "A young person was stabbed near a town-centre car park while missing from home.",
        (CE, SYV),
        ReviewDecision.NO_REVIEW,
        "Learning is already being taken forward through the exploitation strategy; an action "
        "plan is proportionate.",
    ),
    IncidentSpec(
        "SI-2024-01",
        date(2024, 5, 20),
        "A baby of ten weeks was admitted with fractures not explained by the parents' account.",
        (NAI, CALLS, PSM),
        ReviewDecision.LOCAL_REVIEW,
        "The National Panel's criteria for an LCSPR are not met; a local multi-agency review "
        "will look at the response to an earlier emergency call and hospital attendance.",
    ),
    IncidentSpec(
        "SI-2024-02",
        date(2024, 9, 30),
        "A child disclosed sexual abuse by an adult volunteer at a sports club.",
        (SEXUAL, POT),
        ReviewDecision.NO_REVIEW,
        "Practice was largely good; learning about managing allegations is for the LADO "
        "process and an action plan.",
    ),
    IncidentSpec(
        "SI-2024-03",
        date(2025, 1, 13),
        "A child of eleven with autism was seriously neglected after the family moved into "
        "the area from another local authority.",
        (ND, TRANSFER, HOUSING, PMH, DA),
        ReviewDecision.NO_REVIEW,
        "The learning is about the transfer of cases between authorities, for the regional "
        "group; actions are local.",
    ),
    IncidentSpec(
        "SI-2026-01",
        date(2026, 11, 19),
        "An infant was found unresponsive at home; enquiries continue.",
        (NAI,),
        ReviewDecision.PENDING,
        "",
        finished=False,
    ),
)

# (title, kind, held on, themes, overall grade)
AUDITS: tuple[tuple[str, str, date, tuple[str, ...], str], ...] = (
    (
        "Children living with domestic abuse",
        AuditKind.MULTI_AGENCY,
        date(2023, 7, 11),
        (DA,),
        "good",
    ),
    (
        "Neglect: the build-up of small concerns",
        AuditKind.MULTI_AGENCY,
        date(2023, 10, 3),
        (NEGLECT,),
        "requires_improvement",
    ),
    ("Contacts into the front door", AuditKind.MULTI_AGENCY, date(2024, 1, 16), (PMH,), "good"),
    (
        "Young people at risk of exploitation",
        AuditKind.MULTI_AGENCY,
        date(2024, 3, 5),
        (CE,),
        "good",
    ),
    (
        "Serious youth violence (mock joint inspection)",
        AuditKind.MULTI_AGENCY,
        date(2024, 4, 16),
        (SYV, ND, PSM),
        "good",
    ),
    (
        "Children persistently absent from school",
        AuditKind.MULTI_AGENCY,
        date(2024, 7, 9),
        (ND, DA, PMH),
        "good",
    ),
    (
        "Fathers and male carers in assessments",
        AuditKind.MULTI_AGENCY,
        date(2024, 10, 8),
        (FATHERS,),
        "requires_improvement",
    ),
    (
        "Children affected by domestic abuse (mock joint inspection)",
        AuditKind.MULTI_AGENCY,
        date(2024, 12, 3),
        (DA,),
        "good",
    ),
    (
        "Early help for children with additional needs",
        AuditKind.MULTI_AGENCY,
        date(2025, 2, 11),
        (ND, HOUSING),
        "good",
    ),
    (
        "Quality of police protection notices",
        AuditKind.SINGLE_AGENCY,
        date(2024, 11, 14),
        (DA,),
        "good",
    ),
    (
        "Identifying young carers",
        AuditKind.SINGLE_AGENCY,
        date(2025, 3, 4),
        (PMH,),
        "requires_improvement",
    ),
)
SINGLE_AGENCY_OWNERS = {
    "Quality of police protection notices": "POLICE",
    "Identifying young carers": "LA",
}
RETURN_AGENCIES = ("LA", "POLICE", "HOSP", "COMMHEALTH", "SEC-ACADEMY")

ACTION_TITLES = (
    "Refresh the guidance on bruising in babies who are not yet mobile",
    "Ask about every adult in the household at each health visit",
    "Add the fathers' details to the assessment template",
    "Share the learning through a practice workshop",
    "Check that case transfer from another authority includes a meeting",
    "Review the response to repeat emergency calls about the same address",
    "Update the allegations procedure for volunteers in sports clubs",
    "Audit the use of the neglect toolkit in early help",
    "Include exploitation indicators in the school safeguarding training",
    "Make sure housing officers know how to refer to the front door",
    "Record the child's own words in every assessment",
    "Agree a protocol for children who go missing from placements out of area",
)
OWNER_AGENCIES = ("LA", "POLICE", "HOSP", "COMMHEALTH", "ICB", "SEC-ACADEMY")

BRIEFINGS: tuple[tuple[str, str, str, str, str, tuple[str, ...], date], ...] = (
    (
        "Who else lives here? Unknown adults in the home",
        "SI-2023-01",
        "A toddler was harmed by an adult who had moved into the home. No agency knew he lived there.",
        "Each agency saw a part of the picture; none asked who else lived in the home or "
        "cared for the child.",
        "At every visit ask who lives in the home and who looks after the child; record "
        "fathers and partners by name and check what is known about them.",
        (FATHERS, DA),
        date(2024, 7, 1),
    ),
    (
        "Babies who are not yet mobile: bruising and injury",
        "SI-2024-01",
        "A baby of ten weeks had a small bruise seen at an emergency attendance weeks before "
        "a serious injury.",
        "Bruising in a baby who is not yet mobile is rare and must always be explained; an "
        "earlier emergency call was not linked to the later attendance.",
        "Follow the bruising protocol every time, however small the mark; look at the history "
        "of calls and attendances together.",
        (NAI, CALLS),
        date(2024, 11, 4),
    ),
    (
        "Moving in from another area",
        "SI-2024-03",
        "A family moved into the area; the child's needs and the history were not passed on "
        "in full.",
        "Transfer between authorities relied on paperwork without a conversation; the child's "
        "autism diagnosis was not known to the new school.",
        "Hold a transfer meeting for every child with a plan who moves in; the school asks the "
        "previous school for the child protection file on the day the child starts.",
        (TRANSFER, ND, HOUSING),
        date(2025, 5, 12),
    ),
)


def _staff(ctx: DemoContext, code: str) -> list[User]:
    agency = ctx.agencies[code]
    return [u for u in ctx.all_users if u.agency_id == agency.pk and u.is_active]


def _themes(names: tuple[str, ...]) -> list[Theme]:
    # get_or_create: the shipped list comes by a data migration, which a test database
    # flushed between tests no longer holds.
    return [Theme.objects.get_or_create(name=name)[0] for name in names]


def _audit_tool() -> AuditTemplate:
    shipped = importlib.import_module("safeguarding.learning.migrations.0002_shipped_themes")
    tool, _ = AuditTemplate.objects.get_or_create(
        name="Multi-agency case audit", defaults={"questions": shipped.QUESTIONS}
    )
    return tool


def _make_actions(
    ctx: DemoContext,
    *,
    source_kind: str,
    source_ref: str,
    source_label: str,
    start: date,
    sub_group: SubGroup,
    count: int,
    first_due: date | None = None,
) -> int:
    """Actions of one plan, in states that follow from their dates (fixed, not the clock).

    `first_due` pins the first action's due day, so that a current plan has one due soon.
    """
    officer = ctx.users["officer"]
    chair = sub_group.chair
    for i in range(count):
        code = ctx.rng.choice(OWNER_AGENCIES)
        agency: Agency = ctx.agencies[code]
        staff = _staff(ctx, code)
        owner = ctx.rng.choice(staff) if staff else None
        due = start + timedelta(days=ctx.rng.randint(60, 300))
        if first_due is not None and i == 0:
            due = first_due
        action = actions.create_action(
            title=ctx.rng.choice(ACTION_TITLES),
            source_kind=source_kind,
            source_ref=source_ref,
            source_label=source_label,
            owner_agency=agency,
            owner_person=owner,
            sub_group=sub_group,
            due_on=due,
            created_on=start,
            by=officer,
        )
        by = owner or officer
        # Older plans are done; newer ones are on their way; the odd one slips.
        roll = ctx.rng.random()
        if due < date(2026, 3, 31) and roll < 0.75:
            done_on = due - timedelta(days=ctx.rng.randint(0, 30))
            evidence = "Updated guidance issued to staff; briefing delivered at team meetings."
            actions.update_action(
                action, by=by, status=ActionStatus.COMPLETED, evidence=evidence, on=done_on
            )
            if chair is not None and roll < 0.65:
                actions.sign_off_action(action, by=chair, on=done_on + timedelta(days=21))
        elif roll < 0.9 or i % 3 == 0:
            actions.update_action(action, by=by, status=ActionStatus.IN_PROGRESS, evidence="")
    return count


def _incident(ctx: DemoContext, spec: IncidentSpec, case_review: SubGroup) -> int:
    officer = ctx.users["officer"]
    n = actions.save_notification(
        Notification(
            case_reference=spec.reference,
            summary=spec.summary,
            kind=spec.kind,
            age_at_incident=spec.age,
            aware_on=spec.aware_on,
            owner=officer,
        ),
        by=officer,
        themes=_themes(spec.themes),
    )
    review = n.rapid_review
    asked = add_working_days(spec.aware_on, 1)
    for code in ("LA", "POLICE", "HOSP", "COMMHEALTH"):
        item = actions.request_information(
            review, ctx.agencies[code], by=officer, requested_on=asked
        )
        if spec.finished or code in ("LA", "POLICE"):
            on = add_working_days(asked, ctx.rng.randint(2, 5))
            actions.record_information_return(item, by=officer, on=on)
    if not spec.finished:
        return 0
    n.sent_on = add_working_days(spec.aware_on, ctx.rng.randint(1, 4))
    actions.save_notification(n, by=officer)
    review.refresh_from_db()
    review.meeting_on = add_working_days(n.sent_on, ctx.rng.randint(9, 13))
    review.decision = spec.decision
    review.rationale = spec.rationale
    review.sent_to_panel_on = add_working_days(review.meeting_on, 1)
    review.panel_response_on = review.sent_to_panel_on + timedelta(days=ctx.rng.randint(20, 40))
    review.panel_response = (
        "The National Panel agreed with the partnership's decision."
        if spec.decision != ReviewDecision.LCSPR
        else "The National Panel agreed an LCSPR and asked to see the terms of reference."
    )
    review.owner = officer
    actions.save_rapid_review(review, by=officer)
    made = _make_actions(
        ctx,
        source_kind=SourceKind.RAPID_REVIEW,
        source_ref=f"rapid_review:{review.pk}",
        source_label=f"Rapid review of {spec.reference}",
        start=review.meeting_on,
        sub_group=case_review,
        count=ctx.rng.randint(3, 5),
    )
    if spec.decision in (ReviewDecision.LCSPR, ReviewDecision.LOCAL_REVIEW):
        made += _practice_review(ctx, spec, review, case_review)
    return made


def _practice_review(
    ctx: DemoContext, spec: IncidentSpec, review: RapidReview, case_review: SubGroup
) -> int:
    officer = ctx.users["officer"]
    decided = review.meeting_on or review.due_on
    kind = ReviewKind.LCSPR if spec.decision == ReviewDecision.LCSPR else ReviewKind.LOCAL
    prefix = "LCSPR" if kind == ReviewKind.LCSPR else "LMAR"
    practice = actions.save_practice_review(
        PracticeReview(
            kind=kind,
            case_reference=f"{prefix}-{spec.reference[3:]}",
            summary=spec.summary,
            rapid_review=review,
            decided_on=decided,
            terms_of_reference="How partners knew who lived in the home and cared for the child; "
            "how information was shared; what the child's day-to-day life was like.",
            reviewer="An independent reviewer commissioned by the partnership",
            owner=officer,
        ),
        by=officer,
        themes=_themes(spec.themes),
    )
    for title, weeks in (
        ("Terms of reference agreed", 3),
        ("Practitioners' learning event", 10),
        ("Draft report to Case Review", 18),
        ("Executive sign-off", 22),
    ):
        milestone = actions.add_milestone(
            practice, title=title, due_on=decided + timedelta(weeks=weeks), by=officer
        )
        actions.complete_milestone(
            milestone, by=officer, on=milestone.due_on - timedelta(days=ctx.rng.randint(0, 5))
        )
    practice.published_on = practice.publication_target_on - timedelta(days=ctx.rng.randint(3, 20))
    actions.save_practice_review(practice, by=officer)
    return _make_actions(
        ctx,
        source_kind=SourceKind.PRACTICE_REVIEW,
        source_ref=f"practice_review:{practice.pk}",
        source_label=practice.case_reference,
        start=practice.published_on,
        sub_group=case_review,
        count=ctx.rng.randint(4, 6),
    )


def _audit(ctx: DemoContext, spec: tuple[str, str, date, tuple[str, ...], str]) -> int:
    title, kind, held_on, themes, grade = spec
    officer = ctx.users["officer"]
    template = _audit_tool()
    single = kind == AuditKind.SINGLE_AGENCY
    audit = actions.save_audit(
        PracticeAudit(
            kind=kind,
            title=title,
            agency=ctx.agencies[SINGLE_AGENCY_OWNERS[title]] if single else None,
            sub_group=ctx.sub_groups["ldp"],
            held_on=held_on,
            cases_sampled="\n".join(f"AUD-{held_on:%y%m}-{i:02d}" for i in range(1, 7)),
            questions=[] if single else template.question_list,
            grade=grade,
            findings="Partners worked well together and the child's voice was heard; "
            "information sharing at the point of transfer and the involvement of fathers "
            "need strengthening.",
        ),
        by=officer,
        themes=_themes(themes),
        agencies=[] if single else [ctx.agencies[c] for c in RETURN_AGENCIES],
    )
    for item in AuditReturn.objects.filter(audit=audit).select_related("agency"):
        staff = _staff(ctx, item.agency.code)
        if not staff:
            continue
        answers = [
            ctx.rng.choice(("Yes, consistently.", "Partly.", "Yes.")) for _ in audit.questions
        ]
        grade_given = ctx.rng.choice((Grade.GOOD, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT))
        actions.submit_audit_return(
            item, by=staff[0], answers=answers, grade=grade_given, on=held_on - timedelta(days=7)
        )
    return _make_actions(
        ctx,
        source_kind=SourceKind.AUDIT,
        source_ref=f"audit:{audit.pk}",
        source_label=title,
        start=held_on,
        sub_group=ctx.sub_groups["ldp"],
        count=ctx.rng.randint(2, 5),
    )


@step("learning cycle")
def make_learning_cycle(ctx: DemoContext) -> None:
    case_review = ctx.sub_groups["case_review"]
    made = 0
    for spec in INCIDENTS:
        made += _incident(ctx, spec, case_review)
    for audit_spec in AUDITS:
        made += _audit(ctx, audit_spec)
    # Sub-groups' own plans: one a year each, current ones open.
    for key in ("exploitation", "practice", "voice", "mash"):
        group = ctx.sub_groups[key]
        for year in (2024, 2025, 2026):
            made += _make_actions(
                ctx,
                source_kind=SourceKind.SUB_GROUP,
                source_ref=f"sub_group:{group.pk}:{year}",
                source_label=f"{group.name} plan {year} to {year + 1}",
                start=date(year, 5, 1),
                sub_group=group,
                count=ctx.rng.randint(2, 4),
                # Early December 2026: amber in the demo's present, late November 2026.
                first_due=date(2026, 12, 4) if year == 2026 else None,
            )
    officer = ctx.users["officer"]
    for title, source, case, learned, differently, themes, published in BRIEFINGS:
        briefing = Briefing(
            title=title,
            source_label=f"Review of {source}",
            case_in_brief=case,
            what_we_learned=learned,
            what_to_do_differently=differently,
        )
        actions.save_record(briefing, by=officer, themes=_themes(themes))
        actions.publish_briefing(briefing, by=officer, on=published)
        for code in ctx.rng.sample(OWNER_AGENCIES, 4):
            staff = _staff(ctx, code)
            if staff:
                actions.confirm_cascade(
                    briefing, by=staff[0], on=published + timedelta(days=ctx.rng.randint(5, 30))
                )
    ctx.count("serious incident notifications", Notification.objects.count())
    ctx.count("learning actions", made)
    ctx.count("audits", PracticeAudit.objects.count())


@clearer("learning cycle")
def clear_learning_cycle(ctx: DemoContext) -> None:
    for model in (
        Cascade,
        Briefing,
        Action,
        AuditReturn,
        PracticeAudit,
        Milestone,
        PracticeReview,
        InformationRequest,
        RapidReview,
        Notification,
        ReminderSent,
    ):
        model.objects.all().delete()


@digest_rows("learning cycle")
def learning_rows() -> list[list[Any]]:
    rows: list[list[Any]] = []
    for n in Notification.objects.select_related("rapid_review").order_by("case_reference"):
        r = n.rapid_review
        rows.append([n.case_reference, n.aware_on, n.due_on, n.sent_on, r.meeting_on, r.decision])
    for p in PracticeReview.objects.order_by("case_reference"):
        rows.append(
            [p.case_reference, p.kind, p.decided_on, p.publication_target_on, p.published_on]
        )
    for a in PracticeAudit.objects.order_by("held_on", "title"):
        rows.append([a.title, a.kind, a.held_on, a.grade])
    for x in Action.objects.select_related("owner_agency", "sub_group").order_by(
        "source_label", "due_on", "title", "owner_agency__code", "status"
    ):
        rows.append(
            [x.source_label, x.title, x.owner_agency.code, x.due_on, x.status, x.signed_off_on]
        )
    for b in Briefing.objects.order_by("title"):
        rows.append([b.title, b.published_on, b.cascades.count()])
    return rows
