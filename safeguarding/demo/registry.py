"""The demo's step machinery: the context the steps share, the registry of steps,
clearers and digests, their discovery and order, and running them.

The steps themselves are elsewhere: the core steps in demo/generator.py and
demo/child_index.py, each app's in its own `demo` module.

How a later app adds its part
-----------------------------
An app (exploitation, missing, insight, learning, training, ...) adds a `demo.py` module:

    from safeguarding.demo.registry import DemoContext, clearer, digest_rows, step

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
registered: the core steps first (CORE_MODULES), then each app's in INSTALLED_APPS order.
Clearers run in the reverse order, so an app's rows go before the agencies, users and
children they point at. Digests cover every registered source of rows.
"""

from __future__ import annotations

import hashlib
import json
import random
import string
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.contrib.auth.hashers import make_password
from django.utils.module_loading import autodiscover_modules

from safeguarding.children.models import (
    Child,
    ChildEvent,
    SourceRecord,
)
from safeguarding.core import audit, transactions
from safeguarding.core.access import SystemAccess
from safeguarding.core.models import (
    Agency,
    AuditAction,
    Panel,
    Partnership,
    SubGroup,
    User,
)
from safeguarding.demo.extracts import SyntheticExtracts
from safeguarding.demo.partnership import (
    DEMO_PASSWORD,
)

if TYPE_CHECKING:
    pass


PURPOSE = "demo partnership"

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
    # The module that registered the step: its place in the order (core steps first) stays
    # with the step when its function is swapped (a test stopping the run at a step).
    module: str = ""

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
    registry.append(Step(name, func, func.__module__))


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


# The modules of the core steps, in their order: their steps run before any app's.
CORE_MODULES = ("safeguarding.demo.generator", "safeguarding.demo.child_index")


def discover() -> None:
    """Import the core steps, then each installed app's `demo` module, so that every step
    is registered."""
    for module in CORE_MODULES:
        import_module(module)
    autodiscover_modules("demo")


def _core_first(registry: list[Step]) -> list[Step]:
    """The core steps first, in CORE_MODULES' order, then the apps' as they registered,
    whichever module happened to be imported first."""
    core = {module: place for place, module in enumerate(CORE_MODULES)}
    return sorted(registry, key=lambda s: core.get(s.module, len(core)))


def registered_steps() -> list[Step]:
    discover()
    return _core_first(_steps)


def find_step(name: str) -> Step:
    for candidate in registered_steps():
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def registered_clearers() -> list[Step]:
    discover()
    return list(reversed(_core_first(_clearers)))


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
