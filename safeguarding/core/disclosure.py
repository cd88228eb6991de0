"""Disclosure control for figures that leave for a public audience, as pure functions.

DOMAIN.md, "Disclosure control for published figures":

- the default policy (DfE children's social care statistics): counts 1 to 5 shown as "c";
  0 is a true zero and shown; secondary suppression so that no hidden cell can be worked
  out from the totals;
- the alternative (NHS secondary care): counts 1 to 7 shown as "*", every other count
  rounded to the nearest 5 (rounding is what protects the totals, so no secondary
  suppression);
- percentages and rates to one decimal place; a rate or percentage whose numerator (or
  denominator) is hidden is hidden too.

Secondary suppression works on the table with its margins: the row totals as one more
column and the column totals as one more row. Each row and each column is an equation,
so a hidden cell can be recovered exactly when, in the graph whose nodes are the rows and
columns and whose edges are the hidden cells, that cell's edge is a bridge (it lies on no
cycle). Cells are hidden, smallest first, until no hidden cell is a bridge
(docs/decisions/0032-disclosure-control.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Policy(StrEnum):
    DFE = "dfe"
    NHS = "nhs"


POLICY_LABELS = {
    Policy.DFE: "DfE: 1 to 5 shown as c, with secondary suppression",
    Policy.NHS: "NHS: 1 to 7 shown as *, others rounded to the nearest 5",
}
SYMBOL = {Policy.DFE: "c", Policy.NHS: "*"}
SMALL_UPTO = {Policy.DFE: 5, Policy.NHS: 7}
NOT_APPLICABLE = "x"


def is_small(value: int, policy: Policy = Policy.DFE) -> bool:
    """A count that must not be shown: 1 to 5 (DfE) or 1 to 7 (NHS). Zero is a true zero."""
    return 1 <= value <= SMALL_UPTO[policy]


def round_to_5(value: int) -> int:
    return int(round(value / 5)) * 5


def count(value: int | None, policy: Policy | str = Policy.DFE) -> str:
    """One count on its own, primary suppression only (no totals to protect)."""
    policy = Policy(policy)
    if value is None:
        return NOT_APPLICABLE
    if is_small(value, policy):
        return SYMBOL[policy]
    if policy == Policy.NHS:
        return f"{round_to_5(value):,}"
    return f"{value:,}"


def one_decimal(value: float) -> str:
    return f"{value:,.1f}"


def percentage(
    numerator: int | None,
    denominator: int | None,
    policy: Policy | str = Policy.DFE,
    *,
    hidden: bool = False,
) -> str:
    """numerator / denominator as a percentage to one decimal place, or hidden.

    `hidden` says the numerator was suppressed elsewhere (secondarily, in a table).
    """
    return _ratio(numerator, denominator, 100, Policy(policy), hidden)


def rate(
    numerator: int | None,
    denominator: int | None,
    per: int = 10_000,
    policy: Policy | str = Policy.DFE,
    *,
    hidden: bool = False,
) -> str:
    """A rate per `per` (per 10,000 children by default) to one decimal place, or hidden."""
    return _ratio(numerator, denominator, per, Policy(policy), hidden)


def _ratio(
    numerator: int | None, denominator: int | None, scale: int, policy: Policy, hidden: bool
) -> str:
    if numerator is None or denominator is None or denominator == 0:
        return NOT_APPLICABLE
    if hidden or is_small(numerator, policy) or is_small(denominator, policy):
        return SYMBOL[policy]
    return one_decimal(numerator / denominator * scale)


@dataclass(frozen=True)
class ControlledTable:
    """A table with its totals, ready to publish.

    `values` and `hidden` are (rows + 1) × (columns + 1): the last column holds the row
    totals, the last row the column totals, the corner the grand total. `primary` marks
    cells hidden for being small, `hidden` every hidden cell (primary and secondary).
    """

    policy: Policy
    values: list[list[int]]
    hidden: list[list[bool]]
    primary: list[list[bool]]

    def shown(self) -> list[list[str]]:
        symbol = SYMBOL[self.policy]
        out: list[list[str]] = []
        for row_values, row_hidden in zip(self.values, self.hidden, strict=True):
            cells = []
            for value, hide in zip(row_values, row_hidden, strict=True):
                if hide:
                    cells.append(symbol)
                elif self.policy == Policy.NHS:
                    cells.append(f"{round_to_5(value):,}")
                else:
                    cells.append(f"{value:,}")
            out.append(cells)
        return out

    @property
    def secondary_count(self) -> int:
        return sum(
            h and not p
            for hr, pr in zip(self.hidden, self.primary, strict=True)
            for h, p in zip(hr, pr, strict=True)
        )


def with_totals(rows: Sequence[Sequence[int]]) -> list[list[int]]:
    """The table with a row-total column and a column-total row appended."""
    if not rows or not rows[0]:
        raise ValueError("A table needs at least one row and one column.")
    width = len(rows[0])
    if any(len(r) != width for r in rows):
        raise ValueError("Every row of a table needs the same number of columns.")
    if any(v < 0 for r in rows for v in r):
        raise ValueError("Counts cannot be negative.")
    full = [[*r, sum(r)] for r in rows]
    full.append([sum(r[j] for r in full) for j in range(width + 1)])
    return full


def control_table(
    rows: Sequence[Sequence[int]], policy: Policy | str = Policy.DFE
) -> ControlledTable:
    """Primary suppression of small counts (totals included) and, under the DfE policy,
    secondary suppression until no hidden cell can be worked out from the others."""
    policy = Policy(policy)
    values = with_totals(rows)
    primary = [[is_small(v, policy) for v in r] for r in values]
    hidden = [list(r) for r in primary]
    if policy == Policy.DFE:
        _secondary(values, hidden)
    return ControlledTable(policy=policy, values=values, hidden=hidden, primary=primary)


def recoverable_cells(hidden: list[list[bool]]) -> list[tuple[int, int]]:
    """Hidden cells whose value follows from the rows' and columns' sums: the bridges of
    the row–column graph of hidden cells."""
    n_rows, n_cols = len(hidden), len(hidden[0])
    edges = [(i, j) for i in range(n_rows) for j in range(n_cols) if hidden[i][j]]
    return [e for e in edges if _is_bridge(e, edges, n_rows)]


def _is_bridge(edge: tuple[int, int], edges: list[tuple[int, int]], n_rows: int) -> bool:
    """Whether row edge[0] and column edge[1] are disconnected once the edge is removed."""
    adjacency: dict[int, list[int]] = {}
    for i, j in edges:
        if (i, j) == edge:
            continue
        a, b = i, n_rows + j
        adjacency.setdefault(a, []).append(b)
        adjacency.setdefault(b, []).append(a)
    start, goal = edge[0], n_rows + edge[1]
    seen = {start}
    stack = [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return False
        for nxt in adjacency.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return True


def _secondary(values: list[list[int]], hidden: list[list[bool]]) -> None:
    """Hide more cells, the smallest in a row (or column) of a recoverable one, until none is.

    Terminates: each pass hides at least one more cell, and a fully hidden table of at
    least 2 × 2 (the margins make it so) has no bridge.
    """
    while True:
        exposed = recoverable_cells(hidden)
        if not exposed:
            return
        i, j = exposed[0]
        choice = _cheapest_partner(values, hidden, i, j)
        hidden[choice[0]][choice[1]] = True


def _cheapest_partner(
    values: list[list[int]], hidden: list[list[bool]], i: int, j: int
) -> tuple[int, int]:
    """The cell to hide with (i, j): the smallest visible cell of its row or column.

    Inner cells are preferred to totals and non-zero cells to true zeros (a hidden zero
    would read as "1 to 5"), then the smaller value.
    """
    n_rows, n_cols = len(values), len(values[0])
    candidates = [(i, c) for c in range(n_cols) if c != j and not hidden[i][c]]
    candidates += [(r, j) for r in range(n_rows) if r != i and not hidden[r][j]]
    if not candidates:  # the row and column are all hidden: widen to any visible cell
        candidates = [(r, c) for r in range(n_rows) for c in range(n_cols) if not hidden[r][c]]

    def cost(cell: tuple[int, int]) -> tuple[bool, bool, int, int, int]:
        r, c = cell
        is_total = r == n_rows - 1 or c == n_cols - 1
        return (is_total, values[r][c] == 0, values[r][c], r, c)

    return min(candidates, key=cost)
