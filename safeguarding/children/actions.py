"""Changes of state in the child index made by a person: the linkage officer's decisions.

Each function runs in one transaction and is audited. They reach child-level data only
through children/access.py (`linkage_index`, which checks the user is a linkage
officer). The rules (docs/decisions/0022-merge-split-undo.md):

- No source record is ever deleted, and every record always has a child: a merge moves
  records onto the child that stays, a split moves them onto a new child.
- A merged child keeps its row and public id, marked `merged_into`, so that links to it
  still lead somewhere and the merge can be undone.
- A child never holds two different valid NHS numbers: such a merge is refused.
- Every merge and split writes an IdentityChange saying exactly what moved, so that undo
  can move it back. Undo is refused while a later change depends on the same records.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import F, Q
from django.http import Http404, HttpRequest
from django.utils import timezone

from safeguarding.children import access as children_access
from safeguarding.children.identity import refresh_children
from safeguarding.children.models import (
    CandidateStatus,
    Child,
    IdentityChange,
    IdentityChangeKind,
    LinkCandidate,
)
from safeguarding.core import access, identifiers, refusals, transactions
from safeguarding.core.access import SystemAccess
from safeguarding.core.models import AuditAction

# How a record came to its child when a person decided it (SourceRecord.link_method).
BY_PERSON = "person"


class IdentityChangeRefused(refusals.Refused):
    """A merge, split, decision or undo that the rules do not allow; the message says why."""

    code = "children.identity_change_refused"


def _now_child(index: SystemAccess, child: Child) -> Child:
    """The child's row as it is now, locked for the rest of the transaction."""
    locked = index.children().select_for_update().filter(pk=child.pk).first()
    if locked is None:
        raise Http404("No such child.")
    return locked


def _lock_children(index: SystemAccess, *children: Child) -> list[Child]:
    # Always in primary-key order, so that two officers' merges cannot deadlock.
    locked = index.children().select_for_update().filter(pk__in=[c.pk for c in children])
    rows = {c.pk: c for c in locked.order_by("pk")}
    if any(child.pk not in rows for child in children):
        raise Http404("No such child.")
    return [rows[c.pk] for c in children]


def _valid_nhs_numbers(index: SystemAccess, child: Child) -> set[str]:
    numbers = index.source_records().filter(child=child).exclude(nhs_number="")
    found = {n for n in numbers.values_list("nhs_number", flat=True) if n}
    if child.nhs_number:
        found.add(child.nhs_number)
    return {n for n in found if identifiers.is_valid_nhs_number(n)}


def _ending(nhs_number: str) -> str:
    return f"ending {nhs_number[-4:]}"


def _links_of(index: SystemAccess, record_ids: Iterable[int]) -> list[list[Any]]:
    return [
        [pk, method, probability]
        for pk, method, probability in index.source_records()
        .filter(pk__in=list(record_ids))
        .values_list("pk", "link_method", "link_probability")
        .order_by("pk")
    ]


def _restore_links(index: SystemAccess, links: list[list[Any]]) -> None:
    by_value: dict[tuple[str, float | None], list[int]] = defaultdict(list)
    for pk, method, probability in links:
        by_value[(method, probability)].append(pk)
    for (method, probability), pks in by_value.items():
        index.source_records().filter(pk__in=pks).update(
            link_method=method, link_probability=probability
        )


def _refused_if_merged(child: Child) -> None:
    if child.merged_into_id is not None:
        raise IdentityChangeRefused(
            f"{child.pseudonym} was merged into another child: work with that child instead."
        )


def _check_merge(index: SystemAccess, keep: Child, other: Child) -> None:
    _refused_if_merged(keep)
    _refused_if_merged(other)
    keep_numbers, other_numbers = _valid_nhs_numbers(index, keep), _valid_nhs_numbers(index, other)
    if keep_numbers and other_numbers and len(keep_numbers | other_numbers) > 1:
        raise IdentityChangeRefused(
            "These children hold different NHS numbers "
            f"({', '.join(map(_ending, sorted(keep_numbers)))} and "
            f"{', '.join(map(_ending, sorted(other_numbers)))}), and a child never holds two. "
            "If one of them is wrong, the agency that holds it must correct it at source."
        )


def merge_refusal(request: HttpRequest, keep: Child, other: Child) -> str | None:
    """Why merging these two would be refused, if it would: asked before a person confirms."""
    index = children_access.linkage_index(request)
    if keep.pk == other.pk:
        return "These are the same child: there is nothing to merge."
    try:
        _check_merge(index, keep, other)
    except IdentityChangeRefused as refused:
        return str(refused)
    return None


