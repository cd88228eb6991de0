"""Statistical process control: the XmR chart of NHS "Making Data Count", as pure functions.

Exactly the rules of DOMAIN.md ("Statistical process control"):

- centre: the mean; moving range MRᵢ = |xᵢ − xᵢ₋₁|; limits mean ± 2.66 × mean(MR);
  the "2σ" lines mean ± (2/3) × 2.66 × mean(MR);
- special cause: (1) a point strictly beyond a limit; (2) a shift of 7 consecutive points
  all above or all below the mean, a point on the mean breaking the run; (3) a trend of 7
  consecutive points each strictly higher (or lower) than the one before; (4) two of three
  consecutive points beyond the same 2σ line, all three on the same side of the mean;
- each signal is an improvement or a concern by the indicator's better direction;
- the variation icon comes from the latest point, the assurance icon from a target
  against the limits;
- fewer than 15 points: a run chart, with no limits, no signals and no icons;
- limits can be rebased from chosen points: each stretch between rebase points has its
  own mean and limits, and the icons come from the last stretch.

No Django here: the functions take numbers and give numbers, so that they can be tested
on their own and run for 500 indicators in well under a second.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

LIMIT_FACTOR = 2.66
SIGMA_FRACTION = 2 / 3
MIN_POINTS = 15
RUN_LENGTH = 7


class Direction(StrEnum):
    """Which way is better for an indicator."""

    UP = "up"
    DOWN = "down"
    NEITHER = "neither"


class Rule(StrEnum):
    BEYOND_LIMIT = "beyond_limit"
    SHIFT = "shift"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"


RULE_LABELS = {
    Rule.BEYOND_LIMIT: "a point beyond the limits",
    Rule.SHIFT: "seven points in a row on one side of the average",
    Rule.TREND: "seven points in a row rising or falling",
    Rule.TWO_OF_THREE: "two of three points close to a limit",
}


class Side(StrEnum):
    HIGH = "high"
    LOW = "low"


class Meaning(StrEnum):
    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    NEITHER = "neither"


class Variation(StrEnum):
    """The variation icon: what the latest point says."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEITHER_HIGH = "neither_high"
    NEITHER_LOW = "neither_low"


VARIATION_LABELS = {
    Variation.COMMON_CAUSE: "Common cause variation",
    Variation.IMPROVEMENT_HIGH: "Special cause variation: improvement (higher)",
    Variation.IMPROVEMENT_LOW: "Special cause variation: improvement (lower)",
    Variation.CONCERN_HIGH: "Special cause variation: concern (higher)",
    Variation.CONCERN_LOW: "Special cause variation: concern (lower)",
    Variation.NEITHER_HIGH: "Special cause variation: higher",
    Variation.NEITHER_LOW: "Special cause variation: lower",
}


class Assurance(StrEnum):
    """The assurance icon: will the process meet its target?"""

    PASS = "pass"  # noqa: S105 - the assurance icon, not a password
    FAIL = "fail"
    HIT_OR_MISS = "hit_or_miss"


ASSURANCE_LABELS = {
    Assurance.PASS: "Consistently meets the target",
    Assurance.FAIL: "Consistently misses the target",
    Assurance.HIT_OR_MISS: "Hits and misses the target by chance",
}


@dataclass(frozen=True)
class Limits:
    """The centre line and limits of one stretch of an XmR chart."""

    mean: float
    mr_mean: float
    upper: float
    lower: float
    upper_2s: float
    lower_2s: float


@dataclass(frozen=True)
class Signal:
    """One point's special cause: the rules it breaks, its side and what that means."""

    rules: tuple[Rule, ...]
    side: Side
    meaning: Meaning


@dataclass(frozen=True)
class Segment:
    """A stretch between rebase points: [start, end) of the series."""

    start: int
    end: int
    limits: Limits | None  # None: fewer than MIN_POINTS, a run chart


