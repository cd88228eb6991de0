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

Child-level rows are made only through `ctx.system`, a `SystemAccess` (core/access.py):
`ctx.system.children().bulk_create([...])`, never the models' own managers.

How a later app adds its part
-----------------------------
An app (exploitation, missing, insight, learning, training, ...) adds a `demo.py` module:

    from safeguarding.demo.generator import DemoContext, clearer, digest_rows, step

    @step("missing episodes")
    def make_missing_episodes(ctx: DemoContext) -> None:
        ...                      # uses ctx.children, ctx.agencies, ctx.rng

    @clearer("missing episodes")
    def clear_missing_episodes(ctx: DemoContext) -> None:
        ...                      # deletes what the step made, for --reset

    @digest_rows("missing episodes")
    def missing_episode_rows() -> list[list[Any]]:
        ...                      # the rows, by natural keys, for the same-seed test

`registered_steps()` imports every installed app's `demo` module (Django's
`autodiscover_modules`), so the app needs nothing else. Steps run in the order they are
registered: this module's core steps first, then each app's in INSTALLED_APPS order.
Clearers run in the reverse order, so an app's rows go before the agencies, users and
children they point at. Digests cover every registered source of rows.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.module_loading import autodiscover_modules

from safeguarding.children.models import (
    PSEUDONYM_ALPHABET,
    Child,
    ChildEvent,
    PanelChild,
    Sex,
    SourceRecord,
    event_fingerprint,
)
from safeguarding.core import audit
from safeguarding.core.access import SystemAccess
from safeguarding.core.models import (
    Agency,
    AgencyKind,
    AuditAction,
    BreakGlass,
    Panel,
    Partnership,
    Priority,
    RoleGrant,
    SubGroup,
    User,
)
from safeguarding.core.roles import Role
from safeguarding.demo import identifiers, names
from safeguarding.demo.partnership import (
    AGENCIES,
    AREA,
    DEMO_PASSWORD,
    EXPLOITATION_RISK_PANEL,
    FIXED_USERS,
    PANELS,
    PARTNERSHIP_NAME,
    PRIORITIES,
    SUB_GROUPS,
    USER_PLAN,
    AgencySpec,
    FixedUser,
)

LONDON = ZoneInfo("Europe/London")
# The demo's window of activity: three financial years, 1 April 2023 to 31 March 2026.
WINDOW_START = date(2023, 4, 1)
WINDOW_END = date(2026, 3, 31)
# Children are aged 0 to 17 on this day.
AGE_ON = WINDOW_END
PURPOSE = "demo partnership"

# How many of each the generator makes at scale 1.
CHILDREN_PER_SCALE = 120
USERS_PER_SCALE = 40
PANEL_SHARE = 0.10
RESTRICTED_POLICE_SHARE = 0.05

AGENCIES_BY_CODE: dict[str, AgencySpec] = {spec.code: spec for spec in AGENCIES}
HEALTH_KINDS = frozenset({AgencyKind.HEALTH_TRUST, AgencyKind.HEALTH_GP})

T = TypeVar("T")


# --- The context and the registry -------------------------------------------------------


@dataclass
class DemoContext:
    """What the steps share: the seed, the scale, and everything made so far."""

    seed: int
    scale: float
    system: SystemAccess = field(default_factory=lambda: SystemAccess(PURPOSE))
    rng: random.Random = field(default_factory=random.Random)
    partnership: Partnership | None = None
    agencies: dict[str, Agency] = field(default_factory=dict)
    # The fixed users by key (partnership.FIXED_USERS), and the generated ones.
    users: dict[str, User] = field(default_factory=dict)
    generated_users: list[User] = field(default_factory=list)
    roles_by_user: dict[int, tuple[str, ...]] = field(default_factory=dict)
    sub_groups: dict[str, SubGroup] = field(default_factory=dict)
    panels: dict[str, Panel] = field(default_factory=dict)
    children: list[Child] = field(default_factory=list)
    records_by_child: dict[int, list[SourceRecord]] = field(default_factory=dict)
    events_by_child: dict[int, list[ChildEvent]] = field(default_factory=dict)
    # A child neither fixed practitioner's agency is involved with, on no panel: the one
    # to try break-glass on.
    break_glass_child: Child | None = None
    # Anything else a step wants a later step to find, by name.
    objects: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    _password_hash: str = ""

    def reseed(self, name: str) -> None:
        # A str seed is hashed with SHA-512 by random.Random: stable across runs and machines.
        self.rng = random.Random(f"{self.seed}:{name}")

    def scaled(self, base: int) -> int:
        return max(1, round(base * self.scale))

    def count(self, label: str, n: int) -> None:
        self.counts[label] = self.counts.get(label, 0) + n

    def new_uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    @property
    def all_users(self) -> list[User]:
        return [*self.users.values(), *self.generated_users]

    @property
    def password_hash(self) -> str:
        """The demo password, hashed once with a salt from the seed: one slow hash, not fifty."""
        if not self._password_hash:
            rng = random.Random(f"{self.seed}:password")
            salt = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(22))
            self._password_hash = make_password(DEMO_PASSWORD, salt=salt)
        return self._password_hash


