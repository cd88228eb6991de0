"""A monthly column chart drawn on the server as SVG, with the same figures in a table.

The SVG has role="img", a title and a description (which names the first, the last and
the highest month), so a screen reader hears what the chart shows and finds every figure
in the table beside it. No script: the strict CSP allows none inline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

LEFT = 44
TOP = 16
PLOT_HEIGHT = 200
BOTTOM = 40
COLUMN_STEP = 22
COLUMN_WIDTH = 16
# GOV.UK blue: 3:1 contrast or better against white.
COLOUR = "#1d70b8"


@dataclass(frozen=True)
class Column:
    x: int
    y: int
    height: int
    value: int
    label: str  # "June 2023"
    tick: str  # "Jun 23", shown under every third column


@dataclass(frozen=True)
class GridLine:
    y: int
    value: int


@dataclass(frozen=True)
class ColumnChart:
    columns: list[Column]
    grid: list[GridLine]
    width: int
    height: int
    baseline: int
    description: str


def _nice_top(most: int) -> int:
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if most <= step * 5:
            return max(step, -(-most // step) * step)
    return most


def column_chart(points: list[tuple[date, int]], *, what: str) -> ColumnChart:
    """One column a month; `what` says what is counted ("young carers on the register")."""
    most = max((value for _, value in points), default=0)
    top = _nice_top(max(most, 1))
    baseline = TOP + PLOT_HEIGHT
    columns = []
    for i, (month, value) in enumerate(points):
        height = round(PLOT_HEIGHT * value / top)
        columns.append(
            Column(
                x=LEFT + 4 + i * COLUMN_STEP,
                y=baseline - height,
                height=height,
                value=value,
                label=f"{month:%B %Y}",
                tick=f"{month:%b %y}" if i % 3 == 0 else "",
            )
        )
    grid = [GridLine(baseline - round(PLOT_HEIGHT * k / 5), top * k // 5) for k in range(6)]
    if points:
        highest = max(points, key=lambda p: p[1])
        description = (
            f"Columns, one a month from {points[0][0]:%B %Y} to {points[-1][0]:%B %Y}: "
            f"{what}. {points[0][0]:%B %Y}: {points[0][1]}; {points[-1][0]:%B %Y}: "
            f"{points[-1][1]}; highest {highest[1]} in {highest[0]:%B %Y}."
        )
    else:
        description = f"No months to show: {what}."
    return ColumnChart(
        columns=columns,
        grid=grid,
        width=LEFT + 8 + max(len(points), 1) * COLUMN_STEP,
        height=baseline + BOTTOM,
        baseline=baseline,
        description=description,
    )
