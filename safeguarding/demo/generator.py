"""The synthetic demo partnership, built as an ordered list of named steps.

`safeguarding demo --seed N --scale K --reset` runs every registered step in order
inside one transaction. The same seed gives the same partnership, down to the children's
public ids and pseudonyms: nothing here calls uuid4(), `secrets` or the clock for data.

How a step works
----------------
A step is a function of one argument, the `DemoContext`, registered with `@step(name)`.
Before each step the context's `rng` is re-seeded from the seed and the step's name, so
adding, removing or changing one step never changes what the others make. A step finds
what earlier steps made on the context (`ctx.agencies["LA"]`, `ctx.users["officer"]`,
`ctx.children`, ...), puts what later steps need there too (`ctx.objects` takes anything
else, by name), and reports what it made with `ctx.count("label", n)`.

Child-level rows are made only through `ctx.system`, a `SystemAccess` (core/access/):
`ctx.system.children().bulk_create([...])`, never the models' own managers.

The children arrive as in a real partnership: "children" makes a population of about
36,000 per unit of scale and the agencies' extracts of the tenth known to them
(demo/extracts.py, with noise and the truth); "source records" and "events" write the
extracts as CSV and XLSX files and load them through the import pipeline; "linkage" runs
the linkage with public ids and pseudonyms from the step's seed; "link review" has the
fixed linkage officer decide all but a handful of the pairs it was unsure of, by the
truth. `demo_extracts(seed, scale)` makes the same extracts, truth and all, again.

The machinery (the context, the registry, discovery, order and running) is in
demo/registry.py; this module holds the core steps that make the partnership's
structure and its users, and demo/child_index.py those that make its children.
How a later app adds its part: see demo/registry.py.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Exists, OuterRef, Q

from safeguarding.children.models import (
    PSEUDONYM_ALPHABET,
    Child,
)
from safeguarding.core.access import SystemAccess
from safeguarding.core.models import (
    Agency,
    Panel,
    Partnership,
    Priority,
    RoleGrant,
    SubGroup,
    User,
)
from safeguarding.core.roles import Role
from safeguarding.demo import names
from safeguarding.demo.partnership import (
    AGENCIES,
    AREA,
    FIXED_USERS,
    PANELS,
    PARTNERSHIP_NAME,
    PRIORITIES,
    SUB_GROUPS,
    USER_PLAN,
    AgencySpec,
    FixedUser,
)

if TYPE_CHECKING:
    pass
from safeguarding.core.calendar import LONDON
from safeguarding.demo.registry import PURPOSE, DemoContext, clearer, digest_rows, step

# The demo's window of activity is three financial years, 1 April 2023 to 31 March 2026
# (WINDOW_START, WINDOW_END); children are aged 0 to 17 on AGE_ON, its last day.

# How many users the generator makes at scale 1 (the children: demo/extracts.py), and
# never fewer than the plan's, so that every panel and sub-group has its people even in
# the small partnerships the tests make.
USERS_PER_SCALE = 40
USERS_MINIMUM = len(USER_PLAN)

AGENCIES_BY_CODE: dict[str, AgencySpec] = {spec.code: spec for spec in AGENCIES}

T = TypeVar("T")


# --- Helpers for the steps -----------------------------------------------------------------


def london(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LONDON)


def random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def random_moment(
    rng: random.Random, start: date, end: date, *, hours: tuple[int, int] = (7, 22)
) -> datetime:
    # Hours from 07:00 keep clear of the clocks changing at 01:00 and 02:00.
    return london(random_day(rng, start, end), time(rng.randint(*hours), rng.randrange(60)))


def age_on(date_of_birth: date, day: date) -> int:
    return (
        day.year
        - date_of_birth.year
        - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))
    )


def born(child: Child) -> date:
    """The child's date of birth: every demo child has one."""
    if child.date_of_birth is None:
        raise ValueError(f"The demo child {child.public_id} has no date of birth.")
    return child.date_of_birth


def weighted_pick(rng: random.Random, options: list[tuple[T, float]]) -> T:
    return rng.choices(
        [option for option, _ in options], weights=[weight for _, weight in options]
    )[0]


def pseudonym(rng: random.Random) -> str:
    return "C-" + "".join(rng.choice(PSEUDONYM_ALPHABET) for _ in range(8))


def totp_secret(rng: random.Random) -> str:
    """A TOTP secret as allauth makes one (20 bytes, base32), but from the seed."""
    return base64.b32encode(rng.randbytes(20)).decode("ascii")


