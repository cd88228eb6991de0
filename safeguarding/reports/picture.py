"""An SPC chart as a PNG picture, for the Word report (docs/decisions/0050).

Word cannot take the SVG the page and the PDF draw. The chart's geometry
(`insight.chart.Chart`, as a dict) is the same one the SVG template draws, so the picture
shows the same lines, points and colours. Pillow draws it at twice the SVG's size, with
the font Pillow carries, so it needs no system font and no other renderer.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from PIL import Image, ImageDraw, ImageFont

SCALE = 2
GRID = "#f3f2f1"
TEXT = "#505a5f"
MEAN = "#0b0c0c"
LIMIT = "#505a5f"
TARGET = "#d4351c"
PATH = "#505a5f"


def _dashed(
    draw: ImageDraw.ImageDraw,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    fill: str,
    width: int,
    dash: float,
    gap: float,
) -> None:
    """A dashed straight line (Pillow draws only solid ones)."""
    (x1, y1), (x2, y2) = start, end
    length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
    if length == 0:
        return
    dx, dy = (x2 - x1) / length, (y2 - y1) / length
    at = 0.0
    while at < length:
        stop = min(at + dash, length)
        draw.line(
            [(x1 + dx * at, y1 + dy * at), (x1 + dx * stop, y1 + dy * stop)], fill=fill, width=width
        )
        at = stop + gap


def _scaled(line: dict[str, float]) -> tuple[tuple[float, float], tuple[float, float]]:
    return (line["x1"] * SCALE, line["y1"] * SCALE), (line["x2"] * SCALE, line["y2"] * SCALE)


def chart_png(chart: dict[str, Any]) -> bytes:
    """The chart (a dict of `insight.chart.Chart`) as PNG bytes."""
    width, height = chart["width"] * SCALE, chart["height"] * SCALE
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=12 * SCALE)
    left, right, bottom = (chart[k] * SCALE for k in ("plot_left", "plot_right", "plot_bottom"))
    for y, label in chart["y_ticks"]:
        draw.line([(left, y * SCALE), (right, y * SCALE)], fill=GRID, width=SCALE)
        draw.text((left - 6 * SCALE, y * SCALE), label, fill=TEXT, font=font, anchor="rm")
    for x, label in chart["x_ticks"]:
        draw.text((x * SCALE, bottom + 18 * SCALE), label, fill=TEXT, font=font, anchor="ms")
    for line in chart["limits"]:
        _dashed(draw, *_scaled(line), fill=LIMIT, width=3, dash=6 * SCALE, gap=4 * SCALE)
    for line in chart["means"]:
        draw.line(list(_scaled(line)), fill=MEAN, width=3)
    if chart["target"]:
        _dashed(
            draw, *_scaled(chart["target"]), fill=TARGET, width=4, dash=2 * SCALE, gap=3 * SCALE
        )
    dots: Sequence[dict[str, Any]] = chart["dots"]
    if len(dots) > 1:
        draw.line([(d["x"] * SCALE, d["y"] * SCALE) for d in dots], fill=PATH, width=3)
    for dot in dots:
        r = (5 if dot["special"] else 3.5) * SCALE
        x, y = dot["x"] * SCALE, dot["y"] * SCALE
        draw.ellipse([(x - r, y - r), (x + r, y + r)], fill=dot["colour"])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def key(chart: dict[str, Any]) -> str:
    """The key to the chart's lines and colours, in words (as under the page's chart)."""
    target = " dotted red line, the target;" if chart["target"] else ""
    return (
        "Key: solid black line, the average; dashed grey lines, the process limits;"
        f"{target} points in blue are improvement, in orange concern, in purple a change with "
        "no better direction, in grey common cause. The table gives the same in words."
    )
