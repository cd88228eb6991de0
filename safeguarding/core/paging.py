"""What list pages share (the list of children, the trackers: missing, education, young
carers): a pager that reads the list through the access rule once, and links built
without a reversal per row (decision 0063).

A list page used to count its rows (the rule checked for each, up to the cap) and then
read its page (the rule checked and compiled again). `CappedPaginator` reads the keys of
the first `limit` + 1 rows once (`access.CheckedKeys`), counts those, and reads the
page's 50 rows by key. Building the rule's query costs more in Python than running it,
so this halves a list page's share of it (docs/benchmarks.md, "missing").
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import cached_property

from safeguarding.core import access

# The trackers' lists page through at most this many rows (20 pages of 50): past it,
# the user narrows the list (decision 0024's rule for the list of children).
LIST_LIMIT = 1000
PAGE_SIZE = 50

Decorate = Callable[[QuerySet[Any]], QuerySet[Any]]


class CappedPaginator(Paginator):
    """Pages through the first `limit` rows of an access-checked, ordered list.

    `decorate` adds what a page shows (select_related, annotations) to the query reading
    the page's rows by key, so that the keys' query stays as small as the list allows.
    """

    def __init__(
        self,
        rows: QuerySet[Any],
        per_page: int | None = None,
        *,
        limit: int | None = None,
        decorate: Decorate | None = None,
    ) -> None:
        super().__init__(rows, per_page or PAGE_SIZE)
        self.rows = rows
        self.limit = limit or LIST_LIMIT
        self.decorate = decorate

    @cached_property
    def checked(self) -> access.CheckedKeys[Any]:
        return access.CheckedKeys(self.rows, self.limit + 1)

    @cached_property
    def count(self) -> int:
        return min(len(self.checked.keys), self.limit)

    @property
    def more(self) -> bool:
        """More rows than the cap: only the first `limit` can be paged through."""
        return len(self.checked.keys) > self.limit

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        rows = self.checked.rows(bottom, top)
        if self.decorate is not None:
            rows = self.decorate(rows)
        found = {row.pk: row for row in rows}
        ordered = [found[key] for key in self.checked.keys[bottom:top] if key in found]
        return Page(ordered, number, self)


def url_prefix(name: str) -> str:
    """The path of URL `name` before its one argument (a public id): a page reverses it
    once and its rows add their ids, rather than a `{% url %}` per row."""
    marker = uuid.UUID(int=0)
    path = reverse(name, args=[marker])
    prefix, found, suffix = path.partition(str(marker))
    if not found or suffix not in ("", "/"):
        raise ValueError(f"URL {name!r} does not end with its one argument.")
    return prefix


def url_prefixes(**names: str) -> dict[str, str]:
    """`url_prefixes(child="missing:child")` is {"child": "/missing/child/"}."""
    return {key: url_prefix(name) for key, name in names.items()}
