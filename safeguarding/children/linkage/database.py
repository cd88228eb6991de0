"""Linking the agencies' person records into children: the hub's side of the linkage.

`link` reads what needs linking (records new or changed since the last run, flagged
`needs_linking` by the import) and the index of records already linked, hands both to
the linkage core (`children/linkage/core.py`: Splink on DuckDB, no database), and writes
back what it decided, in one transaction: a failure leaves the index as it was.

- A record above the upper threshold joins the child of its match (link method "model",
  or "nhs number" when a shared valid NHS number decided it); new records that match each
  other join one child.
- A record between the thresholds gets a new child of its own, so that its agency sees
  it at once, and the pair goes to the review queue as a `LinkCandidate`.
- A record below the lower threshold gets a new child (link method "new").
- A record a practitioner typed in ("record a new child", `entered_by_hand`) already has
  a child of its own, made in their request without any comparison. It stays there: a
  pair it is part of, with any record and at any probability, goes to the review queue,
  so that knowing a child's name and date of birth never opens the child
  (docs/decisions/0054-no-action-widens-sight.md).
- A changed record (re-imported with a new identity) stays with its child: the model
  never moves a record a person may already rely on. If it now matches another child, the
  pair goes to the review queue; if it now holds an NHS number that contradicts another
  record of its child, it leaves that child and is linked afresh, because a child never
  holds two different valid NHS numbers.

`train` re-estimates the model on the partnership's own records and makes the new model
active; the old one is kept. See docs/decisions/0021-linkage-with-splink.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from safeguarding.children import identity
from safeguarding.children.linkage import core as linkage_core
from safeguarding.children.linkage.core import RECORD_FIELDS, Decisions, Progress
from safeguarding.children.models import (
    CandidateStatus,
    Child,
    LinkageModel,
    LinkageRun,
    LinkCandidate,
    SourceRecord,
)
from safeguarding.core import audit, refusals
from safeguarding.core.access import SystemAccess
from safeguarding.core.models import Agency, AuditAction

PURPOSE = "linkage"
# Fewer records than this cannot say much about the partnership's data: train refuses.
MINIMUM_TRAINING_RECORDS = 200
# How many records are read from the database, and written back, at a time.
CHUNK = 5000

ChildFields = Callable[[], dict[str, Any]]


class LinkageError(refusals.Refused):
    """Linkage cannot do what was asked; the message says why, for the person who asked."""

    code = "children.linkage_refused"


# --- The model ------------------------------------------------------------------------


def shipped_model() -> dict[str, Any]:
    """The model the hub ships, trained on synthetic extracts (children/data/)."""
    data: dict[str, Any] = json.loads(linkage_core.SHIPPED_MODEL_FILE.read_text(encoding="utf-8"))
    return data


def active_model() -> LinkageModel:
    """The model that links; the shipped one is loaded the first time none exists."""
    model = LinkageModel.objects.filter(is_active=True).order_by("-created_at", "-pk").first()
    if model is not None:
        return model
    with transaction.atomic():
        model = LinkageModel.objects.filter(is_active=True).order_by("-created_at", "-pk").first()
        if model is None:
            shipped = shipped_model()
            model = LinkageModel.objects.create(
                name=shipped["name"],
                settings=shipped["settings"],
                upper_threshold=shipped["upper_threshold"],
                lower_threshold=shipped["lower_threshold"],
                trained_on_records=shipped["trained_on_records"],
                is_active=True,
            )
    return model


def activate(model_id: int) -> LinkageModel:
    """Make an earlier model the one that links (a training that did worse is undone so)."""
    with transaction.atomic():
        model = LinkageModel.objects.select_for_update().filter(pk=model_id).first()
        if model is None:
            raise LinkageError(f"There is no linkage model {model_id}.")
        LinkageModel.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
        model.is_active = True
        model.save(update_fields=["is_active"])
        audit.record(
            AuditAction.LINKAGE_RUN,
            object_type="linkage_model",
            object_id=model.pk,
            purpose=PURPOSE,
            detail={"activated": model.name},
        )
    return model


# --- Reading --------------------------------------------------------------------------


def _record_rows(queryset: Any, *extra: str) -> Iterator[tuple[Any, ...]]:
    """Records as tuples in the order linkage_core.RAW expects, then any `extra` fields."""
    yield from (
        queryset.order_by("pk")
        .values_list("pk", *RECORD_FIELDS, "child_id", *extra)
        .iterator(chunk_size=CHUNK)
    )


@dataclass(frozen=True)
class _Provenance:
    """Where each record to link came from: what a new child's identity needs."""

    agencies: dict[int, tuple[str, str]]  # agency id: (code, kind)
    records: dict[int, tuple[int, datetime]]  # record id: (agency id, updated at)

    def view(self, row: tuple[Any, ...]) -> identity.RecordView:
        agency_id, updated_at = self.records[row[0]]
        code, kind = self.agencies[agency_id]
        values = dict(zip(RECORD_FIELDS, row[1:], strict=False))
        return identity.RecordView(code, kind, updated_at, values)


