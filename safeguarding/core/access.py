"""Need to know: the one helper family through which child-level data is read or changed.

A child's identifiable record is visible to a user only while

  (a) the user's agency is involved with the child: it holds a source record or an
      event about them, or an open action (each domain app adds its own kind of
      involvement with `register_involvement`);
  (b) the user sits on a panel that has the child on its list; or
  (c) the user opened the record by break-glass, giving a reason, within the last
      BREAK_GLASS_SECONDS.

and only to users who hold a casework role. Otherwise the child does not exist for the
user: the same 404 as for a child that does not exist. Every look and every change is
written to the audit log here, so that checking and recording cannot be separated.

Code elsewhere never queries the child-level models itself (the test
core/tests/test_access_boundary.py fails if it does): it asks these helpers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Exists, Field, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from safeguarding.children.models import (
    CandidateStatus,
    Child,
    ChildEvent,
    ChildLevel,
    IdentityChange,
    LinkCandidate,
    PanelChild,
    SourceRecord,
    SourceRecordVersion,
)
from safeguarding.core import audit
from safeguarding.core.models import AuditAction, BreakGlass, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.core.paginator import Page

    from safeguarding.children.search import ChildSearch

_Row = TypeVar("_Row", bound=ChildLevel)

# An involvement source answers: for this agency, which children is it involved with?
# It returns a queryset of Child primary keys.
InvolvementSource = Callable[[int], QuerySet[Any]]
_involvement_sources: dict[str, InvolvementSource] = {}


def register_involvement(name: str, source: InvolvementSource) -> None:
    """Add a kind of involvement (rule (a)); domain apps call this from AppConfig.ready."""
    _involvement_sources[name] = source


register_involvement(
    "source record",
    lambda agency_id: SourceRecord.objects.filter(agency_id=agency_id, child__isnull=False).values(
        "child_id"
    ),
)
register_involvement(
    "event",
    lambda agency_id: ChildEvent.objects.filter(agency_id=agency_id, child__isnull=False).values(
        "child_id"
    ),
)


class Grounds:
    """Why a user may see a child; shown on the child's page."""

    INVOLVED = "involved"
    PANEL = "panel"
    BREAK_GLASS = "break_glass"


