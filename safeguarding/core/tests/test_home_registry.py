"""The navigation and the home page are filled by each app's home.py (decision 0062), in
the order they had when core named every app."""

from __future__ import annotations

import pytest

from safeguarding.core import home
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import UserFactory


@pytest.mark.django_db
def test_a_user_with_every_role_sees_every_app_in_the_fixed_order() -> None:
    user = UserFactory(roles=[role.value for role in Role])
    assert [link.label for link in home.navigation(user)] == [
        "Home",
        "Children",
        "Partnership",
        "Users",
        "Audit",
        "Linkage",
        "Imports",
        "Data set",
        "Learning",
        "Exploitation",
        "Missing",
        "Training",
        "Annual report",
    ]
    assert [section.title for section in home.sections(user)] == [
        "Children",
        "The partnership",
        "People",
        "Sign-in",
        "Information governance",
        "Linkage",
        "Your agency's extracts",
        "Training",
        "The partnership data set",
        "Your agency's data returns",
        "Learning and improvement",
        "Child exploitation",
        "Missing from home and care",
        "Education and young carers",
        "Your account",
    ]


def test_two_parts_may_not_share_a_place() -> None:
    registry: home.Registry[home.NavFunction] = home.Registry("test")

    @registry.register(10)
    def first(user: object) -> list[home.Link]:
        return []

    with pytest.raises(ValueError, match="place 10"):

        @registry.register(10)
        def second(user: object) -> list[home.Link]:
            return []

    registry.register(10)(first)  # the same function again (a module imported twice) is fine
    assert registry.places() == {f"{first.__module__}.{first.__qualname__}": 10}
