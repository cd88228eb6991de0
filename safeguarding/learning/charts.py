"""The themes chart: server-rendered SVG bars, one group per theme, one bar per year.

The same figures are in the table beside it; the SVG has role="img" with a title and a
description, so a screen reader is told what the chart shows and finds the numbers in
the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Colours of the GOV.UK palette that keep 3:1 contrast against white, one a year.
YEAR_COLOURS = ("#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c")
LABEL_WIDTH = 300
BAR_AREA = 360
BAR_HEIGHT = 12
GROUP_GAP = 10


@dataclass
class Bar:
    x: int
    y: int
    width: int
    colour: str
    value: int
    year_label: str


@dataclass
class Group:
    theme: str
    y: int
    label_y: int
    bars: list[Bar] = field(default_factory=list)


@dataclass
class ThemesChart:
    years: list[tuple[str, str]]  # label, colour
    rows: list[tuple[str, list[int]]]  # theme, count per year
    groups: list[Group]
    width: int
    height: int
    description: str


def year_label(year: int) -> str:
    return f"{year} to {year + 1}"


def themes_chart(by_year: dict[int, dict[str, int]], *, last: int = 3) -> ThemesChart:
    years = sorted(by_year)[-last:]
    themes = sorted({t for y in years for t in by_year[y]})
    most = max([by_year[y].get(t, 0) for y in years for t in themes] or [1]) or 1
    groups: list[Group] = []
    y = 30
    for theme in themes:
        group = Group(theme, y, y + (BAR_HEIGHT * len(years)) // 2 + 4)
        for i, year in enumerate(years):
            value = by_year[year].get(theme, 0)
            group.bars.append(
                Bar(
                    LABEL_WIDTH,
                    y + i * BAR_HEIGHT,
                    round(BAR_AREA * value / most),
                    YEAR_COLOURS[i % len(YEAR_COLOURS)],
                    value,
                    year_label(year),
                )
            )
        groups.append(group)
        y += BAR_HEIGHT * len(years) + GROUP_GAP
    rows = [(t, [by_year[y].get(t, 0) for y in years]) for t in themes]
    top = max(rows, key=lambda r: sum(r[1]))[0] if rows else ""
    description = (
        f"Horizontal bars: for each theme, how many reviews and audits carried it in each of "
        f"the financial years {', '.join(year_label(y) for y in years)}."
        + (f" The most frequent theme overall is {top}." if top else " No themes recorded.")
    )
    return ThemesChart(
        [(year_label(y), YEAR_COLOURS[i % len(YEAR_COLOURS)]) for i, y in enumerate(years)],
        rows,
        groups,
        LABEL_WIDTH + BAR_AREA + 40,
        y + 10,
        description,
    )