def _create_users(
    ctx: DemoContext, people: list[tuple[str, str, str, str, tuple[str, ...]]]
) -> list[User]:
    """Users from (email, full name, job title, agency code, roles), with their role grants."""
    made = User.objects.bulk_create(
        [
            User(
                email=email,
                full_name=full_name,
                job_title=job_title,
                agency=ctx.agencies[agency],
                password=ctx.password_hash,
                date_joined=random_moment(
                    ctx.rng, date(2023, 1, 9), date(2023, 3, 31), hours=(9, 16)
                ),
            )
            for email, full_name, job_title, agency, _ in people
        ]
    )
    by_email = User.objects.select_related("agency").in_bulk(
        [p[0] for p in people], field_name="email"
    )
    users = [by_email[email] for email, *_ in people]
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(user=user, role=role)
            for user, person in zip(users, people, strict=True)
            for role in person[4]
        ]
    )
    # The demo's staff have held their roles since they joined, so break-glass's wait for a
    # new role (core/brakes.py) does not apply to them.
    RoleGrant.objects.filter(user__in=users).update(
        granted_at=datetime.combine(date(2023, 3, 31), time(9), tzinfo=LONDON)
    )
    for user, person in zip(users, people, strict=True):
        ctx.roles_by_user[user.pk] = person[4]
    ctx.count("users", len(made))
    return users


def _users_of(ctx: DemoContext, agencies: Iterable[str], *, role: str | None = None) -> list[User]:
    wanted = set(agencies)
    return [
        user
        for user in ctx.all_users
        if user.agency is not None
        and user.agency.code in wanted
        and (role is None or role in ctx.roles_by_user.get(user.pk, ()))
    ]


# --- The core steps -------------------------------------------------------------------------


@step("partnership")
def make_partnership(ctx: DemoContext) -> None:
    ctx.partnership = Partnership.objects.create(
        name=PARTNERSHIP_NAME, area=AREA, financial_year_start_month=4, financial_year_start_day=1
    )


@step("agencies")
def make_agencies(ctx: DemoContext) -> None:
    Agency.objects.bulk_create(
        [
            Agency(
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                statutory_partner=spec.statutory_partner,
                email_domains=",".join(spec.domains),
            )
            for spec in AGENCIES
        ]
    )
    ctx.agencies = Agency.objects.in_bulk([spec.code for spec in AGENCIES], field_name="code")
    ctx.count("agencies", len(ctx.agencies))


@step("fixed users")
def make_fixed_users(ctx: DemoContext) -> None:
    people = [
        (fixed.email, fixed.full_name, fixed.job_title, fixed.agency, fixed.roles)
        for fixed in FIXED_USERS
    ]
    for fixed, user in zip(FIXED_USERS, _create_users(ctx, people), strict=True):
        ctx.users[fixed.key] = user


# Who may be drawn for each role: (role, weight, agencies it is drawn from).
ROLE_DRAW: tuple[tuple[tuple[str, ...], float, tuple[str, ...]], ...] = (
    ((Role.PRACTITIONER,), 60, tuple(spec.code for spec in AGENCIES if spec.holds_child_records)),
    (
        (Role.PRACTITIONER, Role.PANEL_MEMBER),
        10,
        ("LA", "POLICE", "YJS", "COMMHEALTH", "LANTERN", "SEC-MARLBECK", "SEC-ACADEMY"),
    ),
    ((Role.PANEL_MEMBER,), 4, ("LA", "POLICE", "HOUSING", "FIRE", "ICB")),
    ((Role.ANALYST,), 6, ("LA", "POLICE", "ICB", "PBU", "HOSP")),
    ((Role.EXECUTIVE,), 4, ("LA", "POLICE", "ICB", "HOSP", "PROBATION")),
    ((Role.AGENCY_ADMIN,), 8, tuple(spec.code for spec in AGENCIES)),
    ((Role.PARTNERSHIP_OFFICER,), 4, ("PBU",)),
    ((Role.SYSTEM_ADMIN,), 2, ("PBU", "LA")),
    ((Role.IG_LEAD,), 2, ("LA", "ICB", "POLICE", "PBU")),
)


def _agency_weight(code: str) -> float:
    # The council and the police employ most of the people who use the system.
    return {"LA": 6.0, "POLICE": 4.0, "PBU": 1.0}.get(code, AGENCIES_BY_CODE[code].weight)


