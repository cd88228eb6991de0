"""The child index's own child-level queries: the linkage officers' review of the index,
and finding and exporting a child. Built from the core family (safeguarding.core.access),
whose rule they apply; every look is written to the audit log here.

Only the child index's models are touched here (core/tests/test_access_boundary.py).
See docs/decisions/0016, 0022, 0024 and 0061.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from safeguarding.children.models import (
    CandidateStatus,
    Child,
    IdentityChange,
    LinkCandidate,
    SourceRecord,
)
from safeguarding.core import audit
from safeguarding.core.access import (
    ChildAccess,
    SystemAccess,
    grounds_for,
    resolve_merged,
    signed_in_user,
    visible_children,
)
from safeguarding.core.access.rules import _parse_public_id
from safeguarding.core.models import AuditAction, User

if TYPE_CHECKING:
    from django.core.paginator import Page

    from safeguarding.children.search import ChildSearch


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
    return SystemAccess(LINKAGE_PURPOSE, request=request)


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
        to_attr="agency_records",
    )


def with_record_agencies(children: QuerySet[Child]) -> QuerySet[Child]:
    """Children with their agencies' records (`agency_records`), to show who knows each
    child in a list."""
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
