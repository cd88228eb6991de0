"""The demo partnership: deterministic, complete, all-or-nothing, and fit to sign in to."""

from __future__ import annotations

import random
import re
import time
from io import StringIO
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.utils import timezone

from safeguarding.children.models import (
    CandidateStatus,
    IdentityChangeKind,
    ImportBatch,
    ImportStatus,
    Sex,
)
from safeguarding.core.access import SystemAccess, visible_children
from safeguarding.core.models import (
    Agency,
    AgencyKind,
    AuditEntry,
    Panel,
    PanelKind,
    Partnership,
    Priority,
    RoleGrant,
    SubGroup,
    User,
)
from safeguarding.core.roles import Role
from safeguarding.demo import generator, identifiers, names, partnership
from safeguarding.demo.partnership import DEMO_PASSWORD, FIXED_USERS

pytestmark = pytest.mark.django_db

REFERENCE_REPORT = Path("/work/shared/reference/annual-report-2024-25.md")
# A small scale keeps the suite quick; the shape of the partnership does not depend on it.
# At 0.02 the area has 720 children, about 72 of them known to agencies.
SMALL = "0.02"
# Large enough for the fixed users to have dozens of children to see.
MEDIUM = "0.1"


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


def system() -> SystemAccess:
    return SystemAccess("demo tests")


def fixed(key: str) -> User:
    email = next(f.email for f in FIXED_USERS if f.key == key)
    return User.objects.get(email=email)


def nhs_number_is_valid(number: str) -> bool:
    """DOMAIN.md's rule, written out again here rather than trusting identifiers.py."""
    if not re.fullmatch(r"\d{10}", number):
        return False
    check = 11 - sum(int(number[i]) * (10 - i) for i in range(9)) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(number[9])


def test_the_same_seed_gives_the_same_partnership() -> None:
    run_demo("--seed", "7", "--scale", SMALL, "--reset")
    first = generator.digest()
    first_children = sorted(
        system().children().values_list("public_id", "pseudonym", "given_name", "date_of_birth")
    )
    run_demo("--seed", "7", "--scale", SMALL, "--reset")
    assert generator.digest() == first
    assert (
        sorted(
            system().children().values_list("public_id", "pseudonym", "given_name", "date_of_birth")
        )
        == first_children
    )


def test_a_different_seed_gives_a_different_partnership() -> None:
    run_demo("--seed", "1", "--scale", SMALL)
    first = generator.digest()
    first_ids = set(system().children().values_list("public_id", flat=True))
    run_demo("--seed", "2", "--scale", SMALL, "--reset")
    assert generator.digest() != first
    assert not first_ids & set(system().children().values_list("public_id", flat=True))


def test_the_digest_notices_a_changed_event() -> None:
    run_demo("--seed", "3", "--scale", SMALL)
    before = generator.digest()
    event = system().events().order_by("pk").first()
    assert event is not None
    system().events().filter(pk=event.pk).update(summary=event.summary + ".")
    assert generator.digest() != before


def test_every_role_is_held_by_some_user() -> None:
    run_demo("--scale", SMALL)
    assert set(RoleGrant.objects.values_list("role", flat=True)) == set(Role.values)
    # And by generated users too, in several agencies, not only by the fixed ones.
    fixed_emails = {f.email for f in FIXED_USERS}
    generated = RoleGrant.objects.exclude(user__email__in=fixed_emails)
    assert generated.values("user__agency").distinct().count() >= 5


def test_the_three_statutory_partners_exist() -> None:
    run_demo("--scale", SMALL)
    partners = Agency.objects.filter(statutory_partner=True)
    assert sorted(partners.values_list("kind", flat=True)) == sorted(
        [AgencyKind.LOCAL_AUTHORITY, AgencyKind.HEALTH_ICB, AgencyKind.POLICE]
    )
    assert set(partners.values_list("code", flat=True)) == {"LA", "ICB", "POLICE"}
    assert Agency.objects.get(code="LA").name == "Wealdmoor Council"


