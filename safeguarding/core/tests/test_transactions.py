"""An action's transaction is durable where it is the outermost (core/transactions.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from safeguarding.core import transactions
from safeguarding.core.models import Agency, AgencyKind
from safeguarding.core.tests.savepoints import undo_savepoint


@transactions.action
def _add_agency(code: str) -> Agency:
    return Agency.objects.create(code=code, name=f"Agency {code}", kind=AgencyKind.OTHER)


def test_an_action_commits_on_its_own_inside_a_test(db: Any) -> None:
    assert _add_agency("A1").pk is not None


def test_an_action_inside_someone_elses_transaction_refuses_to_run(db: Any) -> None:
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        _add_agency("A2")
    assert not Agency.objects.filter(code="A2").exists()


def test_actions_run_together_as_savepoints_of_one_transaction(db: Any) -> None:
    with transactions.together():
        _add_agency("B1")
        with transactions.action():
            _add_agency("B2")
    assert set(Agency.objects.filter(code__startswith="B").values_list("code", flat=True)) == {
        "B1",
        "B2",
    }


def test_together_is_itself_durable(db: Any) -> None:
    with (
        pytest.raises(RuntimeError, match="durable"),
        transaction.atomic(),
        transactions.together(),
    ):
        pass


def test_a_tests_undo_savepoint_lets_an_action_run(db: Any) -> None:
    with undo_savepoint():
        _add_agency("C1")
    assert Agency.objects.filter(code="C1").exists()
