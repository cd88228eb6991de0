"""Disclosure control: the two policies, and proof on random tables that no hidden cell
can be worked out from what is shown."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguarding.core import disclosure
from safeguarding.core.disclosure import Policy


@pytest.mark.parametrize(
    ("value", "shown"), [(0, "0"), (1, "c"), (5, "c"), (6, "6"), (1234, "1,234")]
)
def test_the_default_policy_hides_1_to_5_and_shows_a_true_zero(value: int, shown: str) -> None:
    assert disclosure.count(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (1, "*"), (7, "*"), (8, "10"), (12, "10"), (13, "15"), (1002, "1,000")],
)
def test_the_nhs_policy_hides_1_to_7_and_rounds_the_rest_to_the_nearest_5(
    value: int, shown: str
) -> None:
    assert disclosure.count(value, Policy.NHS) == shown


def test_percentages_and_rates_have_one_decimal_place() -> None:
    assert disclosure.percentage(63, 100) == "63.0"
    assert disclosure.percentage(2, 3 * 10) == "c"
    assert disclosure.rate(95, 36_000) == "26.4"
    assert disclosure.percentage(1, 3) == "c"


def test_a_rate_whose_numerator_is_hidden_is_hidden() -> None:
    assert disclosure.rate(4, 36_000) == "c"
    assert disclosure.rate(40, 36_000, hidden=True) == "c"
    assert disclosure.rate(7, 36_000, policy=Policy.NHS) == "*"


def test_a_rate_without_a_denominator_is_not_applicable() -> None:
    assert disclosure.rate(10, 0) == "x"
    assert disclosure.percentage(None, 10) == "x"


def test_a_lone_small_cell_in_a_row_takes_a_partner_with_it() -> None:
    table = disclosure.control_table([[3, 40, 50], [20, 30, 60]])
    shown = table.shown()
    assert shown[0][0] == "c"
    assert sum(cell == "c" for cell in shown[0]) >= 2
    assert sum(row[0] == "c" for row in shown) >= 2
    assert disclosure.recoverable_cells(table.hidden) == []


def test_secondary_suppression_prefers_the_smallest_inner_cell() -> None:
    table = disclosure.control_table([[3, 40, 9], [20, 30, 60], [11, 80, 90]])
    assert table.hidden[0][2]  # 9 is the smallest partner in the first row
    assert table.hidden[2][0]  # 11 the smallest in the first column
    assert not table.hidden[3][3]


def test_a_table_with_no_small_counts_is_shown_whole() -> None:
    table = disclosure.control_table([[10, 20], [30, 40]])
    assert table.shown() == [["10", "20", "30"], ["30", "40", "70"], ["40", "60", "100"]]


def test_a_small_total_is_hidden_too() -> None:
    table = disclosure.control_table([[1, 1], [20, 30]])
    assert table.shown()[0][2] == "c"
    assert disclosure.recoverable_cells(table.hidden) == []


def test_the_nhs_policy_rounds_the_totals_and_does_not_suppress_secondarily() -> None:
    table = disclosure.control_table([[3, 40], [20, 31]], Policy.NHS)
    assert table.shown() == [["*", "40", "45"], ["20", "30", "50"], ["25", "70", "95"]]
    assert table.secondary_count == 0


def test_a_ragged_or_negative_table_is_refused() -> None:
    with pytest.raises(ValueError):
        disclosure.control_table([[1, 2], [3]])
    with pytest.raises(ValueError):
        disclosure.control_table([[-1]])


# The proof: a hidden cell is recoverable exactly when its unit vector lies in the row
# space of the table's equations restricted to the hidden cells. This checks that by
# rational Gaussian elimination, independently of the graph argument the code uses.


def _rank(matrix: list[list[Fraction]]) -> int:
    rows = [list(r) for r in matrix]
    rank, width = 0, len(rows[0]) if rows else 0
    for col in range(width):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][col] != 0:
                factor = rows[r][col] / rows[rank][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def recoverable_by_algebra(hidden: list[list[bool]]) -> list[tuple[int, int]]:
    n_rows, n_cols = len(hidden), len(hidden[0])
    unknowns = [(i, j) for i in range(n_rows) for j in range(n_cols) if hidden[i][j]]
    if not unknowns:
        return []
    equations: list[list[Fraction]] = []
    for i in range(n_rows):  # each row: inner cells minus the row total
        equations.append(
            [Fraction(0 if r != i else (-1 if c == n_cols - 1 else 1)) for r, c in unknowns]
        )
    for j in range(n_cols):  # each column: inner cells minus the column total
        equations.append(
            [Fraction(0 if c != j else (-1 if r == n_rows - 1 else 1)) for r, c in unknowns]
        )
    base = _rank(equations)
    found = []
    for k, cell in enumerate(unknowns):
        unit = [Fraction(1 if m == k else 0) for m in range(len(unknowns))]
        if _rank([*equations, unit]) == base:
            found.append(cell)
    return found


tables = st.integers(min_value=1, max_value=5).flatmap(
    lambda width: st.lists(
        st.lists(st.integers(min_value=0, max_value=30), min_size=width, max_size=width),
        min_size=1,
        max_size=5,
    )
)


@given(tables)
@settings(max_examples=300, deadline=None)
def test_no_hidden_cell_of_a_random_table_can_be_worked_out(rows: list[list[int]]) -> None:
    table = disclosure.control_table(rows)
    assert recoverable_by_algebra(table.hidden) == []


@given(tables)
@settings(max_examples=300, deadline=None)
def test_no_row_or_column_has_exactly_one_hidden_cell(rows: list[list[int]]) -> None:
    table = disclosure.control_table(rows)
    for line in table.hidden:
        assert sum(line) != 1
    for column in zip(*table.hidden, strict=True):
        assert sum(column) != 1


@given(tables)
@settings(max_examples=200, deadline=None)
def test_every_small_count_is_hidden_and_every_zero_inner_cell_outside_suppression_shows(
    rows: list[list[int]],
) -> None:
    table = disclosure.control_table(rows)
    shown = table.shown()
    for i, row in enumerate(table.values):
        for j, value in enumerate(row):
            if 1 <= value <= 5:
                assert shown[i][j] == "c"
            if not table.hidden[i][j]:
                assert shown[i][j] == f"{value:,}"


@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=30), min_size=3, max_size=3),
        min_size=1,
        max_size=4,
    )
)
def test_the_bridge_test_agrees_with_the_algebra_on_any_pattern(rows: list[list[int]]) -> None:
    hidden = [[v % 3 == 0 for v in r] for r in rows]
    assert sorted(disclosure.recoverable_cells(hidden)) == sorted(recoverable_by_algebra(hidden))