@step("generated users")
def make_generated_users(ctx: DemoContext) -> None:
    rng = ctx.rng
    taken = {fixed.email for fixed in FIXED_USERS}
    people: list[tuple[str, str, str, str, tuple[str, ...]]] = []
    for i in range(max(USERS_MINIMUM, ctx.scaled(USERS_PER_SCALE))):
        if i < len(USER_PLAN):
            agency_code, roles = USER_PLAN[i]
        else:
            roles, _, agencies = weighted_pick(rng, [(draw, draw[1]) for draw in ROLE_DRAW])
            agency_code = weighted_pick(rng, [(code, _agency_weight(code)) for code in agencies])
        spec = AGENCIES_BY_CODE[agency_code]
        given, family = rng.choice(names.ADULT_GIVEN_NAMES), rng.choice(names.FAMILY_NAMES)
        local = f"{given}.{family}".lower()
        email, n = f"{local}@{spec.domains[0]}", 1
        while email in taken:
            n += 1
            email = f"{local}{n}@{spec.domains[0]}"
        taken.add(email)
        title = rng.choice(
            names.job_titles(roles[-1] if Role.PANEL_MEMBER in roles else roles[0], spec.kind)
        )
        people.append((email, f"{given} {family}", title, agency_code, tuple(roles)))
    ctx.generated_users = _create_users(ctx, people)


