"""Reading an uploaded file without letting it take the worker: XLSX limits and strict text.

An XLSX file is a zip of XML. A small one can expand enormously (a "zip bomb": 0.9 MB
that is 3 million rows), and openpyxl, even in read-only mode, reads the whole
shared-strings part into memory. So before a workbook is opened its zip directory is
inspected: the total uncompressed size, the size of the shared strings and of each sheet,
and how much each large part expands, each against a limit in settings. The sizes in a
zip's directory bind: Python's zipfile never gives more bytes of a part than its entry
declares. While the rows are read, they are counted, and so are their cells, because a
sheet's `<dimension>` may lie (docs/decisions/0056-one-csv-writer-and-upload-limits.md).

A text file is read in the encoding the uploader chose, strictly: a byte that is not of
that encoding refuses the file, naming its line and byte, rather than the file being
read silently in another encoding ("ZoÃ« BrontÃ«").
"""

from __future__ import annotations

import codecs
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.conf import settings

from safeguarding.core.refusals import Refused

MB = 1024 * 1024
# A part that expands less than this is not worth a ratio check (styles, small sheets).
RATIO_CHECKED_FROM = MB

# The encodings an uploader may choose for a text file: (codec, label).
ENCODINGS = {
    "utf-8": "UTF-8 (Excel's 'CSV UTF-8', and most systems' exports)",
    "cp1252": "Windows-1252 (Western European, as older Excel saves 'CSV')",
    "iso-8859-1": "ISO-8859-1 (Latin-1)",
}
ENCODING_NAMES = {"utf-8": "UTF-8", "cp1252": "Windows-1252", "iso-8859-1": "ISO-8859-1"}


class UploadRefused(Refused, ValueError):
    """The file cannot be read within the limits; the message says why, for its uploader."""

    code = "core.upload_refused"


class NotAWorkbook(UploadRefused):
    """The file is not a zip at all, so not an XLSX workbook."""

    code = "core.not_a_workbook"


@dataclass(frozen=True)
class XlsxLimits:
    max_bytes: int  # all parts, uncompressed
    max_shared_strings_bytes: int
    max_sheet_bytes: int  # each worksheet, uncompressed
    max_ratio: int  # uncompressed ÷ compressed, of a part over RATIO_CHECKED_FROM
    max_rows: int
    max_cells: int

    @classmethod
    def from_settings(cls) -> XlsxLimits:
        return cls(
            max_bytes=settings.SAFEGUARDING_XLSX_MAX_BYTES,
            max_shared_strings_bytes=settings.SAFEGUARDING_XLSX_MAX_SHARED_STRINGS_BYTES,
            max_sheet_bytes=settings.SAFEGUARDING_XLSX_MAX_SHEET_BYTES,
            max_ratio=settings.SAFEGUARDING_XLSX_MAX_RATIO,
            max_rows=settings.SAFEGUARDING_XLSX_MAX_ROWS,
            max_cells=settings.SAFEGUARDING_XLSX_MAX_CELLS,
        )


SAVE_AS_CSV = "save it as CSV, which has no such limit"


def as_sentence(reason: str) -> str:
    """A reason ("the sheet has …") as a sentence for a page: a capital and a full stop."""
    return reason[:1].upper() + reason[1:].rstrip(".") + "."


def _mb(size: int) -> str:
    return f"{size / MB:,.0f} MB" if size >= MB else f"{size / 1024:,.0f} KB"