def test_the_partnership_has_its_agencies_sub_groups_priorities_and_panels() -> None:
    run_demo("--scale", SMALL)
    settings = Partnership.objects.get()
    assert (settings.name, settings.area) == (
        "Wealdmoor Safeguarding Children Partnership",
        "Wealdmoor",
    )
    assert (settings.financial_year_start_month, settings.financial_year_start_day) == (4, 1)
    relevant = Agency.objects.filter(statutory_partner=False)
    assert 18 <= relevant.count() <= 25
    kinds = set(relevant.values_list("kind", flat=True))
    assert kinds >= {
        AgencyKind.HEALTH_TRUST,
        AgencyKind.HEALTH_GP,
        AgencyKind.SCHOOL,
        AgencyKind.COLLEGE,
        AgencyKind.EARLY_YEARS,
        AgencyKind.VOLUNTARY,
        AgencyKind.OTHER,
    }
    for agency in Agency.objects.all():
        assert agency.code == agency.code.upper() and agency.email_domains
    assert SubGroup.objects.count() == 6
    assert not SubGroup.objects.filter(chair__isnull=True).exists()
    for group in SubGroup.objects.all():
        assert group.members.count() >= 2
    for year in (2024, 2025):
        priorities = Priority.objects.filter(year=year)
        assert sorted(priorities.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
        assert not priorities.filter(sub_group__isnull=True).exists()
    risk = Panel.objects.get(kind=PanelKind.EXPLOITATION_RISK)
    assert risk.name == "Child Exploitation Risk Assessment Meeting"
    assert risk.members.filter(email="panel@icb.wealdmoor.example").exists()
    assert Panel.objects.get(kind=PanelKind.EXPLOITATION_DISRUPTION).members.exists()


def test_nhs_numbers_generated_are_valid_and_only_on_health_records() -> None:
    run_demo("--scale", SMALL)
    records = list(system().source_records().select_related("agency"))
    health = (AgencyKind.HEALTH_TRUST, AgencyKind.HEALTH_GP)
    numbers = [r.nhs_number for r in records if r.nhs_number]
    assert numbers
    # From the range kept for test data, with a correct check digit.
    assert all(nhs_number_is_valid(n) and n.startswith("999") for n in numbers)
    assert all(r.agency.kind in health for r in records if r.nhs_number)
    on_health = [r for r in records if r.agency.kind in health]
    assert sum(bool(r.nhs_number) for r in on_health) / len(on_health) > 0.9


def test_the_nhs_number_generator_never_gives_an_invalid_number() -> None:
    rng = random.Random(12)
    assert all(nhs_number_is_valid(identifiers.nhs_number(rng)) for _ in range(2000))
    # A known valid number, and the same with a wrong check digit.
    assert identifiers.is_valid_nhs_number("9434765919")
    assert not identifiers.is_valid_nhs_number("9434765918")


def test_school_records_carry_a_upn_with_its_check_letter() -> None:
    run_demo("--scale", SMALL)
    upns = list(
        system()
        .source_records()
        .filter(agency__kind=AgencyKind.SCHOOL)
        .values_list("record_id", "upn")
    )
    assert upns
    for record_id, upn in upns:
        assert record_id == upn and len(upn) == 13 and identifiers.is_valid_upn(upn)


def test_children_have_records_events_and_ages_as_the_domain_expects() -> None:
    run_demo("--scale", MEDIUM)
    known = len(generator.demo_extracts(1, float(MEDIUM)).known_people())
    children = list(system().children().filter(merged_into=None))
    # Linkage makes about one child per child known to agencies: a few more where it was
    # unsure and asked a person (a pair in the review queue keeps its record apart).
    assert known <= len(children) <= known * 1.1
    # The index holds children, and the young adult carers (18 to 25) the carers' charity
    # supports (young_carers/demo.py).
    from safeguarding.young_carers.models import YoungCarer

    young_adults = set(
        YoungCarer.objects.filter(young_adult_carer=True).values_list("child_id", flat=True)
    )
    assert all(
        0 <= generator.age_on(c.date_of_birth, generator.AGE_ON) <= 17
        for c in children
        if c.date_of_birth and c.pk not in young_adults
    )
    assert all(
        18 <= generator.age_on(c.date_of_birth, carer.identified_on) <= 25
        for carer in YoungCarer.objects.filter(young_adult_carer=True).select_related("child")
        for c in [carer.child]
    )
    assert not system().source_records().filter(child=None).exists()
    assert not system().events().filter(child=None).exists()
    # Most children are known to more than one agency.
    agencies_per_child = [
        len(set(system().source_records().filter(child=c).values_list("agency_id", flat=True)))
        for c in children
    ]
    assert sum(n > 1 for n in agencies_per_child) / len(children) > 0.5
    # Some agencies have the child's name differently, as linkage met it.
    records = system().source_records().select_related("child")
    assert any(
        r.given_name.lower() != r.child.given_name.lower()
        or r.family_name.lower() != r.child.family_name.lower()
        for r in records
        if r.child
    )
    events = list(system().events().select_related("agency"))
    assert len(events) > len(children)
    start = generator.london(generator.WINDOW_START, generator.time(0, 0))
    end = generator.london(generator.WINDOW_END, generator.time(23, 59))
    for event in events:
        assert timezone.is_aware(event.occurred_at) and start <= event.occurred_at <= end
    restricted = [e for e in events if e.restricted]
    assert restricted and all(e.agency.kind == AgencyKind.POLICE for e in restricted)
    police = [e for e in events if e.agency.kind == AgencyKind.POLICE]
    assert len(restricted) / len(police) < 0.15
    listed = (
        system()
        .panel_entries()
        .filter(panel__kind=PanelKind.EXPLOITATION_RISK, removed_at__isnull=True)
        .values_list("child_id", flat=True)
    )
    assert len(listed) == round(generator.PANEL_LIST_PER_SCALE * float(MEDIUM))
    # The children on the list are adolescents with signs of exploitation in their chronology.
    for child_id in listed:
        kinds = set(
            system().events().filter(child_id=child_id).values_list("event_type", flat=True)
        )
        assert kinds & generator.EXPLOITATION_SIGNS


def test_the_fixed_users_see_what_the_access_rules_promise() -> None:
    run_demo("--scale", MEDIUM)
    council = set(visible_children(fixed("practitioner")).values_list("pk", flat=True))
    police = set(visible_children(fixed("police_practitioner")).values_list("pk", flat=True))
    panel = set(visible_children(fixed("panel_member")).values_list("pk", flat=True))
    assert len(council) >= 50
    assert police - council
    listed = set(
        system().panel_entries().filter(removed_at__isnull=True).values_list("child_id", flat=True)
    )
    assert panel == listed
    assert not visible_children(fixed("analyst")).exists()
    outsider = generator.break_glass_candidate()
    assert outsider is not None
    assert outsider.pk not in council | police | panel


def test_the_command_names_a_child_for_the_break_glass_demo() -> None:
    out = run_demo("--scale", SMALL)
    match = re.search(r"try break-glass\): ([0-9a-f-]{36})", out)
    assert match
    child = system().children().get(public_id=match.group(1))
    for key in ("practitioner", "police_practitioner", "panel_member"):
        assert not visible_children(fixed(key)).filter(pk=child.pk).exists()


def test_every_fixed_user_can_sign_in_with_the_password_and_has_an_authenticator() -> None:
    run_demo("--scale", SMALL)
    for f in FIXED_USERS:
        user = authenticate(None, email=f.email, password=DEMO_PASSWORD)
        assert user is not None and user.email == f.email, f.email
        assert set(user.roles) == set(f.roles)
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        code = format_hotp_value(hotp_value(decrypt(totp.data["secret"]), int(time.time()) // 30))
        assert TOTP(totp).validate_code(code)
        assert Authenticator.objects.filter(
            user=user, type=Authenticator.Type.RECOVERY_CODES
        ).exists()


def test_generated_users_can_sign_in_too() -> None:
    run_demo("--scale", SMALL)
    fixed_emails = {f.email for f in FIXED_USERS}
    user = User.objects.exclude(email__in=fixed_emails).order_by("email").first()
    assert user is not None
    assert authenticate(None, email=user.email, password=DEMO_PASSWORD) == user
    assert Authenticator.objects.filter(user=user).count() == 2


def test_a_fixed_user_signs_in_through_the_pages_with_an_authenticator_code() -> None:
    run_demo("--scale", SMALL)
    user = fixed("practitioner")
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    secret = decrypt(
        Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]
    )
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_reset_replaces_rather_than_duplicates() -> None:
    run_demo("--seed", "5", "--scale", SMALL)
    counts = generator.existing_data()
    events = system().events().count()
    run_demo("--seed", "5", "--scale", SMALL, "--reset")
    assert generator.existing_data() == counts
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
    before = generator.digest()
    with pytest.raises(CommandError, match=r"already holds partnership data.*--reset"):
        run_demo("--seed", "4", "--scale", SMALL)
    assert generator.digest() == before


def test_running_over_a_database_with_only_users_is_refused_too() -> None:
    User.objects.create_user("someone@example.org", "a-long-enough-password", full_name="Some One")
    with pytest.raises(CommandError, match="1 user[)]"):
        run_demo("--scale", SMALL)
    assert not Agency.objects.exists()


def test_a_failure_midway_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: generator.DemoContext) -> None:
        raise RuntimeError("the events step broke")

    monkeypatch.setattr(generator.find_step("events"), "func", broken)
    audit_entries = AuditEntry.objects.count()
    with pytest.raises(RuntimeError, match="events step broke"):
        run_demo("--scale", SMALL)
    assert generator.existing_data() == {
        "partnership settings": 0,
        "agencies": 0,
        "users": 0,
        "children": 0,
    }
    assert not system().source_records().exists()
    assert not Authenticator.objects.exists()
    assert AuditEntry.objects.count() == audit_entries


def test_a_failure_midway_through_a_reset_keeps_the_previous_partnership(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_demo("--seed", "8", "--scale", SMALL)
    before = generator.digest()

    def broken(ctx: generator.DemoContext) -> None:
        raise RuntimeError("the panel lists step broke")

    monkeypatch.setattr(generator.find_step("panel lists"), "func", broken)
    with pytest.raises(RuntimeError, match="panel lists step broke"):
        run_demo("--seed", "9", "--scale", SMALL, "--reset")
    assert generator.digest() == before


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

    def count_users(ctx: generator.DemoContext) -> None:
        users.append(len(ctx.generated_users))
        raise RuntimeError("stop after the users")

    step = generator.find_step("sign-in")
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


def test_the_sign_in_help_lists_the_fixed_users_and_their_secrets_when_the_demo_is_off() -> None:
    run_demo("--scale", SMALL)
    out = StringIO()
    with override_settings(DEMO=False, DEMO_MFA_CODE=None):
        call_command("demo_signin_help", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000" in text and DEMO_PASSWORD in text
    assert "SAFEGUARDING_DEMO is off" in text and "123456" not in text
    for f in FIXED_USERS:
        user = User.objects.get(email=f.email)
        secret = decrypt(
            Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]
        )
        assert f.email in text and secret in text
    assert "Information governance lead" in text and "Wealdmoor Academy" in text


def test_the_sign_in_help_gives_the_fixed_code_when_the_demo_is_on() -> None:
    run_demo("--scale", SMALL)
    out = StringIO()
    with override_settings(DEMO=True, DEMO_MFA_CODE="123456"):
        call_command("demo_signin_help", stdout=out)
    assert "Authenticator code: 123456" in out.getvalue()


def test_the_sign_in_help_says_when_there_is_no_demo() -> None:
    with pytest.raises(CommandError, match="demo --reset"):
        call_command("demo_signin_help", stdout=StringIO())


def test_a_later_app_can_add_a_step(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    monkeypatch.setattr(generator, "_steps", list(generator._steps))

    @generator.step("a later app's step")
    def later(ctx: generator.DemoContext) -> None:
        seen.append(len(ctx.children))
        ctx.count("later things", 3)

    out = run_demo("--scale", SMALL)
    assert seen == [system().children().filter(merged_into=None).count()]
    assert seen[0] > 0
    assert "later things" in out
    assert generator.registered_steps()[-1].name == "a later app's step"


def test_the_demo_code_makes_child_rows_only_through_the_access_helpers() -> None:
    demo_dir = Path(generator.__file__).parent
    pattern = re.compile(
        r"\b(Child|SourceRecord|ChildEvent|PanelChild)\.(objects|_default_manager|_base_manager)\b"
    )
    for path in demo_dir.rglob("*.py"):
        if "tests" not in path.parts:
            assert not pattern.search(path.read_text()), path


def _invented_words() -> set[str]:
    generic = {
        "NHS",
        "Council",
        "Integrated",
        "Care",
        "Board",
        "Constabulary",
        "Partnership",
        "Business",
        "Unit",
        "Hospitals",
        "Foundation",
        "Trust",
        "Community",
        "Health",
        "Medical",
        "Practice",
        "Surgery",
        "Centre",
        "Primary",
        "School",
        "Church",
        "England",
        "Academy",
        "High",
        "College",
        "Lane",
        "Day",
        "Nursery",
        "Family",
        "Hubs",
        "Early",
        "Years",
        "Service",
        "Youth",
        "Families",
        "Justice",
        "Probation",
        "Delivery",
        "Homes",
        "Fire",
        "Rescue",
        "Safeguarding",
        "Children",
        "Minds",
        "Green",
        "Lea",
    }
    words: set[str] = set()
    for spec in partnership.AGENCIES:
        words |= {w.strip(",") for w in spec.name.split() if w[0].isupper()} - generic
    for f in FIXED_USERS:
        words |= set(f.full_name.split())
    words |= set(names.ADULT_GIVEN_NAMES) | set(names.FAMILY_NAMES)
    words |= set(names.CHILD_GIVEN_NAMES_FEMALE) | set(names.CHILD_GIVEN_NAMES_MALE)
    words |= set(names.CHILD_FAMILY_NAMES)
    words |= {word for town, _ in names.TOWNS for word in town.split()}
    words |= set(names.STREET_WORDS)
    words |= {nick for nicks in names.NICKNAMES.values() for nick in nicks}
    words.add(partnership.AREA)
    return words


@pytest.mark.skipif(
    not REFERENCE_REPORT.exists(), reason="the reference annual report is not on this machine"
)
def test_no_invented_name_comes_from_the_reference_report() -> None:
    text = REFERENCE_REPORT.read_text()
    clashes = sorted(w for w in _invented_words() if re.search(rf"\b{re.escape(w)}\b", text))
    assert clashes == []


def test_children_have_a_sex_from_the_model_choices() -> None:
    run_demo("--scale", SMALL)
    assert set(system().children().values_list("sex", flat=True)) <= set(Sex.values)


def test_the_children_come_in_through_each_agencys_extracts_and_the_import() -> None:
    run_demo("--seed", "2", "--scale", SMALL)
    made = generator.demo_extracts(2, float(SMALL))
    batches = list(ImportBatch.objects.select_related("agency"))
    loaded = {(b.agency.code, b.kind) for b in batches if b.status == ImportStatus.LOADED}
    assert loaded == {(code, "persons") for code in made.persons} | {
        (code, "events") for code in made.events
    }
    assert len(batches) == len(loaded)
    assert {b.file_name for b in batches if b.agency.code in generator.XLSX_AGENCIES} <= {
        f"{code}-{kind}.xlsx" for code in generator.XLSX_AGENCIES for kind in ("persons", "events")
    }
    keys = set(system().source_records().values_list("agency__code", "record_id"))
    assert keys == set(made.truth)
    assert system().events().count() == made.event_count
    # Extra columns an agency sends are kept with the record.
    council = system().source_records().filter(agency__code="LA").first()
    assert council is not None and council.attributes.get("stage")


def test_linkage_puts_each_childs_records_together_as_the_truth_says() -> None:
    run_demo("--seed", "3", "--scale", MEDIUM)
    made = generator.demo_extracts(3, float(MEDIUM))
    child_of = {
        (code, record_id): child
        for code, record_id, child in system()
        .source_records()
        .values_list("agency__code", "record_id", "child_id")
    }
    by_child: dict[int, list[tuple[str, str]]] = {}
    for key, child in child_of.items():
        by_child.setdefault(child, []).append(key)
    linked = {
        (a, b) if a < b else (b, a)
        for keys in by_child.values()
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
    }
    true_pairs = made.true_pairs()
    right = len(linked & true_pairs)
    assert right / len(linked) > 0.98  # precision
    assert right / len(true_pairs) > 0.95  # recall, after the linkage officer's decisions


def test_the_review_queue_keeps_a_handful_of_pairs_and_the_officers_decisions() -> None:
    run_demo("--seed", "1", "--scale", MEDIUM)
    made = generator.demo_extracts(1, float(MEDIUM))
    pairs = list(system().candidates().select_related("record__agency", "candidate__agency"))
    pending = [p for p in pairs if p.status == CandidateStatus.PENDING]
    wanted = max(generator.REVIEW_LEFT_MINIMUM, round(generator.REVIEW_LEFT_PER_SCALE * 0.1))
    assert 1 <= len(pending) <= wanted
    officer = fixed("linkage_officer")
    for pair in pairs:
        same = (
            made.truth[(pair.record.agency.code, pair.record.record_id)]
            == made.truth[(pair.candidate.agency.code, pair.candidate.record_id)]
        )
        if pair.status == CandidateStatus.CONFIRMED:
            assert same and pair.decided_by == officer
            assert pair.record.child_id == pair.candidate.child_id
        elif pair.status == CandidateStatus.REJECTED:
            assert not same and pair.decided_by == officer
    # Confirming merged children, with the history that lets a merge be undone.
    confirmed = [p for p in pairs if p.status == CandidateStatus.CONFIRMED]
    merges = system().identity_changes().filter(kind=IdentityChangeKind.MERGE).count()
    assert merges <= len(confirmed)
    assert merges == system().children().exclude(merged_into=None).count()


def test_the_extracts_option_keeps_the_files_and_the_truth(tmp_path: Path) -> None:
    folder = tmp_path / "extracts"
    run_demo("--seed", "4", "--scale", SMALL, "--extracts", str(folder))
    files = {path.name for path in folder.iterdir()}
    assert {"LA-persons.csv", "LA-events.csv", "POLICE-persons.csv", "truth.csv"} <= files
    assert "KINDRED-persons.xlsx" in files
    with (folder / "truth.csv").open(encoding="utf-8") as handle:
        assert len(handle.readlines()) == 1 + system().source_records().count()


def test_every_event_has_its_childs_agency_and_only_police_entries_are_restricted() -> None:
    run_demo("--seed", "5", "--scale", SMALL)
    for event in system().events().select_related("source_record", "agency"):
        assert event.child_id == event.source_record.child_id
        assert event.agency_id == event.source_record.agency_id
        if event.restricted:
            assert event.agency.kind == AgencyKind.POLICE