@transactions.action
def merge_children(
    request: HttpRequest,
    keep: Child,
    other: Child,
    *,
    reason: str,
    confirmed: LinkCandidate | None = None,
) -> IdentityChange:
    """Move everything of `other` onto `keep` and mark `other` merged into it.

    `confirmed` is the reviewed pair that led to the merge, if any: its record's link
    probability is kept on the record, and undoing the merge puts the pair back in the queue.
    """
    index = children_access.linkage_index(request)
    user = access.signed_in_user(request)
    if keep.pk == other.pk:
        raise IdentityChangeRefused("These are the same child: there is nothing to merge.")
    keep, other = _lock_children(index, keep, other)
    _check_merge(index, keep, other)

    record_ids = list(
        index.source_records().filter(child=other).order_by("pk").values_list("pk", flat=True)
    )
    links_before = _links_of(index, record_ids)
    event_ids = list(
        index.events()
        .filter(Q(child=other) | Q(source_record_id__in=record_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    keep_panels = set(
        index.panel_entries()
        .filter(child=keep, removed_at__isnull=True)
        .values_list("panel_id", flat=True)
    )
    moved_entries: list[int] = []
    closed_entries: list[int] = []
    for pk, panel_id in (
        index.panel_entries()
        .filter(child=other, removed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "panel_id")
    ):
        # Listed on a panel `keep` is already on: the entry would be a duplicate.
        (closed_entries if panel_id in keep_panels else moved_entries).append(pk)

    now = timezone.now()
    index.source_records().filter(pk__in=record_ids).update(child=keep, link_method=BY_PERSON)
    if confirmed is not None:
        index.source_records().filter(pk=confirmed.record_id, child=keep).update(
            link_probability=confirmed.match_probability
        )
    index.events().filter(pk__in=event_ids).update(child=keep)
    index.panel_entries().filter(pk__in=moved_entries).update(child=keep)
    index.panel_entries().filter(pk__in=closed_entries).update(removed_at=now)
    # Pairs that now sit inside one child have nothing left to decide.
    moot = index.candidates().filter(
        Q(record_id__in=record_ids) | Q(candidate_id__in=record_ids),
        status=CandidateStatus.PENDING,
        record__child=F("candidate__child"),
    )
    if confirmed is not None:
        moot = moot.exclude(pk=confirmed.pk)
    superseded = list(moot.order_by("pk").values_list("pk", flat=True))
    index.candidates().filter(pk__in=superseded).update(status=CandidateStatus.SUPERSEDED)

    other.merged_into = keep
    other.updated_at = now
    other.save(update_fields=["merged_into", "updated_at"])
    change = index.identity_changes().create(
        kind=IdentityChangeKind.MERGE,
        child=keep,
        other=other,
        records={
            "records": record_ids,
            "events": event_ids,
            "panel_entries": moved_entries,
            "panel_entries_closed": closed_entries,
            "links_before": links_before,
            "candidates_superseded": superseded,
            "candidate_confirmed": confirmed.pk if confirmed is not None else None,
        },
        reason=reason.strip(),
        by=user,
        at=now,
    )
    # The merged child keeps the identity it had, so that its history still says who it was.
    refresh_children(index, [keep.pk])
    children_access.record_linkage_change(
        request,
        AuditAction.CHILD_MERGE,
        children=[keep, other],
        object_type="identity_change",
        object_id=str(change.public_id),
        purpose=reason.strip(),
        detail={
            "kept": keep.pseudonym,
            "merged": other.pseudonym,
            "records": len(record_ids),
            "events": len(event_ids),
            "panel_entries": len(moved_entries),
        },
    )
    return change


@transactions.together()  # a decision of the same child runs merge_children inside
def decide_candidate(
    request: HttpRequest, public_id: str | uuid.UUID, *, same_child: bool, note: str
) -> LinkCandidate:
    """A person's decision on a pair: the same child (their children are merged) or not.

    A rejected pair is remembered: the linkage never queues that pair again.
    """
    index = children_access.linkage_index(request)
    user = access.signed_in_user(request)
    try:
        wanted = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        raise Http404("No such pair.") from None
    pair = index.candidates().select_for_update().filter(public_id=wanted).first()
    if pair is None:
        raise Http404("No such pair.")
    if pair.status != CandidateStatus.PENDING:
        raise IdentityChangeRefused(
            f"This pair was already decided: {pair.get_status_display().lower()}."
        )
    record = index.source_records().select_related("agency", "child").get(pk=pair.record_id)
    candidate = index.source_records().select_related("agency", "child").get(pk=pair.candidate_id)
    note = note.strip()
    pair.status = CandidateStatus.CONFIRMED if same_child else CandidateStatus.REJECTED
    pair.decided_by = user
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    children = [c for c in (candidate.child, record.child) if c is not None]
    merge: IdentityChange | None = None
    if same_child and record.child and candidate.child and record.child_id != candidate.child_id:
        # The indexed record's child stays; the new record's child joins it.
        merge = merge_children(
            request,
            candidate.child,
            record.child,
            reason=note or "Confirmed as the same child in the linkage review queue.",
            confirmed=pair,
        )
    children_access.record_linkage_change(
        request,
        AuditAction.LINK_REVIEW,
        children=list({c.pk: c for c in children}.values()),
        object_type="link_candidate",
        object_id=str(pair.public_id),
        purpose=note or children_access.LINKAGE_PURPOSE,
        detail={
            "decision": "same child" if same_child else "different children",
            "match_probability": pair.match_probability,
            "records": [f"{r.agency.code}:{r.record_id}" for r in (record, candidate)],
            "merge": str(merge.public_id) if merge else None,
        },
    )
    return pair


@transactions.action
def split_child(
    request: HttpRequest, child: Child, record_ids: Iterable[int], *, reason: str
) -> IdentityChange:
    """Move the chosen records (and their events) off `child` onto a new child."""
    index = children_access.linkage_index(request)
    user = access.signed_in_user(request)
    child = _now_child(index, child)
    _refused_if_merged(child)
    chosen = sorted({int(pk) for pk in record_ids})
    if not chosen:
        raise IdentityChangeRefused("Choose at least one record to split off.")
    holds = set(index.source_records().filter(child=child).values_list("pk", flat=True))
    if not set(chosen) <= holds:
        raise IdentityChangeRefused("Some of the chosen records are not this child's.")
    if set(chosen) == holds:
        raise IdentityChangeRefused(
            "At least one record must stay with this child: leave one unticked."
        )
    now = timezone.now()
    new_child = index.children().create(created_at=now, updated_at=now)
    links_before = _links_of(index, chosen)
    event_ids = list(
        index.events()
        .filter(source_record_id__in=chosen)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    index.source_records().filter(pk__in=chosen).update(child=new_child, link_method=BY_PERSON)
    index.events().filter(pk__in=event_ids).update(child=new_child)
    change = index.identity_changes().create(
        kind=IdentityChangeKind.SPLIT,
        child=child,
        other=new_child,
        records={"records": chosen, "events": event_ids, "links_before": links_before},
        reason=reason.strip(),
        by=user,
        at=now,
    )
    refresh_children(index, [child.pk, new_child.pk])
    new_child.refresh_from_db()
    children_access.record_linkage_change(
        request,
        AuditAction.CHILD_SPLIT,
        children=[child, new_child],
        object_type="identity_change",
        object_id=str(change.public_id),
        purpose=reason.strip(),
        detail={
            "from": child.pseudonym,
            "new": new_child.pseudonym,
            "records": len(chosen),
            "events": len(event_ids),
        },
    )
    return change


def _data(change: IdentityChange) -> dict[str, Any]:
    # Older rows may hold a bare list of record ids.
    records = change.records
    return records if isinstance(records, dict) else {"records": list(records or [])}


def _moved(change: IdentityChange, key: str) -> list[int]:
    return [int(pk) for pk in _data(change).get(key) or []]


def _when(moment: Any) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _blocking_change(index: SystemAccess, change: IdentityChange) -> IdentityChange | None:
    """A later change, not undone, that moved any of the same records."""
    mine = set(_moved(change, "records"))
    later = index.identity_changes().filter(pk__gt=change.pk, undone_at__isnull=True).order_by("pk")
    for other in later:
        if mine & set(_moved(other, "records")):
            return other
    return None


@transactions.action
def undo_change(
    request: HttpRequest, change_public_id: str | uuid.UUID, *, reason: str
) -> IdentityChange:
    """Move back what a merge or a split moved, as it was before."""
    index = children_access.linkage_index(request)
    user = access.signed_in_user(request)
    try:
        wanted = (
            change_public_id
            if isinstance(change_public_id, uuid.UUID)
            else uuid.UUID(str(change_public_id))
        )
    except ValueError:
        raise Http404("No such change.") from None
    change = index.identity_changes().select_for_update().filter(public_id=wanted).first()
    if change is None:
        raise Http404("No such change.")
    if change.undone_at is not None:
        raise IdentityChangeRefused(
            f"This {change.get_kind_display().lower()} was already undone "
            f"on {_when(change.undone_at)}."
        )
    if change.kind not in (IdentityChangeKind.MERGE, IdentityChangeKind.SPLIT):
        raise IdentityChangeRefused("Only a merge or a split can be undone.")
    blocking = _blocking_change(index, change)
    if blocking is not None:
        raise IdentityChangeRefused(
            f"A later {blocking.get_kind_display().lower()} "
            f"(on {_when(blocking.at)}) moved some of the same "
            "records: undo that one first."
        )
    # `child` holds the records after a merge; the split-off child (`other`) after a split.
    holder, owner = _lock_children(index, change.child, change.other)
    if change.kind == IdentityChangeKind.SPLIT:
        holder, owner = owner, holder
    record_ids = _moved(change, "records")
    where_now = set(
        index.source_records().filter(pk__in=record_ids).values_list("child_id", flat=True)
    )
    if where_now - {holder.pk}:
        raise IdentityChangeRefused(
            "Some of the records this change moved have moved again since: "
            "they are no longer where it left them, so it cannot be undone."
        )
    now = timezone.now()
    if change.kind == IdentityChangeKind.MERGE:
        _undo_merge(index, change, keep=holder, other=owner, now=now)
    else:
        _undo_split(index, change, child=owner, new_child=holder, now=now)
    change.undone_at = now
    change.undone_by = user
    change.save(update_fields=["undone_at", "undone_by"])
    children_access.record_linkage_change(
        request,
        AuditAction.IDENTITY_UNDO,
        children=[change.child, change.other],
        object_type="identity_change",
        object_id=str(change.public_id),
        purpose=reason.strip(),
        detail={"kind": change.kind, "records": len(record_ids)},
    )
    return change


def _records_back(
    index: SystemAccess, change: IdentityChange, to: Child, *, events_too: Iterable[int] = ()
) -> None:
    record_ids = _moved(change, "records")
    index.source_records().filter(pk__in=record_ids).update(child=to)
    _restore_links(index, _data(change).get("links_before") or [])
    # Events follow their record, including any an agency sent since the change.
    index.events().filter(Q(source_record_id__in=record_ids) | Q(pk__in=list(events_too))).update(
        child=to
    )


def _undo_merge(
    index: SystemAccess, change: IdentityChange, *, keep: Child, other: Child, now: Any
) -> None:
    _records_back(index, change, other, events_too=_moved(change, "events"))
    index.panel_entries().filter(pk__in=_moved(change, "panel_entries"), child=keep).update(
        child=other
    )
    index.panel_entries().filter(pk__in=_moved(change, "panel_entries_closed")).update(
        removed_at=None
    )
    index.candidates().filter(
        pk__in=_moved(change, "candidates_superseded"), status=CandidateStatus.SUPERSEDED
    ).update(status=CandidateStatus.PENDING)
    confirmed = _data(change).get("candidate_confirmed")
    if confirmed is not None:
        # The pair that led to the merge goes back to the queue, to be decided again.
        index.candidates().filter(pk=confirmed, status=CandidateStatus.CONFIRMED).update(
            status=CandidateStatus.PENDING, decided_by=None, decided_at=None
        )
    other.merged_into = None
    other.updated_at = now
    other.save(update_fields=["merged_into", "updated_at"])
    refresh_children(index, [keep.pk, other.pk])


def _undo_split(
    index: SystemAccess, change: IdentityChange, *, child: Child, new_child: Child, now: Any
) -> None:
    others = (
        index.source_records().filter(child=new_child).exclude(pk__in=_moved(change, "records"))
    )
    if others.exists():
        raise IdentityChangeRefused(
            "Other records have joined the split-off child since the split: "
            "merge the two children instead."
        )
    if new_child.merged_into_id is not None:
        raise IdentityChangeRefused("The split-off child was merged since: undo that merge first.")
    _records_back(index, change, child, events_too=_moved(change, "events"))
    # A panel may have listed the split-off child since; the listing follows to the child.
    listed = set(
        index.panel_entries()
        .filter(child=child, removed_at__isnull=True)
        .values_list("panel_id", flat=True)
    )
    entries = index.panel_entries().filter(child=new_child, removed_at__isnull=True)
    entries.filter(panel_id__in=listed).update(removed_at=now)
    entries.exclude(panel_id__in=listed).update(child=child)
    # The split-off child keeps its row, so that its public id still leads somewhere.
    new_child.merged_into = child
    new_child.updated_at = now
    new_child.save(update_fields=["merged_into", "updated_at"])
    refresh_children(index, [child.pk])
