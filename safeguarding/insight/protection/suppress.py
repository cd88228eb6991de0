"""Secondary suppression across the linked tables, as a mixed integer programme.

The model is Fischetti and Salazar's for cell suppression (the one τ-ARGUS's "optimal"
method solves), written whole rather than by Benders cuts because a partnership's tables
are small. Per group of linked figures (`LinkedTables.components`):

- y_f ∈ {0, 1}: figure f is hidden. Small counts are hidden (y = 1); true zeros are shown
  (y = 0), as the policy says.
- For each cell to protect, two *alternative tables*, as deviations d from the true
  atoms: each keeps every shown figure within what its shown value says (exactly, or to
  its rounding), keeps every atom at 0 or more and every hidden figure at 1 or more
  (a reader knows that a hidden count is not zero). The protected cell's values in the
  two must be at least the protection interval apart.
- Minimise the number of hidden figures (a little less for a smaller count, so that
  ties hide less), with HiGHS and a time limit; the best pattern found by then is used.

The audit (audit.py) then checks the pattern; a secondary cell that the audit finds too
narrowly bounded is protected too and the programme solved again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from safeguarding.insight.protection.model import LinkedTables
from safeguarding.insight.protection.rules import Rule

TIME_LIMIT = 5.0  # seconds per group of linked figures


@dataclass
class Pattern:
    """Which figures are hidden, and why."""

    hidden: set[str] = field(default_factory=set)
    primary: set[str] = field(default_factory=set)
    optimal: bool = True

    @property
    def secondary(self) -> set[str]:
        return self.hidden - self.primary


def primary(linked: LinkedTables, rule: Rule) -> set[str]:
    return {key for key in linked.figures if rule.is_small(linked.value(key))}


def protect(linked: LinkedTables, rule: Rule, time_limit: float = TIME_LIMIT) -> Pattern:
    """The hidden figures: every small count, and the fewest others that protect them."""
    from safeguarding.insight.protection.audit import audit

    small = primary(linked, rule)
    pattern = Pattern(hidden=set(small), primary=small)
    for group in linked.components():
        sensitive = {f for f in group if f in small}
        if not sensitive:
            continue
        for _ in range(5):
            hidden, optimal = _solve(linked, group, sensitive, rule, time_limit)
            findings = audit(linked, hidden, rule, only=group)
            exposed = {f.key for f in findings if not f.protected}
            if not exposed - sensitive:
                break
            sensitive |= exposed
        pattern.hidden |= hidden
        pattern.optimal &= optimal
    return pattern


def _solve(
    linked: LinkedTables, group: list[str], sensitive: set[str], rule: Rule, time_limit: float
) -> tuple[set[str], bool]:
    atoms = sorted({a for f in group for a in linked.figures[f]})
    col = {a: i for i, a in enumerate(atoms)}
    values = np.array([linked.atoms[a] for a in atoms], dtype=float)
    n_f, n_a = len(group), len(atoms)
    protected = sorted(sensitive)
    n_copies = 2 * len(protected)
    n_vars = n_f + n_copies * n_a
    # How far an alternative table moves an atom. A pair of alternatives can be scaled
    # towards the true table (the feasible set is convex and holds it) until its cell is
    # exactly the interval apart, and in tables of sums a cell moves with its partners, so
    # twice the interval is room enough; the audit checks the pattern without this bound.
    reach = 2.0 * rule.interval + 2.0

    fig_value = [float(linked.value(f)) for f in group]
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    lower: list[float] = []
    upper: list[float] = []

    def add(entries: list[tuple[int, float]], lo: float, hi: float) -> None:
        r = len(lower)
        for c, v in entries:
            rows.append(r)
            cols.append(c)
            data.append(v)
        lower.append(lo)
        upper.append(hi)

    for k in range(n_copies):
        base = n_f + k * n_a
        for j, f in enumerate(group):
            members = [(base + col[a], 1.0) for a in linked.figures[f]]
            v = fig_value[j]
            lo, hi = rule.shown_bounds(int(v))
            # shown: v + F(d) within [lo, hi]; hidden: as far as the atoms can move
            add([*members, (j, -(reach * len(members) - (hi - v)))], -math.inf, hi - v)
            add([*members, (j, v - (v - lo))], lo - v, math.inf)
            # hidden: v + F(d) ≥ 1
            add([*members, (j, -1.0)], -v, math.inf)
    # The two alternatives of each protected cell at least the interval apart.
    index = {f: j for j, f in enumerate(group)}
    for p, f in enumerate(protected):
        up, down = n_f + 2 * p * n_a, n_f + (2 * p + 1) * n_a
        entries = [(up + col[a], 1.0) for a in linked.figures[f]]
        entries += [(down + col[a], -1.0) for a in linked.figures[f]]
        add(entries, float(rule.interval), math.inf)

    lb = np.concatenate([np.zeros(n_f), np.tile(-values, n_copies)])
    ub = np.concatenate([np.ones(n_f), np.full(n_copies * n_a, reach)])
    for j, f in enumerate(group):
        if f in sensitive or rule.is_small(int(fig_value[j])):
            lb[j] = 1.0
        elif fig_value[j] == 0:
            ub[j] = 0.0  # a true zero is shown
    cost = np.zeros(n_vars)
    for j in range(n_f):
        cost[j] = 1.0 + 0.001 * math.log1p(fig_value[j])
    integrality = np.concatenate([np.ones(n_f), np.zeros(n_copies * n_a)])
    matrix = coo_array((data, (rows, cols)), shape=(len(lower), n_vars)).tocsr()
    result = milp(
        cost,
        constraints=LinearConstraint(matrix, np.array(lower), np.array(upper)),
        integrality=integrality,
        bounds=Bounds(lb, ub),
        options={"time_limit": time_limit, "disp": False},
    )
    if result.x is None:
        # No pattern found in time: hide every count that is not a true zero (safe, if
        # wasteful; the audit still checks it).
        return {f for j, f in enumerate(group) if fig_value[j] > 0}, False
    hidden = {f for f in group if result.x[index[f]] > 0.5}
    return hidden, bool(result.status == 0)