@dataclass(frozen=True)
class ChildAccess:
    child: Child
    grounds: str

    @property
    def by_break_glass(self) -> bool:
        return self.grounds == Grounds.BREAK_GLASS


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, who must be signed in (the views' decorators make sure)."""
    if not isinstance(request.user, User) or not request.user.is_active:
        raise PermissionDenied("Sign in first.")
    return request.user


def _casework_user(user: User | AnonymousUser | None) -> User | None:
    if not isinstance(user, User) or not user.is_active:
        return None
    if (
        not user.does_casework
        or user.agency_id is None
        or (user.agency and not user.agency.is_active)
    ):
        return None
    return user


def _involved_q(user: User) -> Q:
    q = Q(pk__in=[])
    if user.agency_id is None:
        return q
    for source in _involvement_sources.values():
        q |= Q(Exists(_for_this_child(source(user.agency_id))))
    return q


def _for_this_child(child_keys: QuerySet[Any]) -> QuerySet[Any]:
    """A source's rows for the child at hand, correlated, so the check is an index probe.

    `pk IN (every child of the agency)` ORed with the other rules made PostgreSQL scan the
    agency's children once per child looked at: seconds per search at a million children
    (bench/bench_child.py, docs/decisions/0024). EXISTS probes the (agency, child) index.
    """
    selected = child_keys.query.values_select
    key = selected[0] if len(selected) == 1 else "pk"  # a queryset of children themselves
    return child_keys.filter(**{key: OuterRef("pk")})


def _panel_q(user: User) -> Q:
    on_panel = PanelChild.objects.filter(
        child_id=OuterRef("pk"), removed_at__isnull=True, panel__is_active=True, panel__members=user
    )
    return Q(Exists(on_panel))


def _break_glass_q(user: User) -> Q:
    live = BreakGlass.objects.filter(
        child_id=OuterRef("pk"), user=user, expires_at__gt=timezone.now()
    )
    return Q(Exists(live))


def visible_children(user: User | AnonymousUser | None) -> QuerySet[Child]:
    """Every child the user may see by name now. Empty for non-casework roles."""
    worker = _casework_user(user)
    if worker is None:
        return Child.objects.none()
    return Child.objects.filter(merged_into__isnull=True).filter(
        _involved_q(worker) | _panel_q(worker) | _break_glass_q(worker)
    )


def children_in_sight(user: User | AnonymousUser | None) -> QuerySet[Child]:
    """Every child the user may open on rule (a) or (b), merged or not: what `get_child`
    allows without break-glass. No action a user takes may add to it, but for a child the
    action itself made (core/tests/test_no_action_widens_sight.py, decision 0054)."""
    worker = _casework_user(user)
    if worker is None:
        return Child.objects.none()
    return Child.objects.filter(_involved_q(worker) | _panel_q(worker))


def grounds_for(user: User | AnonymousUser | None, child: Child) -> str | None:
    worker = _casework_user(user)
    if worker is None:
        return None
    base = Child.objects.filter(pk=child.pk)
    if base.filter(_involved_q(worker)).exists():
        return Grounds.INVOLVED
    if base.filter(_panel_q(worker)).exists():
        return Grounds.PANEL
    if base.filter(_break_glass_q(worker)).exists():
        return Grounds.BREAK_GLASS
    return None


def _parse_public_id(public_id: str | uuid.UUID) -> uuid.UUID:
    try:
        return public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        raise Http404("No such child.") from None


def get_child(request: HttpRequest, public_id: str | uuid.UUID, *, purpose: str) -> ChildAccess:
    """The child for this request's user, recorded as a view; 404 if not theirs to see."""
    child = Child.objects.filter(public_id=_parse_public_id(public_id)).first()
    grounds = grounds_for(request.user, child) if child else None
    if child is None or grounds is None:
        if child is not None and request.user.is_authenticated:
            # A refused look is worth knowing about; the user still sees only a 404.
            audit.record(
                AuditAction.CHILD_DENIED,
                request=request,
                object_type="child",
                child_ref=str(child.public_id),
                purpose=purpose,
            )
        raise Http404("No such child.")
    audit.record(
        AuditAction.CHILD_VIEW,
        request=request,
        object_type="child",
        object_id=str(child.public_id),
        child_ref=str(child.public_id),
        purpose=purpose,
        detail={"grounds": grounds},
    )
    return ChildAccess(child=child, grounds=grounds)


def get_child_to_change(
    request: HttpRequest, public_id: str | uuid.UUID, *, purpose: str
) -> ChildAccess:
    """`get_child` for a page that adds to or changes the child's record: a child opened
    only by break-glass is refused here (403 saying why), before a form is filled in."""
    granted = get_child(request, public_id, purpose=purpose)
    check_writable(granted)
    return granted


def list_children(request: HttpRequest, *, purpose: str, search: str = "") -> QuerySet[Child]:
    """The children the user may see, for a list page; the listing itself is recorded."""
    children = visible_children(request.user)
    if search:
        for word in search.split()[:4]:
            children = children.filter(
                Q(given_name__icontains=word) | Q(family_name__icontains=word)
            )
    audit.record(
        AuditAction.CHILD_LIST,
        request=request,
        object_type="child",
        purpose=purpose,
        detail={"search": search[:100]},
    )
    return children


def check_may_break_glass(user: User | AnonymousUser) -> User:
    """The user, if their role lets them break glass at all; 404 otherwise.

    Whether the child exists is not checked here: the break-glass page answers the same
    for a child that exists and one that does not, so it tells nobody which ids are real.
    """
    worker = _casework_user(user)
    if worker is None or not worker.may_break_glass:
        raise Http404("No such child.")
    return worker


class BreakGlassRefused(Exception):
    pass


def break_glass(
    request: HttpRequest, public_id: str | uuid.UUID, *, reason: str
) -> BreakGlass | None:
    """Open a child's record by break-glass; the reason goes to the reviewers' queue.

    The brake (core/brakes.py) is applied first: a reason that says something, a role held
    long enough, and the daily limit. An attempt at an id that is no child is recorded and
    counted like an opening, and opens nothing (None), so the answer does not depend on
    whether the child exists until a reasoned, counted, reviewed break-glass is made.
    """
    from safeguarding.core import brakes

    worker = check_may_break_glass(request.user)
    child_id = _parse_public_id(public_id)
    reason = reason.strip()
    problem = brakes.reason_problem(reason) or brakes.role_age_problem(worker)
    if problem:
        raise BreakGlassRefused(problem)
    now = timezone.now()
    with transaction.atomic():
        # One user's openings are counted one at a time, so parallel requests cannot all
        # pass the limit together.
        User.objects.select_for_update().filter(pk=worker.pk).first()
        count = brakes.openings_today(worker) + 1  # this one included
        limit = brakes.limit_problem(count)
        opened = None
        if limit:
            audit.record(
                AuditAction.CHILD_DENIED,
                request=request,
                object_type="break_glass",
                child_ref=str(child_id),
                purpose=reason[:500],
                detail={"refused": "break-glass daily limit", "in_24_hours": count},
            )
        else:
            child = resolve_merged(child_id) or Child.objects.filter(public_id=child_id).first()
            if child is not None:
                opened = BreakGlass.objects.create(
                    user=worker,
                    child=child,
                    reason=reason,
                    opened_at=now,
                    expires_at=now + timedelta(seconds=settings.BREAK_GLASS_SECONDS),
                )
            audit.record(
                AuditAction.BREAK_GLASS,
                request=request,
                object_type="break_glass",
                object_id=str(opened.public_id) if opened else "",
                child_ref=str(child_id),
                purpose=reason,
                detail={
                    "found": child is not None,
                    "in_24_hours": count,
                    "alert": brakes.alert_due(count),
                },
            )
        if brakes.alert_due(count):
            transaction.on_commit(lambda: brakes.send_alert(worker, count=count))
    if limit:
        raise BreakGlassRefused(limit)
    return opened


def break_glass_queue(*, reviewed: bool | None = False) -> QuerySet[BreakGlass]:
    """Break-glass openings for the reviewers. The queue names children; only reviewers see it."""
    queryset = BreakGlass.objects.select_related("user", "user__agency", "child", "reviewed_by")
    if reviewed is not None:
        queryset = queryset.filter(reviewed_at__isnull=not reviewed)
    return queryset


def review_break_glass(
    request: HttpRequest, public_id: uuid.UUID, *, outcome: str, note: str
) -> BreakGlass:
    reviewer = signed_in_user(request)
    if not reviewer.reviews_audit:
        raise PermissionDenied("Only the partnership's reviewers review break-glass.")
    with transaction.atomic():
        opened = (
            BreakGlass.objects.select_for_update()
            .filter(public_id=public_id, reviewed_at__isnull=True)
            .first()
        )
        if opened is None:
            raise Http404("No such break-glass awaiting review.")
        if opened.user_id == reviewer.pk:
            raise BreakGlassRefused("You cannot review your own break-glass.")
        opened.reviewed_by = reviewer
        opened.reviewed_at = timezone.now()
        opened.review_outcome = outcome
        opened.review_note = note.strip()
        opened.save(update_fields=["reviewed_by", "reviewed_at", "review_outcome", "review_note"])
        audit.record(
            AuditAction.BREAK_GLASS_REVIEW,
            request=request,
            object_type="break_glass",
            object_id=str(opened.public_id),
            child_ref=str(opened.child.public_id),
            purpose=note.strip()[:500],
            detail={"outcome": outcome},
        )
    return opened


def child_records(user: User | AnonymousUser, access: ChildAccess) -> QuerySet[SourceRecord]:
    """The agencies' records of a child the user has been granted (via get_child)."""
    return SourceRecord.objects.filter(child=access.child).select_related("agency")


def child_events(user: User | AnonymousUser, access: ChildAccess) -> QuerySet[ChildEvent]:
    """The child's chronology, less restricted entries the user may not see.

    A restricted entry is seen by its source agency and by members of a panel that has
    the child on its list; not by break-glass.
    """
    events = ChildEvent.objects.filter(child=access.child).select_related("agency")
    worker = _casework_user(user)
    if worker is None:
        return events.none()
    on_panel = PanelChild.objects.filter(
        child=access.child, removed_at__isnull=True, panel__is_active=True, panel__members=worker
    ).exists()
    if on_panel:
        return events
    return events.filter(Q(restricted=False) | Q(agency_id=worker.agency_id))


def child_panels(access: ChildAccess) -> QuerySet[PanelChild]:
    return PanelChild.objects.filter(child=access.child, removed_at__isnull=True).select_related(
        "panel"
    )


class ReadOnlyGrounds(PermissionDenied):
    """A write refused because the child was opened by break-glass, which lets a user read
    a record, never add to it: a row written then would make the user's agency (or a
    panel) involved for good, long after the opening ended (docs/decisions/0058)."""

    def __init__(self) -> None:
        super().__init__(
            "You opened this child's record by break-glass: you can read it, but not add to "
            "it or change it. Ask an agency that works with the child to record this, or "
            "the information governance lead."
        )


def check_writable(access: ChildAccess) -> None:
    """Refuse a change to a child opened only by break-glass."""
    if access.grounds == Grounds.BREAK_GLASS:
        raise ReadOnlyGrounds


def record_write(
    request: HttpRequest,
    access: ChildAccess,
    *,
    object_type: str,
    object_id: str,
    created: bool,
    purpose: str = "",
) -> None:
    """Actions that change child-level data call this inside their transaction."""
    check_writable(access)
    audit.record(
        AuditAction.CHILD_CREATE if created else AuditAction.CHILD_UPDATE,
        request=request,
        object_type=object_type,
        object_id=object_id,
        child_ref=str(access.child.public_id),
        purpose=purpose,
    )


class RecordIdTaken(Exception):
    """The user's agency already holds a record under the id typed: nothing was saved."""


# How a record typed by a practitioner came to its child (SourceRecord.link_method).
ENTERED_BY_HAND = "entered by hand"


def record_new_child(request: HttpRequest, values: dict[str, Any]) -> ChildAccess:
    """A practitioner's own record of a child the hub does not know, and a new child that
    holds only that record: the user sees exactly what they typed, nothing more.

    No import and no linkage run here, and nothing is compared with other children, so
    the answer is the same whether or not the hub knows the child: a name and a date of
    birth open nothing. The record waits for the next `safeguarding link`, which never
    joins a record typed by hand to anything itself (`entered_by_hand`): any likely match
    goes to the linkage officer as a pair, and the agency is involved with the other child
    only once the officer confirms it (docs/decisions/0054).
    """
    from safeguarding.children import identity

    user = signed_in_user(request)
    worker = _casework_user(user)
    if worker is None or worker.agency is None:
        raise PermissionDenied("Only a practitioner of an agency records a child.")
    now = timezone.now()
    taken = RecordIdTaken(
        "Your agency already has a record with this id: use your agency's id for this "
        "child, or find the child in the hub."
    )
    with transaction.atomic():
        if SourceRecord.objects.filter(
            agency=worker.agency, record_id=values["record_id"]
        ).exists():
            raise taken
        view = identity.RecordView(worker.agency.code, worker.agency.kind, now, values)
        child = Child.objects.create(
            created_at=now, updated_at=now, **identity.identity_fields([view])
        )
        try:
            with transaction.atomic():
                record = SourceRecord.objects.create(
                    agency=worker.agency,
                    child=child,
                    entered_by_hand=True,
                    needs_linking=True,
                    link_method=ENTERED_BY_HAND,
                    created_at=now,
                    **values,
                )
        except IntegrityError:
            # The same id saved meanwhile (an import, a colleague): the unique constraint.
            raise taken from None
        granted = ChildAccess(child=child, grounds=Grounds.INVOLVED)
        record_write(
            request,
            granted,
            object_type="source_record",
            object_id=f"{worker.agency.code}:{record.record_id}",
            created=True,
            purpose="record a child the hub does not know",
        )
    return granted


class SystemAccess:
    """For system processes (imports, linkage, the demo generator), which act for no user.

    It checks nothing and records nothing itself: the process that uses it writes its own
    audit entry (the demo generator writes one per run).
    """

    def __init__(self, purpose: str) -> None:
        self.purpose = purpose

    def children(self) -> QuerySet[Child]:
        return Child.objects.all()

    def source_records(self) -> QuerySet[SourceRecord]:
        return SourceRecord.objects.all()

    def events(self) -> QuerySet[ChildEvent]:
        return ChildEvent.objects.all()

    def panel_entries(self) -> QuerySet[PanelChild]:
        return PanelChild.objects.all()

    def candidates(self) -> QuerySet[LinkCandidate]:
        return LinkCandidate.objects.all()

    def identity_changes(self) -> QuerySet[IdentityChange]:
        return IdentityChange.objects.all()

    def versions(self) -> QuerySet[SourceRecordVersion]:
        """Source records as they were before an import changed them."""
        return SourceRecordVersion.objects.all()

    def create_rows(self, objects: Sequence[_Row]) -> Sequence[_Row]:
        """Insert many new rows of one child-level model and set their primary keys.

        On PostgreSQL the keys are drawn from the table's sequence and the rows written
        with COPY: Django's bulk_create turns every column into an array in Python first,
        most of the time a first linkage spends making its 400,000 children. SQLite's
        multi-row INSERT is quick already, so there it is bulk_create.
        """
        if not objects:
            return objects
        model = type(objects[0])
        if not getattr(model, "child_level", False):
            raise ValueError(f"{model.__name__} is not a child-level model.")
        alias = router.db_for_write(model)
        connection = connections[alias]
        if connection.vendor != "postgresql":
            return model._default_manager.bulk_create(objects, batch_size=5000)
        meta = model._meta
        pk = meta.pk
        fields = [field for field in meta.concrete_fields if not field.primary_key]
        quote = connection.ops.quote_name
        names = ", ".join(quote(str(field.column)) for field in (pk, *fields))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(objects)],
            )
            keys = [key for (key,) in cursor.fetchall()]
            with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({names}) FROM STDIN") as copy:
                for row, key in zip(objects, keys, strict=True):
                    row.pk = key
                    copy.write_row(
                        [
                            key,
                            *(
                                field.get_db_prep_save(field.pre_save(row, True), connection)
                                for field in fields
                            ),
                        ]
                    )
        for row in objects:
            row._state.adding, row._state.db = False, alias
        return objects

    def update_rows(
        self, model: type[ChildLevel], fields: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> int:
        """Set `fields` on many rows of a child-level model; each row is (pk, *values).

        The rows go into a temporary table (COPY on PostgreSQL) and one UPDATE … FROM
        sets them all, for processes that change hundreds of thousands of rows at once
        (linkage, identity). QuerySet.bulk_update builds a CASE per field and row in
        Python (minutes at 100,000 rows); an UPDATE per row costs a round trip and a
        statement each (most of a first linkage of a million records on PostgreSQL,
        bench/bench_linkage.py). Returns the rows given.
        """
        if not getattr(model, "child_level", False):
            raise ValueError(f"{model.__name__} is not a child-level model.")
        connection = connections[router.db_for_write(model)]
        quote = connection.ops.quote_name
        meta = model._meta
        pk = meta.pk
        columns = [cast("Field[Any, Any]", meta.get_field(name)) for name in fields]
        table, temporary = quote(meta.db_table), quote(f"rows_for_{meta.db_table}")
        names = [f"c{i}" for i in range(len(columns))]
        definition = ", ".join(
            [
                f"pk {pk.rel_db_type(connection)} PRIMARY KEY",
                *(
                    f"{name} {column.db_type(connection)}"
                    for name, column in zip(names, columns, strict=True)
                ),
            ]
        )
        postgres = connection.vendor == "postgresql"
        insert = "INSERT INTO {} VALUES ({})".format(  # noqa: S608 - names from the model
            temporary, ", ".join(["%s"] * (len(columns) + 1))
        )
        done = 0
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {temporary}")
            cursor.execute(f"CREATE TEMPORARY TABLE {temporary} ({definition})")
            batch: list[list[Any]] = []

            def write() -> None:
                if postgres:
                    with cursor.cursor.copy(f"COPY {temporary} FROM STDIN") as copy:
                        for row in batch:
                            copy.write_row(row)
                else:
                    cursor.executemany(insert, batch)

            for key, *values in rows:
                batch.append(
                    [
                        key,
                        *(
                            column.get_db_prep_save(value, connection)
                            for column, value in zip(columns, values, strict=True)
                        ),
                    ]
                )
                if len(batch) == 5000:
                    write()
                    done += len(batch)
                    batch = []
            if batch:
                write()
                done += len(batch)
            if done:
                # UPDATE … FROM: SET names the target's columns bare (SQLite 3.33 or later).
                sets = ", ".join(
                    f"{quote(str(column.column))} = {temporary}.{name}"
                    for name, column in zip(names, columns, strict=True)
                )
                cursor.execute(
                    f"UPDATE {table} SET {sets} FROM {temporary} "  # noqa: S608
                    f"WHERE {table}.{quote(str(pk.column))} = {temporary}.pk"
                )
            cursor.execute(f"DROP TABLE {temporary}")
        return done


# --- Linkage review ---
# The partnership's linkage officers (Role.LINKAGE_OFFICER) work the review queue and merge,
# split and undo. The role is partnership-wide: it sees the identifying fields of any
# child the linkage is unsure about, but no chronology (docs/decisions/0016). Every look
# at a pair or a child is written to the audit log with the purpose below.

LINKAGE_PURPOSE = "linkage review"


def linkage_officer(request: HttpRequest) -> User:
    """The request's user, who must be a linkage officer."""
    user = signed_in_user(request)
    if not user.reviews_linkage:
        raise PermissionDenied("Only the partnership's linkage officers review links.")
    return user


def linkage_index(request: HttpRequest) -> SystemAccess:
    """The whole index, for a linkage officer's merge, split or undo (audited by the caller
    with `record_linkage_change`)."""
    linkage_officer(request)
    return SystemAccess(LINKAGE_PURPOSE)


def record_linkage_change(
    request: HttpRequest,
    action: AuditAction,
    *,
    children: list[Child],
    object_type: str,
    object_id: str,
    purpose: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """One audit entry per child concerned, so that "who touched this child" finds each."""
    for child in children:
        audit.record(
            action,
            request=request,
            object_type=object_type,
            object_id=object_id,
            child_ref=str(child.public_id),
            purpose=purpose,
            detail={
                "children": [str(c.public_id) for c in children],
                **(detail or {}),
            },
        )


def pending_pair_count() -> int:
    """How many pairs wait for a person (a count only: nothing identifying)."""
    return LinkCandidate.objects.filter(status=CandidateStatus.PENDING).count()


def linkage_queue(request: HttpRequest) -> QuerySet[LinkCandidate]:
    """The pairs awaiting review, most probable first; the listing is recorded."""
    linkage_officer(request)
    audit.record(
        AuditAction.CHILD_LIST,
        request=request,
        object_type="link_candidate",
        purpose=LINKAGE_PURPOSE,
        detail={"queue": "pending", "page": request.GET.get("page", "1")[:10]},
    )
    return (
        LinkCandidate.objects.filter(status=CandidateStatus.PENDING)
        .select_related("record__agency", "candidate__agency", "record__child", "candidate__child")
        .order_by("-match_probability", "pk")
    )


def linkage_pair(request: HttpRequest, public_id: str | uuid.UUID) -> LinkCandidate:
    """One pair, with both records and their children; a look at each child is recorded."""
    linkage_officer(request)
    pair = (
        LinkCandidate.objects.filter(public_id=_parse_public_id(public_id))
        .select_related(
            "record__agency",
            "candidate__agency",
            "record__child",
            "candidate__child",
            "decided_by",
        )
        .first()
    )
    if pair is None:
        raise Http404("No such pair.")
    for record in (pair.record, pair.candidate):
        audit.record(
            AuditAction.CHILD_VIEW,
            request=request,
            object_type="link_candidate",
            object_id=str(pair.public_id),
            child_ref=str(record.child.public_id) if record.child else "",
            purpose=LINKAGE_PURPOSE,
            detail={"record": f"{record.agency.code}:{record.record_id}"},
        )
    return pair


def linkage_child(request: HttpRequest, public_id: str | uuid.UUID) -> Child:
    """Any child of the index, merged ones too (their history is here); the look is recorded."""
    linkage_officer(request)
    child = (
        Child.objects.filter(public_id=_parse_public_id(public_id))
        .select_related("merged_into")
        .first()
    )
    if child is None:
        raise Http404("No such child.")
    audit.record(
        AuditAction.CHILD_VIEW,
        request=request,
        object_type="child",
        object_id=str(child.public_id),
        child_ref=str(child.public_id),
        purpose=LINKAGE_PURPOSE,
    )
    return child


def linkage_find_child(request: HttpRequest, reference: str) -> Child | None:
    """A child by pseudonym (C-XXXXXXXX) or public id, for a merge; the search is recorded."""
    linkage_officer(request)
    reference = reference.strip()
    child: Child | None = None
    if reference.upper().startswith("C-"):
        child = Child.objects.filter(pseudonym=reference.upper()).first()
    else:
        try:
            child = Child.objects.filter(public_id=uuid.UUID(reference)).first()
        except ValueError:
            child = None
    audit.record(
        AuditAction.CHILD_SEARCH,
        request=request,
        object_type="child",
        child_ref=str(child.public_id) if child else "",
        purpose=LINKAGE_PURPOSE,
        detail={"reference": reference[:40], "found": child is not None},
    )
    return child


def linkage_child_records(child: Child) -> QuerySet[SourceRecord]:
    """A child's records, for a linkage officer who was granted the child (linkage_child)."""
    return SourceRecord.objects.filter(child=child).select_related("agency")


def linkage_child_pending(child: Child) -> QuerySet[LinkCandidate]:
    """Pairs awaiting review that involve one of the child's records."""
    return LinkCandidate.objects.filter(
        Q(record__child=child) | Q(candidate__child=child), status=CandidateStatus.PENDING
    ).select_related("record__agency", "candidate__agency")


def identity_history(child: Child | None = None) -> QuerySet[IdentityChange]:
    """Merges and splits, newest first: of one child (either side), or of the whole index."""
    changes = IdentityChange.objects.select_related("child", "other", "by", "undone_by")
    if child is not None:
        changes = changes.filter(Q(child=child) | Q(other=child))
    return changes.order_by("-at", "-pk")


def resolve_merged(public_id: str | uuid.UUID) -> Child | None:
    """The live child that a merged child's public id now leads to; None when the id is of
    no child or of a child that was not merged.

    A merged child keeps its row and public id (docs/decisions/0022-merge-split-undo.md);
    links and bookmarks to it lead on to the child it was merged into, following a chain
    of merges. The caller must still check the user may see the child it leads to
    (`get_child`), which records the look.
    """
    try:
        wanted = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        return None
    child = Child.objects.filter(public_id=wanted).only("pk", "merged_into_id").first()
    if child is None or child.merged_into_id is None:
        return None
    seen = {child.pk}
    while child.merged_into_id is not None:
        following = Child.objects.filter(pk=child.merged_into_id).first()
        if following is None or following.pk in seen:  # pragma: no cover - a broken chain
            return None
        seen.add(following.pk)
        child = following
    return child


# --- Search, chronology, export ---
# Finding a child by name (typos and nicknames tolerated), date of birth, NHS number, UPN
# or an agency's reference, only among the children the user may see; the child's
# chronology export. See docs/decisions/0024-child-search-and-chronology.md.

SEARCH_PAGE_SIZE = 50
SEARCH_LIMIT = 500
# How many of the children found the search's audit entry names (the first page's first).
SEARCH_AUDIT_REFS = 20


def _children_holding(**record_fields: str) -> list[int]:
    """Children with an agency record carrying this identifier (one indexed read)."""
    return list(
        SourceRecord.objects.filter(child__isnull=False, **record_fields)
        # The identifiers' indexes are partial (records that have one): say so, or SQLite
        # will not use them.
        .exclude(**dict.fromkeys(record_fields, ""))
        .values_list("child_id", flat=True)
        .distinct()
    )


def _name_q(words: list[str]) -> Q:
    """Every word is the child's given name (or a nickname of it) or family name, by sound;
    of two or more words, one is the family name.

    Written as one branch per word taken as the family name, so that each branch is a
    lookup of both columns of the (family_name_key, given_name_key) index.
    """
    from safeguarding.children.search import family_name_key, given_name_keys

    family = [family_name_key(word) for word in words]
    given = [given_name_keys(word) for word in words]
    if len(words) == 1:
        return Q(family_name_key=family[0]) | Q(given_name_key__in=given[0])
    q = Q(pk__in=[])
    for i, family_key in enumerate(family):
        branch = Q(family_name_key=family_key)
        for j in range(len(words)):
            if j != i:
                others = Q(given_name_key__in=given[j])
                if family[j] == family_key:  # "Jordan Jordan": either name will do
                    others |= Q(family_name_key=family_key)
                branch &= others
        q |= branch
    return q


def _exact_name_rank(typed_name: str) -> Any:
    """How many typed words are the child's given or family name as spelled: exact first."""
    import re

    from django.db.models import Case, IntegerField, Value, When

    words = [word for word in re.split(r"[\s,]+", typed_name) if word][:4]
    rank: Any = Value(0)
    for word in words:
        rank += Case(
            When(Q(given_name__iexact=word) | Q(family_name__iexact=word), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return rank


def _record_agencies() -> Any:
    from django.db.models import Prefetch

    return Prefetch(
        "source_records",
        queryset=SourceRecord.objects.select_related("agency").only(
            "child_id", "agency__name", "agency__code"
        ),
    )


def with_record_agencies(children: QuerySet[Child]) -> QuerySet[Child]:
    """Children with their agencies' records, to show who knows each child in a list."""
    return children.prefetch_related(_record_agencies())


@dataclass(frozen=True)
class SearchResults:
    page: Page[Child]
    # More children matched than SEARCH_LIMIT; the user is asked to narrow the search.
    more: bool


def search_children(request: HttpRequest, terms: ChildSearch, *, page_number: Any) -> SearchResults:
    """One page of the children the user may see that match every term, best first.

    At most SEARCH_LIMIT children are listed (read in one query, no count): a search that
    finds more needs narrowing, not paging. The search is recorded with its terms and what
    it found, so the IG lead can answer "who searched for whom".
    """
    from django.core.paginator import Paginator
    from django.db.models import prefetch_related_objects

    children = visible_children(request.user)
    if words := terms.name_words:
        children = children.filter(_name_q(words))
    if terms.date_of_birth:
        children = children.filter(date_of_birth=terms.date_of_birth)
    if terms.nhs_number:
        held = _children_holding(nhs_number=terms.nhs_number)
        children = children.filter(Q(nhs_number=terms.nhs_number) | Q(pk__in=held))
    if terms.upn:
        held = _children_holding(upn=terms.upn)
        children = children.filter(Q(upn=terms.upn) | Q(pk__in=held))
    if terms.record_id:
        children = children.filter(pk__in=_children_holding(record_id=terms.record_id))
    ordered = children.annotate(exact=_exact_name_rank(terms.name)).order_by(
        "-exact", "family_name", "given_name", "pk"
    )
    found: list[Child] = list(ordered[: SEARCH_LIMIT + 1])
    more = len(found) > SEARCH_LIMIT
    page: Page[Child] = Paginator(found[:SEARCH_LIMIT], SEARCH_PAGE_SIZE).get_page(page_number)
    listed: list[Child] = list(page.object_list)
    prefetch_related_objects(listed, _record_agencies())
    shown = [str(child.public_id) for child in listed]
    audit.record(
        AuditAction.CHILD_SEARCH,
        request=request,
        object_type="child",
        # A search that found one child is a search for that child.
        child_ref=shown[0] if len(found) == 1 else "",
        purpose=f"find a child: {terms.summary()}"[:500],
        detail={
            "terms": terms.describe(),
            "found": f"more than {SEARCH_LIMIT}" if more else len(found),
            "page": page.number,
            "shown": shown[:SEARCH_AUDIT_REFS],
        },
    )
    return SearchResults(page=page, more=more)


def merged_child_destination(request: HttpRequest, public_id: str | uuid.UUID) -> uuid.UUID | None:
    """Where a merged child's old page now is, if the user may see the child it leads to.

    None for a child that was not merged, and for one whose survivor the user may not see
    (they then get the same 404 as for any child they may not see).
    """
    survivor = resolve_merged(public_id)
    if survivor is None or grounds_for(request.user, survivor) is None:
        return None
    return survivor.public_id


def export_child(
    request: HttpRequest, public_id: str | uuid.UUID, *, purpose: str, detail: dict[str, Any]
) -> ChildAccess:
    """The child whose chronology the user exports, under the same rule as `get_child`.

    Recorded as an export (not a view) with the purpose the user gave; a refused export
    is recorded as a refused look and answers 404.
    """
    child = Child.objects.filter(
        public_id=_parse_public_id(public_id), merged_into__isnull=True
    ).first()
    grounds = grounds_for(request.user, child) if child else None
    if child is None or grounds is None:
        if child is not None and request.user.is_authenticated:
            audit.record(
                AuditAction.CHILD_DENIED,
                request=request,
                object_type="child",
                child_ref=str(child.public_id),
                purpose=purpose[:500],
            )
        raise Http404("No such child.")
    audit.record(
        AuditAction.EXPORT,
        request=request,
        object_type="chronology",
        object_id=str(child.public_id),
        child_ref=str(child.public_id),
        purpose=purpose[:500],
        detail={"grounds": grounds, **detail},
    )
    return ChildAccess(child=child, grounds=grounds)


def linkage_history(request: HttpRequest) -> QuerySet[IdentityChange]:
    """Recent merges and splits across the index, for a linkage officer; the look is recorded."""
    linkage_officer(request)
    audit.record(
        AuditAction.CHILD_LIST,
        request=request,
        object_type="identity_change",
        purpose=LINKAGE_PURPOSE,
        detail={"history": True, "page": request.GET.get("page", "1")[:10]},
    )
    return identity_history()


def linkage_change(request: HttpRequest, public_id: str | uuid.UUID) -> IdentityChange:
    """One merge or split, for a linkage officer about to undo it; the look is recorded."""
    linkage_officer(request)
    change = identity_history().filter(public_id=_parse_public_id(public_id)).first()
    if change is None:
        raise Http404("No such change.")
    record_linkage_change(
        request,
        AuditAction.CHILD_VIEW,
        children=[change.child, change.other],
        object_type="identity_change",
        object_id=str(change.public_id),
        purpose=LINKAGE_PURPOSE,
    )
    return change


# --- The domain apps' child-level rows ---
# One family of helpers for every domain app's rows about a child (exploitation: referrals,
# agenda items, decisions, the disruption meeting's links; education: CME cases and their
# checks, the EHE register and its visits, absence returns; young carers: registrations
# and reviews; missing: episodes, return home interviews, profiles, school notices), under
# the rules of the child index: through a child the user was granted (`get_child`,
# `child_row`), through a panel the user sits on (rule (b), `panel_rows`), or about the
# children the user may see now (`visible_rows`, `list_rows`); counts for the feeds
# (`rows_for_counts`) and system processes (`system_rows`). Every look and write is
# recorded. See docs/decisions/0034, 0037 and 0040.


def _child_row_model(model: type[_Row]) -> type[_Row]:
    """The model, if it is a child-level model with a `child`: the rows these helpers give."""
    if not getattr(model, "child_level", False) or not hasattr(model, "child"):
        raise ValueError(f"{model.__name__} is not a child-level model of a child.")
    return model


def exploitation_action_involvement(agency_id: int) -> QuerySet[Any]:
    """Rule (a) for the panels' actions: an agency that owns an open action is involved.

    The actions are in the one action tracker (learning.Action), each pointing at its
    decision by `source_ref` ("exploitation_decision:<pk>", docs/decisions/0045)."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat

    from safeguarding.exploitation.models import ACTION_REF_PREFIX, Decision
    from safeguarding.learning.models import OPEN_STATUSES, Action, SourceKind

    open_action = Action.objects.filter(
        owner_agency_id=agency_id,
        source_kind=SourceKind.PANEL,
        status__in=OPEN_STATUSES,
        source_ref=Concat(Value(ACTION_REF_PREFIX), Cast(OuterRef("pk"), CharField())),
    )
    return Decision.objects.filter(Exists(open_action)).values("child_id")


def _decision_of_action(action: Any) -> int | None:
    from safeguarding.exploitation.models import ACTION_REF_PREFIX

    ref = str(getattr(action, "source_ref", "") or "")
    tail = ref[len(ACTION_REF_PREFIX) :] if ref.startswith(ACTION_REF_PREFIX) else ""
    return int(tail) if tail.isdigit() else None


def is_child_action(action: Any) -> bool:
    """An action of the one tracker that a panel agreed about a child (a decision's)."""
    return _decision_of_action(action) is not None


def _children_of_actions(user: User | AnonymousUser | None, actions: list[Any]) -> dict[int, Child]:
    from safeguarding.exploitation.models import Decision

    wanted = {a.pk: d for a in actions if (d := _decision_of_action(a)) is not None}
    if not wanted:
        return {}
    decisions = Decision.objects.filter(
        pk__in=set(wanted.values()), child__in=visible_children(user)
    ).select_related("child")
    child_of = {d.pk: d.child for d in decisions}
    return {pk: child_of[d] for pk, d in wanted.items() if d in child_of}


def child_actions_shown(request: HttpRequest, actions: list[Any], *, purpose: str) -> set[int]:
    """Of the tracker's actions on a list page, those about a child (a panel decision's)
    that the user may see by name now: the page shows them with the child's reference,
    and every other child's action without it (docs/decisions/0055). The listing of the
    children shown is recorded."""
    children = _children_of_actions(request.user, actions)
    if children:
        audit.record(
            AuditAction.CHILD_LIST,
            request=request,
            object_type="action",
            purpose=purpose,
            detail={"children": sorted({str(c.public_id) for c in children.values()})},
        )
    return set(children)


def child_action_view(request: HttpRequest, action: Any, *, purpose: str) -> ChildAccess | None:
    """The child of a panel decision's action, if the user may see them now: the look is
    recorded as a view of the child (get_child). None for any other action, and for a
    child the user may not see (the page then shows the action without the child's
    reference, and nothing about the child is recorded as seen)."""
    child = _children_of_actions(request.user, [action]).get(action.pk)
    if child is None:
        return None
    return get_child(request, child.public_id, purpose=purpose)


def rows_for_child(access: ChildAccess, model: type[_Row]) -> QuerySet[_Row]:
    """A child-level model's rows about a child the user was granted (via get_child)."""
    return _child_row_model(model)._default_manager.filter(child=access.child)


def is_panel_member(user: User | AnonymousUser | None, panel_id: int) -> bool:
    worker = _casework_user(user)
    return worker is not None and worker.panels.filter(pk=panel_id, is_active=True).exists()


def panel_rows(
    user: User | AnonymousUser | None, panel_id: int, model: type[_Row]
) -> QuerySet[_Row]:
    """Rows about the children on a panel's list, for a member of that panel (rule (b));
    none for anyone else."""
    rows = _child_row_model(model)._default_manager.all()
    if not is_panel_member(user, panel_id):
        return rows.none()
    listed = PanelChild.objects.filter(
        panel_id=panel_id, child_id=OuterRef("child_id"), removed_at__isnull=True
    )
    return rows.filter(Exists(listed))


def visible_rows(user: User | AnonymousUser | None, model: type[_Row]) -> QuerySet[_Row]:
    """Rows about any child the user may see by name now (the flag register)."""
    children = visible_children(user).filter(pk=OuterRef("child_id"))
    return _child_row_model(model)._default_manager.filter(Exists(children))


def list_rows(
    request: HttpRequest, model: type[_Row], *, purpose: str, detail: dict[str, Any] | None = None
) -> QuerySet[_Row]:
    """The rows about children the user may see now, for a list page; the listing is
    recorded (which children the page then shows, the caller may add)."""
    audit.record(
        AuditAction.CHILD_LIST,
        request=request,
        object_type=model.__name__.lower(),
        purpose=purpose,
        detail=detail or {},
    )
    return visible_rows(request.user, model)


def child_row(
    request: HttpRequest, model: type[_Row], public_id: str | uuid.UUID, *, purpose: str
) -> tuple[_Row, ChildAccess]:
    """One row by its public id, with the grant of its child; 404 for a row that does not
    exist and for one about a child the user may not see. Recorded as a look at the child."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        raise Http404("No such record.") from None
    row = (
        _child_row_model(model)
        ._default_manager.filter(public_id=key)
        .select_related("child")
        .first()
    )
    if row is None:
        raise Http404("No such record.")
    child = cast(Child, row.child)  # type: ignore[attr-defined]
    access = get_child(request, child.public_id, purpose=purpose)
    return row, access


def agency_rows(agency_id: int, model: type[_Row]) -> QuerySet[_Row]:
    """Rows about the children an agency is involved with (rule (a)), for its system's API
    token: a token acts for the agency, not for a person, so panels do not count."""
    q = Q(pk__in=[])
    for source in _involvement_sources.values():
        q |= Q(Exists(_for_this_child(source(agency_id))))
    children = Child.objects.filter(q, merged_into__isnull=True, pk=OuterRef("child_id"))
    return _child_row_model(model)._default_manager.filter(Exists(children))


def rows_for_counts(model: type[_Row]) -> QuerySet[_Row]:
    """Every row of the model, for counting only (the feeds' figures): callers aggregate
    and never list or name a row."""
    return _child_row_model(model)._default_manager.all()


def put_on_panel_list(request: HttpRequest, access: ChildAccess, panel_id: int) -> bool:
    """Put the child on a panel's list (rule (b)) unless they are on it; True if added."""
    check_writable(access)
    if PanelChild.objects.filter(
        panel_id=panel_id, child=access.child, removed_at__isnull=True
    ).exists():
        return False
    entry = PanelChild.objects.create(
        panel_id=panel_id, child=access.child, added_by=signed_in_user(request)
    )
    record_write(
        request,
        access,
        object_type="panel_child",
        object_id=str(entry.pk),
        created=True,
        purpose="put on the panel's list",
    )
    return True


def save_child_row(
    request: HttpRequest,
    access: ChildAccess,
    row: ChildLevel,
    *,
    action: AuditAction | None = None,
    purpose: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Save a row about the granted child and record it (CHILD_CREATE/UPDATE unless an
    action is named, e.g. PANEL_DECISION or SHARE)."""
    _child_row_model(type(row))
    check_writable(access)
    if getattr(row, "child_id", None) != access.child.pk:
        raise PermissionDenied("The row is not about the child you were granted.")
    created = row._state.adding
    row.save()
    object_id = str(getattr(row, "public_id", row.pk))
    object_type = type(row).__name__.lower()
    audit.record(
        action or (AuditAction.CHILD_CREATE if created else AuditAction.CHILD_UPDATE),
        request=request,
        object_type=object_type,
        object_id=object_id,
        child_ref=str(access.child.public_id),
        purpose=purpose,
        detail=detail,
    )


def update_if_version(
    access: ChildAccess, model: type[_Row], pk: int, version: int, **values: Any
) -> bool:
    """Compare and set: change the granted child's row only if it is still at `version`,
    raising the version; False if someone saved it since (docs/decisions/0035)."""
    from django.db.models import F

    check_writable(access)

    updated = (
        rows_for_child(access, model)
        .filter(pk=pk, version=version)
        .update(version=F("version") + 1, **values)
    )
    return bool(updated)


def update_panel_rows(rows: QuerySet[_Row], **values: Any) -> int:
    """Change rows got from `panel_rows` or `rows_for_child` (already checked)."""
    return rows.update(**values)


def create_panel_rows(user: User | AnonymousUser | None, panel_id: int, rows: list[_Row]) -> None:
    """Insert rows about children on a panel's list, for a member of that panel (the
    meeting's agenda); refused for any child not on the list."""
    if not rows:
        return
    if not is_panel_member(user, panel_id):
        raise PermissionDenied("Only the panel's members work on its list.")
    listed = set(
        PanelChild.objects.filter(
            panel_id=panel_id,
            removed_at__isnull=True,
            child_id__in=[getattr(row, "child_id", None) for row in rows],
        ).values_list("child_id", flat=True)
    )
    if any(getattr(row, "child_id", None) not in listed for row in rows):
        raise PermissionDenied("A child is not on the panel's list.")
    _child_row_model(type(rows[0]))._default_manager.bulk_create(rows)


# --- Education and young carers ---
# Their rows are read through the helpers above (docs/decisions/0040).


def tracker_involvement(model: type[ChildLevel]) -> InvolvementSource:
    """Rule (a) for a tracker: the agency holding a row (a CME case, a registration) about
    a child is involved with the child."""
    manager: Any = _child_row_model(model)._default_manager
    return lambda agency_id: manager.filter(agency_id=agency_id).values("child_id")


# --- Missing children ---
# The agency that recorded an episode is involved with the child (rule (a)). A school's
# designated safeguarding lead (Role.DSL) is told of a pupil's return: the school is the
# one holding a record of the child (docs/decisions/0037).


def missing_episode_involvement(agency_id: int) -> QuerySet[Any]:
    """Rule (a): an agency that recorded a missing episode of a child is involved."""
    from safeguarding.missing.models import Episode

    return Episode.objects.filter(agency=agency_id).values("child")


def missing_episode_events(system: SystemAccess) -> QuerySet[ChildEvent]:
    """Imported missing-episode events of linked children, for making episodes."""
    return system.events().filter(event_type="missing_episode", child__isnull=False)


def school_leads_of(child: Child) -> QuerySet[User]:
    """The designated safeguarding leads of the schools holding a record of the child."""
    from safeguarding.core.models import AgencyKind
    from safeguarding.core.roles import Role

    schools = SourceRecord.objects.filter(
        child=child, agency__kind=AgencyKind.SCHOOL, agency__removed_at__isnull=True
    ).values("agency_id")
    return User.objects.filter(
        agency_id__in=schools, is_active=True, role_grants__role=Role.DSL
    ).select_related("agency")


def my_school_notices(request: HttpRequest) -> QuerySet[Any]:
    """The notices addressed to the request's user that are due; the listing is recorded."""
    from safeguarding.missing.models import SchoolNotice

    user = signed_in_user(request)
    audit.record(
        AuditAction.CHILD_LIST,
        request=request,
        object_type="schoolnotice",
        purpose="notices of pupils' returns",
    )
    return SchoolNotice.objects.filter(
        recipient=user, due_on__lte=timezone.localdate()
    ).select_related("child", "school", "episode")


def system_rows(system: SystemAccess, model: type[_Row]) -> QuerySet[_Row]:
    """Every row of a child-level model, for a system process that acts for no user
    (making episodes from imported events, sending due notices, the demo, a benchmark);
    the process writes its own audit entry."""
    return _child_row_model(model)._default_manager.all()


class CheckedKeys(Generic[_Row]):
    """The keys of the first rows of a list one of the helpers above returned (the rule
    in it), in the list's order: read once, with the rule checked once, so that a list
    page can count them and then read its rows by key (missing/listing.py). Counting the
    list and then reading the page checked the rule twice, and compiled it twice."""

    def __init__(self, rows: QuerySet[_Row], limit: int) -> None:
        self.model: type[_Row] = rows.model
        self.keys: list[int] = list(rows.values_list("pk", flat=True)[:limit])

    def rows(self, start: int, stop: int) -> QuerySet[_Row]:
        """The rows of keys[start:stop], by key (in no order: the caller restores it)."""
        return self.model._default_manager.filter(pk__in=self.keys[start:stop])


def visible_children_among(
    request: HttpRequest, child_ids: Iterable[int], *, purpose: str
) -> dict[int, Child]:
    """Of these children (found by an aggregate over every row, e.g. repeat missing), the
    ones the user may see, by key; the listing is recorded. Checking the children once
    each is cheaper than checking every row of the aggregate."""
    wanted = list(child_ids)
    audit.record(AuditAction.CHILD_LIST, request=request, object_type="child", purpose=purpose)
    if not wanted:
        return {}
    visible = visible_children(request.user).filter(pk__in=wanted)
    return {
        child.pk: child for child in visible.only("pk", "public_id", "given_name", "family_name")
    }
