"""The SPC rules of DOMAIN.md, edge by edge, and properties that hold for any series."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeguarding.insight import spc
from safeguarding.insight.spc import Assurance, Direction, Meaning, Rule, Side, Variation

# Fifteen points alternating 10 and 12: mean 11, every moving range 2, so the limits are
# 11 ± 5.32 and the 2σ lines 11 ± 3.5467. No rule fires on it.
FLAT = [10.0, 12.0] * 7 + [11.0]


def rules_at(analysis: spc.Analysis, index: int) -> tuple[Rule, ...]:
    signal = analysis.signals[index]
    return signal.rules if signal else ()


def test_the_limits_are_the_mean_plus_or_minus_2_66_mean_moving_ranges() -> None:
    lim = spc.limits(FLAT)
    assert lim is not None
    mr = sum(spc.moving_ranges(FLAT)) / 14
    assert lim.mean == pytest.approx(sum(FLAT) / 15)
    assert lim.mr_mean == pytest.approx(mr)
    assert lim.upper == pytest.approx(lim.mean + 2.66 * mr)
    assert lim.lower == pytest.approx(lim.mean - 2.66 * mr)
    assert lim.upper_2s == pytest.approx(lim.mean + 2 / 3 * 2.66 * mr)
    assert lim.lower_2s == pytest.approx(lim.mean - 2 / 3 * 2.66 * mr)


def test_moving_ranges_are_absolute_differences_of_neighbours() -> None:
    assert spc.moving_ranges([3, 7, 2, 2]) == [4, 5, 0]


def test_a_steady_series_has_no_signals_and_common_cause_variation() -> None:
    analysis = spc.analyse(FLAT, Direction.UP)
    assert analysis.signals == [None] * 15
    assert analysis.variation == Variation.COMMON_CAUSE


def test_fourteen_points_make_a_run_chart_with_no_limits_signals_or_icons() -> None:
    values = [10.0] * 13 + [100.0]
    analysis = spc.analyse(values, Direction.UP, target=50)
    assert analysis.is_run_chart
    assert analysis.current_limits is None
    assert analysis.signals == [None] * 14
    assert analysis.variation is None and analysis.assurance is None


def test_fifteen_points_are_enough_for_limits() -> None:
    assert not spc.analyse(FLAT).is_run_chart


# Rule 1: beyond a limit, strictly.


def test_a_point_strictly_above_the_upper_limit_is_special_cause() -> None:
    lim = spc.limits(FLAT)
    assert lim is not None
    assert spc.beyond_limits([lim.upper + 0.01], lim) == [Side.HIGH]
    assert spc.beyond_limits([lim.lower - 0.01], lim) == [Side.LOW]


def test_a_point_exactly_on_a_limit_is_not_beyond_it() -> None:
    lim = spc.limits(FLAT)
    assert lim is not None
    assert spc.beyond_limits([lim.upper, lim.lower], lim) == [None, None]


def test_a_spike_at_the_end_is_a_concern_when_lower_is_better() -> None:
    values = [*FLAT[:14], 40.0]
    analysis = spc.analyse(values, Direction.DOWN)
    assert Rule.BEYOND_LIMIT in rules_at(analysis, 14)
    signal = analysis.signals[14]
    assert signal is not None and signal.meaning == Meaning.CONCERN
    assert analysis.variation == Variation.CONCERN_HIGH


# Rule 2: shift of seven; a point on the mean breaks the run.


def test_seven_points_above_the_mean_are_a_shift() -> None:
    marks = spc.shifts([1, 1, 5, 5, 5, 5, 5, 5, 5, 1], centre=3)
    assert marks == [None, None] + [Side.HIGH] * 7 + [None]


def test_six_points_above_the_mean_are_not_a_shift() -> None:
    assert spc.shifts([5, 5, 5, 5, 5, 5, 1], centre=3) == [None] * 7


def test_a_point_on_the_mean_breaks_a_shift() -> None:
    assert spc.shifts([5, 5, 5, 3, 5, 5, 5, 5], centre=3) == [None] * 8


def test_a_shift_running_to_the_last_point_is_marked() -> None:
    assert spc.shifts([1, 5, 5, 5, 5, 5, 5, 5], centre=3)[-7:] == [Side.HIGH] * 7


def test_a_shift_longer_than_seven_marks_every_point_of_it() -> None:
    assert spc.shifts([0] * 9, centre=3) == [Side.LOW] * 9


# Rule 3: trend of seven, strictly rising or falling.


def test_seven_strictly_rising_points_are_a_trend() -> None:
    assert spc.trends([1, 2, 3, 4, 5, 6, 7]) == [Side.HIGH] * 7


def test_six_rising_points_are_not_a_trend() -> None:
    assert spc.trends([1, 2, 3, 4, 5, 6]) == [None] * 6


def test_an_equal_pair_breaks_a_trend() -> None:
    assert spc.trends([1, 2, 3, 3, 4, 5, 6, 7]) == [None] * 8


def test_seven_strictly_falling_points_are_a_downward_trend() -> None:
    assert spc.trends([9, 8, 7, 6, 5, 4, 3, 10]) == [Side.LOW] * 7 + [None]


def test_a_turning_point_can_end_one_trend_and_start_another() -> None:
    marks = spc.trends([1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1])
    assert marks[:6] == [Side.HIGH] * 6
    assert marks[6] in (Side.HIGH, Side.LOW)
    assert marks[7:] == [Side.LOW] * 6


def test_a_rising_trend_is_an_improvement_when_higher_is_better() -> None:
    values = [*FLAT[:8], 10.5, 11.0, 11.5, 12.0, 12.5, 13.0, 13.5]
    analysis = spc.analyse(values, Direction.UP)
    signal = analysis.signals[-1]
    assert signal is not None
    assert Rule.TREND in signal.rules
    assert signal.meaning == Meaning.IMPROVEMENT


# Rule 4: two of three beyond the same 2σ line, all three on the same side.


def test_two_of_three_beyond_the_upper_2s_line_are_special_cause() -> None:
    lim = spc.limits(FLAT)
    assert lim is not None
    high = lim.upper_2s + 0.5  # beyond 2σ but inside the limit
    assert high < lim.upper
    marks = spc.two_of_three([high, lim.mean + 0.1, high], lim)
    assert marks == [Side.HIGH, None, Side.HIGH]


def test_two_of_three_needs_all_three_on_the_same_side_of_the_mean() -> None:
    lim = spc.limits(FLAT)
    assert lim is not None
    high = lim.upper_2s + 0.5
    assert spc.two_of_three([high, lim.mean - 0.1, high], lim) == [None] * 3


def test_two_of_three_needs_the_same_2s_line() -> None:
    lim = spc.limits(FLAT)
    assert lim is not None
    assert spc.two_of_three([lim.upper_2s + 0.5, lim.lower_2s - 0.5, lim.mean], lim) == [None] * 3


def test_one_of_three_beyond_the_2s_line_is_not_special_cause() -> None:
    lim = spc.limits(FLAT)
    assert lim is not None
    assert spc.two_of_three([lim.upper_2s + 0.5, lim.mean + 0.1, lim.mean + 0.1], lim) == [None] * 3


def test_a_point_on_the_2s_line_is_not_beyond_it() -> None:
    lim = spc.limits(FLAT)
    assert lim is not None
    assert spc.two_of_three([lim.upper_2s, lim.upper_2s, lim.upper_2s], lim) == [None] * 3


# Meaning by direction.


@pytest.mark.parametrize(
    ("side", "direction", "meaning"),
    [
        (Side.HIGH, Direction.UP, Meaning.IMPROVEMENT),
        (Side.LOW, Direction.UP, Meaning.CONCERN),
        (Side.HIGH, Direction.DOWN, Meaning.CONCERN),
        (Side.LOW, Direction.DOWN, Meaning.IMPROVEMENT),
        (Side.HIGH, Direction.NEITHER, Meaning.NEITHER),
        (Side.LOW, Direction.NEITHER, Meaning.NEITHER),
    ],
)
def test_a_signal_means_improvement_or_concern_by_the_better_direction(
    side: Side, direction: Direction, meaning: Meaning
) -> None:
    assert spc.meaning_of(side, direction) == meaning


def test_the_variation_icon_comes_from_the_latest_point_only() -> None:
    values = [5.0, 17.0] * 7 + [11.0]
    values[7] = 100.0  # a spike in the middle, calm at the end
    analysis = spc.analyse(values, Direction.UP)
    assert analysis.signals[7] is not None
    assert analysis.variation == Variation.COMMON_CAUSE


def test_with_no_better_direction_the_icon_is_neither_high_or_low() -> None:
    analysis = spc.analyse([*FLAT[:14], 40.0], Direction.NEITHER)
    assert analysis.variation == Variation.NEITHER_HIGH


# Assurance.


def test_assurance_fails_when_the_target_is_beyond_the_worse_limit() -> None:
    lim = spc.limits(FLAT)
    assert lim is not None
    assert spc.assurance_icon(lim.upper + 1, lim, Direction.UP) == Assurance.FAIL
    assert spc.assurance_icon(lim.lower - 1, lim, Direction.DOWN) == Assurance.FAIL


def test_assurance_passes_when_the_target_is_beyond_the_better_limit() -> None:
    lim = spc.limits(FLAT)
    assert lim is not None
    assert spc.assurance_icon(lim.lower - 1, lim, Direction.UP) == Assurance.PASS
    assert spc.assurance_icon(lim.upper + 1, lim, Direction.DOWN) == Assurance.PASS


def test_assurance_is_hit_or_miss_between_the_limits_and_on_them() -> None:
    lim = spc.limits(FLAT)
    assert lim is not None
    for target in (lim.mean, lim.upper, lim.lower):
        assert spc.assurance_icon(target, lim, Direction.UP) == Assurance.HIT_OR_MISS


def test_no_assurance_without_a_target_or_a_better_direction() -> None:
    lim = spc.limits(FLAT)
    assert spc.assurance_icon(None, lim, Direction.UP) is None
    assert spc.assurance_icon(11, lim, Direction.NEITHER) is None


# Rebasing.


def test_rebasing_recalculates_the_limits_from_the_chosen_point() -> None:
    values = FLAT + [v + 20 for v in FLAT]
    plain = spc.analyse(values, Direction.UP)
    rebased = spc.analyse(values, Direction.UP, rebase_at=[15])
    assert len(rebased.segments) == 2
    current = rebased.current_limits
    assert current is not None and current.mean == pytest.approx(31)
    assert rebased.signals[15:] == [None] * 15
    assert any(plain.signals[15:])


def test_moving_ranges_do_not_cross_a_rebase_point() -> None:
    analysis = spc.analyse(FLAT + [v + 20 for v in FLAT], rebase_at=[15])
    assert analysis.moving_ranges[15] is None
    assert analysis.moving_ranges[0] is None


def test_a_rebase_leaving_fewer_than_fifteen_points_is_a_run_chart_for_now() -> None:
    analysis = spc.analyse(FLAT + [30.0, 31.0], Direction.UP, target=20, rebase_at=[15])
    assert analysis.is_run_chart
    assert analysis.variation is None and analysis.assurance is None
    assert analysis.limits_at(0) is not None


def test_rebase_points_outside_the_series_are_ignored() -> None:
    analysis = spc.analyse(FLAT, rebase_at=[0, 15, 99])
    assert len(analysis.segments) == 1


def test_the_run_at_the_end_is_counted_from_the_last_point_back() -> None:
    values = [*FLAT[:8], 20, 20, 20, 0, 20, 20, 20]
    count, side = spc.run_length_at_end(spc.analyse(values))
    assert (count, side) == (3, Side.HIGH)


# Properties.

series = st.lists(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    min_size=0,
    max_size=60,
)


@given(series)
def test_every_point_gets_a_signal_slot_and_a_moving_range_slot(values: list[float]) -> None:
    analysis = spc.analyse(values, Direction.UP)
    assert len(analysis.signals) == len(values) == len(analysis.moving_ranges)


@given(series)
def test_the_limits_are_ordered_around_the_mean(values: list[float]) -> None:
    lim = spc.limits(values)
    if len(values) < 15:
        assert lim is None
    else:
        assert lim is not None
        tol = 1e-6 * (1 + abs(lim.mean))
        assert lim.lower - tol <= lim.lower_2s <= lim.mean + tol
        assert lim.mean - tol <= lim.upper_2s <= lim.upper + tol


@given(series)
def test_a_series_and_its_mirror_have_mirrored_signals(values: list[float]) -> None:
    up = spc.analyse(values, Direction.UP)
    down = spc.analyse([-v for v in values], Direction.DOWN)
    for a, b in zip(up.signals, down.signals, strict=True):
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert a.meaning == b.meaning
            assert set(a.rules) == set(b.rules)


@given(st.lists(st.integers(min_value=0, max_value=100), min_size=15, max_size=60))
def test_every_signal_point_breaks_at_least_one_rule_it_names(values: list[int]) -> None:
    analysis = spc.analyse(values, Direction.UP)
    lim = analysis.current_limits
    assert lim is not None
    for i, signal in enumerate(analysis.signals):
        if signal and signal.rules == (Rule.BEYOND_LIMIT,):
            assert values[i] > lim.upper or values[i] < lim.lower


@given(st.lists(st.integers(min_value=0, max_value=100), min_size=15, max_size=60))
def test_a_shift_needs_seven_points_in_a_row_marked(values: list[int]) -> None:
    marks = spc.shifts(values, spc.mean(values))
    i = 0
    while i < len(marks):
        if marks[i] is None:
            i += 1
            continue
        j = i
        while j < len(marks) and marks[j] == marks[i]:
            j += 1
        assert j - i >= 7
        i = j