StepFunction = Callable[[DemoContext], None]
RowsFunction = Callable[[], Iterable[Iterable[Any]]]


@dataclass
class Step:
    name: str
    func: StepFunction

    def run(self, ctx: DemoContext) -> None:
        ctx.reseed(self.name)
        self.func(ctx)


_steps: list[Step] = []
_clearers: list[Step] = []
_digests: dict[str, RowsFunction] = {}


def _register(registry: list[Step], name: str, func: StepFunction) -> None:
    # Registering a name again (a module imported twice) replaces it in place.
    for existing in registry:
        if existing.name == name:
            existing.func = func
            return
    registry.append(Step(name, func))


def step(name: str) -> Callable[[StepFunction], StepFunction]:
    """Register a step of the demo; steps run in the order they are registered."""

    def register(func: StepFunction) -> StepFunction:
        _register(_steps, name, func)
        return func

    return register


def clearer(name: str) -> Callable[[StepFunction], StepFunction]:
    """Register what --reset deletes; clearers run in the reverse order of registration."""

    def register(func: StepFunction) -> StepFunction:
        _register(_clearers, name, func)
        return func

    return register


def digest_rows(name: str) -> Callable[[RowsFunction], RowsFunction]:
    """Register a source of rows for `digest()`, by natural keys (never primary keys)."""

    def register(func: RowsFunction) -> RowsFunction:
        _digests[name] = func
        return func

    return register


def discover() -> None:
    """Import each installed app's `demo` module, so that its steps are registered."""
    autodiscover_modules("demo")


def registered_steps() -> list[Step]:
    discover()
    return list(_steps)


def find_step(name: str) -> Step:
    for candidate in registered_steps():
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def registered_clearers() -> list[Step]:
    discover()
    return list(reversed(_clearers))


# --- Running ------------------------------------------------------------------------------


Progress = Callable[[list[Step]], Iterable[Step]]


def existing_data() -> dict[str, int]:
    """What the database holds already; the demo refuses to mix with it unless told to reset."""
    system = SystemAccess(PURPOSE)
    return {
        "partnership settings": Partnership.objects.count(),
        "agencies": Agency.objects.count(),
        "users": User.objects.count(),
        "children": system.children().count(),
    }


def clear(*, progress: Progress | None = None) -> DemoContext:
    """Delete the partnership's data (not the audit log, which is append-only)."""
    ctx = DemoContext(seed=0, scale=1)
    before = existing_data()
    with transaction.atomic():
        steps = registered_clearers()
        for clearing in progress(steps) if progress else steps:
            clearing.run(ctx)
        audit.record(
            AuditAction.STRUCTURE_CHANGE,
            object_type="demo partnership",
            purpose=f"{PURPOSE}: reset",
            detail={"deleted": before},
        )
    return ctx


def generate(*, seed: int, scale: float = 1, progress: Progress | None = None) -> DemoContext:
    """Run every registered step in one transaction: all of the partnership or none of it."""
    if scale <= 0:
        raise ValueError("The scale must be more than 0.")
    ctx = DemoContext(seed=seed, scale=scale)
    with transaction.atomic():
        steps = registered_steps()
        for making in progress(steps) if progress else steps:
            making.run(ctx)
        audit.record(
            AuditAction.CHILD_CREATE,
            object_type="demo partnership",
            purpose=PURPOSE,
            detail={"seed": seed, "scale": scale, "counts": ctx.counts},
        )
    return ctx


