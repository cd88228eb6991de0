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

The children arrive as in a real partnership: "children" makes a population of about
36,000 per unit of scale and the agencies' extracts of the tenth known to them
(demo/extracts.py, with noise and the truth); "source records" and "events" write the
extracts as CSV and XLSX files and load them through the import pipeline; "linkage" runs
the linkage with public ids and pseudonyms from the step's seed; "link review" has the
fixed linkage officer decide all but a handful of the pairs it was unsure of, by the
truth. `demo_extracts(seed, scale)` makes the same extracts, truth and all, again.

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
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db.models import Exists, OuterRef, Q
from django.utils.module_loading import autodiscover_modules

from safeguarding.children.models import (
    PSEUDONYM_ALPHABET,
    Child,
    ChildEvent,
    ColumnMapping,
    ImportBatch,
    ImportChannel,
    LinkageRun,
    PanelChild,
    SourceRecord,
)
from safeguarding.core import audit, transactions
from safeguarding.core.access import SystemAccess
from safeguarding.core.models import (
    Agency,
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
from safeguarding.demo import extracts, names
from safeguarding.demo.extracts import AGE_ON, WINDOW_END, WINDOW_START, SyntheticExtracts
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

if TYPE_CHECKING:
    from safeguarding.children.importing import ImportResult

LONDON = ZoneInfo("Europe/London")
# The demo's window of activity is three financial years, 1 April 2023 to 31 March 2026
# (WINDOW_START, WINDOW_END); children are aged 0 to 17 on AGE_ON, its last day.
PURPOSE = "demo partnership"

# How many users the generator makes at scale 1 (the children: demo/extracts.py), and
# never fewer than the plan's, so that every panel and sub-group has its people even in
# the small partnerships the tests make.
USERS_PER_SCALE = 40
USERS_MINIMUM = len(USER_PLAN)

AGENCIES_BY_CODE: dict[str, AgencySpec] = {spec.code: spec for spec in AGENCIES}

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
    # The population and the agencies' extracts of it, with the truth of who is who.
    extracts: SyntheticExtracts | None = None
    # Where to keep the extract files and the truth (`demo --extracts DIR`); else a
    # temporary folder, deleted once they are loaded.
    extracts_dir: Path | None = None
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
    with transactions.together():
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


def generate(
    *,
    seed: int,
    scale: float = 1,
    progress: Progress | None = None,
    extracts_dir: Path | None = None,
) -> DemoContext:
    """Run every registered step in one transaction: all of the partnership or none of it."""
    if scale <= 0:
        raise ValueError("The scale must be more than 0.")
    ctx = DemoContext(seed=seed, scale=scale, extracts_dir=extracts_dir)
    with transactions.together():
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


# --- The children: a population, the agencies' extracts of it, imported and linked ----------
#
# The children come in as they would in a real partnership: each agency's system exports
# a persons extract and an events extract (demo/extracts.py makes them, with the noise
# real extracts have), the import pipeline loads them (children/importing.py), and
# linkage (children/linkage.py) decides which records are one child. The truth, which
# person each record really is, stays on `ctx.extracts`; `demo_extracts(seed, scale)`
# makes the same extracts again for anyone who needs it later.

# Agencies whose systems send XLSX rather than CSV: the import reads both.
XLSX_AGENCIES = frozenset({"KINDRED", "PRI-HOLLINS", "FIRE"})
# Records made to be hard to link, so that the review queue has pairs whichever way the
# model leans: at least this many, and more at larger scales.
BORDERLINE_RECORDS = 4
BORDERLINE_PER_SCALE = 8
IMPORT_PURPOSE = "demo partnership: agency extracts"


def demo_extracts(seed: int, scale: float) -> extracts.SyntheticExtracts:
    """The extracts the demo loads for this seed and scale, with their truth."""
    return extracts.generate(
        seed,
        people=max(1, round(extracts.REFERENCE_POPULATION * scale)),
        known_share=extracts.KNOWN_SHARE,
        borderline=max(BORDERLINE_RECORDS, round(BORDERLINE_PER_SCALE * scale)),
    )


@step("children")
def make_children(ctx: DemoContext) -> None:
    """The area's children, and what each agency's system holds about those it knows."""
    ctx.extracts = demo_extracts(ctx.seed, ctx.scale)
    ctx.count("children in the area", len(ctx.extracts.people))
    ctx.count("children known to agencies", len(ctx.extracts.known_people()))


def _import_files(ctx: DemoContext, kind: str) -> list[ImportResult]:
    """Write the agencies' extracts of one kind and load each through the import pipeline."""
    from safeguarding.children.importing import run_import

    if ctx.extracts is None:
        raise RuntimeError("The children step makes the extracts the demo imports.")
    results = []
    with tempfile.TemporaryDirectory(prefix="demo-extracts-") as folder:
        target = ctx.extracts_dir or Path(folder)
        paths = extracts.write_extracts(ctx.extracts, target, xlsx_for=XLSX_AGENCIES, kinds=(kind,))
        for path in paths:
            agency = ctx.agencies[path.name.removesuffix(f"-{kind}{path.suffix}")]
            result = run_import(agency, path, kind=kind, channel=ImportChannel.COMMAND)
            if not result.loaded or result.problems:
                raise RuntimeError(
                    f"The demo's {path.name} did not load cleanly: "
                    + "; ".join(f"row {p.row}, {p.column}: {p.reason}" for p in result.problems[:5])
                )
            results.append(result)
        if ctx.extracts_dir is not None and kind == "persons":
            extracts.write_truth(ctx.extracts, ctx.extracts_dir / "truth.csv")
    return results


@step("source records")
def load_source_records(ctx: DemoContext) -> None:
    results = _import_files(ctx, "persons")
    rng = ctx.rng
    records = list(
        ctx.system.source_records().select_related("agency").order_by("agency__code", "record_id")
    )
    for record in records:
        born = record.date_of_birth or WINDOW_START
        record.created_at = random_moment(
            rng, max(WINDOW_START - timedelta(days=730), born), WINDOW_END
        )
    ctx.system.source_records().bulk_update(records, ["created_at"], batch_size=500)
    ctx.count("agency extracts loaded", len(results))
    ctx.count("source records", sum(result.created for result in results))


@step("events")
def load_events(ctx: DemoContext) -> None:
    results = _import_files(ctx, "events")
    rng = ctx.rng
    events = list(
        ctx.system.events().order_by("agency__code", "fingerprint").only("pk", "occurred_at")
    )
    for event in events:
        event.created_at = event.occurred_at + timedelta(hours=rng.randint(1, 72))
    ctx.system.events().bulk_update(events, ["created_at"], batch_size=500)
    ctx.count("agency extracts loaded", len(results))
    ctx.count("events", sum(result.created for result in results))
    ctx.count("restricted events", ctx.system.events().filter(restricted=True).count())


@step("linkage")
def link_children(ctx: DemoContext) -> None:
    """Link the agencies' records into children, as `safeguarding link` does."""
    from safeguarding.children.linkage import link

    rng = ctx.rng
    taken: set[str] = set()

    def child_fields() -> dict[str, Any]:
        name = pseudonym(rng)
        while name in taken:
            name = pseudonym(rng)
        taken.add(name)
        return {"public_id": ctx.new_uuid(), "pseudonym": name}

    run = link(
        ctx.system,
        make_child_fields=child_fields,
        make_candidate_fields=lambda: {"public_id": ctx.new_uuid()},
    )
    children = list(ctx.system.children().order_by("public_id"))
    first_record: dict[int, datetime] = {}
    for child_id, created in (
        ctx.system.source_records().values_list("child_id", "created_at").order_by("created_at")
    ):
        first_record.setdefault(child_id, created)
    for child in children:
        child.created_at = first_record.get(child.pk, london(WINDOW_START, time(9, 0)))
    ctx.system.children().bulk_update(children, ["created_at"], batch_size=500)
    ctx.count("children linked", len(children))
    ctx.count("pairs sent for review", run.sent_for_review)
    _collect_children(ctx)


def _collect_children(ctx: DemoContext) -> None:
    """Put the index's children (not those merged into another) where later steps look."""
    ctx.children = list(ctx.system.children().filter(merged_into=None).order_by("public_id"))
    ctx.records_by_child = {}
    ctx.events_by_child = {}
    for record in (
        ctx.system.source_records().select_related("agency").order_by("agency__code", "record_id")
    ):
        if record.child_id is not None:
            ctx.records_by_child.setdefault(record.child_id, []).append(record)
    for event in (
        ctx.system.events().select_related("agency").order_by("occurred_at", "fingerprint")
    ):
        if event.child_id is not None:
            ctx.events_by_child.setdefault(event.child_id, []).append(event)
    ctx.break_glass_child = break_glass_candidate()


# The first load's review queue, worked by the partnership's linkage officer (the fixed
# user) but for this many pairs, left for the demo's visitors to decide. So the demo shows
# pairs waiting, pairs decided either way, and the merges that confirming made.
REVIEW_LEFT_PER_SCALE = 10
REVIEW_LEFT_MINIMUM = 3
REVIEW_NOTE = "Checked against the agencies' records."


@step("link review")
def work_the_review_queue(ctx: DemoContext) -> None:
    from django.http import HttpRequest

    from safeguarding.children.actions import IdentityChangeRefused, decide_candidate
    from safeguarding.children.models import CandidateStatus

    if ctx.extracts is None:
        raise RuntimeError("The children step makes the extracts whose truth decides here.")
    truth = ctx.extracts.truth
    pending = list(
        ctx.system.candidates()
        .filter(status=CandidateStatus.PENDING)
        .select_related("record__agency", "candidate__agency")
        .order_by("public_id")
    )

    def same_child(pair: Any) -> bool:
        return bool(
            truth.get((pair.record.agency.code, pair.record.record_id))
            == truth.get((pair.candidate.agency.code, pair.candidate.record_id))
        )

    # Leave pairs of both kinds, alternately, so that a visitor meets each.
    left_wanted = max(REVIEW_LEFT_MINIMUM, ctx.scaled(REVIEW_LEFT_PER_SCALE))
    same = [pair for pair in pending if same_child(pair)]
    different = [pair for pair in pending if not same_child(pair)]
    left: list[Any] = []
    while len(left) < left_wanted and (same or different):
        for group in (same, different):
            if group and len(left) < left_wanted:
                left.append(group.pop(0))
    request = HttpRequest()
    request.user = ctx.users["linkage_officer"]
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    decided = 0
    for pair in sorted(same + different, key=lambda p: p.public_id):
        if not ctx.system.candidates().filter(pk=pair.pk, status=CandidateStatus.PENDING).exists():
            continue  # settled by an earlier merge
        try:
            decide_candidate(request, pair.public_id, same_child=same_child(pair), note=REVIEW_NOTE)
        except IdentityChangeRefused:
            continue
        decided += 1
    _collect_children(ctx)
    ctx.count("pairs decided by the linkage officer", decided)
    ctx.count(
        "pairs awaiting review",
        ctx.system.candidates().filter(status=CandidateStatus.PENDING).count(),
    )
    ctx.count("children", len(ctx.children))


EXPLOITATION_SIGNS = frozenset({"exploitation_concern", "missing_episode", "police_intelligence"})
# Children on the risk assessment meeting's list at scale 1 (a few dozen, as in life).
PANEL_LIST_PER_SCALE = 60
PANEL_LIST_MINIMUM = 3


@step("panel lists")
def make_panel_lists(ctx: DemoContext) -> None:
    """A few dozen adolescents on the risk assessment meeting's list, those with the most
    signs of exploitation in their chronology first."""
    rng = ctx.rng
    panel = ctx.panels[EXPLOITATION_RISK_PANEL]
    outsider = ctx.break_glass_child.pk if ctx.break_glass_child else None
    candidates = []
    for child in ctx.children:
        if child.pk == outsider or child.date_of_birth is None:
            continue
        if age_on(child.date_of_birth, AGE_ON) < 10:
            continue
        signs = sum(
            event.event_type in EXPLOITATION_SIGNS
            for event in ctx.events_by_child.get(child.pk, [])
        )
        candidates.append((-min(signs, 3), rng.random(), child))
    candidates.sort(key=lambda c: (c[0], c[1]))
    wanted = max(PANEL_LIST_MINIMUM, ctx.scaled(PANEL_LIST_PER_SCALE))
    listed = [child for _, _, child in candidates[:wanted]]
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
    # The help names the first such child (the list above leaves it off).
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
    from safeguarding.children.models import ApiToken, LinkageModel

    BreakGlass.objects.all().delete()
    ctx.system.panel_entries().delete()
    ctx.system.candidates().delete()
    ctx.system.identity_changes().delete()
    ctx.system.versions().delete()
    ctx.system.events().delete()
    ctx.system.source_records().delete()
    # A merged child points at the child it went into; both go.
    ctx.system.children().exclude(merged_into=None).update(merged_into=None)
    ctx.system.children().delete()
    LinkageRun.objects.all().delete()
    # Trained models go too: the next linkage loads the shipped one, as on a new install.
    LinkageModel.objects.all().delete()
    ImportBatch.objects.all().delete()
    ColumnMapping.objects.all().delete()
    ApiToken.objects.all().delete()


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
    for c in system.children().select_related("merged_into"):
        yield [
            "child",
            c.public_id,
            c.pseudonym,
            c.given_name,
            c.family_name,
            c.date_of_birth,
            c.sex,
            c.nhs_number,
            c.upn,
            c.postcode,
            c.identity_sources,
            c.merged_into.public_id if c.merged_into else "",
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
            r.other_names,
            r.date_of_birth,
            r.sex,
            r.address,
            r.postcode,
            r.nhs_number,
            r.upn,
            r.attributes,
            r.link_method,
            None if r.link_probability is None else round(r.link_probability, 6),
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
    for pair in system.candidates().select_related(
        "record__agency", "candidate__agency", "decided_by"
    ):
        yield [
            "link candidate",
            pair.public_id,
            f"{pair.record.agency.code}:{pair.record.record_id}",
            f"{pair.candidate.agency.code}:{pair.candidate.record_id}",
            round(pair.match_probability, 6),
            pair.status,
            pair.decided_by.email if pair.decided_by else "",
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
