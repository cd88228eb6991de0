"""Step 3 of the linkage core: cluster the strong pairs under the rules no score overrides,
and send the pairs between the thresholds to the review queue (docs/decisions/0021)."""

from __future__ import annotations

import gc
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pyarrow as pa

from safeguarding.children.linkage.duck import Progress
from safeguarding.children.linkage.model import comparison_fields, for_records, level_for, levels
from safeguarding.children.linkage.score import Edge, Scored, score

# --- Deciding -------------------------------------------------------------------------

METHOD_MODEL = "model"
METHOD_NHS = "nhs number"
METHOD_NEW = "new"


class Assignment(NamedTuple):
    """Where one new or changed record goes.

    `child` is an existing child; else `group` numbers a new child (0, 1, ...), shared by
    the new records that matched each other. `kept` is a changed record that stays with
    its child (method and probability unchanged).
    """

    record: int
    child: int | None
    group: int | None
    method: str
    probability: float | None
    kept: bool = False


class Candidate(NamedTuple):
    """A pair for a person to decide: `record` is new; `candidate` is in another cluster."""

    record: int
    candidate: int
    match_probability: float
    match_weight: float
    comparisons: list[dict[str, Any]]


@dataclass
class Decisions:
    assignments: list[Assignment] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    new_groups: int = 0
    pairs_scored: int = 0
    # Changed records taken out of their child: they now hold an NHS number that differs
    # from another record of that child.
    detached: list[int] = field(default_factory=list)
    # Changed records that stayed with their child although nothing else of the child
    # still matches them well (a person may want to split them off).
    weakly_held: list[int] = field(default_factory=list)

    @property
    def linked(self) -> int:
        return sum(1 for a in self.assignments if a.method in (METHOD_MODEL, METHOD_NHS))


class _Clusters:
    """Union-find over new records (positive ids) and existing children (negative ids)."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.child: dict[int, int | None] = {}
        self.nhs: dict[int, frozenset[str]] = {}

    def add(self, node: int, child: int | None, nhs: frozenset[str]) -> None:
        if node not in self.parent:
            self.parent[node] = node
            self.child[node] = child
            self.nhs[node] = nhs

    def find(self, node: int) -> int:
        parent = self.parent
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    def compatible(self, a: int, b: int) -> bool:
        child_a, child_b = self.child[a], self.child[b]
        if child_a is not None and child_b is not None and child_a != child_b:
            return False
        return nhs_compatible(self.nhs[a], self.nhs[b])

    def union(self, a: int, b: int) -> int:
        # The smaller id becomes the root, so that the result does not depend on order.
        keep, other = (a, b) if a < b else (b, a)
        self.parent[other] = keep
        self.child[keep] = self.child[keep] if self.child[keep] is not None else self.child[other]
        self.nhs[keep] = self.nhs[keep] | self.nhs[other]
        return keep

    def roots(self) -> dict[int, int]:
        return {node: self.find(node) for node in self.parent}


def nhs_compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether joining brings a second valid NHS number into a child: never allowed."""
    return not a or not b or (a == b and len(a) == 1)


def _column(table: pa.Table, name: str) -> list[Any]:
    return table.column(name).to_pylist()


def decide(
    new: pa.Table,
    index: pa.Table | None,
    scored: Scored,
    settings: Mapping[str, Any],
    *,
    upper: float,
    lower: float,
    rejected: Iterable[tuple[int, int]] = (),
    pending: Iterable[tuple[int, int]] = (),
    held: Iterable[int] = (),
) -> Decisions:
    """Turn scored pairs into where each new record goes and which pairs a person sees.

    `held` are records never linked automatically (typed by hand): every pair they are
    part of is for a person, whatever its probability or a shared NHS number.
    """
    # A million records make millions of small objects and nothing cyclic: the cyclic
    # collector would only walk them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _decide(
            new,
            index,
            scored,
            settings,
            upper=upper,
            lower=lower,
            rejected=rejected,
            pending=pending,
            held=frozenset(held),
        )
    finally:
        if collecting:
            gc.enable()


