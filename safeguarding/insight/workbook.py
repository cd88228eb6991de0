"""The XLSX template an agency fills in for a period, and reading it back.

The template lists the agency's indicators of that frequency for the period, with the
value already held (if any) beside an empty cell for the new one. Reading it back checks
every row first and reports every problem with its row, column and reason; only a file
with none is loaded, in one transaction (all or nothing). A row whose value differs from
the one held is a correction and needs a reason in its row.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import IO, Any
from zipfile import BadZipFile

from django.http import HttpRequest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from safeguarding.core import transactions
from safeguarding.core.models import Agency, User
from safeguarding.core.uploads import NotAWorkbook, UploadRefused, as_sentence, check_xlsx
from safeguarding.insight import actions
from safeguarding.insight.actions import Problem, Refused, Value
from safeguarding.insight.models import Channel, Indicator, Submission
from safeguarding.insight.periods import Frequency, Period

SHEET = "Values"
COLUMNS = (
    "code",
    "indicator",
    "unit",
    "period",
    "period start",
    "value held",
    "value",
    "numerator",
    "denominator",
    "reason for correction",
)
EDITABLE = {"value", "numerator", "denominator", "reason for correction"}
MAX_ROWS = 2000


def template_indicators(agency: Agency, frequency: Frequency) -> list[Indicator]:
    return list(
        Indicator.objects.filter(
            active=True, computed=False, source_agency=agency, frequency=frequency
        ).order_by("title")
    )


def build_template(agency: Agency, period: Period) -> bytes:
    """The workbook for this agency and period, with the values already held shown."""
    indicators = template_indicators(agency, period.frequency)
    held = {
        s.indicator_id: s
        for s in Submission.objects.filter(
            agency=agency, period_start=period.start, indicator__in=indicators
        )
    }
    book = Workbook()
    for default in list(book.worksheets):
        book.remove(default)
    sheet = book.create_sheet(SHEET)
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for indicator in indicators:
        submission = held.get(indicator.pk)
        sheet.append(
            [
                indicator.code,
                indicator.title,
                indicator.get_unit_display(),
                period.label,
                period.start,
                float(submission.value) if submission else None,
                None,
                None,
                None,
                None,
            ]
        )
        for column in range(7, 11):
            sheet.cell(row=sheet.max_row, column=column).fill = fill
        sheet.cell(row=sheet.max_row, column=5).number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEFGHIJ", (26, 44, 22, 16, 12, 12, 12, 12, 14, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    about = book.create_sheet("About")
    about.append(["agency", agency.code])
    about.append(["frequency", period.frequency.value])
    about.append(["period start", period.start])
    about.append(
        [
            "how to fill it in",
            "Enter each value in the yellow cells. For a rate or percentage you may give "
            "the numerator and denominator instead. Leave a row blank to send nothing for "
            "it. To change a value already held, enter the new value and a reason.",
        ]
    )
    # openpyxl stores text that starts with "=" as a formula; an indicator's title is typed
    # by a person, so every text cell is kept as text (decision 0056).
    for worksheet in book.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class UploadResult:
    submitted: int
    corrected: int
    unchanged: int


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_upload(
    request: HttpRequest | None, upload: IO[bytes], *, user: User, today: dt.date | None = None
) -> UploadResult:
    """Check every row, then load all of them or none; Refused lists every problem."""
    if user.agency is None:
        raise Refused([Problem("Only a member of an agency can send its values.")])
    agency = user.agency
    try:
        check_xlsx(upload, instead="fill in a fresh copy of the template")  # type: ignore[arg-type]
    except NotAWorkbook:
        raise Refused(
            [Problem("This is not an Excel workbook (.xlsx) made from the template.")]
        ) from None
    except UploadRefused as refused:
        raise Refused([Problem(as_sentence(str(refused)))]) from None
    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise Refused(
            [Problem("This is not an Excel workbook (.xlsx) made from the template.")]
        ) from None
    if SHEET not in book.sheetnames:
        raise Refused([Problem(f"The workbook has no sheet called {SHEET!r}.")])
    sheet = book[SHEET]
    sheet.reset_dimensions()
    # The sheet's stated dimension may lie; rows are read as they are, up to MAX_ROWS.
    rows = sheet.iter_rows(values_only=True)
    header = [_text(h).lower() for h in next(rows, ())]
    missing = [
        c for c in ("code", "period start", "value", "numerator", "denominator") if c not in header
    ]
    if missing:
        raise Refused([Problem(f"The sheet has no {c!r} column.", 1, c) for c in missing])
    at = {name: header.index(name) for name in COLUMNS if name in header}
    indicators = {i.code: i for i in Indicator.objects.filter(active=True)}
    problems: list[Problem] = []
    plan: list[tuple[str, Indicator, Period, Value, str, Submission | None]] = []
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS:
            problems.append(Problem(f"A template has at most {MAX_ROWS - 1} rows.", number))
            break
        cells = {name: _text(row[i]) if i < len(row) else "" for name, i in at.items()}
        if not (cells.get("value") or cells.get("numerator") or cells.get("denominator")):
            continue  # nothing sent for this row
        indicator = indicators.get(cells.get("code", ""))
        if indicator is None:
            problems.append(Problem("No active indicator has this code.", number, "code"))
            continue
        if not actions.may_submit(user, indicator):
            problems.append(
                Problem(f"{agency.name} does not send {indicator.title}.", number, "code")
            )
            continue
        try:
            period = Period(
                dt.date.fromisoformat(cells.get("period start", "")[:10]),
                Frequency(indicator.frequency),
            )
        except ValueError:
            problems.append(
                Problem(
                    "Not the first day of one of this indicator's periods.", number, "period start"
                )
            )
            continue
        raw = Value(None)
        bad = False
        for column, parse in (
            ("value", actions.parse_decimal),
            ("numerator", actions.parse_whole),
            ("denominator", actions.parse_whole),
        ):
            try:
                setattr(raw, column, parse(cells.get(column)))
            except ValueError as error:
                problems.append(Problem(str(error).capitalize() + ".", number, column))
                bad = True
        if bad:
            continue
        value, reasons = actions.check_value(indicator, period, raw, today=today)
        if reasons or value is None:
            problems.extend(Problem(r, number, "value") for r in reasons)
            continue
        held = Submission.objects.filter(
            indicator=indicator, period_start=period.start, agency=agency
        ).first()
        reason = cells.get("reason for correction", "")
        if held is not None and held.value != value and not reason:
            problems.append(
                Problem(
                    f"A value of {held.value} is already held: give a reason to correct it.",
                    number,
                    "reason for correction",
                )
            )
            continue
        if any(p[1] == indicator and p[2] == period for p in plan):
            problems.append(
                Problem("This indicator and period are in the file twice.", number, "code")
            )
            continue
        kind = "new" if held is None else ("same" if held.value == value else "correct")
        plan.append((kind, indicator, period, raw, reason, held))
    book.close()
    if problems:
        raise Refused(problems)
    if not plan:
        raise Refused([Problem("The file has no values in it.")])
    submitted = corrected = unchanged = 0
    with transactions.together():
        for kind, indicator, period, raw, reason, held in plan:
            if kind == "new":
                actions.submit_value(
                    indicator=indicator,
                    period=period,
                    agency=agency,
                    raw=raw,
                    channel=Channel.UPLOAD,
                    user=user,
                    request=request,
                    today=today,
                )
                submitted += 1
            elif kind == "correct" and held is not None:
                actions.correct_value(
                    held,
                    raw,
                    reason=reason,
                    user=user,
                    request=request,
                    channel=Channel.UPLOAD,
                    today=today,
                )
                corrected += 1
            else:
                unchanged += 1
    return UploadResult(submitted, corrected, unchanged)