def digest() -> str:
    """A SHA-256 of every registered source of rows: equal for equal partnerships."""
    discover()
    hasher = hashlib.sha256()
    for name in sorted(_digests):
        rows = sorted(
            json.dumps(list(row), default=str, sort_keys=True) for row in _digests[name]()
        )
        hasher.update(name.encode())
        for row in rows:
            hasher.update(row.encode())
            hasher.update(b"\n")
    return hasher.hexdigest()


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
    for i in range(ctx.scaled(USERS_PER_SCALE)):
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


# Ages 0 to 17: more adolescents, as in any partnership's work.
AGE_WEIGHTS = (4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 8, 7, 6)


@step("children")
def make_children(ctx: DemoContext) -> None:
    rng = ctx.rng
    taken: set[str] = set()
    children = []
    for _ in range(ctx.scaled(CHILDREN_PER_SCALE)):
        sex = weighted_pick(
            rng, [(Sex.FEMALE, 48), (Sex.MALE, 48), (Sex.OTHER, 1), (Sex.UNKNOWN, 3)]
        )
        if sex == Sex.FEMALE:
            given = rng.choice(names.CHILD_GIVEN_NAMES_FEMALE)
        elif sex == Sex.MALE:
            given = rng.choice(names.CHILD_GIVEN_NAMES_MALE)
        else:
            given = rng.choice(names.CHILD_GIVEN_NAMES_FEMALE + names.CHILD_GIVEN_NAMES_MALE)
        age = weighted_pick(rng, list(zip(range(18), AGE_WEIGHTS, strict=True)))
        # Born between 1 April and 31 March, so that the child is `age` on 31 March 2026.
        born = random_day(rng, date(AGE_ON.year - age - 1, 4, 1), date(AGE_ON.year - age, 3, 31))
        name = pseudonym(rng)
        while name in taken:
            name = pseudonym(rng)
        taken.add(name)
        children.append(
            Child(
                public_id=ctx.new_uuid(),
                pseudonym=name,
                given_name=given,
                family_name=rng.choice(names.FAMILY_NAMES),
                date_of_birth=born,
                sex=sex,
                created_at=random_moment(rng, max(WINDOW_START, born), WINDOW_END),
            )
        )
    ctx.system.children().bulk_create(children)
    by_public_id = ctx.system.children().in_bulk(
        [child.public_id for child in children], field_name="public_id"
    )
    ctx.children = [by_public_id[child.public_id] for child in children]
    # One child neither fixed practitioner's agency will be involved with, for break-glass.
    ctx.break_glass_child = rng.choice(ctx.children)
    ctx.count("children", len(ctx.children))


def _typo(rng: random.Random, word: str) -> str:
    """One slip of the keyboard: two letters swapped, one dropped or one doubled."""
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    slip = rng.choice(("swap", "drop", "double"))
    if slip == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if slip == "drop":
        return word[:i] + word[i + 1 :]
    return word[: i + 1] + word[i] + word[i + 1 :]


def _recorded_names(rng: random.Random, child: Child) -> tuple[str, str]:
    """The names as one agency has them: mostly right, sometimes a nickname or a typo."""
    given, family = child.given_name, child.family_name
    draw = rng.random()
    if draw < 0.10 and given in names.NICKNAMES:
        given = rng.choice(names.NICKNAMES[given])
    elif draw < 0.16:
        given = _typo(rng, given)
    elif draw < 0.22:
        family = _typo(rng, family)
    elif draw < 0.24 and child.sex == Sex.FEMALE:
        # A double-barrelled name on one system and not another.
        family = f"{rng.choice(names.FAMILY_NAMES)}-{family}"
    return given, family


def _recorded_birth_date(rng: random.Random, born: date) -> date:
    # Day and month swapped on entry, one record in twenty-five where that is a real date.
    if born.day <= 12 and born.day != born.month and rng.random() < 0.04:
        return date(born.year, born.day, born.month)
    return born


def _postcode(rng: random.Random) -> str:
    return f"{rng.choice(names.POSTCODE_DISTRICTS)} {rng.randint(1, 9)}{rng.choice(names.POSTCODE_LETTERS)}{rng.choice(names.POSTCODE_LETTERS)}"


