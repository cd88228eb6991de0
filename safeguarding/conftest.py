"""The fixed users of the access model (DESIGN.md), shared by every app's tests.

- involved: a practitioner whose agency holds a record of `child`;
- other_agency: a practitioner of an agency with no part in `child`;
- panel_member: a panel member of a third agency, on a panel that lists `child`;
- analyst: sees aggregates only;
- anonymous: not signed in.

Plus the roles that run the partnership: officer, ig_lead, agency_admin, sysadmin,
executive, data_officer (loads the council's extracts), linkage_officer (the linkage
review queue), trainer (the registers of their own training sessions).
Every one of them has MFA enrolled, so the MFA middleware lets them through.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from safeguarding.core.models import AgencyKind, Panel, Partnership
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import (
    AgencyFactory,
    ChildEventFactory,
    ChildFactory,
    PanelChildFactory,
    PanelFactory,
    SourceRecordFactory,
    UserFactory,
)

# Tests assert behaviour, never speed (speed is measured in bench/): no Hypothesis deadline,
# which on a loaded machine fails a correct example for being slow.
hypothesis_settings.register_profile("hub", deadline=None)
hypothesis_settings.load_profile("hub")

FIXED_USERS = ("involved", "other_agency", "panel_member", "analyst", "anonymous")


@dataclass
class World:
    la: Any
    police: Any
    icb: Any
    school: Any
    child: Any
    record: Any
    restricted_event: Any
    open_event: Any
    panel: Any
    users: dict[str, Any]


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_use_migrations: bool,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """pytest-django's, but the test database is made, migrated and dropped as the owner
    of the tables when DATABASE_OWNER_URL is set; the tests then run as DATABASE_URL's
    restricted role, as the app does in production (core/dbroles.py). Without it, or on
    SQLite, this is pytest-django's own set-up."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from safeguarding.core import dbroles

    if not django_db_use_migrations:
        _disable_migrations()
    keepdb = django_db_keepdb and not django_db_createdb
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    serialized = None
    owner_settings = dbroles.owner_settings()
    app_settings = connections["default"].settings_dict
    if owner_settings is not None:
        # pytest-xdist: django_db_modify_db_settings gave the app's test database this
        # worker's suffix (test_<name>_gw0); the owner makes, migrates, grants and drops
        # that same database. as_owner() copies the app's settings; these say so too.
        owner_settings["TEST"] = dict(app_settings.get("TEST") or {})
    with django_db_blocker.unblock(), dbroles.as_owner() as owner:
        db_cfg = setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=cast(Any, aliases),
            serialized_aliases=serialized_aliases,
            keepdb=keepdb,
        )
        if owner_settings is not None:
            owner_settings["NAME"] = app_settings["NAME"]
        if dbroles.is_separate(connections["default"]):
            dbroles.grant_app_privileges()  # again: the cache table came after migrate
            serialized = getattr(owner, "_test_serialized_contents", None)
    if dbroles.is_separate(connections["default"]) and serialized is not None:
        setattr(connections["default"], "_test_serialized_contents", serialized)  # noqa: B010
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            connections.close_all()  # the app's own connection, or the owner cannot drop
            with dbroles.as_owner():
                try:
                    teardown_databases(db_cfg, verbosity=verbosity)
                except Exception as exc:  # noqa: BLE001 - as pytest-django: warn, do not fail
                    request.node.warn(
                        pytest.PytestWarning(
                            f"Error when trying to teardown test databases: {exc!r}"
                        )
                    )