@dataclass
class Analysis:
    values: list[float]
    direction: Direction
    target: float | None
    segments: list[Segment]
    moving_ranges: list[float | None]
    signals: list[Signal | None]
    variation: Variation | None = None
    assurance: Assurance | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def is_run_chart(self) -> bool:
        return self.current_limits is None

    @property
    def current_limits(self) -> Limits | None:
        return self.segments[-1].limits if self.segments else None

    def limits_at(self, index: int) -> Limits | None:
        for segment in self.segments:
            if segment.start <= index < segment.end:
                return segment.limits
        return None

    def centre_at(self, index: int) -> float:
        """The centre line at a point: the stretch's mean (a run chart's too)."""
        for segment in self.segments:
            if segment.start <= index < segment.end:
                return mean(self.values[segment.start : segment.end])
        raise IndexError(index)


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def moving_ranges(values: Sequence[float]) -> list[float]:
    """|xᵢ − xᵢ₋₁| for i = 1..n−1: one fewer than the values."""
    return [abs(values[i] - values[i - 1]) for i in range(1, len(values))]


def limits(values: Sequence[float]) -> Limits | None:
    """The XmR limits of a stretch, or None below MIN_POINTS (a run chart)."""
    if len(values) < MIN_POINTS:
        return None
    centre = mean(values)
    mr_mean = mean(moving_ranges(values))
    spread = LIMIT_FACTOR * mr_mean
    return Limits(
        mean=centre,
        mr_mean=mr_mean,
        upper=centre + spread,
        lower=centre - spread,
        upper_2s=centre + SIGMA_FRACTION * spread,
        lower_2s=centre - SIGMA_FRACTION * spread,
    )


def beyond_limits(values: Sequence[float], lim: Limits) -> list[Side | None]:
    """Rule 1: a point strictly above the upper limit or strictly below the lower."""
    return [Side.HIGH if x > lim.upper else Side.LOW if x < lim.lower else None for x in values]


def shifts(values: Sequence[float], centre: float, length: int = RUN_LENGTH) -> list[Side | None]:
    """Rule 2: every point of a run of `length` or more on one side; on the mean breaks it."""
    marks: list[Side | None] = [None] * len(values)
    run_side: Side | None = None
    run_start = 0
    for i, x in enumerate([*values, centre]):  # the sentinel on the mean closes the last run
        side = Side.HIGH if x > centre else Side.LOW if x < centre else None
        if side != run_side or side is None:
            if run_side is not None and i - run_start >= length:
                for j in range(run_start, i):
                    marks[j] = run_side
            run_side, run_start = side, i
    return marks


def trends(values: Sequence[float], length: int = RUN_LENGTH) -> list[Side | None]:
    """Rule 3: every point of `length` or more consecutive points each strictly higher
    (or strictly lower) than the one before; an equal pair breaks the run."""
    marks: list[Side | None] = [None] * len(values)
    n = len(values)
    start = 0
    while start < n - 1:
        step = values[start + 1] - values[start]
        if step == 0:
            start += 1
            continue
        rising = step > 0
        end = start + 1
        while end + 1 < n and (
            values[end + 1] > values[end] if rising else values[end + 1] < values[end]
        ):
            end += 1
        if end - start + 1 >= length:
            for j in range(start, end + 1):
                marks[j] = Side.HIGH if rising else Side.LOW
        start = end  # a turning point may start the next run
    return marks


def two_of_three(values: Sequence[float], lim: Limits) -> list[Side | None]:
    """Rule 4: in any three consecutive points all on one side of the mean, two or three
    beyond that side's 2σ line; the points beyond the line are marked."""
    marks: list[Side | None] = [None] * len(values)
    for i in range(len(values) - 2):
        window = values[i : i + 3]
        if all(x > lim.mean for x in window):
            beyond = [i + k for k, x in enumerate(window) if x > lim.upper_2s]
            side = Side.HIGH
        elif all(x < lim.mean for x in window):
            beyond = [i + k for k, x in enumerate(window) if x < lim.lower_2s]
            side = Side.LOW
        else:
            continue
        if len(beyond) >= 2:
            for j in beyond:
                marks[j] = side
    return marks


def meaning_of(side: Side, direction: Direction) -> Meaning:
    if direction == Direction.NEITHER:
        return Meaning.NEITHER
    better = Side.HIGH if direction == Direction.UP else Side.LOW
    return Meaning.IMPROVEMENT if side == better else Meaning.CONCERN