def check_xlsx(
    stream: BinaryIO, limits: XlsxLimits | None = None, instead: str = SAVE_AS_CSV
) -> None:
    """Refuse a workbook whose parts would expand past the limits; the stream is left at 0.
    `instead` ends each reason: what the uploader can do instead."""
    limits = limits or XlsxLimits.from_settings()
    try:
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise NotAWorkbook(
            "the file is not an XLSX workbook that can be read: save it again from the "
            "spreadsheet as .xlsx, or as CSV"
        ) from error
    finally:
        stream.seek(0)
    total = sum(part.file_size for part in parts)
    if total > limits.max_bytes:
        raise UploadRefused(
            f"the workbook expands to {_mb(total)}, more than the {_mb(limits.max_bytes)} "
            f"a workbook may hold here: {instead}"
        )
    for part in parts:
        name = part.filename.lower()
        if name.endswith("sharedstrings.xml") and part.file_size > limits.max_shared_strings_bytes:
            raise UploadRefused(
                f"the workbook's text (its shared strings) is {_mb(part.file_size)}, more than "
                f"the {_mb(limits.max_shared_strings_bytes)} a workbook may hold here: "
                f"{instead}"
            )
        if name.startswith("xl/worksheets/") and part.file_size > limits.max_sheet_bytes:
            raise UploadRefused(
                f"a sheet of the workbook expands to {_mb(part.file_size)}, more than the "
                f"{_mb(limits.max_sheet_bytes)} a sheet may hold here: {instead}"
            )
        if part.file_size > RATIO_CHECKED_FROM and part.file_size > limits.max_ratio * max(
            part.compress_size, 1
        ):
            raise UploadRefused(
                f"the workbook expands {part.file_size // max(part.compress_size, 1):,} times "
                f"over (a spreadsheet's own files expand at most {limits.max_ratio} times): "
                "it may be damaged or made to exhaust the server; save it again from the "
                f"spreadsheet, or {instead}"
            )


def limited_rows(
    rows: Iterator[tuple[Any, ...]], limits: XlsxLimits | None = None, first: int = 1
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, cells) of a sheet's rows, refusing once past the rows or cells allowed,
    whatever the sheet's dimension says. `first` is the number of the first row given."""
    limits = limits or XlsxLimits.from_settings()
    cells = 0
    for number, row in enumerate(rows, start=first):
        if number > limits.max_rows:
            raise UploadRefused(
                f"the sheet has more than {limits.max_rows:,} rows, the most a workbook may "
                f"have here: split it, or {SAVE_AS_CSV}"
            )
        cells += len(row)
        if cells > limits.max_cells:
            raise UploadRefused(
                f"the sheet has more than {limits.max_cells:,} cells by row {number:,}, the "
                f"most a workbook may have here: split it, or {SAVE_AS_CSV}"
            )
        yield number, row


def _position(
    chunk: bytes, at: int, lines_before: int, line_start: int, offset: int
) -> tuple[int, int]:
    """(line, byte in that line), both from 1, of position `at` of `chunk`, which starts
    at `offset` of the file after `lines_before` line ends, the last at `line_start`."""
    at = max(at, 0)
    line = lines_before + chunk.count(b"\n", 0, at) + 1
    newline = chunk.rfind(b"\n", 0, at)
    start = offset + newline + 1 if newline >= 0 else line_start
    return line, offset + at - start + 1


def encoding_problem(
    line: int, byte: int, value: int, encoding: str, choose: str = "or choose the file's encoding"
) -> str:
    name = ENCODING_NAMES.get(encoding, encoding)
    return (
        f"line {line:,}, byte {byte:,} is not {name} (0x{value:02X}): save the file as "
        f"CSV UTF-8, {choose}"
    )


def check_text(
    stream: BinaryIO, encoding: str = "utf-8", choose: str = "or choose the file's encoding"
) -> None:
    """Refuse a file that is not wholly text in `encoding`, naming the first bad byte's line
    and its byte in the line, or that holds a zero byte. Reads the stream once, in chunks,
    and leaves it at 0. A UTF-8 byte-order mark is allowed."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    lines = 0
    line_start = 0  # where the current line starts in the file
    offset = 0  # where this chunk starts in the file
    try:
        while chunk := stream.read(1 << 20):
            if (at := chunk.find(b"\x00")) >= 0:
                line, _ = _position(chunk, at, lines, line_start, offset)
                raise UploadRefused(
                    f"the file holds a zero byte (NUL) on line {line:,}, which a CSV file "
                    "never has: it may be damaged; export it again as CSV UTF-8"
                )
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                at = error.start - pending
                line, byte = _position(chunk, at, lines, line_start, offset)
                raise UploadRefused(
                    encoding_problem(line, byte, error.object[error.start], encoding, choose)
                ) from error
            lines += chunk.count(b"\n")
            if (newline := chunk.rfind(b"\n")) >= 0:
                line_start = offset + newline + 1
            offset += len(chunk)
        pending_bytes = decoder.getstate()[0]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            # The file ends part of the way through a character.
            at = offset - len(pending_bytes)
            raise UploadRefused(
                encoding_problem(lines + 1, at - line_start + 1, pending_bytes[0], encoding, choose)
            ) from error
    finally:
        stream.seek(0)
