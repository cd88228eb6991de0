"""The missing tracker's own child-level queries, built from the core family
(safeguarding.core.access). Only the tracker's child-level models are touched here
(core/tests/test_access_boundary.py, docs/decisions/0061).

The agency that recorded an episode is involved with the child (rule (a)). A school's
designated safeguarding lead (Role.DSL) is told of a pupil's return: the school is the
one holding a record of the child (docs/decisions/0037).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from safeguarding.core import audit
from safeguarding.core.access import SystemAccess, record_holders, signed_in_user
from safeguarding.core.models import AgencyKind, AuditAction, User
from safeguarding.core.roles import Role
from safeguarding.missing.models import Episode, SchoolNotice

if TYPE_CHECKING:
    from safeguarding.children.models import Child, ChildEvent


def missing_episode_involvement(agency_id: int) -> QuerySet[Any]:
    """Rule (a): an agency that recorded a missing episode of a child is involved."""
    return Episode.objects.filter(agency=agency_id).values("child")


def with_interview(episodes: QuerySet[Episode]) -> QuerySet[Episode]:
    """Episodes already read through the rule, each with its return home interview (the
    same child's, one to one): the tracker's and the child's pages show its state."""
    return episodes.select_related("interview")


def missing_episode_events(system: SystemAccess) -> QuerySet[ChildEvent]:
    """Imported missing-episode events of linked children, for making episodes."""
    return system.events().filter(event_type="missing_episode", child__isnull=False)


def school_leads_of(child: Child) -> QuerySet[User]:
    """The designated safeguarding leads of the schools holding a record of the child."""
    schools = record_holders(child, kind=AgencyKind.SCHOOL)
    return User.objects.filter(
        agency_id__in=schools, is_active=True, role_grants__role=Role.DSL
    ).select_related("agency")


def my_school_notices(request: HttpRequest) -> QuerySet[Any]:
    """The notices addressed to the request's user that are due; the listing is recorded."""
    user = signed_in_user(request)
    audit.record(
        AuditAction.CHILD_LIST,
        request=request,
        object_type="schoolnotice",
        purpose="notices of pupils' returns",
    )
    return SchoolNotice.objects.filter(
        recipient=user, due_on__lte=timezone.localdate()
    ).select_related("child", "school", "episode")
