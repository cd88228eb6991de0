"""The geometry of an SPC chart, for a server-rendered SVG (templates/insight/includes/spc_chart.html).

Colours carry meaning as in Making Data Count: blue for improvement, orange for concern,
purple for a change with no better direction, grey for common cause. The colour is never
the only carrier: each point's <title> and the table beside the chart say the same in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from safeguarding.insight import spc
from safeguarding.insight.headlines import format_value
from safeguarding.insight.queries import Point

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40
COLOURS = {
    "improvement": "#1d70b8",
    "concern": "#f47738",
    "neither": "#4c2c92",
    "common": "#505a5f",
}


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    colour: str
    title: str
    special: bool


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class Chart:
    title: str
    description: str
    width: int = WIDTH
    height: int = HEIGHT
    path: str = ""
    dots: list[Dot] = field(default_factory=list)
    means: list[Line] = field(default_factory=list)
    limits: list[Line] = field(default_factory=list)
    target: Line | None = None
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    colours: dict[str, str] = field(default_factory=lambda: dict(COLOURS))
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM


def point_meaning(signal: spc.Signal | None) -> str:
    return "common" if signal is None else signal.meaning.value


def describe_point(point: Point, signal: spc.Signal | None, unit: str) -> str:
    text = f"{point.period.label}: {format_value(point.value, unit)}"
    if signal is None:
        return text
    rules = ", ".join(spc.RULE_LABELS[r] for r in signal.rules)
    return f"{text}. Special cause ({signal.meaning.value}): {rules}"


def build(
    title: str, unit: str, points: Sequence[Point], analysis: spc.Analysis, target: float | None
) -> Chart:
    summary = [f"{len(points)} points"]
    if analysis.is_run_chart:
        summary.append(f"fewer than {spc.MIN_POINTS} since the limits were set, so a run chart")
    elif analysis.current_limits:
        lim = analysis.current_limits
        summary.append(
            f"average {format_value(lim.mean, unit)}, limits {format_value(lim.lower, unit)} "
            f"to {format_value(lim.upper, unit)}"
        )
    specials = sum(1 for s in analysis.signals if s)
    summary.append(f"{specials} special cause points")
    if target is not None:
        summary.append(f"target {format_value(target, unit)}")
    chart = Chart(title=f"{title}: SPC chart", description="; ".join(summary) + ".")
    if not points:
        return chart
    values = [p.value for p in points]
    bounds = list(values)
    for segment in analysis.segments:
        if segment.limits:
            bounds += [segment.limits.upper, segment.limits.lower]
    if target is not None:
        bounds.append(target)
    low, high = min(bounds), max(bounds)
    if unit != "rate_10000":
        low = min(low, 0.0) if low >= 0 else low
    if high == low:
        high = low + 1
    span = high - low
    high += span * 0.05
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    n = len(points)

    def x_at(i: float) -> float:
        return round(LEFT + (plot_w * (i / (n - 1)) if n > 1 else plot_w / 2), 1)

    def y_at(v: float) -> float:
        return round(TOP + plot_h * (1 - (v - low) / (high - low)), 1)

    chart.path = " ".join(
        f"{'M' if i == 0 else 'L'}{x_at(i)},{y_at(v)}" for i, v in enumerate(values)
    )
    for i, (point, signal) in enumerate(zip(points, analysis.signals, strict=True)):
        meaning = point_meaning(signal)
        chart.dots.append(
            Dot(
                x_at(i),
                y_at(point.value),
                COLOURS[meaning],
                describe_point(point, signal, unit),
                signal is not None,
            )
        )
    for segment in analysis.segments:
        x1, x2 = x_at(segment.start), x_at(segment.end - 1)
        centre = spc.mean(values[segment.start : segment.end])
        chart.means.append(Line(x1, y_at(centre), x2, y_at(centre)))
        if segment.limits:
            for v in (segment.limits.upper, segment.limits.lower):
                chart.limits.append(Line(x1, y_at(v), x2, y_at(v)))
    if target is not None:
        chart.target = Line(LEFT, y_at(target), WIDTH - RIGHT, y_at(target))
    for k in range(5):
        v = low + (high - low) * k / 4
        chart.y_ticks.append((y_at(v), format_value(v, unit).replace(" per 10,000", "")))
    step = max(1, n // 8)
    chart.x_ticks = [(x_at(i), points[i].period.short_label) for i in range(0, n, step)]
    return chart
