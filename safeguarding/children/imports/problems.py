"""What an import reports: its problems, its result, and the two ways it can stop."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from safeguarding.children.models import ImportBatch
from safeguarding.core import refusals

# ImportBatch.problems keeps at most this many (the model says "the first thousand").
PROBLEMS_KEPT = 1_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong, where a person can find it. The reason never repeats a name,
    a date of birth or an identifier, so that problems can be shown and kept freely."""

    row: int | None  # header = 1, first data row = 2 (JSON: first object = 1); None: the file
    column: str  # the hub's field, or the file's header for a column the hub has no field for
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}

    def __str__(self) -> str:
        where = ", ".join(
            part for part in (f"row {self.row}" if self.row else "", self.column) if part
        )
        return f"{where}: {self.reason}" if where else self.reason


@dataclass
class ImportResult:
    """What a run did. For a dry run, created/updated/unchanged say what a load would do."""

    batch: ImportBatch
    problems: list[Problem]
    rows_read: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    loaded: bool
    dry_run: bool
    # Persons: columns kept as attributes. Events: columns the hub has no field for, not loaded.
    extra_columns: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.batch.status


class ImportRefused(refusals.Refused):
    """The file as a whole cannot be read: nothing was checked row by row, nothing loaded."""

    code = "children.import_refused"

    def __init__(self, problems: Sequence[Problem], batch: ImportBatch | None = None) -> None:
        self.problems = list(problems)
        self.batch = batch
        super().__init__("; ".join(str(problem) for problem in self.problems))


class ImportFailed(Exception):
    """Something broke while loading; the transaction was rolled back, nothing loaded."""

    def __init__(self, batch: ImportBatch, error: BaseException) -> None:
        self.batch = batch
        super().__init__(
            f"The import failed and nothing was loaded ({type(error).__name__}: {error})."
        )


def refuse(reason: str, column: str = "", row: int | None = None) -> ImportRefused:
    return ImportRefused([Problem(row, column, reason)])
