"""Factories for tests. Child-level rows are made here directly: tests sit outside the
access boundary on purpose, to set up what the helpers are then asked about."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from allauth.mfa.models import Authenticator
from django.utils import timezone

from safeguarding.children.models import Child, ChildEvent, PanelChild, SourceRecord
from safeguarding.core.actions import set_roles
from safeguarding.core.models import Agency, AgencyKind, Panel, PanelKind, User

PASSWORD = "correct-horse-battery-staple-42"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"AG{n}")
    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.OTHER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Test User {n}")
    agency = factory.SubFactory(AgencyFactory)

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:  # noqa: N805
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def roles(obj: User, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:  # noqa: N805
        if create and extracted:
            set_roles(obj, extracted)
            # The fixed users have held their roles for a month: break-glass waits a day
            # after a new role (core/brakes.py), which tests of that rule set up themselves.
            obj.role_grants.update(granted_at=timezone.now() - dt.timedelta(days=30))

    @factory.post_generation
    def mfa(obj: User, create: bool, extracted: bool | None, **kwargs: Any) -> None:  # noqa: N805
        if create and extracted is not False:
            enrol_totp(obj)


def enrol_totp(user: User, secret: str = TOTP_SECRET) -> Authenticator:
    from allauth.mfa.totp.internal.auth import TOTP

    return TOTP.activate(user, secret).instance


class PanelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Panel

    name = factory.Sequence(lambda n: f"Panel {n}")
    kind = PanelKind.EXPLOITATION_RISK


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    given_name = factory.Sequence(lambda n: f"Child{n}")
    family_name = "Testchild"
    date_of_birth = dt.date(2012, 5, 17)


class SourceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceRecord

    agency = factory.SubFactory(AgencyFactory)
    record_id = factory.Sequence(lambda n: f"R{n:06d}")
    child = factory.SubFactory(ChildFactory)
    given_name = factory.SelfAttribute("child.given_name")
    family_name = factory.SelfAttribute("child.family_name")


class ChildEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChildEvent

    source_record = factory.SubFactory(SourceRecordFactory)
    child = factory.SelfAttribute("source_record.child")
    agency = factory.SelfAttribute("source_record.agency")
    event_type = "mash_contact"
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    summary = "Contact from school about attendance."
    fingerprint = factory.Sequence(lambda n: f"factory-{n}")


class PanelChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PanelChild

    panel = factory.SubFactory(PanelFactory)
    child = factory.SubFactory(ChildFactory)
