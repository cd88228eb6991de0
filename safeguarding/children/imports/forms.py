"""Forms of the import pages: upload an extract, map its columns, issue an API token."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import PurePath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from safeguarding.children.models import ExtractKind
from safeguarding.core.forms import HubForm
from safeguarding.core.uploads import (
    ENCODINGS,
    UploadRefused,
    as_sentence,
    check_text,
    check_xlsx,
    limited_rows,
)

EXTRACT_TYPES = {".csv": "CSV", ".xlsx": "Excel"}
ON_ERRORS_NOTHING = "nothing"
ON_ERRORS_VALID = "valid"


def extract_problem(upload: UploadedFile | None) -> str | None:
    """Why this upload cannot be an extract, in words; None if it may be one."""
    if upload is None:
        return "Choose a CSV or Excel (.xlsx) file to upload."
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix == ".xls":
        return (
            "The file is an old Excel workbook (.xls): save it as .xlsx or CSV and upload it again."
        )
    if suffix not in EXTRACT_TYPES:
        return "The file must be a CSV or an Excel workbook (.xlsx)."
    if not upload.size:
        return "The file is empty."
    if suffix == ".xlsx":
        upload.seek(0)
        is_workbook = zipfile.is_zipfile(upload)
        upload.seek(0)
        if not is_workbook:
            return "The file cannot be read as an Excel workbook: open it in Excel, save it as .xlsx and upload it again."
    return None


class UploadForm(HubForm):
    extract = forms.FileField(
        label="The extract",
        help_text="A CSV file or an Excel workbook (.xlsx), with a header row.",
        required=False,
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"empty": "The file is empty."},
    )
    kind = forms.ChoiceField(
        label="What does the file hold?",
        choices=[
            (ExtractKind.PERSONS, "Persons: one row per person your agency holds"),
            (
                ExtractKind.EVENTS,
                "Events: one row per contact, referral, plan, episode or incident",
            ),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the file holds persons or events."},
    )
    dry_run = forms.BooleanField(
        required=False, label="Check only (dry run): report every problem and load nothing"
    )
    encoding = forms.ChoiceField(
        label="If it is a CSV file, how is its text encoded?",
        help_text=(
            "UTF-8 unless you know otherwise: Excel's 'CSV UTF-8' is. A file not wholly in the "
            "encoding you choose is refused, with the line where it is not, so that no name "
            "is loaded garbled."
        ),
        choices=list(ENCODINGS.items()),
        initial="utf-8",
        required=False,
    )
    on_errors = forms.ChoiceField(
        label="If some rows have problems",
        choices=[
            (ON_ERRORS_NOTHING, "Load nothing, so that I can correct the file and send it again"),
            (ON_ERRORS_VALID, "Load the valid rows and leave out the rows with problems"),
        ],
        initial=ON_ERRORS_NOTHING,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args: Any, too_big: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.too_big = too_big
        self.fields["extract"].widget.attrs["class"] = "govuk-file-upload"

    def clean_extract(self) -> UploadedFile | None:
        if self.too_big:
            raise forms.ValidationError(self.too_big)
        upload = self.cleaned_data.get("extract")
        problem = extract_problem(upload)
        if problem:
            raise forms.ValidationError(problem)
        return upload

    def clean_on_errors(self) -> str:
        return str(self.cleaned_data.get("on_errors") or ON_ERRORS_NOTHING)

    def clean_encoding(self) -> str:
        return str(self.cleaned_data.get("encoding") or "utf-8")


class LoadChoiceForm(HubForm):
    """After a check found problems: load the valid rows of the held file, or nothing."""

    choice = forms.ChoiceField(
        choices=[
            (ON_ERRORS_VALID, "Load the valid rows and leave out the rows with problems"),
            (ON_ERRORS_NOTHING, "Load nothing: I will correct the file and upload it again"),
        ],
        widget=forms.RadioSelect,
        label="What do you want to do?",
        error_messages={"required": "Choose whether to load the valid rows or nothing."},
    )


class TokenForm(HubForm):
    name = forms.CharField(
        max_length=100,
        label="Name of the token",
        help_text="Say which system will use it, such as 'Case system nightly export'.",
        error_messages={"required": "Give the token a name, so that you know later what uses it."},
    )


class SampleForm(HubForm):
    sample = forms.FileField(
        label="A sample of your file",
        help_text="Only its header row is read, to fill in the columns below. Nothing is loaded.",
        required=False,
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"empty": "The file is empty."},
    )

    encoding = forms.ChoiceField(
        label="If it is a CSV file, how is its text encoded?",
        choices=list(ENCODINGS.items()),
        initial="utf-8",
        required=False,
    )
    field_order = ("encoding", "sample")

    def __init__(self, *args: Any, too_big: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.too_big = too_big
        self.fields["sample"].widget.attrs["class"] = "govuk-file-upload"

    def clean_sample(self) -> list[str]:
        if self.too_big:
            raise forms.ValidationError(self.too_big)
        upload = self.cleaned_data.get("sample")
        problem = extract_problem(upload)
        if problem:
            raise forms.ValidationError(problem)
        assert upload is not None  # noqa: S101 - extract_problem said so
        headers = read_headers(upload, str(self.cleaned_data.get("encoding") or "utf-8"))
        if not headers:
            raise forms.ValidationError("The file has no header row.")
        return headers


def read_headers(upload: UploadedFile, encoding: str = "utf-8") -> list[str]:
    """The header row of a CSV or XLSX file: the first non-empty row, as text. A workbook
    is checked against the limits first; a CSV file is read strictly in `encoding`."""
    suffix = PurePath(upload.name or "").suffix.lower()
    upload.seek(0)
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            check_xlsx(upload)  # type: ignore[arg-type]
            workbook = load_workbook(upload, read_only=True, data_only=True)
        except UploadRefused as refused:
            raise forms.ValidationError(as_sentence(str(refused))) from None
        except Exception:  # openpyxl raises many kinds for a damaged file
            raise forms.ValidationError(
                "The file cannot be read as an Excel workbook: open it in Excel, save it as .xlsx and upload it again."
            ) from None
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()
            for _, row in limited_rows(sheet.iter_rows(values_only=True, max_row=20)):
                cells = ["" if cell is None else str(cell).strip() for cell in row]
                if any(cells):
                    return [cell for cell in cells if cell]
        finally:
            workbook.close()
        return []
    head = upload.read(64 * 1024)
    try:
        # Only the first 64 KB are read: a character cut at the end is not a fault.
        check_text(io.BytesIO(head[: head.rfind(b"\n") + 1] or head), encoding)
    except UploadRefused as refused:
        raise forms.ValidationError(as_sentence(str(refused))) from None
    text = head.decode("utf-8-sig" if encoding == "utf-8" else encoding, errors="ignore")
    for line in csv.reader(io.StringIO(text)):
        values = [value.strip() for value in line]
        if any(values):
            return [value for value in values if value]
    return []


def _squash(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def guess_mapping(fields: list[str], headers: list[str]) -> dict[str, str]:
    """For each hub field, the header that names it (ignoring case, spaces and _), if any."""
    by_key = {_squash(header): header for header in headers}
    return {field: by_key[_squash(field)] for field in fields if _squash(field) in by_key}


class MappingForm(HubForm):
    """One row per hub field: the header in the agency's file that feeds it."""

    def __init__(
        self, *args: Any, fields: list[str], headers: list[str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.hub_fields = fields
        for name in fields:
            self.fields[name] = forms.CharField(
                label=name,
                max_length=200,
                required=False,
                help_text=f"Leave empty if the column is called {name}.",
            )
            if headers:
                self.fields[name].widget.attrs["list"] = "sample-headers"
        self.headers = headers or []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        seen: dict[str, str] = {}
        for name in self.hub_fields:
            header = str(data.get(name) or "").strip()
            data[name] = header
            if not header:
                continue
            if header.casefold() in seen:
                self.add_error(
                    name,
                    f"The column '{header}' already feeds {seen[header.casefold()]}: a column can feed one field.",
                )
            seen[header.casefold()] = name
        return data

    def mapping(self) -> dict[str, str]:
        """{file header: hub field}, as the importer takes it; unmapped fields left out."""
        return {
            self.cleaned_data[name]: name
            for name in self.hub_fields
            if self.cleaned_data.get(name) and self.cleaned_data[name] != name
        }
