"""The demo's children: a population, the agencies' extracts of it, imported and linked,
the pairs the linkage officer reviews, and the panel lists (docs/decisions/0023)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safeguarding.children.models import (
    ColumnMapping,
    ImportBatch,
    ImportChannel,
    LinkageRun,
    PanelChild,
)
from safeguarding.core.access import SystemAccess
from safeguarding.core.models import (
    BreakGlass,
)
from safeguarding.demo import extracts
from safeguarding.demo.extracts import AGE_ON, WINDOW_END, WINDOW_START
from safeguarding.demo.partnership import (
    EXPLOITATION_RISK_PANEL,
)

if TYPE_CHECKING:
    from safeguarding.children.imports import ImportResult

from safeguarding.demo.generator import (
    age_on,
    break_glass_candidate,
    london,
    pseudonym,
    random_moment,
)
from safeguarding.demo.registry import PURPOSE, DemoContext, clearer, digest_rows, step

# --- The children: a population, the agencies' extracts of it, imported and linked ----------
#
# The children come in as they would in a real partnership: each agency's system exports
# a persons extract and an events extract (demo/extracts.py makes them, with the noise
# real extracts have), the import pipeline loads them (children/imports/), and
# linkage (children/linkage/) decides which records are one child. The truth, which
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
    from safeguarding.children.imports.actions import import_extract

    if ctx.extracts is None:
        raise RuntimeError("The children step makes the extracts the demo imports.")
    results = []
    with tempfile.TemporaryDirectory(prefix="demo-extracts-") as folder:
        target = ctx.extracts_dir or Path(folder)
        paths = extracts.write_extracts(ctx.extracts, target, xlsx_for=XLSX_AGENCIES, kinds=(kind,))
        for path in paths:
            agency = ctx.agencies[path.name.removesuffix(f"-{kind}{path.suffix}")]
            result = import_extract(agency, path, kind=kind, channel=ImportChannel.COMMAND)
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


@clearer("children")
def clear_children(ctx: DemoContext) -> None:
    from safeguarding.children.models import LinkageModel
    from safeguarding.core.models import ApiToken

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