def _entered_by_hand(records: Any) -> set[int]:
    """Records a practitioner typed in: never linked without a person (decision 0054)."""
    return set(records.filter(entered_by_hand=True).values_list("pk", flat=True))


def _pairs(system: SystemAccess, status: str) -> list[tuple[int, int]]:
    return list(system.candidates().filter(status=status).values_list("record_id", "candidate_id"))


# --- Linking --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Counts:
    considered: int
    linked: int
    review: int
    new_children: int
    detached: int
    weakly_held: int

    def as_detail(self) -> dict[str, int]:
        return {
            "records_considered": self.considered,
            "linked_automatically": self.linked,
            "sent_for_review": self.review,
            "new_children": self.new_children,
            "changed_records_moved_for_nhs_number": self.detached,
            "changed_records_weakly_held": self.weakly_held,
        }


def link(
    system: SystemAccess,
    *,
    progress: Progress | None = None,
    make_child_fields: ChildFields | None = None,
    make_candidate_fields: ChildFields | None = None,
) -> LinkageRun:
    """Link every record new or changed since the last run; returns the run's record.

    `make_child_fields` gives each new child's fields (the demo passes public ids and
    pseudonyms from its seeded generator); `make_candidate_fields` likewise for each
    pair sent for review. With the same records the same decisions come out.
    """
    model = active_model()
    started = timezone.now()
    with transaction.atomic():
        # One run at a time: a second waits here (PostgreSQL) rather than link twice. The
        # records to link are locked too, so that an import changing one of them waits
        # rather than have its change cleared by this run. Nothing is written before the
        # decisions are made, so that SQLite's single writer is not held while Splink runs.
        LinkageModel.objects.select_for_update().filter(pk=model.pk).first()
        records = system.source_records()
        new_rows, provenance = _rows_to_link(records)
        if progress:
            progress("reading the records to link", len(new_rows), len(new_rows))
        decisions = Decisions()
        if new_rows:
            new = linkage_core.prepare(linkage_core.raw_table(new_rows))
            index = linkage_core.prepare(
                linkage_core.raw_table(
                    _record_rows(records.filter(needs_linking=False, child__isnull=False))
                )
            )
            if progress:
                progress("reading the index", index.num_rows, index.num_rows)
            decisions = linkage_core.link_tables(
                new,
                index,
                model.settings,
                upper=model.upper_threshold,
                lower=model.lower_threshold,
                trained_on=model.trained_on_records,
                rejected=_pairs(system, CandidateStatus.REJECTED),
                pending=_pairs(system, CandidateStatus.PENDING),
                held=_entered_by_hand(records),
                progress=progress,
            )
        run = LinkageRun.objects.create(model=model, started_at=started)
        if new_rows:
            _apply(
                system,
                run,
                decisions,
                new_rows,
                provenance,
                make_child_fields,
                make_candidate_fields,
                progress,
            )
        counts = _Counts(
            considered=len(new_rows),
            linked=decisions.linked,
            review=len(decisions.candidates),
            new_children=decisions.new_groups,
            detached=len(decisions.detached),
            weakly_held=len(decisions.weakly_held),
        )
        run.records_considered = counts.considered
        run.linked_automatically = counts.linked
        run.sent_for_review = counts.review
        run.new_children = counts.new_children
        run.finished_at = timezone.now()
        run.save()
        audit.record(
            AuditAction.LINKAGE_RUN,
            object_type="linkage_run",
            object_id=run.pk,
            purpose=PURPOSE,
            detail={"model": model.name, **counts.as_detail()},
        )
    return run


def _rows_to_link(records: Any) -> tuple[list[tuple[Any, ...]], _Provenance]:
    """The records new or changed since the last run (locked), and where they came from."""
    rows: list[tuple[Any, ...]] = []
    came_from: dict[int, tuple[int, datetime]] = {}
    locked = records.filter(needs_linking=True).select_for_update()
    for *row, agency_id, updated_at in _record_rows(locked, "agency_id", "updated_at"):
        rows.append(tuple(row))
        came_from[row[0]] = (agency_id, updated_at)
    agencies = {
        pk: (code, kind) for pk, code, kind in Agency.objects.values_list("pk", "code", "kind")
    }
    return rows, _Provenance(agencies, came_from)


def _new_children(
    decisions: Decisions,
    new_rows: list[tuple[Any, ...]],
    provenance: _Provenance,
    make_child_fields: ChildFields | None,
) -> list[Child]:
    """A child for each new group, with its identity already worked out from its records:
    a first linkage of a million records makes some 400,000 children, and writing each
    twice (made blank, then its identity) cost a minute on PostgreSQL."""
    row_of = {row[0]: row for row in new_rows}
    groups: list[list[identity.RecordView]] = [[] for _ in range(decisions.new_groups)]
    for assignment in decisions.assignments:
        if not assignment.kept and assignment.child is None:
            groups[assignment.group or 0].append(provenance.view(row_of[assignment.record]))
    now = timezone.now()
    return [
        Child(
            created_at=now,
            updated_at=now,
            **identity.identity_fields(records),
            **(make_child_fields() if make_child_fields else {}),
        )
        for records in groups
    ]


