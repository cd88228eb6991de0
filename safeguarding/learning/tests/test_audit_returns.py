"""Who answers which audit return: the rule the returns pages read through
(`queries.audit_returns_for`), tested without a request."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404

from safeguarding.conftest import World
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import UserFactory
from safeguarding.learning import queries
from safeguarding.learning.models import AuditKind, AuditReturn, PracticeAudit


def _audit_with_returns(world: World) -> tuple[AuditReturn, AuditReturn]:
    audit = PracticeAudit.objects.create(
        kind=AuditKind.MULTI_AGENCY, title="Neglect audit", held_on=date(2024, 11, 5)
    )
    council = AuditReturn.objects.create(audit=audit, agency=world.la)
    police = AuditReturn.objects.create(audit=audit, agency=world.police)
    return council, police


def test_a_user_sees_only_their_own_agencys_audit_returns(world: World) -> None:
    council, police = _audit_with_returns(world)
    assert list(queries.audit_returns_for(world.users["involved"])) == [council]
    assert queries.audit_return_for(world.users["involved"], council.pk) == council


def test_another_agencys_return_is_not_found(world: World) -> None:
    _, police = _audit_with_returns(world)
    with pytest.raises(Http404):
        queries.audit_return_for(world.users["involved"], police.pk)


def test_a_user_with_no_agency_answers_no_return(world: World) -> None:
    council, _ = _audit_with_returns(world)
    nobody = UserFactory(email="loose@example.org", agency=None, roles=[Role.PRACTITIONER])
    assert list(queries.audit_returns_for(nobody)) == []
