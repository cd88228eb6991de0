"""No action a user can take widens what they can see, except break-glass.

A property over the whole project, not examples: for every page of the access matrix
(core/tests/test_view_access_matrix.py, which names every URL of every app) and every
caseworker of the fixed users, the test

1. notes the children the user can open without break-glass (`access.grounds_for`, the
   rule `get_child` applies: involved or on a panel's list; break-glass openings last
   hours and are reviewed, so they are left out of "sight");
2. opens the page as the user and submits every `<form method="post">` on it, with the
   values the page fills in and every empty field filled generically — and, when the
   form has a field that could name a child (a reference, a name, a date of birth, an
   NHS number…), once more with the values of a child the user cannot see: the
   attacker's move. A page the user cannot open (403, 404, 405) is posted to anyway;
3. asserts that the user can now open only what they could before, plus children the
   action itself created that hold nothing older than the action (a practitioner's new
   record of a child the hub did not know, say).

Everything is derived from the matrix, the URL resolver and the pages' HTML, so a new
app's forms are covered without editing this file. See docs/security.md ("No action
widens what a user can see") and docs/decisions/0054.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.db.models import Max
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from safeguarding.children.models import Child, ChildEvent, Sex, SourceRecord
from safeguarding.conftest import World
from safeguarding.core import access
from safeguarding.core.models import BreakGlass
from safeguarding.core.tests.savepoints import undo_savepoint
from safeguarding.core.tests.test_view_access_matrix import (  # noqa: F401 - the fixture
    MATRIX,
    matrix_world,
)

# --- The pages' forms ------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # input type, "select" or "textarea"
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    fields: list[Field] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class _Forms(HTMLParser):
    """Every form that posts, with its fields as the page fills them in."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = Form(action=a.get("action", ""))
                self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                form.buttons.append((name, a.get("value", "")))
            elif kind not in ("button", "reset", "file"):
                form.fields.append(Field(name, kind, a.get("value", ""), "checked" in a))
        elif tag == "button" and name and a.get("type", "submit").lower() == "submit":
            form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = Field(name, "select")
            form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a:
                self._select.value = value
        elif tag == "textarea" and name:
            self._textarea = Field(name, "textarea")
            form.fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def post_forms(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


# --- Filling them in --------------------------------------------------------------------

# A valid NHS number that belongs to no child of the world.
SOME_NHS_NUMBER = "9434765927"
TEXT = "Filled in by the property test: no action widens sight."


def _generic(item: Field, serial: Iterator[int]) -> str:
    """A value that passes the usual checks for a field the page left empty."""
    name = item.name.lower()
    by_type = {
        "date": "2025-03-01",
        "datetime-local": "2025-03-01T10:00",
        "time": "10:00",
        "number": "1",
        "email": f"prop{next(serial)}@example.org",
        "url": "https://example.org/",
        "password": "",
    }
    if item.kind in by_type:
        return by_type[item.kind]
    if re.search(r"date|_on$|^on$|_at$|born|dob|since|until", name):
        return "2025-03-01"
    if "time" in name:
        return "10:00"
    if "email" in name:
        return f"prop{next(serial)}@example.org"
    if "postcode" in name:
        return "TS9 9ZZ"
    if "nhs" in name:
        return SOME_NHS_NUMBER
    if "record_id" in name or name.endswith("_id"):
        return f"PROP-{next(serial)}"
    if re.search(r"year", name):
        return "2025"
    if re.search(r"count|number|score|capacity|minutes|hours|places|rows|size|age", name):
        return "1"
    return TEXT


def fill(form: Form, serial: Iterator[int]) -> dict[str, list[str]]:
    """The form as the page fills it in, with every empty field given a plausible value."""
    data: dict[str, list[str]] = {}
    chosen: set[str] = set()
    for item in form.fields:
        if item.kind in ("checkbox", "radio"):
            if item.checked:
                data.setdefault(item.name, []).append(item.value or "on")
                chosen.add(item.name)
            continue
        if item.kind == "select":
            value = item.value or next((o for o in item.options if o), "")
        elif item.kind == "hidden":
            value = item.value
        else:
            value = item.value.strip() or _generic(item, serial)
        data[item.name] = [value]
    # A choice the page left unmade: the first one offered.
    for item in form.fields:
        if item.kind in ("checkbox", "radio") and item.name not in chosen:
            data[item.name] = [item.value or "on"]
            chosen.add(item.name)
    return data


# Fields through which a form could name a child: the attacker fills them with the
# identity of a child they cannot see.
NAMING = re.compile(
    r"child|reference|public_id|pseudonym|given|first_name|forename|family|surname|"
    r"last_name|birth|dob|nhs|upn|postcode|address|sex"
)


@dataclass(frozen=True)
class Target:
    """What an attacker might know of a child they cannot see."""

    public_id: str
    pseudonym: str
    given_name: str
    family_name: str
    date_of_birth: str
    sex: str
    nhs_number: str
    upn: str
    postcode: str
    address: str

    def value_for(self, name: str) -> str | None:
        name = name.lower()
        rules = (
            (r"pseudonym", self.pseudonym),
            (r"given|first_name|forename", self.given_name),
            (r"family|surname|last_name", self.family_name),
            (r"birth|dob", self.date_of_birth),
            (r"nhs", self.nhs_number),
            (r"upn", self.upn),
            (r"postcode", self.postcode),
            (r"address", self.address),
            (r"(^|_)sex$", self.sex),
            (r"child|reference|public_id", self.public_id),
        )
        return next((value for pattern, value in rules if re.search(pattern, name)), None)


def attack(form: Form, data: dict[str, list[str]], target: Target) -> dict[str, list[str]] | None:
    """The form with every child-naming field set to the target's values; None if none."""
    named = {item.name for item in form.fields if NAMING.search(item.name.lower())}
    if not named:
        return None
    forged = dict(data)
    for name in named:
        value = target.value_for(name)
        if value is not None:
            forged[name] = [value]
    return forged


def target_of(child: Child) -> Target:
    record = SourceRecord.objects.filter(child=child).order_by("pk").first()
    dob = (record.date_of_birth if record else None) or child.date_of_birth
    return Target(
        public_id=str(child.public_id),
        pseudonym=child.pseudonym,
        given_name=(record.given_name if record else "") or child.given_name,
        family_name=(record.family_name if record else "") or child.family_name,
        date_of_birth=dob.isoformat() if dob else "",
        sex=(record.sex if record else "") or child.sex,
        nhs_number=(record.nhs_number if record else "") or child.nhs_number,
        upn=(record.upn if record else "") or child.upn,
        postcode=(record.postcode if record else "") or child.postcode,
        address=record.address if record else "",
    )


# --- Sight ----------------------------------------------------------------------------


def sight(user: Any) -> set[int]:
    """The children the user can open now without break-glass."""
    return set(access.children_in_sight(user).values_list("pk", flat=True))


def assert_sight_is_get_childs_rule(user: Any) -> None:
    """`children_in_sight` is `get_child`'s rule (`grounds_for`) without break-glass, and
    `visible_children` is the same rule with it, for unmerged children."""
    grounds = {child.pk: access.grounds_for(user, child) for child in Child.objects.all()}
    assert sight(user) == {
        pk for pk, why in grounds.items() if why in (access.Grounds.INVOLVED, access.Grounds.PANEL)
    }
    unmerged = set(Child.objects.filter(merged_into__isnull=True).values_list("pk", flat=True))
    assert set(access.visible_children(user).values_list("pk", flat=True)) == {
        pk for pk, why in grounds.items() if why is not None and pk in unmerged
    }


@dataclass(frozen=True)
class Mark:
    """The highest keys before an action, so that what it created can be told apart."""

    child: int
    record: int
    event: int

    @classmethod
    def now(cls) -> Mark:
        def top(model: Any) -> int:
            return int(model.objects.aggregate(top=Max("pk"))["top"] or 0)

        return cls(top(Child), top(SourceRecord), top(ChildEvent))

    def created_children(self) -> set[int]:
        """Children made since the mark that hold no record or event older than it."""
        new = set(Child.objects.filter(pk__gt=self.child).values_list("pk", flat=True))
        older = set(
            SourceRecord.objects.filter(child__in=new, pk__lte=self.record).values_list(
                "child_id", flat=True
            )
        ) | set(
            ChildEvent.objects.filter(child__in=new, pk__lte=self.event).values_list(
                "child_id", flat=True
            )
        )
        return new - older


# --- The world -------------------------------------------------------------------------


@pytest.fixture
def known_world(matrix_world: World) -> World:  # noqa: F811 - the imported fixture
    """The matrix's world, with the identity an agency's extract carries on each record
    (date of birth, sex, postcode, NHS number), linked as a linkage run leaves them."""
    world = matrix_world
    identities = {
        "Jordan": (date(2012, 5, 17), Sex.FEMALE, "TS1 2AB", "9434765919", "1 High Street"),
        "Other": (date(2011, 2, 3), Sex.MALE, "TS3 4CD", "9434765935", "3 Low Road"),
    }
    for child in Child.objects.all():
        born, sex, postcode, nhs, address = identities.get(
            child.given_name, (date(2013, 1, 1), Sex.UNKNOWN, "", "", "")
        )
        SourceRecord.objects.filter(child=child).update(
            date_of_birth=born,
            sex=sex,
            postcode=postcode,
            nhs_number=nhs,
            address=address,
            needs_linking=False,
            link_method="new",
        )
        Child.objects.filter(pk=child.pk).update(
            date_of_birth=born, sex=sex, postcode=postcode, nhs_number=nhs
        )
    return world


# --- Acting ----------------------------------------------------------------------------


def _project_path(url: str) -> str | None:
    """The path of a URL the project itself serves; None for allauth's, or another site's."""
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != "testserver":
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    module = getattr(match.func, "__module__", "") or ""
    return url if module.startswith("safeguarding.") else None


@dataclass
class Attempt:
    url_name: str
    user: str
    action: str
    data: dict[str, list[str]]
    status: int | str


def _submissions(
    client: Client, url: str, target: Target, serial: Iterator[int]
) -> Iterator[tuple[str, dict[str, list[str]]]]:
    """What the user can send from this page: each form, plainly and as the attacker."""
    page = client.get(url)
    if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
        # A page the user may not open is posted to anyway, naming the target every usual
        # way: a handler that checks only on GET would show here.
        forged = {
            name: [target.public_id]
            for name in ("child", "child_id", "other_child", "reference", "public_id")
        }
        forged.update(
            given_name=[target.given_name],
            family_name=[target.family_name],
            date_of_birth=[target.date_of_birth],
            nhs_number=[target.nhs_number],
            record_id=[f"PROP-{next(serial)}"],
        )
        yield url, forged
        return
    for form in post_forms(page.content.decode()):
        action = _project_path(urljoin(url, form.action or url))
        if action is None:
            continue
        data = fill(form, serial)
        buttons = form.buttons[:3] or [None]
        for button in buttons:
            plain = dict(data)
            if button is not None:
                plain[button[0]] = [button[1]]
            yield action, plain
            forged = attack(form, plain, target)
            if forged is not None:
                if "record_id" in forged:
                    forged["record_id"] = [f"PROP-{next(serial)}"]
                yield action, forged


def _caseworkers(world: World) -> list[str]:
    return [
        name
        for name, user in world.users.items()
        if user is not None and user.does_casework and user.agency_id is not None
    ]


class _Undo(Exception):
    """Raised to roll one page's actions back, so that the next page starts afresh."""


def _glass_holders(world: World) -> list[str]:
    """The caseworkers who cannot see the world's child, to whom it is opened by break-glass."""
    return [name for name in _caseworkers(world) if world.child.pk not in sight(world.users[name])]


def widened_by(url_name: str, world: World, *, glass: bool = False) -> list[str]:
    """What posting from this page widened, for each caseworker in turn; with `glass`, for
    each caseworker who holds a live break-glass opening of the world's child, whose
    pages the matrix names: what they do under break-glass must leave nothing behind that
    lets them (or their agency, or a panel) see the child once the opening ends."""
    make_kwargs, _statuses = MATRIX[url_name]
    url = reverse(url_name, kwargs=make_kwargs(world))
    serial = itertools.count(1)
    widened: list[str] = []
    for name in _glass_holders(world) if glass else _caseworkers(world):
        user = world.users[name]
        client = Client()
        client.force_login(user)
        unseen = Child.objects.filter(merged_into__isnull=True).exclude(pk__in=sight(user))
        if glass:
            unseen = unseen.filter(pk=world.child.pk)
        hidden = unseen.order_by("pk").first()
        assert hidden is not None, f"{name} sees every child: the world has no target"
        target = target_of(hidden)
        for action, data in _submissions(client, url, target, serial):
            before, mark = sight(user), Mark.now()
            try:
                with undo_savepoint():
                    status: int | str = client.post(action, data).status_code
            except Exception as error:  # noqa: BLE001 - bad input is another test's concern
                status = f"error {type(error).__name__}"
            gained = sight(user) - before - mark.created_children()
            if gained:
                names = sorted(
                    Child.objects.filter(pk__in=gained).values_list("given_name", flat=True)
                )
                widened.append(
                    f"{url_name}: {name} posting to {action} ({status}) now sees {names}; "
                    f"sent {data}"
                )
    return widened


# One test per app (the URL namespace), one world each: every page of the app is tried
# inside a savepoint that is rolled back, so the pages do not see each other's actions
# and the world is built a dozen times, not two hundred.
APPS = sorted({name.split(":")[0] for name in MATRIX})


def _widened_in(app: str, world: World, *, glass: bool) -> list[str]:
    widened: list[str] = []
    for url_name in sorted(n for n in MATRIX if n.split(":")[0] == app):
        try:
            with undo_savepoint():
                widened += widened_by(url_name, world, glass=glass)
                raise _Undo
        except _Undo:
            pass
    return widened


@pytest.mark.parametrize("app", APPS)
def test_no_action_widens_what_the_user_can_see(app: str, known_world: World) -> None:
    for name in _caseworkers(known_world):
        assert_sight_is_get_childs_rule(known_world.users[name])
    widened = _widened_in(app, known_world, glass=False)
    assert not widened, "an action widened sight:\n" + "\n".join(widened)


@pytest.mark.parametrize("app", APPS)
def test_nothing_done_under_break_glass_outlasts_it(app: str, known_world: World) -> None:
    holders = _glass_holders(known_world)
    assert holders, "no caseworker of the world is outside the child's record"
    for name in holders:
        BreakGlass.objects.create(
            user=known_world.users[name],
            child=known_world.child,
            reason="Opened by the property test to act under break-glass.",
            expires_at=timezone.now() + timedelta(hours=1),
        )
    widened = _widened_in(app, known_world, glass=True)
    assert not widened, "an action under break-glass left lasting sight:\n" + "\n".join(widened)


def test_the_form_reader_finds_fields_and_the_attacker_fills_the_naming_ones() -> None:
    html = """
    <form method="get"><input name="q"></form>
    <form method="post" action="/x/"><input type="hidden" name="csrfmiddlewaretoken" value="t">
      <input name="given_name"><input name="record_id"><input type="date" name="held_on">
      <select name="sex"><option value="">Not known</option><option value="F">F</option></select>
      <textarea name="concerns">Kept</textarea><input type="checkbox" name="tick" value="a">
      <button type="submit" name="decision" value="same">Same</button>
    </form>"""
    (form,) = post_forms(html)
    data = fill(form, itertools.count(1))
    assert data["given_name"] == [TEXT]
    assert data["held_on"] == ["2025-03-01"]
    assert data["sex"] == ["F"]
    assert data["concerns"] == ["Kept"]
    assert data["tick"] == ["a"]
    assert form.buttons == [("decision", "same")]
    target = Target("uuid", "C-X", "Jo", "Doe", "2012-01-01", "F", "943", "", "TS1", "1 Road")
    forged = attack(form, data, target)
    assert forged is not None
    assert forged["given_name"] == ["Jo"]
    assert forged["sex"] == ["F"]
    assert forged["concerns"] == ["Kept"]
