"""The linked tables of a period: every count published for it, as sums of atoms.

Every figure published for a period (a month of the data set's CSV, the year's total, a
quarter of the annual report, a cell of a table by type) is the sum of some *atoms*: the
finest counts held (a month of an indicator, a category's count). Two views of the same
count are two figures over the same atoms, so a quarter is linked to its months and the
year to both: that is what makes them one set of linked tables
(docs/decisions/0068-protection-across-linked-tables.md).

A figure over exactly the atoms of a figure already known *is* that figure, whatever it
is called by the output that publishes it: the year's total of the monthly CSV and the
report's total of its quarters are one cell, shown or hidden once.

Rates and percentages are not cells: each names its numerator and denominator figures.
It is shown only when both are shown (`hidden_rates`), so it never tells more than they
do; the audit still reads a published rate as a constraint on its numerator.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rate:
    key: str
    numerator: str
    denominator: str
    scale: int  # 100 for a percentage, 10,000 for a rate per 10,000


@dataclass
class LinkedTables:
    """Atoms with their true values, and the figures published over them."""

    atoms: dict[str, int] = field(default_factory=dict)
    # canonical figure key -> the atoms it sums (sorted)
    figures: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rates: dict[str, Rate] = field(default_factory=dict)
    # any name an output uses -> the canonical key of its figure
    aliases: dict[str, str] = field(default_factory=dict)
    _by_atoms: dict[tuple[str, ...], str] = field(default_factory=dict)

    def atom(self, name: str, value: int) -> str:
        if value < 0:
            raise ValueError("Counts cannot be negative.")
        held = self.atoms.get(name)
        if held is not None and held != value:
            raise ValueError(f"{name} is held as {held}, not {value}.")
        self.atoms[name] = int(value)
        return name

    def figure(self, key: str, atoms: Iterable[str]) -> str:
        """A published count over these atoms; the canonical key of its figure."""
        parts = tuple(sorted(set(atoms)))
        if not parts:
            raise ValueError("A figure sums at least one atom.")
        unknown = [a for a in parts if a not in self.atoms]
        if unknown:
            raise ValueError(f"Unknown atoms: {unknown}")
        if key in self.aliases:
            if self.figures[self.aliases[key]] != parts:
                raise ValueError(f"{key} is already a figure over other atoms.")
            return self.aliases[key]
        canonical = self._by_atoms.get(parts)
        if canonical is None:
            canonical = key
            self.figures[key] = parts
            self._by_atoms[parts] = key
        self.aliases[key] = canonical
        return canonical

    def cell(self, key: str, value: int) -> str:
        """A count that is its own atom (the finest figure held)."""
        return self.figure(key, [self.atom(key, value)])

    def total(self, key: str, parts: Sequence[str]) -> str:
        """The sum of figures with no atom in common (a total row, a year of months)."""
        atoms: list[str] = []
        for part in parts:
            atoms.extend(self.figures[self.aliases[part]])
        if len(atoms) != len(set(atoms)):
            raise ValueError("A total's parts overlap.")
        return self.figure(key, atoms)

    def sum_or_cell(self, key: str, value: int, parts: Sequence[str]) -> str:
        """A count that is the sum of figures already held when it is (a quarter of the
        report over the data set's months); a count of its own when they do not add up to
        it (the parts are missing, or hold other values)."""
        if parts and all(p in self.aliases for p in parts):
            try:
                if sum(self.value(p) for p in parts) == value:
                    return self.total(key, parts)
            except ValueError:
                pass
        return self.cell(key, value)

    def rate(self, key: str, numerator: str, denominator: str, scale: int) -> str:
        self.rates[key] = Rate(key, self.aliases[numerator], self.aliases[denominator], scale)
        return key

    def key(self, name: str) -> str:
        return self.aliases[name]

    def value(self, name: str) -> int:
        return sum(self.atoms[a] for a in self.figures[self.aliases[name]])

    def components(self) -> list[list[str]]:
        """The figures in groups that share no atom (each protected on its own), with the
        rates' numerators and denominators kept together."""
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def union(a: str, b: str) -> None:
            parent[find(a)] = find(b)

        for key, atoms in self.figures.items():
            for atom in atoms:
                union("f:" + key, "a:" + atom)
        for rate in self.rates.values():
            union("f:" + rate.numerator, "f:" + rate.denominator)
        groups: dict[str, list[str]] = {}
        for key in self.figures:
            groups.setdefault(find("f:" + key), []).append(key)
        return list(groups.values())

    def fingerprint(self, *extra: object) -> str:
        payload = json.dumps(
            [sorted(self.atoms.items()), sorted(self.figures.items()), [*map(str, extra)]],
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode()).hexdigest()


def hidden_rates(linked: LinkedTables, hidden: set[str]) -> set[str]:
    """The rates to hide: those whose numerator or denominator is hidden."""
    return {
        key
        for key, rate in linked.rates.items()
        if rate.numerator in hidden or rate.denominator in hidden
    }