def _segment_signals(
    values: Sequence[float], lim: Limits, direction: Direction
) -> list[Signal | None]:
    by_rule = {
        Rule.BEYOND_LIMIT: beyond_limits(values, lim),
        Rule.TWO_OF_THREE: two_of_three(values, lim),
        Rule.SHIFT: shifts(values, lim.mean),
        Rule.TREND: trends(values),
    }
    signals: list[Signal | None] = []
    for i in range(len(values)):
        rules = tuple(rule for rule in Rule if by_rule[rule][i] is not None)
        if not rules:
            signals.append(None)
            continue
        # The side of the strongest rule: a point beyond a limit is high or low whatever
        # trend it is part of (Rule's order is the order of strength).
        side = next(by_rule[rule][i] for rule in Rule if by_rule[rule][i] is not None)
        if side is None:  # pragma: no cover - a listed rule always marked the point
            continue
        signals.append(Signal(rules=rules, side=side, meaning=meaning_of(side, direction)))
    return signals


def variation_icon(signal: Signal | None) -> Variation:
    if signal is None:
        return Variation.COMMON_CAUSE
    return Variation(f"{signal.meaning.value}_{signal.side.value}")


def assurance_icon(
    target: float | None, lim: Limits | None, direction: Direction
) -> Assurance | None:
    """Target beyond the worse limit: fail; beyond the better limit: pass; else hit or miss.

    No icon without a target, without limits, or for an indicator with no better direction.
    "Beyond" is strict: a target exactly on a limit is hit or miss.
    """
    if target is None or lim is None or direction == Direction.NEITHER:
        return None
    if direction == Direction.UP:
        if target > lim.upper:
            return Assurance.FAIL
        if target < lim.lower:
            return Assurance.PASS
    else:
        if target < lim.lower:
            return Assurance.FAIL
        if target > lim.upper:
            return Assurance.PASS
    return Assurance.HIT_OR_MISS


def analyse(
    values: Iterable[float],
    direction: Direction | str = Direction.NEITHER,
    target: float | None = None,
    rebase_at: Iterable[int] = (),
) -> Analysis:
    """The XmR chart of a series: limits per stretch, signals per point and the icons.

    `rebase_at` holds the indices from which the limits are recalculated (0 and points
    beyond the series are ignored). Moving ranges do not cross a rebase point.
    """
    series = [float(v) for v in values]
    direction = Direction(direction)
    n = len(series)
    breaks = sorted({b for b in rebase_at if 0 < b < n})
    bounds = [0, *breaks, n]
    segments: list[Segment] = []
    signals: list[Signal | None] = []
    ranges: list[float | None] = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        if start == end:
            continue
        stretch = series[start:end]
        lim = limits(stretch)
        segments.append(Segment(start, end, lim))
        ranges.extend([None, *moving_ranges(stretch)])
        if lim is None:
            signals.extend([None] * len(stretch))
        else:
            signals.extend(_segment_signals(stretch, lim, direction))
    analysis = Analysis(
        values=series,
        direction=direction,
        target=target,
        segments=segments,
        moving_ranges=ranges,
        signals=signals,
    )
    current = analysis.current_limits
    if current is None:
        analysis.notes.append(
            f"Fewer than {MIN_POINTS} points since the limits were last set: a run chart, "
            "with no limits or icons."
        )
    else:
        analysis.variation = variation_icon(signals[-1])
        analysis.assurance = assurance_icon(target, current, direction)
    return analysis


def run_length_at_end(analysis: Analysis) -> tuple[int, Side | None]:
    """How many points at the end sit on one side of their stretch's mean, and which side."""
    if not analysis.values:
        return 0, None
    last = len(analysis.values) - 1
    centre = analysis.centre_at(last)
    side: Side | None = None
    count = 0
    segment_start = next(s.start for s in analysis.segments if s.start <= last < s.end)
    for i in range(last, segment_start - 1, -1):
        x = analysis.values[i]
        here = Side.HIGH if x > centre else Side.LOW if x < centre else None
        if here is None or (side is not None and here != side):
            break
        side = here
        count += 1
    return count, side
