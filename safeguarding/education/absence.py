"""Reading a school's absence return (CSV): every problem with row, column and reason.

Columns: upn, sessions_possible, sessions_missed, child_in_need, child_protection_plan,
send, free_school_meals (Y or N; empty is N). One row a pupil; only the persistently or
severely absent are kept, but every row is checked, and one problem refuses the file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from safeguarding.core.identifiers import is_valid_upn
from safeguarding.education.models import PERSISTENT_PERCENT, SEVERE_PERCENT

COLUMNS = (
    "upn",
    "sessions_possible",
    "sessions_missed",
    "child_in_need",
    "child_protection_plan",
    "send",
    "free_school_meals",
)
FLAGS = COLUMNS[3:]
YES, NO = {"y", "yes", "true", "1"}, {"n", "no", "false", "0", ""}
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Problem:
    row: int  # 1 is the header
    column: str
    reason: str


@dataclass(frozen=True)
class Pupil:
    upn: str
    sessions_possible: int
    sessions_missed: int
    flags: dict[str, bool]

    @property
    def persistent(self) -> bool:
        return 100 * self.sessions_missed >= PERSISTENT_PERCENT * self.sessions_possible

    @property
    def severe(self) -> bool:
        return 100 * self.sessions_missed >= SEVERE_PERCENT * self.sessions_possible


@dataclass
class Parsed:
    pupils: list[Pupil] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0


def _count(value: str, row: int, column: str, problems: list[Problem]) -> int | None:
    try:
        number = int(value.strip())
    except ValueError:
        problems.append(Problem(row, column, "Not a whole number."))
        return None
    if number < 0:
        problems.append(Problem(row, column, "Cannot be negative."))
        return None
    return number


def parse(data: bytes) -> Parsed:
    parsed = Parsed()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        parsed.problems.append(Problem(1, "", "The file is not UTF-8 text (save it as CSV UTF-8)."))
        return parsed
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in COLUMNS if column not in header]
    for column in missing:
        parsed.problems.append(Problem(1, column, "Column missing from the header."))
    if missing:
        return parsed
    reader.fieldnames = header
    seen: dict[str, int] = {}
    for row_number, raw in enumerate(reader, start=2):
        parsed.rows += 1
        if parsed.rows > MAX_ROWS:
            parsed.problems.append(Problem(row_number, "", f"More than {MAX_ROWS} rows."))
            break
        problems: list[Problem] = []
        upn = (raw.get("upn") or "").strip().upper()
        if not is_valid_upn(upn):
            problems.append(
                Problem(row_number, "upn", "Not a valid UPN (13 characters, check letter).")
            )
        elif upn in seen:
            problems.append(Problem(row_number, "upn", f"The same UPN as row {seen[upn]}."))
        else:
            seen[upn] = row_number
        possible = _count(
            raw.get("sessions_possible") or "", row_number, "sessions_possible", problems
        )
        missed = _count(raw.get("sessions_missed") or "", row_number, "sessions_missed", problems)
        if possible == 0:
            problems.append(Problem(row_number, "sessions_possible", "Must be more than 0."))
        if possible and missed is not None and missed > possible:
            problems.append(
                Problem(row_number, "sessions_missed", "More than the sessions possible.")
            )
        flags: dict[str, bool] = {}
        for column in FLAGS:
            value = (raw.get(column) or "").strip().lower()
            if value in YES:
                flags[column] = True
            elif value in NO:
                flags[column] = False
            else:
                problems.append(Problem(row_number, column, "Y or N expected."))
        parsed.problems.extend(problems)
        if not problems and possible and missed is not None:
            parsed.pupils.append(Pupil(upn, possible, missed, flags))
    return parsed
