"""One run of the pipeline inside its transaction: what the persons' and the events'
runs share (reporting problems, settling a date column's order, the outcome)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from safeguarding.children.dates import Order
from safeguarding.children.imports.columns import Columns
from safeguarding.children.imports.problems import Problem
from safeguarding.children.imports.read import Table
from safeguarding.children.imports.staging import ANALYZE_AFTER, Sql, Staging
from safeguarding.children.imports.values import AMBIGUOUS_REASON, DateColumn
from safeguarding.children.models import ImportBatch
from safeguarding.core.access import SystemAccess
from safeguarding.core.models import Agency


@dataclass
class Outcome:
    problems: list[Problem]
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    loaded: bool = False
    extra_columns: list[str] = field(default_factory=list)


class Run:
    """One import inside its transaction: check and stage, whole-file checks, load."""

    def __init__(
        self,
        agency: Agency,
        batch: ImportBatch,
        table: Table,
        columns: Columns,
        *,
        dry_run: bool,
        load_valid_rows: bool,
        progress: Callable[[int], object] | None,
    ) -> None:
        self.agency = agency
        self.batch = batch
        self.table = table
        self.columns = columns
        self.dry_run = dry_run
        self.load_valid_rows = load_valid_rows
        self.progress = progress
        self.system = SystemAccess("import")
        self.sql = Sql()
        self.problems: list[Problem] = []
        self.rows_read = 0
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)

    def report(self, row: int | None, column: str, reason: str) -> None:
        self.problems.append(Problem(row, column, reason))

    def odd_width(self, line: int, cells: list[str]) -> bool:
        """A row wider than the header with values beyond it has a problem; a shorter
        one is padded (spreadsheets drop trailing empty cells)."""
        width = self.columns.width
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            self.report(
                line, "", f"this row has {len(cells)} values but the header names {width} columns"
            )
            return True
        return False

    def position(self, name: str) -> int:
        """Where a field is in a row; absent fields read the empty cell appended to each row."""
        return self.columns.index.get(name, self.columns.width)

    def finish_problems(self, fields: Sequence[str]) -> None:
        order = {name: place for place, name in enumerate(fields)}
        self.problems.sort(
            key=lambda p: (p.row or 0, order.get(p.column, len(order)), p.column, p.reason)
        )

    def counts(self, staging: Staging) -> tuple[int, int]:
        """(rows staged, rows with a problem)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN bad THEN 1 ELSE 0 END), 0) FROM {staging.name}"  # noqa: S608
            )
            staged, bad = cursor.fetchone()
        return int(staged), int(bad)

    def settle_dates(
        self,
        cursor: Any,
        staging: Staging,
        column: str,
        dates: DateColumn,
        range_check: str,
        range_params: list[Any],
        range_reason: str,
        extra_alt: Sequence[str] = (),
    ) -> Order | None:
        """Read the column's ambiguous dates in the order the column settles, or report them.

        The pass staged each ambiguous value read day first in `column` and month first in
        `column_alt`. A settled month-first column takes the alternatives; a range check
        (not in the future, not too old) then applies to what was chosen.
        """
        if not dates.ambiguous():
            return None
        name = staging.name
        alt = f"{column}_alt"
        order = dates.order()
        if order is None:
            cursor.execute(f"SELECT line FROM {name} WHERE {alt} IS NOT NULL ORDER BY line")  # noqa: S608
            for (line,) in cursor.fetchall():
                self.report(line, column, AMBIGUOUS_REASON)
            cursor.execute(f"UPDATE {name} SET bad = {self.sql.true} WHERE {alt} IS NOT NULL")  # noqa: S608
            return None
        if order is Order.MONTH_FIRST:
            moves = ", ".join(f"{c} = {c}_alt" for c in (column, *extra_alt))
            cursor.execute(f"UPDATE {name} SET {moves} WHERE {alt} IS NOT NULL")  # noqa: S608
        cursor.execute(
            f"SELECT line FROM {name} WHERE {alt} IS NOT NULL AND ({range_check}) ORDER BY line",  # noqa: S608
            range_params,
        )
        for (line,) in cursor.fetchall():
            self.report(line, column, range_reason)
        cursor.execute(
            f"UPDATE {name} SET bad = {self.sql.true} WHERE {alt} IS NOT NULL AND ({range_check})",  # noqa: S608
            range_params,
        )
        return order

    def analyze(self, cursor: Any, table: str, changed: int) -> None:
        """After a large load, fresh statistics on PostgreSQL: the linkage and the searches
        that follow an import would otherwise be planned for the table as it was."""
        if self.sql.postgres and changed >= ANALYZE_AFTER:
            # Through the owner's function: the app's role owns no table (core/dbroles.py).
            cursor.execute("SELECT safeguarding_analyze(%s::regclass)", [table])

    def run(self) -> Outcome:
        raise NotImplementedError
