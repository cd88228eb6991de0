"""The report's chart of confidence before and after each course: a server-drawn SVG
with the same figures as the table beside it (no script, nothing fetched)."""

from __future__ import annotations

from dataclasses import dataclass

from safeguarding.training.queries import CourseYear

WIDTH = 640
BAR = 14
ROW = 64
LEFT = 12
SCALE = 5


@dataclass(frozen=True)
class Bar:
    y: int
    width: int
    value: float
    label: str
    colour: str


@dataclass(frozen=True)
class Row:
    course: str
    y: int
    bars: list[Bar]


@dataclass(frozen=True)
class ConfidenceChart:
    width: int
    height: int
    rows: list[Row]
    ticks: list[tuple[int, int]]
    description: str


def _x(value: float) -> int:
    return round(value / SCALE * (WIDTH - LEFT - 110))


def confidence_chart(rows: list[CourseYear]) -> ConfidenceChart | None:
    """Two bars a course (before, after) on the 1-to-5 scale; None when there is nothing."""
    drawn = [r for r in rows if r.confidence_before is not None or r.confidence_after is not None]
    if not drawn:
        return None
    made = []
    for i, row in enumerate(drawn):
        top = 20 + i * ROW
        bars = []
        for k, (label, value, colour) in enumerate(
            (
                ("Before", row.confidence_before, "#b1b4b6"),
                ("After", row.confidence_after, "#1d70b8"),
            )
        ):
            if value is not None:
                bars.append(Bar(top + 4 + k * (BAR + 4), _x(value), value, label, colour))
        made.append(Row(row.course, top, bars))
    parts = [
        f"{r.course}: before {r.confidence_before if r.confidence_before is not None else 'none'}, "
        f"after {r.confidence_after if r.confidence_after is not None else 'none'}"
        for r in drawn
    ]
    return ConfidenceChart(
        width=WIDTH,
        height=20 + len(drawn) * ROW + 20,
        rows=made,
        ticks=[(LEFT + _x(v), v) for v in range(SCALE + 1)],
        description="Mean confidence out of 5 before and after each course. "
        + "; ".join(parts)
        + ".",
    )