def _decide(
    new: pa.Table,
    index: pa.Table | None,
    scored: Scored,
    settings: Mapping[str, Any],
    *,
    upper: float,
    lower: float,
    rejected: Iterable[tuple[int, int]],
    pending: Iterable[tuple[int, int]],
    held: frozenset[int] = frozenset(),
) -> Decisions:
    new_ids = sorted(_column(new, "unique_id"))
    new_nhs = dict(zip(_column(new, "unique_id"), _column(new, "nhs_number"), strict=True))
    current = dict(zip(_column(new, "unique_id"), _column(new, "child_id"), strict=True))
    child_of: dict[int, int] = {}
    child_nhs: dict[int, set[str]] = {}
    if index is not None and index.num_rows:
        for uid, child, nhs in zip(
            _column(index, "unique_id"),
            _column(index, "child_id"),
            _column(index, "nhs_number"),
            strict=True,
        ):
            child_of[uid] = child
            if nhs:
                child_nhs.setdefault(child, set()).add(nhs)
    never = {(min(a, b), max(a, b)) for a, b in rejected}
    queued = {(min(a, b), max(a, b)) for a, b in pending}

    clusters = _Clusters()

    def child_node(child: int) -> int:
        clusters.add(-child, child, frozenset(child_nhs.get(child, ())))
        return -child

    decisions = Decisions(pairs_scored=scored.pairs_scored)
    # A changed record starts in its own child, unless it now holds an NHS number that
    # another record of the child contradicts: then it is linked afresh.
    empty: frozenset[str] = frozenset()
    for uid in new_ids:
        nhs = new_nhs[uid]
        clusters.add(uid, None, frozenset((nhs,)) if nhs else empty)
        held_by = current[uid]
        if held_by is not None:
            node = child_node(held_by)
            if clusters.compatible(clusters.find(uid), clusters.find(node)):
                clusters.union(clusters.find(uid), clusters.find(node))
            else:
                decisions.detached.append(uid)

    def node_of(uid: int, indexed: bool) -> int:
        return child_node(child_of[uid]) if indexed else uid

    edges = [
        edge
        for edge in scored.edges
        if not never or (min(edge[2], edge[3]), max(edge[2], edge[3])) not in never
    ]
    # A pair with a record typed by hand is never strong: it is a person's to decide.
    strong = [
        edge
        for edge in edges
        if (edge[0] >= upper or edge[5]) and not (held and (edge[2] in held or edge[3] in held))
    ]

    # Strong pairs join clusters, most probable first, while the rules allow.
    for _p, _w, record, other, indexed, _by_nhs, guarded, _weights in strong:
        if guarded:
            continue
        a, b = clusters.find(record), clusters.find(node_of(other, indexed))
        if a != b and clusters.compatible(a, b):
            clusters.union(a, b)
    root = clusters.roots()

    # Each new record's evidence: its most probable strong pair inside its cluster.
    best: dict[int, tuple[float, bool]] = {}
    for chance, _w, record, other, indexed, by_nhs, guarded, _weights in strong:
        if guarded or root[record] != root[-child_of[other] if indexed else other]:
            continue
        for uid in (record,) if indexed else (record, other):
            if uid not in best or (chance, by_nhs) > best[uid]:
                best[uid] = (chance, by_nhs)

    # New children: one per cluster without a child, numbered by its smallest record.
    group_of_root: dict[int, int] = {}
    founders: set[int] = set()
    for uid in new_ids:
        top = root[uid]
        if clusters.child[top] is None and top not in group_of_root:
            group_of_root[top] = len(group_of_root)
            founders.add(uid)
    decisions.new_groups = len(group_of_root)

    detached = set(decisions.detached)
    assignments = decisions.assignments
    for uid in new_ids:
        top = root[uid]
        child = clusters.child[top]
        if child is not None and child == current[uid] and uid not in detached:
            assignments.append(Assignment(uid, child, None, "", None, True))
            continue
        probability: float | None = None
        method = METHOD_NEW
        if uid not in founders and uid in best:
            probability, by_nhs = best[uid]
            method = METHOD_NHS if by_nhs else METHOD_MODEL
        group = group_of_root.get(top) if child is None else None
        assignments.append(Assignment(uid, child, group, method, probability))

    # A changed record that stayed with its child: does anything of the child still
    # match it well? (Only asked when the child holds other records.)
    kept = [a.record for a in assignments if a.kept]
    if kept:
        holding = Counter(child_of.values())
        decisions.weakly_held = [
            uid for uid in kept if holding.get(current[uid], 0) and uid not in best
        ]

    decisions.candidates = _candidates(
        edges,
        clusters,
        root,
        node_of,
        settings,
        upper=upper,
        lower=lower,
        queued=queued,
        changed={uid for uid in new_ids if current[uid] is not None and uid not in detached},
    )
    return decisions


