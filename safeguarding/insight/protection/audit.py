"""The audit: how well is each hidden count known from everything published?

For each hidden figure, two linear programmes (HiGHS, through scipy's `linprog`) find the
smallest and largest value it can take given every figure published for the period: each
shown figure as shown (exactly, or within its rounding), every atom 0 or more, every
hidden figure 1 or more (zeros are shown, so a reader knows a hidden count is not zero),
and every published rate or percentage as the interval its one decimal place allows,
times its denominator. A hidden figure is protected when the two are at least the
protection interval apart. This is τ-ARGUS's audit, with the linked tables of a period
as its table (docs/decisions/0068-protection-across-linked-tables.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_array

from safeguarding.insight.protection.model import LinkedTables, hidden_rates
from safeguarding.insight.protection.rules import RATE_HALF_STEP, Rule

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Finding:
    key: str
    value: int
    low: float
    high: float
    needed: int
    primary: bool

    @property
    def protected(self) -> bool:
        return self.high - self.low >= self.needed - TOLERANCE

    @property
    def low_text(self) -> str:
        return _number(self.low)

    @property
    def high_text(self) -> str:
        return "no limit" if math.isinf(self.high) else _number(self.high)


def _number(x: float) -> str:
    return f"{x:,.1f}".removesuffix(".0")


def published_rates(linked: LinkedTables, hidden: set[str]) -> dict[str, float]:
    """The rates shown, at the one decimal place they are shown to."""
    out: dict[str, float] = {}
    for key, rate in linked.rates.items():
        if key in hidden_rates(linked, hidden):
            continue
        den = linked.value(rate.denominator)
        if den:
            out[key] = round(linked.value(rate.numerator) / den * rate.scale, 1)
    return out


def audit(
    linked: LinkedTables,
    hidden: set[str],
    rule: Rule,
    *,
    rates: Mapping[str, float] | None = None,
    only: Iterable[str] | None = None,
) -> list[Finding]:
    """A finding for every hidden figure (of `only`, if given): its feasible interval.

    `rates` are the rates published with the values shown (by default those a correct
    publication shows: every rate whose counts are both shown).
    """
    shown_rates = published_rates(linked, hidden) if rates is None else dict(rates)
    groups = linked.components() if only is None else [list(only)]
    findings: list[Finding] = []
    for group in groups:
        findings.extend(_audit_group(linked, group, hidden, rule, shown_rates))
    return findings


def _audit_group(
    linked: LinkedTables,
    group: list[str],
    hidden: set[str],
    rule: Rule,
    shown_rates: Mapping[str, float],
) -> list[Finding]:
    targets = [f for f in group if f in hidden]
    if not targets:
        return []
    in_group = set(group)
    atoms = sorted({a for f in group for a in linked.figures[f]})
    col = {a: i for i, a in enumerate(atoms)}
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    upper: list[float] = []  # A x ≤ upper

    def add(entries: list[tuple[str, float]], bound: float) -> None:
        r = len(upper)
        for figure, coefficient in entries:
            for a in linked.figures[figure]:
                rows.append(r)
                cols.append(col[a])
                data.append(coefficient)
        upper.append(bound)

    for f in group:
        if f in hidden:
            add([(f, -1.0)], -1.0)  # F(x) ≥ 1
        else:
            lo, hi = rule.shown_bounds(linked.value(f))
            add([(f, 1.0)], hi)
            add([(f, -1.0)], -lo)
    for key, shown in shown_rates.items():
        rate = linked.rates[key]
        if rate.numerator not in in_group:
            continue
        high = (shown + RATE_HALF_STEP) / rate.scale
        low = max(0.0, (shown - RATE_HALF_STEP) / rate.scale)
        # low × den ≤ num ≤ high × den
        add([(rate.numerator, 1.0), (rate.denominator, -high)], 0.0)
        add([(rate.numerator, -1.0), (rate.denominator, low)], 0.0)
    a_ub = coo_array((data, (rows, cols)), shape=(len(upper), len(atoms))).tocsr()
    b_ub = np.array(upper)
    findings = []
    for f in targets:
        c = np.zeros(len(atoms))
        for a in linked.figures[f]:
            c[col[a]] = 1.0
        low = _optimum(c, a_ub, b_ub)
        high = -_optimum(-c, a_ub, b_ub)
        findings.append(
            Finding(
                key=f,
                value=linked.value(f),
                low=low,
                high=high,
                needed=rule.interval,
                primary=rule.is_small(linked.value(f)),
            )
        )
    return findings


def _optimum(c: np.ndarray, a_ub: object, b_ub: np.ndarray) -> float:
    result = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
    if result.status == 3:  # unbounded
        return -math.inf
    if result.status != 0:
        raise RuntimeError(f"The audit's linear programme failed: {result.message}")
    return float(result.fun)
