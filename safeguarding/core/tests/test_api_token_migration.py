"""API tokens moved from the child index to core (decision 0063) without losing a token:
the table stays, and the migrations move only the model's state and its content type."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from safeguarding.core import dbroles
from safeguarding.core.models import ApiToken
from safeguarding.core.tests.factories import AgencyFactory, UserFactory

BEFORE = [("core", "0009_audit_password_change"), ("children", "0010_hand_entered_records")]
AFTER = [("core", "0010_api_token_from_children"), ("children", "0011_api_token_to_core")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrate to `targets` as the owner of the tables; the project's state there."""
    with dbroles.as_owner():
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_token_issued_before_the_move_still_opens_the_api_after_it() -> None:
    from django.contrib.contenttypes.models import ContentType

    agency = AgencyFactory()
    user = UserFactory(agency=agency)
    ApiToken.objects.create(
        agency=agency, name="Case system", prefix="abcd2345", token_hash="0" * 64, created_by=user
    )
    with dbroles.as_owner():
        ContentType.objects.filter(app_label="core", model="apitoken").delete()
    try:
        old = _migrate(BEFORE)
        assert old.get_model("children", "ApiToken").objects.get().prefix == "abcd2345"
        with dbroles.as_owner():
            ContentType.objects.get_or_create(app_label="children", model="apitoken")
        new = _migrate(AFTER)
        token = new.get_model("core", "ApiToken").objects.get()
    finally:
        _migrate(AFTER)
    assert (token.prefix, token.name, token.agency_id) == ("abcd2345", "Case system", agency.pk)
    ContentType.objects.clear_cache()
    moved = ContentType.objects.get(app_label="core", model="apitoken")
    assert not ContentType.objects.filter(app_label="children", model="apitoken").exists()
    assert moved.model_class() is ApiToken


def test_the_token_table_keeps_its_name() -> None:
    assert ApiToken._meta.db_table == "children_apitoken"