def set_node_id(item: pytest.Item, nodeid: str) -> None:
    """An item's node id: pytest 9 keeps it as a structured `_id`, older ones as `_nodeid`
    (what pytest-xdist's `loadgroup` still sets)."""
    if hasattr(item, "_id"):
        from _pytest.nodeid import NodeId

        item._id = NodeId.parse(nodeid)
    else:
        setattr(item, "_nodeid", nodeid)  # noqa: B010 - pytest before 9


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test has a node id of its own, and a test of an xdist group says so in it.

    - schemathesis names its tests by operation (`test_x[POST /api/v1/persons]`) but gives
      them all the function's node id, and pytest-xdist keeps one test per node id under
      `loadgroup`: the other operations would silently not run. They get their names.
    - pytest-xdist's `loadgroup` sends tests whose node id ends in `@group` to one worker,
      but sets that suffix where pytest 9 no longer reads it; it is set here.
    Any other duplicate node id stops the run (docs/decisions/0060)."""
    for item in items:
        nodeid = item.nodeid
        if "[" in item.name and "[" not in nodeid.rpartition("::")[2] and item.parent:
            nodeid = f"{item.parent.nodeid}::{item.name}"
        groups = sorted(str(mark.args[0]) for mark in item.iter_markers("xdist_group"))
        loadgroup = getattr(config.option, "loadgroup", False)  # as pytest-xdist reads it
        if groups and loadgroup and "@" not in nodeid:
            nodeid = f"{nodeid}@{'_'.join(groups)}"
        if nodeid != item.nodeid:
            set_node_id(item, nodeid)
    counts = Counter(item.nodeid for item in items)
    duplicates = sorted(nodeid for nodeid, count in counts.items() if count > 1)
    if duplicates:
        raise pytest.UsageError("Tests with the same node id: " + ", ".join(duplicates))


# The browser tests' skip reason when Chromium is missing begins so
# (core/tests/browser/conftest.py); the banner is made here, from the run's reports, so
# that pytest-xdist's controller, which collects nothing itself, shows it too.
CHROMIUM_MISSING = "CHROMIUM IS MISSING"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if hasattr(terminalreporter.config, "workerinput"):
        return  # a pytest-xdist worker: the controller reports the whole run
    reasons = []
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = getattr(report, "longrepr", None)
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else ""
        reason = str(reason).removeprefix("Skipped: ")
        if reason.startswith(CHROMIUM_MISSING):
            reasons.append(reason)
    if not reasons:
        return
    bar = "#" * 88
    lines = [bar, f"# {len(reasons)} BROWSER TESTS SKIPPED", "# " + reasons[0], bar]
    for line in lines:
        terminalreporter.write_line(line, red=True, bold=True)
    if not sys.stderr.isatty():  # on a terminal it was just written; in a log, say it twice
        print("\n".join(lines), file=sys.stderr)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """PBKDF2's deliberate slowness protects real passwords; tests make dozens of users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings: Any, tmp_path_factory: Any) -> None:
    """Files a test keeps (a published report's PDF, a photograph) go to a folder of the
    test run's own, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def world(db: Any) -> World:
    Partnership.objects.create(name="Testshire Safeguarding Children Partnership", area="Testshire")
    la = AgencyFactory(
        code="LA", name="Testshire Council", kind=AgencyKind.LOCAL_AUTHORITY, statutory_partner=True
    )
    police = AgencyFactory(
        code="POLICE", name="Testshire Police", kind=AgencyKind.POLICE, statutory_partner=True
    )
    icb = AgencyFactory(
        code="ICB", name="Testshire ICB", kind=AgencyKind.HEALTH_ICB, statutory_partner=True
    )
    school = AgencyFactory(code="SCHOOL", name="Testshire Academy", kind=AgencyKind.SCHOOL)
    child = ChildFactory(given_name="Jordan", family_name="Example")
    record = SourceRecordFactory(agency=la, child=child, record_id="LCS000001")
    open_event = ChildEventFactory(source_record=record, summary="Contact from the school nurse.")
    SourceRecordFactory(
        agency=police, child=ChildFactory(given_name="Other", family_name="Child"), record_id="PN-1"
    )
    restricted_record = SourceRecordFactory(agency=police, child=child, record_id="PN-2")
    restricted_event = ChildEventFactory(
        source_record=restricted_record,
        restricted=True,
        event_type="police_intelligence",
        summary="Police intelligence grading B2.",
    )
    # The restricted event makes police involved with the child; a fresh other agency is not.
    other = AgencyFactory(code="HOUSING", name="Testshire Homes", kind=AgencyKind.OTHER)
    panel = cast(Panel, PanelFactory(name="Child Exploitation Risk Assessment Meeting"))
    PanelChildFactory(panel=panel, child=child)
    users: dict[str, Any] = {
        "involved": UserFactory(
            email="involved@la.example",
            full_name="Ina Volved",
            agency=la,
            roles=[Role.PRACTITIONER],
        ),
        "other_agency": UserFactory(
            email="other@housing.example",
            full_name="Otto Ther",
            agency=other,
            roles=[Role.PRACTITIONER],
        ),
        "panel_member": UserFactory(
            email="panel@icb.example", full_name="Pat Anel", agency=icb, roles=[Role.PANEL_MEMBER]
        ),
        "analyst": UserFactory(
            email="analyst@la.example", full_name="Ana Lyst", agency=la, roles=[Role.ANALYST]
        ),
        "anonymous": None,
        "officer": UserFactory(
            email="officer@la.example",
            full_name="Offi Cer",
            agency=la,
            roles=[Role.PARTNERSHIP_OFFICER],
        ),
        "ig_lead": UserFactory(
            email="ig@la.example", full_name="Iggy Lead", agency=la, roles=[Role.IG_LEAD]
        ),
        "agency_admin": UserFactory(
            email="admin@school.example",
            full_name="Addy Min",
            agency=school,
            roles=[Role.AGENCY_ADMIN],
        ),
        "sysadmin": UserFactory(
            email="sys@la.example", full_name="Sys Admin", agency=la, roles=[Role.SYSTEM_ADMIN]
        ),
        "executive": UserFactory(
            email="exec@icb.example", full_name="Exe Cutive", agency=icb, roles=[Role.EXECUTIVE]
        ),
        # Loads the council's extracts; sees no child by name.
        "data_officer": UserFactory(
            email="data@la.example", full_name="Dai Ta", agency=la, roles=[Role.DATA_OFFICER]
        ),
        # Works the partnership's linkage review queue.
        "linkage_officer": UserFactory(
            email="linkage@la.example",
            full_name="Lin Kage",
            agency=la,
            roles=[Role.LINKAGE_OFFICER],
        ),
        # Runs the register of their own training sessions; sees no child.
        "trainer": UserFactory(
            email="trainer@la.example",
            full_name="Tra Iner",
            agency=la,
            roles=[Role.TRAINER],
        ),
    }
    panel.members.add(users["panel_member"])
    return World(la, police, icb, school, child, record, restricted_event, open_event, panel, users)


@pytest.fixture
def client_for(world: World) -> Callable[[str], Client]:
    """A client signed in (MFA done) as one of the world's users; 'anonymous' is signed out."""

    def make(name: str) -> Client:
        client = Client()
        user = world.users[name]
        if user is not None:
            client.force_login(user)
        return client

    return make