def _agencies_for(rng: random.Random, child: Child, *, break_glass: bool) -> list[AgencySpec]:
    """Which agencies hold a record of the child: the council often, the police sometimes."""
    age = age_on(born(child), AGE_ON)
    wanted = weighted_pick(rng, [(1, 30), (2, 35), (3, 25), (4, 10)])
    chosen: list[AgencySpec] = []
    if not break_glass:
        if rng.random() < 0.65:
            chosen.append(AGENCIES_BY_CODE["LA"])
        if rng.random() < (0.45 if age >= 10 else 0.2):
            chosen.append(AGENCIES_BY_CODE["POLICE"])
    candidates = [
        spec
        for spec in AGENCIES
        if spec.holds_child_records
        and spec.code not in {"LA", "POLICE"}
        and spec.ages[0] <= age <= spec.ages[1]
    ]
    while len(chosen) < wanted and candidates:
        pick = weighted_pick(rng, [(spec, spec.weight) for spec in candidates])
        chosen.append(pick)
        candidates = [
            spec
            for spec in candidates
            if spec is not pick and not (pick.slot and spec.slot == pick.slot)
        ]
    return chosen


# Where a child is in the continuum of need, on the council's record.
STAGES = (
    ("early help", 30),
    ("targeted early help", 15),
    ("child in need", 25),
    ("child protection plan", 15),
    ("looked after", 10),
    ("closed", 15),
)


@step("source records")
def make_source_records(ctx: DemoContext) -> None:
    rng = ctx.rng
    taken_ids: dict[str, set[str]] = {spec.code: set() for spec in AGENCIES}
    taken_nhs: set[str] = set()
    taken_upns: set[str] = set()
    records: list[SourceRecord] = []
    for child in ctx.children:
        birth = born(child)
        age = age_on(birth, AGE_ON)
        nhs = identifiers.nhs_number(rng)
        while nhs in taken_nhs:
            nhs = identifiers.nhs_number(rng)
        taken_nhs.add(nhs)
        home = _postcode(rng)
        child_upn = ""
        for spec in _agencies_for(rng, child, break_glass=child is ctx.break_glass_child):
            given, family = _recorded_names(rng, child)
            record = SourceRecord(
                agency=ctx.agencies[spec.code],
                child=child,
                given_name=given,
                family_name=family,
                date_of_birth=_recorded_birth_date(rng, birth),
                sex=child.sex if rng.random() < 0.9 or spec.kind in HEALTH_KINDS else Sex.UNKNOWN,
                # One record in ten has the address before the family last moved.
                postcode=home if rng.random() < 0.9 else _postcode(rng),
                created_at=random_moment(
                    rng, max(WINDOW_START - timedelta(days=730), birth), WINDOW_END
                ),
            )
            if spec.kind in HEALTH_KINDS or (spec.code == "LA" and rng.random() < 0.3):
                record.nhs_number = nhs
            if spec.record_pattern == "UPN":
                while not child_upn or child_upn in taken_upns:
                    child_upn = identifiers.upn(rng, spec.establishment, birth.year + 5)
                taken_upns.add(child_upn)
                record.upn = child_upn
                record.record_id = child_upn
                record.attributes = {"year_group": max(0, age - 4)}
            else:
                record.record_id = identifiers.record_id(rng, spec.record_pattern)
                while record.record_id in taken_ids[spec.code]:
                    record.record_id = identifiers.record_id(rng, spec.record_pattern)
            if spec.code == "LA":
                record.attributes = {"stage": weighted_pick(rng, list(STAGES))}
            taken_ids[spec.code].add(record.record_id)
            records.append(record)
    ctx.system.source_records().bulk_create(records, batch_size=500)
    made = ctx.system.source_records().filter(child__in=ctx.children).select_related("agency")
    for record in sorted(made, key=lambda r: (r.agency.code, r.record_id)):
        if record.child_id is not None:
            ctx.records_by_child.setdefault(record.child_id, []).append(record)
    ctx.count("source records", len(records))