def _apply(
    system: SystemAccess,
    run: LinkageRun,
    decisions: Decisions,
    new_rows: list[tuple[Any, ...]],
    provenance: _Provenance,
    make_child_fields: ChildFields | None,
    make_candidate_fields: ChildFields | None,
    progress: Progress | None,
) -> None:
    """Write the decisions: new children, records onto their children, events after them."""
    children = _new_children(decisions, new_rows, provenance, make_child_fields)
    group_child = [child.pk for child in system.create_rows(children)]

    was = {row[0]: row[-1] for row in new_rows}
    # Children whose records changed and whose identity must be worked out again: not the
    # new ones, made with theirs.
    touched: set[int] = set()
    moved: list[tuple[int, int, str, float | None, bool]] = []
    kept: list[tuple[int, bool]] = []
    for assignment in decisions.assignments:
        if assignment.kept:
            kept.append((assignment.record, False))
            continue
        child_id = (
            assignment.child if assignment.child is not None else group_child[assignment.group or 0]
        )
        moved.append(
            (assignment.record, child_id, assignment.method, assignment.probability, False)
        )
        if assignment.child is not None:
            touched.add(child_id)
        if was[assignment.record] is not None:
            touched.add(was[assignment.record])
    if progress:
        progress("saving the links", 0, len(moved))
    system.update_rows(
        SourceRecord, ["child", "link_method", "link_probability", "needs_linking"], moved
    )
    system.update_rows(SourceRecord, ["needs_linking"], kept)
    if progress:
        progress("saving the links", len(moved), len(moved))

    # A record's events follow it to its child.
    record_ids = sorted(assignment.record for assignment in decisions.assignments)
    child_of_record = (
        system.source_records().filter(pk=OuterRef("source_record_id")).values("child_id")[:1]
    )
    for start in range(0, len(record_ids), CHUNK):
        system.events().filter(source_record_id__in=record_ids[start : start + CHUNK]).update(
            child_id=Subquery(child_of_record)
        )

    system.candidates().bulk_create(
        [
            LinkCandidate(
                record_id=candidate.record,
                candidate_id=candidate.candidate,
                run=run,
                match_probability=candidate.match_probability,
                match_weight=candidate.match_weight,
                comparisons=candidate.comparisons,
                status=CandidateStatus.PENDING,
                **(make_candidate_fields() if make_candidate_fields else {}),
            )
            for candidate in decisions.candidates
        ],
        batch_size=1000,
    )
    if progress:
        progress("updating the children's identity", 0, len(touched))
    identity.refresh_children(system, touched)
    if progress:
        progress("updating the children's identity", len(touched), len(touched))


# --- Training -------------------------------------------------------------------------


def train(
    system: SystemAccess, *, progress: Progress | None = None
) -> tuple[LinkageModel, LinkageModel | None]:
    """Re-estimate the model on every source record; the new model links from now on.

    Returns (new model, the model it replaces). The old model stays, inactive, so that
    the two can be compared and the old one brought back with `activate`.
    """
    old = active_model()
    rows = list(_record_rows(system.source_records()))
    if len(rows) < MINIMUM_TRAINING_RECORDS:
        raise LinkageError(
            f"Training needs at least {MINIMUM_TRAINING_RECORDS} source records; the index "
            f"holds {len(rows)}. The model in use ({old.name}) stays."
        )
    table = linkage_core.prepare(linkage_core.raw_table(rows))
    settings = linkage_core.train_settings(table, old.settings, progress=progress)
    with transaction.atomic():
        LinkageModel.objects.filter(is_active=True).update(is_active=False)
        new = LinkageModel.objects.create(
            name=f"Trained on {len(rows):,} records on {timezone.localdate():%-d %B %Y}",
            settings=settings,
            upper_threshold=old.upper_threshold,
            lower_threshold=old.lower_threshold,
            trained_on_records=len(rows),
            is_active=True,
        )
        audit.record(
            AuditAction.LINKAGE_RUN,
            object_type="linkage_model",
            object_id=new.pk,
            purpose=PURPOSE,
            detail={"trained": new.name, "records": len(rows), "replaces": old.name},
        )
    return new, old


def comparison_rows(
    new: LinkageModel, old: LinkageModel | None
) -> list[tuple[str, str, float | None, float | None, float | None, float | None, float, float]]:
    """Each comparison level's m, u and weight in the old model and the new."""
    return linkage_core.parameter_rows(new.settings, old.settings if old else None)
