"""The one pass over a persons extract: every value of every row checked, in a loop
written for speed (docs/decisions/0019), each chunk of rows handed to the writer."""

from __future__ import annotations

from collections.abc import Callable
from operator import mul
from typing import Any

from safeguarding.children.imports import staging
from safeguarding.children.imports.columns import ATTRIBUTE_MAX_LENGTH, MAX_LENGTH
from safeguarding.children.imports.run import Run
from safeguarding.children.imports.values import (
    NHS_ASCII_OFFSET,
    NHS_WEIGHTS,
    SEX_LOOKUP,
    SEX_REASON,
    UPN_ASCII_OFFSET,
    UPN_LETTERS,
    UPN_WEIGHTS,
    DateColumn,
    dob_reading,
    nhs_number,
    over_long,
)
from safeguarding.core import identifiers


def check_rows(run: Run, write: Callable[[list[tuple[Any, ...]]], None]) -> DateColumn:
    """The one pass over a persons extract's rows: check each value, hand each chunk of rows to `write`.

    Written for speed (docs/decisions/0019): one loop, local names, every check that
    repeats (dates, postcodes, sex) cached by the raw text, the NHS number and UPN
    checked on their bytes, and the slower shared checks only for values that fail.
    """
    report = run.report
    today = run.today
    chunk_size = staging.CHUNK
    dates = DateColumn()
    dob_cache: dict[str, tuple[str | None, str | None, str | None]] = {}
    postcode_cache: dict[str, str] = {}
    index = run.columns.index
    width = run.columns.width
    position = run.position
    i_record, i_given, i_family, i_other = (
        position(name) for name in ("record_id", "given_name", "family_name", "other_names")
    )
    i_dob, i_sex, i_address, i_postcode = (
        position(name) for name in ("date_of_birth", "sex", "address", "postcode")
    )
    i_nhs, i_upn = position("nhs_number"), position("upn")
    has_dob, has_sex, has_postcode, has_nhs, has_upn = (
        name in index for name in ("date_of_birth", "sex", "postcode", "nhs_number", "upn")
    )
    extra_positions = [place for place, _ in run.columns.extras]
    extra_headers = [header for _, header in run.columns.extras]
    sex_values = SEX_LOOKUP
    nhs_weights, nhs_offset = NHS_WEIGHTS, NHS_ASCII_OFFSET
    upn_weights, upn_offset, upn_letters = UPN_WEIGHTS, UPN_ASCII_OFFSET, UPN_LETTERS
    progress = run.progress
    chunk: list[tuple[Any, ...]] = []
    append = chunk.append
    read = 0
    for line, cells in run.table.rows:
        bad = False
        if len(cells) != width:
            bad = run.odd_width(line, cells)
            cells = (cells + [""] * width)[:width]
        if not any(cells):
            continue
        cells.append("")
        read += 1
        record_id = cells[i_record].strip()
        if not record_id or len(record_id) > 100:
            report(
                line,
                "record_id",
                over_long("record_id", len(record_id), 100)
                if record_id
                else "is empty: every row needs the agency's own id for the person",
            )
            bad = True
        given = cells[i_given].strip()
        family = cells[i_family].strip()
        other = cells[i_other].strip()
        address = cells[i_address].strip()
        if len(given) > 100 or len(family) > 100 or len(other) > 200 or len(address) > 300:
            bad = over_long_names(run, line, given, family, other, address)
        born = born_alt = None
        if has_dob:
            text = cells[i_dob]
            if text:
                cached = dob_cache.get(text)
                if cached is None:
                    cached = dob_cache[text] = dob_reading(text.strip(), dates, today)
                born, born_alt, problem = cached
                if problem is not None:
                    report(line, "date_of_birth", problem)
                    bad = True
        sex = "U"
        if has_sex:
            text = cells[i_sex]
            found = sex_values.get(text) or sex_values.get(text.strip().lower())
            if found is None:
                report(line, "sex", SEX_REASON)
                bad = True
            else:
                sex = found
        postcode = ""
        if has_postcode:
            text = cells[i_postcode]
            if text:
                postcode = postcode_cache.get(text) or postcode_cache.setdefault(
                    text, " ".join(text.upper().split())
                )
                if len(postcode) > 10:
                    report(line, "postcode", over_long("postcode", len(postcode), 10))
                    bad = True
        nhs = ""
        if has_nhs:
            nhs = cells[i_nhs]
            if nhs:
                if len(nhs) == 10 and nhs.isdigit():
                    raw = nhs.encode("ascii")
                    check = 11 - (sum(map(mul, raw, nhs_weights)) - nhs_offset) % 11
                    valid = (check if check != 11 else 0) == raw[9] - 48
                else:
                    valid = False
                if not valid:
                    nhs, problem = nhs_number(nhs.strip())
                    if problem is not None:
                        report(line, "nhs_number", problem)
                        bad = True
        upn = ""
        if has_upn:
            upn = cells[i_upn]
            if upn:
                if len(upn) == 13 and upn[1:].isdigit():
                    total = sum(map(mul, upn[1:].encode("ascii"), upn_weights)) - upn_offset
                    valid = upn_letters[total % 23] == upn[0]
                else:
                    valid = False
                if not valid:
                    upn = upn.strip().upper()
                    if (problem := identifiers.upn_problem(upn)) is not None:
                        report(line, "upn", problem)
                        bad = True
        row = (line, record_id, given, family, other, born, born_alt, sex, address)
        if extra_positions:
            extras = [cells[place].strip() for place in extra_positions]
            if max(map(len, extras)) > ATTRIBUTE_MAX_LENGTH:
                for header, value in zip(extra_headers, extras, strict=True):
                    if len(value) > ATTRIBUTE_MAX_LENGTH:
                        report(
                            line,
                            header,
                            over_long(header, len(value), ATTRIBUTE_MAX_LENGTH),
                        )
                bad = True
            append((*row, postcode, nhs, upn, bad, *extras))
        else:
            append((*row, postcode, nhs, upn, bad))
        if len(chunk) >= chunk_size:
            write(chunk)
            chunk = []
            append = chunk.append
            if progress is not None:
                progress(chunk_size)
    if chunk:
        write(chunk)
        if progress is not None:
            progress(len(chunk))
    run.rows_read = read
    return dates


def over_long_names(run: Run, line: int, *values: str) -> bool:
    """Report each name or address too long for its field; the row is bad."""
    for name, value in zip(
        ("given_name", "family_name", "other_names", "address"), values, strict=True
    ):
        if len(value) > MAX_LENGTH[name]:
            run.report(line, name, over_long(name, len(value), MAX_LENGTH[name]))
    return True
