"""Counts of child-level rows for the figures (the feeds, indicators, charts), never a row.

`rows_for_counts(model)` gives a `Counts`, not a queryset: it can be narrowed (`filter`,
`exclude`) and then only counted (`count`), aggregated (`aggregate`) or counted by group
(`grouped`). No row, and no field of a row, leaves it: an aggregate or a group is by a
coded field, a date, a number or a key, never by free text (a Max of a family name would
be a name). The caller that needs to name a child checks the keys it got with the rule
(`visible_children_among`). See docs/decisions/0061.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import Aggregate, Count, QuerySet

from safeguarding.children.models import ChildLevel

_Row = TypeVar("_Row", bound=ChildLevel)

# What a figure may be taken of or grouped by: no free text.
_TEXT = (models.CharField, models.TextField, models.JSONField, models.BinaryField)


class NotACount(ValueError):
    """An aggregate or a grouping that would read a row's free text."""


def _countable(field: Any, what: str) -> None:
    if isinstance(field, _TEXT) and not getattr(field, "choices", None):
        raise NotACount(f"{what}: a figure is not taken of free text.")


class Counts(Generic[_Row]):
    """The rows of a child-level model, for counting only."""

    def __init__(self, rows: QuerySet[_Row]) -> None:
        self._rows = rows

    @property
    def model(self) -> type[_Row]:
        return self._rows.model

    def filter(self, *args: Any, **kwargs: Any) -> Counts[_Row]:
        return Counts(self._rows.filter(*args, **kwargs))

    def exclude(self, *args: Any, **kwargs: Any) -> Counts[_Row]:
        return Counts(self._rows.exclude(*args, **kwargs))

    def count(self) -> int:
        return self._rows.count()

    def _check(self, rows: QuerySet[Any], aggregates: dict[str, Any]) -> None:
        for name, aggregate in aggregates.items():
            if not isinstance(aggregate, Aggregate):
                raise NotACount(f"{name}: only an aggregate (Count, Min, Max, Sum, Avg).")
            if isinstance(aggregate, Count):
                continue
            resolved = aggregate.resolve_expression(rows.query, allow_joins=True, summarize=True)
            _countable(resolved.output_field, name)

    def aggregate(self, **aggregates: Any) -> dict[str, Any]:
        """`QuerySet.aggregate`, with aggregates only (Count, or Min/Max/Sum/Avg of a date
        or a number)."""
        self._check(self._rows.all(), aggregates)
        return self._rows.aggregate(**aggregates)

    def grouped(self, *fields: str, **aggregates: Any) -> Grouped:
        """Rows counted by group: each group's `fields` (a key, a code, a date) and its
        aggregates, as `.values(*fields).annotate(**aggregates)`."""
        if not aggregates:
            raise NotACount("A group is given with its count, not as rows.")
        probe = self._rows.all()
        for name in fields:
            column = probe.query.resolve_ref(name, allow_joins=True)
            _countable(column.output_field, name)
        self._check(probe, aggregates)
        return Grouped(self._rows.values(*fields).order_by().annotate(**aggregates))


class Grouped:
    """Groups from `Counts.grouped`: each a dict of the group's fields and aggregates."""

    def __init__(self, groups: QuerySet[Any]) -> None:
        self._groups = groups

    def filter(self, *args: Any, **kwargs: Any) -> Grouped:
        """Keep the groups (or count only the rows) meeting a condition, e.g. on a count."""
        return Grouped(self._groups.filter(*args, **kwargs))

    def order_by(self, *fields: str) -> Grouped:
        return Grouped(self._groups.order_by(*fields))

    def count(self) -> int:
        return self._groups.count()

    def aggregate(self, **aggregates: Any) -> dict[str, Any]:
        """An aggregate over the groups (e.g. how many groups have a count over a bar)."""
        if not all(isinstance(a, Aggregate) for a in aggregates.values()):
            raise NotACount("Only an aggregate of the groups.")
        return self._groups.aggregate(**aggregates)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._groups)

    def __len__(self) -> int:
        return len(self._groups)


def rows_for_counts(model: type[_Row]) -> Counts[_Row]:
    """Every row of a child-level model, to count (the feeds' figures): `Counts`, through
    which no row and no row's field can be read."""
    from safeguarding.core.access.rows import _child_row_model

    return Counts(_child_row_model(model)._default_manager.all())
