"""The demo partnership: deterministic, all-or-nothing, reset and scaled as asked, and open to later apps' steps."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from safeguarding.core.models import (
    Agency,
    AuditEntry,
    Partnership,
    User,
)
from safeguarding.demo import (
    generator,
    registry,
)
from safeguarding.demo.partnership import FIXED_USERS
from safeguarding.demo.tests.support import (
    SMALL,
    fixed,
    run_demo,
    system,
)

pytestmark = pytest.mark.django_db


def test_the_same_seed_gives_the_same_partnership() -> None:
    run_demo("--seed", "7", "--scale", SMALL, "--reset")
    first = registry.digest()
    first_children = sorted(
        system().children().values_list("public_id", "pseudonym", "given_name", "date_of_birth")
    )
    run_demo("--seed", "7", "--scale", SMALL, "--reset")
    assert registry.digest() == first
    assert (
        sorted(
            system().children().values_list("public_id", "pseudonym", "given_name", "date_of_birth")
        )
        == first_children
    )


def test_a_different_seed_gives_a_different_partnership() -> None:
    run_demo("--seed", "1", "--scale", SMALL)
    first = registry.digest()
    first_ids = set(system().children().values_list("public_id", flat=True))
    run_demo("--seed", "2", "--scale", SMALL, "--reset")
    assert registry.digest() != first
    assert not first_ids & set(system().children().values_list("public_id", flat=True))


def test_the_digest_notices_a_changed_event() -> None:
    run_demo("--seed", "3", "--scale", SMALL)
    before = registry.digest()
    event = system().events().order_by("pk").first()
    assert event is not None
    system().events().filter(pk=event.pk).update(summary=event.summary + ".")
    assert registry.digest() != before


def test_reset_replaces_rather_than_duplicates() -> None:
    run_demo("--seed", "5", "--scale", SMALL)
    counts = registry.existing_data()
    events = system().events().count()
    run_demo("--seed", "5", "--scale", SMALL, "--reset")
    assert registry.existing_data() == counts
    assert system().events().count() == events
    assert Partnership.objects.count() == 1 and Agency.objects.filter(code="LA").count() == 1


def test_reset_removes_break_glass_openings_of_the_old_children() -> None:
    run_demo("--scale", SMALL)
    child = generator.break_glass_candidate()
    assert child is not None
    from safeguarding.core.models import BreakGlass

    now = timezone.now()
    BreakGlass.objects.create(
        user=fixed("practitioner"),
        child=child,
        reason="Testing a reset after a break-glass.",
        expires_at=now,
    )
    run_demo("--scale", SMALL, "--reset")
    assert not BreakGlass.objects.exists()


def test_running_without_reset_over_existing_data_is_refused_with_a_clear_message() -> None:
    run_demo("--seed", "4", "--scale", SMALL)
    before = registry.digest()
    with pytest.raises(CommandError, match=r"already holds partnership data.*--reset"):
        run_demo("--seed", "4", "--scale", SMALL)
    assert registry.digest() == before


def test_running_over_a_database_with_only_users_is_refused_too() -> None:
    User.objects.create_user("someone@example.org", "a-long-enough-password", full_name="Some One")
    with pytest.raises(CommandError, match="1 user[)]"):
        run_demo("--scale", SMALL)
    assert not Agency.objects.exists()


def test_a_failure_midway_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: registry.DemoContext) -> None:
        raise RuntimeError("the events step broke")

    monkeypatch.setattr(registry.find_step("events"), "func", broken)
    audit_entries = AuditEntry.objects.count()
    with pytest.raises(RuntimeError, match="events step broke"):
        run_demo("--scale", SMALL)
    # Counted before the checks below, whose own look at the index is recorded (SystemAccess).
    assert AuditEntry.objects.count() == audit_entries, "the failed run left no audit entry"
    assert registry.existing_data() == {
        "partnership settings": 0,
        "agencies": 0,
        "users": 0,
        "children": 0,
    }
    assert not system().source_records().exists()
    assert not Authenticator.objects.exists()


def test_a_failure_midway_through_a_reset_keeps_the_previous_partnership(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_demo("--seed", "8", "--scale", SMALL)
    before = registry.digest()

    def broken(ctx: registry.DemoContext) -> None:
        raise RuntimeError("the panel lists step broke")

    monkeypatch.setattr(registry.find_step("panel lists"), "func", broken)
    with pytest.raises(RuntimeError, match="panel lists step broke"):
        run_demo("--seed", "9", "--scale", SMALL, "--reset")
    assert registry.digest() == before


def test_scale_multiplies_the_generated_volumes_but_not_the_fixed_users() -> None:
    out = run_demo("--scale", "0.05")
    children = system().children().count()
    # Below scale 0.5 the user plan's twenty generated users are the floor.
    assert User.objects.count() == len(FIXED_USERS) + generator.USERS_MINIMUM
    run_demo("--scale", "0.1", "--reset")
    assert 1.7 < system().children().count() / children < 2.3
    assert all(User.objects.filter(email=f.email).exists() for f in FIXED_USERS)
    assert "children in the area" in out and "1800" in out


def test_users_scale_above_the_plans_floor() -> None:
    users = []

    def count_users(ctx: registry.DemoContext) -> None:
        users.append(len(ctx.generated_users))
        raise RuntimeError("stop after the users")

    step = registry.find_step("sign-in")
    original = step.func
    step.func = count_users
    try:
        for scale in ("1", "2"):
            with pytest.raises(RuntimeError, match="stop after the users"):
                run_demo("--scale", scale)
    finally:
        step.func = original
    assert users == [generator.USERS_PER_SCALE, 2 * generator.USERS_PER_SCALE]


def test_a_scale_that_is_not_a_positive_number_is_refused() -> None:
    for bad in ("0", "-1", "lots"):
        with pytest.raises(CommandError, match="--scale"):
            run_demo("--scale", bad)


@override_settings(PRODUCTION=True)
def test_the_demo_is_never_made_in_production() -> None:
    with pytest.raises(CommandError, match="production"):
        run_demo("--scale", SMALL)


def test_the_generator_records_itself_in_the_audit_log() -> None:
    run_demo("--scale", SMALL)
    entry = AuditEntry.objects.filter(object_type="demo partnership").first()
    assert entry is not None and entry.detail["counts"]["children in the area"] == 720


def test_a_later_app_can_add_a_step(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    monkeypatch.setattr(registry, "_steps", list(registry._steps))

    @registry.step("a later app's step")
    def later(ctx: registry.DemoContext) -> None:
        seen.append(len(ctx.children))
        ctx.count("later things", 3)

    out = run_demo("--scale", SMALL)
    assert seen == [system().children().filter(merged_into=None).count()]
    assert seen[0] > 0
    assert "later things" in out
    assert registry.registered_steps()[-1].name == "a later app's step"


def test_the_demo_code_makes_child_rows_only_through_the_access_helpers() -> None:
    demo_dir = Path(generator.__file__).parent
    pattern = re.compile(
        r"\b(Child|SourceRecord|ChildEvent|PanelChild)\.(objects|_default_manager|_base_manager)\b"
    )
    for path in demo_dir.rglob("*.py"):
        if "tests" not in path.parts:
            assert not pattern.search(path.read_text()), path
