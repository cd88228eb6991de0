"""The report's sections, in the reference report's order. A new report gets these
sections; one per partnership priority of the year comes after the key achievements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from safeguarding.core.models import Priority


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    # What the section is for, shown to the officer above the editor.
    guidance: str = ""


BEFORE_PRIORITIES = (
    SectionSpec(
        "foreword",
        "Foreword from the statutory safeguarding partners",
        guidance="A word from each of the three lead safeguarding partners.",
    ),
    SectionSpec(
        "national-context",
        "National context",
        guidance="What changed nationally this year: guidance, reforms, national reviews.",
    ),
    SectionSpec(
        "executive-summary",
        "Executive summary",
        [{"block": "indicators", "limit": 0, "headlines": 6}],
        guidance="The year in a page: the priorities and what moved.",
    ),
    SectionSpec(
        "children-in-numbers",
        "The children of the area in numbers",
        [{"block": "area-figures"}],
        guidance="A short introduction; the figures come from the public health import.",
    ),
    SectionSpec("vision", "Vision, values and principles"),
    SectionSpec("key-achievements", "Key achievements", [{"block": "young-carers"}]),
)
AFTER_PRIORITIES = (
    SectionSpec(
        "voice",
        "Voice and lived experience of children and young people",
        guidance="What children told us and what changed because of it.",
    ),
    SectionSpec(
        "learning",
        "Learning and development",
        [{"block": "learning-counts"}, {"block": "learning-themes"}],
        guidance="Notifications, reviews and audits, and the learning from them.",
    ),
    SectionSpec(
        "training",
        "Training",
        [{"block": "training-table"}, {"block": "elearning"}, {"block": "training-evaluation"}],
    ),
    SectionSpec("education", "Safeguarding in education", [{"block": "education"}]),
    SectionSpec("communication", "Communication and engagement", [{"block": "communications"}]),
    SectionSpec("child-death-review", "Child death review", [{"block": "child-deaths"}]),
    SectionSpec("finance", "Partnership finance", [{"block": "finance"}]),
)
PRIORITY_GUIDANCE = (
    "Under headings of your own: what we did, how we know it made a difference, what we "
    "will do next, and a case study or two (no child identifiable)."
)


def priority_blocks(priority: Priority) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"block": "indicators", "priority": priority.number}]
    group = priority.sub_group.name.lower() if priority.sub_group else ""
    if "exploitation" in group:
        blocks += [{"block": "exploitation"}, {"block": "missing"}]
    return blocks


def sections_for(year: int) -> list[SectionSpec]:
    priorities = list(
        Priority.objects.filter(year=year).select_related("sub_group").order_by("number")
    )
    middle = [
        SectionSpec(
            f"priority-{p.number}",
            f"Priority {p.number}: {p.title}",
            priority_blocks(p),
            PRIORITY_GUIDANCE,
        )
        for p in priorities
    ]
    specs = [*BEFORE_PRIORITIES, *middle, *AFTER_PRIORITIES]
    if not any(b["block"] == "exploitation" for s in middle for b in s.blocks):
        # No priority is about exploitation: its figures go with the key achievements.
        key = specs[len(BEFORE_PRIORITIES) - 1]
        specs[len(BEFORE_PRIORITIES) - 1] = SectionSpec(
            key.key, key.title, [*key.blocks, {"block": "exploitation"}, {"block": "missing"}]
        )
    return specs


GUIDANCE = {s.key: s.guidance for s in (*BEFORE_PRIORITIES, *AFTER_PRIORITIES)}


def guidance_for(key: str) -> str:
    return PRIORITY_GUIDANCE if key.startswith("priority-") else GUIDANCE.get(key, "")