@step("events")
def make_events(ctx: DemoContext) -> None:
    rng = ctx.rng
    events: list[ChildEvent] = []
    for child in ctx.children:
        birth = born(child)
        records = ctx.records_by_child.get(child.pk, [])
        for _ in range(rng.randint(0, 8) if records else 0):
            record = rng.choice(records)
            agency = record.agency
            when = random_moment(rng, max(WINDOW_START, birth), WINDOW_END)
            age = age_on(birth, when.date())
            if agency.kind == AgencyKind.POLICE and rng.random() < RESTRICTED_POLICE_SHARE:
                kind, summary, restricted = (
                    "Police intelligence",
                    rng.choice(names.RESTRICTED_SUMMARIES),
                    True,
                )
            else:
                kinds = [
                    k
                    for k in names.events_for(agency.code, agency.kind)
                    if k.min_age <= age <= k.max_age
                ]
                if not kinds:
                    continue
                chosen = rng.choice(kinds)
                kind, summary, restricted = chosen.event_type, rng.choice(chosen.summaries), False
            events.append(
                ChildEvent(
                    source_record=record,
                    child=child,
                    agency=agency,
                    event_type=kind,
                    occurred_at=when,
                    summary=summary,
                    restricted=restricted,
                    fingerprint=event_fingerprint(record.record_id, kind, when, summary),
                    created_at=when + timedelta(hours=rng.randint(1, 72)),
                )
            )
    police_events = [event for event in events if event.agency.kind == AgencyKind.POLICE]
    if police_events and not any(event.restricted for event in police_events):
        # Always at least one restricted entry, so that the demo can show who sees it.
        police_events[0].event_type = "Police intelligence"
        police_events[0].summary = names.RESTRICTED_SUMMARIES[0]
        police_events[0].restricted = True
    ctx.system.events().bulk_create(events, batch_size=500)
    for event in events:
        if event.child_id is not None:
            ctx.events_by_child.setdefault(event.child_id, []).append(event)
    ctx.count("events", len(events))
    ctx.count("restricted events", sum(event.restricted for event in events))


EXPLOITATION_SIGNS = frozenset(
    {"Exploitation concern", "Missing episode", "Police intelligence", "Return home interview"}
)


@step("panel lists")
def make_panel_lists(ctx: DemoContext) -> None:
    """About one child in ten on the risk assessment meeting's list, most with signs of exploitation."""
    rng = ctx.rng
    panel = ctx.panels[EXPLOITATION_RISK_PANEL]
    candidates = []
    for child in ctx.children:
        if child is ctx.break_glass_child or age_on(born(child), AGE_ON) < 10:
            continue
        signs = sum(
            event.event_type in EXPLOITATION_SIGNS
            for event in ctx.events_by_child.get(child.pk, [])
        )
        candidates.append((-min(signs, 2), rng.random(), child))
    candidates.sort(key=lambda c: (c[0], c[1]))
    listed = [
        child for _, _, child in candidates[: ctx.scaled(round(CHILDREN_PER_SCALE * PANEL_SHARE))]
    ]
    ctx.system.panel_entries().bulk_create(
        [
            PanelChild(
                panel=panel,
                child=child,
                added_by=ctx.users["officer"],
                added_at=random_moment(rng, date(2024, 4, 1), date(2026, 3, 15)),
            )
            for child in listed
        ]
    )
    ctx.objects["exploitation risk list"] = listed
    ctx.count("children on the exploitation risk panel", len(listed))
    # The child kept apart in make_children is one; the help names the first of any such.
    candidate = break_glass_candidate()
    if candidate is None:
        raise RuntimeError("The demo needs a child that neither fixed practitioner can see.")
    ctx.notes.append(
        "A child that neither practitioner@council nor practitioner@police is involved with, "
        f"and on no panel (try break-glass): {candidate.public_id}"
    )


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


@clearer("children")
def clear_children(ctx: DemoContext) -> None:
    BreakGlass.objects.all().delete()
    ctx.system.panel_entries().delete()
    ctx.system.events().delete()
    ctx.system.source_records().delete()
    ctx.system.children().delete()


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


@digest_rows("children")
def child_rows() -> Iterable[list[Any]]:
    system = SystemAccess(PURPOSE)
    for c in system.children():
        yield [
            "child",
            c.public_id,
            c.pseudonym,
            c.given_name,
            c.family_name,
            c.date_of_birth,
            c.sex,
            c.created_at,
        ]
    for r in system.source_records().select_related("agency", "child"):
        yield [
            "record",
            r.agency.code,
            r.record_id,
            r.child.public_id if r.child else "",
            r.given_name,
            r.family_name,
            r.date_of_birth,
            r.sex,
            r.postcode,
            r.nhs_number,
            r.upn,
            r.attributes,
            r.created_at,
        ]
    for e in system.events().select_related("agency", "child", "source_record"):
        yield [
            "event",
            e.agency.code,
            e.source_record.record_id,
            e.child.public_id if e.child else "",
            e.event_type,
            e.occurred_at,
            e.summary,
            e.restricted,
            e.created_at,
        ]
    for p in system.panel_entries().select_related("panel", "child", "added_by"):
        yield [
            "panel entry",
            p.panel.name,
            p.child.public_id,
            p.added_at,
            p.added_by.email if p.added_by else "",
            p.removed_at,
        ]


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