@step("sign-in")
def enrol_sign_in(ctx: DemoContext) -> None:
    """Every user's address, TOTP authenticator and recovery codes, with secrets from the seed."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    users = ctx.all_users
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users]
    )
    enrolled = london(date(2023, 4, 3), time(9, 0))
    authenticators = []
    for user in users:
        authenticators.append(
            Authenticator(
                user=user,
                type=Authenticator.Type.TOTP,
                data={"secret": encrypt(totp_secret(ctx.rng))},
                created_at=enrolled,
            )
        )
        # As RecoveryCodes.activate makes them, with the seed drawn from ours.
        seed = "".join(ctx.rng.choice("0123456789abcdef") for _ in range(80))
        authenticators.append(
            Authenticator(
                user=user,
                type=Authenticator.Type.RECOVERY_CODES,
                data={"seed": encrypt(seed), "used_mask": 0},
                created_at=enrolled,
            )
        )
    Authenticator.objects.bulk_create(authenticators)
    ctx.count("authenticators", len(authenticators))


def _pick_chair(ctx: DemoContext, agencies: tuple[str, ...]) -> User | None:
    for role in (Role.EXECUTIVE, Role.PANEL_MEMBER, Role.PRACTITIONER):
        for code in agencies:
            candidates = _users_of(ctx, [code], role=role)
            if candidates:
                return ctx.rng.choice(candidates)
    return None


# Fixed users' seats, so that each of them finds their sub-groups in the demo.
FIXED_SUB_GROUP_SEATS: dict[str, tuple[str, ...]] = {
    "officer": ("case_review", "exploitation", "practice", "voice", "ldp", "mash"),
    "analyst": ("ldp",),
    "executive": ("case_review", "ldp"),
    "panel_member": ("case_review", "exploitation"),
    "practitioner": ("practice",),
    "police_practitioner": ("exploitation",),
    "agency_admin": ("practice",),
}


@step("sub-groups")
def make_sub_groups(ctx: DemoContext) -> None:
    for spec in SUB_GROUPS:
        # The ICB's executive chairs Case Review; other chairs come from the group's agencies.
        chair = (
            ctx.users["executive"] if spec.key == "case_review" else _pick_chair(ctx, spec.agencies)
        )
        group = SubGroup.objects.create(name=spec.name, purpose=spec.purpose, chair=chair)
        pool = [
            user
            for user in _users_of(ctx, spec.agencies)
            if user.pk not in {u.pk for u in ctx.users.values()}
        ]
        members = ctx.rng.sample(pool, min(len(pool), ctx.rng.randint(4, 7)))
        members += [
            ctx.users[key] for key, seats in FIXED_SUB_GROUP_SEATS.items() if spec.key in seats
        ]
        if chair is not None:
            members.append(chair)
        group.members.set({user.pk for user in members})
        ctx.sub_groups[spec.key] = group
    ctx.count("sub-groups", len(SUB_GROUPS))


@step("priorities")
def make_priorities(ctx: DemoContext) -> None:
    Priority.objects.bulk_create(
        [
            Priority(
                year=p.year,
                number=p.number,
                title=p.title,
                description=p.description,
                sub_group=ctx.sub_groups[p.sub_group],
            )
            for p in PRIORITIES
        ]
    )
    ctx.count("priorities", len(PRIORITIES))


@step("panels")
def make_panels(ctx: DemoContext) -> None:
    for spec in PANELS:
        panel = Panel.objects.create(name=spec.name, kind=spec.kind)
        members = _users_of(ctx, spec.agencies, role=Role.PANEL_MEMBER)
        members += [ctx.users[fixed.key] for fixed in FIXED_USERS if spec.name in fixed.panels]
        panel.members.set({user.pk for user in members})
        ctx.panels[spec.name] = panel
    ctx.count("panels", len(PANELS))


# --- Clearing, for --reset --------------------------------------------------------------------


@clearer("partnership structure")
def clear_structure(ctx: DemoContext) -> None:
    from django.contrib.sessions.models import Session

    # Everyone is signed out: their accounts are about to go.
    Session.objects.all().delete()
    Panel.objects.all().delete()
    Priority.objects.all().delete()
    SubGroup.objects.all().delete()
    # Role grants, authenticators, email addresses and allauth's sessions go with the users.
    User.objects.all().delete()
    Agency.objects.all().delete()
    Partnership.objects.all().delete()


# --- What the digest covers ---------------------------------------------------------------------


@digest_rows("partnership structure")
def structure_rows() -> Iterable[list[Any]]:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    for p in Partnership.objects.all():
        yield [
            "partnership",
            p.name,
            p.area,
            p.financial_year_start_month,
            p.financial_year_start_day,
        ]
    for a in Agency.objects.all():
        yield ["agency", a.code, a.name, a.kind, a.statutory_partner, a.email_domains]
    for u in User.objects.select_related("agency"):
        yield [
            "user",
            u.email,
            u.full_name,
            u.job_title,
            u.agency.code if u.agency else "",
            u.password,
            u.is_active,
            u.date_joined,
        ]
    for g in RoleGrant.objects.select_related("user"):
        yield ["role", g.user.email, g.role]
    for e in EmailAddress.objects.select_related("user"):
        yield ["email address", e.user.email, e.email, e.verified, e.primary]
    for m in Authenticator.objects.select_related("user"):
        secret = m.data.get("secret") or m.data.get("seed") or ""
        yield [
            "authenticator",
            m.user.email,
            m.type,
            decrypt(secret) if secret else "",
            m.created_at,
        ]
    for s in SubGroup.objects.select_related("chair").prefetch_related("members"):
        yield [
            "sub-group",
            s.name,
            s.purpose,
            s.chair.email if s.chair else "",
            sorted(u.email for u in s.members.all()),
        ]
    for pr in Priority.objects.select_related("sub_group"):
        yield [
            "priority",
            pr.year,
            pr.number,
            pr.title,
            pr.description,
            pr.sub_group.name if pr.sub_group else "",
        ]
    for pa in Panel.objects.prefetch_related("members"):
        yield ["panel", pa.name, pa.kind, pa.is_active, sorted(u.email for u in pa.members.all())]


# --- For the sign-in help -----------------------------------------------------------------------


@dataclass(frozen=True)
class FixedUserState:
    fixed: FixedUser
    user: User | None
    totp_secret: str


def fixed_users_in_database() -> list[FixedUserState]:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    users = User.objects.select_related("agency").in_bulk(
        [fixed.email for fixed in FIXED_USERS], field_name="email"
    )
    secrets = {
        m.user_id: decrypt(m.data["secret"])
        for m in Authenticator.objects.filter(user__in=users.values(), type=Authenticator.Type.TOTP)
    }
    return [
        FixedUserState(
            fixed,
            users.get(fixed.email),
            secrets.get(users[fixed.email].pk, "") if fixed.email in users else "",
        )
        for fixed in FIXED_USERS
    ]


def break_glass_candidate() -> Child | None:
    """A child that neither fixed practitioner's agency is involved with and no panel lists."""
    system = SystemAccess(PURPOSE)
    codes = [AGENCIES_BY_CODE["LA"].code, AGENCIES_BY_CODE["POLICE"].code]
    involved = Q(
        Exists(system.source_records().filter(child=OuterRef("pk"), agency__code__in=codes))
    ) | Q(Exists(system.events().filter(child=OuterRef("pk"), agency__code__in=codes)))
    listed = Exists(system.panel_entries().filter(child=OuterRef("pk"), removed_at__isnull=True))
    return (
        system.children()
        .exclude(involved)
        .exclude(listed)
        .order_by("family_name", "given_name", "public_id")
        .first()
    )