def _candidates(
    edges: Sequence[Edge],
    clusters: _Clusters,
    root: dict[int, int],
    node_of: Callable[[int, bool], int],
    settings: Mapping[str, Any],
    *,
    upper: float,
    lower: float,
    queued: set[tuple[int, int]],
    changed: set[int],
) -> list[Candidate]:
    """The pairs a person should see: the best one between each two clusters.

    Only pairs that touch a cluster the model did not attach to an existing child (or a
    changed record), unless the pair is strong: a strong pair between two existing
    children is a merge the model may not make itself, and a strong pair it was kept from
    linking (twins) is for a person too.
    """
    by_level = levels(settings)
    fields = comparison_fields(settings)
    seen: set[tuple[int, int]] = set()
    found: list[Candidate] = []
    for probability, weight, record, other, indexed, _by_nhs, _guarded, weights in edges:
        if probability < lower:
            break
        a = root[record]
        b = clusters.find(node_of(other, indexed)) if indexed else root[other]
        if a == b or not nhs_compatible(clusters.nhs[a], clusters.nhs[b]):
            continue
        if not (clusters.child[a] is None or record in changed or probability >= upper):
            continue
        key = (a, b) if a < b else (b, a)
        if key in seen:
            continue
        seen.add(key)
        if (min(record, other), max(record, other)) in queued:
            continue
        parts = [
            (name, part) for name, part in zip(fields, weights, strict=False) if part is not None
        ]
        detail: list[dict[str, Any]] = [
            {
                "field": name,
                "level": level_for(by_level, name, part).label,
                "weight": round(part, 2),
            }
            for name, part in parts
        ]
        found.append(
            Candidate(
                record=record,
                candidate=other,
                match_probability=probability,
                match_weight=weight if math.isfinite(weight) else sum(p for _n, p in parts),
                comparisons=detail,
            )
        )
    return found


def link_tables(
    new: pa.Table,
    index: pa.Table | None,
    settings: Mapping[str, Any],
    *,
    upper: float,
    lower: float,
    trained_on: int = 0,
    rejected: Iterable[tuple[int, int]] = (),
    pending: Iterable[tuple[int, int]] = (),
    held: Iterable[int] = (),
    progress: Progress | None = None,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> Decisions:
    """Score and decide: what a run of `safeguarding link` does between reading and writing."""
    if not new.num_rows:
        return Decisions()
    records = new.num_rows + (index.num_rows if index is not None else 0)
    settings = for_records(settings, trained_on, records)
    scored = score(
        new,
        index,
        settings,
        lower=lower,
        progress=progress,
        memory_limit=memory_limit,
        threads=threads,
    )
    if progress:
        progress("deciding", 0, 1)
    decisions = decide(
        new,
        index,
        scored,
        settings,
        upper=upper,
        lower=lower,
        rejected=rejected,
        pending=pending,
        held=held,
    )
    if progress:
        progress("deciding", 1, 1)
    return decisions
