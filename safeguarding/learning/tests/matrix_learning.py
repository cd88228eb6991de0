"""The learning pages in the access matrix (core/tests/matrix.py).

Partnership officers run the cycle; the executive sees the overview, deadlines, themes and
the assurance report; every signed-in user sees the learning library, their agency's
actions and their agency's audit returns. The world's council (LA) owns the action and
the return below: its staff open them, anyone else gets the 404 of a thing that does not
exist.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from safeguarding.conftest import World
from safeguarding.core.tests.matrix import ALL_OK, NOT_FOUND, OK, Entries, expect
from safeguarding.learning import actions
from safeguarding.learning.models import (
    AuditKind,
    AuditReturn,
    Briefing,
    Milestone,
    Notification,
    PracticeAudit,
    PracticeReview,
    SourceKind,
    Theme,
)
from safeguarding.learning.tests.helpers import notification, practice_review

OFFICER = expect(officer=OK)
OVERSEERS = expect(officer=OK, executive=OK)
# The council's staff among the fixed users; the others are of other agencies.
COUNCIL = (
    "involved",
    "analyst",
    "officer",
    "ig_lead",
    "data_officer",
    "linkage_officer",
    "trainer",
)
OTHERS = ("other_agency", "panel_member", "agency_admin", "executive")
COUNCIL_ONLY = expect(**dict.fromkeys(COUNCIL, OK), **dict.fromkeys(OTHERS, NOT_FOUND))
EVERYONE = expect(**ALL_OK)


# The builders may run more than once on one database (the accessibility scan opens
# several pages in one test), so those with unique references reuse what they made.


def _existing_or_new(w: World, reference: str) -> Notification:
    found = Notification.objects.filter(case_reference=reference).first()
    return found or notification(w.users["officer"], reference)


def _notification(w: World) -> dict[str, Any]:
    return {"pk": _existing_or_new(w, "SI-MATRIX").pk}


def _request(w: World) -> dict[str, Any]:
    n = _existing_or_new(w, "SI-MATRIX-R")
    item = actions.request_information(
        n.rapid_review, w.police, by=w.users["officer"], requested_on=date(2024, 6, 4)
    )
    return {"pk": item.pk}


def _existing_review(w: World, reference: str) -> PracticeReview:
    found = PracticeReview.objects.filter(case_reference=reference).first()
    return found or practice_review(w.users["officer"], reference)


def _review(w: World) -> dict[str, Any]:
    return {"pk": _existing_review(w, "LCSPR-MATRIX").pk}


def _milestone(w: World) -> dict[str, Any]:
    review = _existing_review(w, "LCSPR-MATRIX-M")
    return {
        "pk": Milestone.objects.create(review=review, title="Draft", due_on=date(2024, 9, 1)).pk
    }


def _action(w: World) -> dict[str, Any]:
    action = actions.create_action(
        title="Audit the use of the neglect toolkit",
        source_kind=SourceKind.AUDIT,
        owner_agency=w.la,
        due_on=date(2025, 3, 31),
        by=w.users["officer"],
    )
    return {"pk": action.pk}


def _report(w: World) -> dict[str, Any]:
    return {"pk": w.sub_group.pk, "quarter": "2024-q3"}  # type: ignore[attr-defined]


def _audit(w: World) -> dict[str, Any]:
    audit = PracticeAudit.objects.create(
        kind=AuditKind.MULTI_AGENCY, title="Absence", held_on=date(2024, 10, 1)
    )
    return {"pk": audit.pk}


def _council_return(w: World) -> dict[str, Any]:
    audit = PracticeAudit.objects.create(
        kind=AuditKind.MULTI_AGENCY,
        title="Absence",
        held_on=date(2024, 10, 1),
        questions=["Was the child seen?"],
    )
    return {"pk": AuditReturn.objects.create(audit=audit, agency=w.la).pk}


def _template(w: World) -> dict[str, Any]:
    from safeguarding.learning.models import AuditTemplate

    tool, _ = AuditTemplate.objects.get_or_create(
        name="Multi-agency case audit", defaults={"questions": "Was the child seen?"}
    )
    return {"pk": tool.pk}


def _theme(w: World) -> dict[str, Any]:
    return {"pk": Theme.objects.get_or_create(name="Housing")[0].pk}


def _briefing(w: World, *, published: bool = True) -> dict[str, Any]:
    briefing = Briefing.objects.create(
        title="Bruising in babies who do not yet move",
        case_in_brief="A baby of four months had a small bruise.",
        what_we_learned="Bruising in a non-mobile baby is rare.",
        what_to_do_differently="Follow the bruising protocol every time.",
        published_on=date(2025, 1, 10) if published else None,
    )
    return {"pk": briefing.pk}


ENTRIES: Entries = {
    "learning:index": (lambda w: {}, OVERSEERS),
    "learning:deadlines": (lambda w: {}, OVERSEERS),
    "learning:calendar": (lambda w: {}, OVERSEERS),
    "learning:notifications": (lambda w: {}, OFFICER),
    "learning:notification_new": (lambda w: {}, OFFICER),
    "learning:notification": (_notification, OFFICER),
    "learning:notification_edit": (_notification, OFFICER),
    "learning:rapid_review_edit": (_notification, OFFICER),
    "learning:information_request_new": (_notification, OFFICER),
    "learning:information_return": (_request, OFFICER),
    "learning:reviews": (lambda w: {}, OFFICER),
    "learning:review_new": (lambda w: {}, OFFICER),
    "learning:review": (_review, OFFICER),
    "learning:review_edit": (_review, OFFICER),
    "learning:milestone_new": (_review, OFFICER),
    "learning:milestone_done": (_milestone, expect(officer=405)),
    "learning:actions": (lambda w: {}, EVERYONE),
    "learning:action_new": (lambda w: {}, OFFICER),
    "learning:action": (_action, COUNCIL_ONLY),
    "learning:action_update": (_action, COUNCIL_ONLY),
    "learning:action_sign_off": (_action, expect(**dict.fromkeys(ALL_OK, 405))),
    "learning:assurance": (lambda w: {}, OVERSEERS),
    "learning:assurance_report": (_report, OVERSEERS),
    "learning:assurance_pdf": (_report, OVERSEERS),
    "learning:audits": (lambda w: {}, OFFICER),
    "learning:audit_new": (lambda w: {}, OFFICER),
    "learning:audit": (_audit, OFFICER),
    "learning:audit_edit": (_audit, OFFICER),
    "learning:returns": (lambda w: {}, EVERYONE),
    "learning:audit_return": (_council_return, COUNCIL_ONLY),
    "learning:templates": (lambda w: {}, OFFICER),
    "learning:template_new": (lambda w: {}, OFFICER),
    "learning:template_edit": (_template, OFFICER),
    "learning:themes": (lambda w: {}, OVERSEERS),
    "learning:theme_new": (lambda w: {}, OFFICER),
    "learning:theme_edit": (_theme, OFFICER),
    "learning:library": (lambda w: {}, EVERYONE),
    "learning:briefing": (_briefing, EVERYONE),
    "learning:briefings": (lambda w: {}, OFFICER),
    "learning:briefing_new": (lambda w: {}, OFFICER),
    "learning:briefing_edit": (lambda w: _briefing(w, published=False), OFFICER),
    "learning:briefing_publish": (_briefing, expect(officer=405)),
    "learning:briefing_cascade": (_briefing, expect(**dict.fromkeys(ALL_OK, 405))),
    "learning:settings": (lambda w: {}, OFFICER),
}
