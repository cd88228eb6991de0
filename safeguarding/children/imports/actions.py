"""Changes of state for the imports: loading an extract (`import_extract`, the one action
the upload page, the API and `safeguarding import` all call) and column mappings. The API
tokens the pages issue and revoke are core/tokens.py's.
"""

from __future__ import annotations

import io
import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils import timezone

from safeguarding.children.imports.columns import FIELDS, check_mapping, plan_columns
from safeguarding.children.imports.events import EventsRun
from safeguarding.children.imports.persons import PersonsRun
from safeguarding.children.imports.problems import (
    PROBLEMS_KEPT,
    ImportFailed,
    ImportRefused,
    ImportResult,
    Problem,
    refuse,
)
from safeguarding.children.imports.queries import saved_mapping
from safeguarding.children.imports.read import CHOOSE_ENCODING, COMMAND_ENCODING, open_table
from safeguarding.children.imports.run import Outcome
from safeguarding.children.models import (
    ColumnMapping,
    ExtractKind,
    ImportBatch,
    ImportChannel,
    ImportStatus,
)
from safeguarding.core import audit, transactions
from safeguarding.core.access import signed_in_user
from safeguarding.core.models import Agency, AuditAction, User
from safeguarding.core.uploads import ENCODINGS

logger = logging.getLogger(__name__)


def extract_source(upload: UploadedFile) -> Path | BinaryIO:
    """What import_extract reads: a large upload's temporary file by its path, a small one as a
    copy in memory (the importer closes what it reads, and the upload may yet be held)."""
    temporary_path = getattr(upload, "temporary_file_path", None)
    if temporary_path is not None:
        return Path(temporary_path())
    upload.seek(0)
    return io.BytesIO(upload.read())


def upload_extract(
    request: HttpRequest,
    source: Path | BinaryIO,
    *,
    file_name: str,
    kind: str,
    dry_run: bool = False,
    load_valid_rows: bool = False,
    encoding: str = "utf-8",
) -> ImportBatch:
    """The upload page's way into `import_extract`, for the user's agency; its batch says
    what happened.

    ImportRefused (the file as a whole cannot be read) is left to the caller, to show on the
    form; an import that failed part of the way returns its batch, marked failed, with
    nothing loaded.
    """
    user = signed_in_user(request)
    if user.agency is None:
        raise PermissionError("Only a member of an agency can load its extracts.")
    try:
        result = import_extract(
            user.agency,
            source,
            kind=kind,
            file_name=file_name,
            dry_run=dry_run,
            load_valid_rows=load_valid_rows,
            channel=ImportChannel.UPLOAD,
            user=user,
            request=request,
            encoding=encoding,
        )
    except ImportFailed as failed:
        logger.exception("Import %s failed", failed.batch.public_id)
        return failed.batch
    return result.batch


def save_column_mapping(
    request: HttpRequest, agency: Agency, kind: str, mapping: dict[str, str]
) -> None:
    """Save the agency's mapping of its file headers onto the hub's fields, audited."""
    user = signed_in_user(request)
    with transactions.action():
        save_mapping(agency, kind, mapping, user=user)
        audit.record(
            AuditAction.STRUCTURE_CHANGE,
            request=request,
            object_type="column_mapping",
            object_id=f"{agency.code}:{kind}",
            detail={"kind": kind, "mapping": mapping},
        )


# An uploaded file whose check found problems is held briefly, so that the data officer
# can choose "load the valid rows" without choosing the file again. It is held in the
# shared cache (the database), never on one server's disk, and only while it is small.
HOLD_SECONDS = 30 * 60
HOLD_MAX_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class HeldExtract:
    file_name: str
    data: bytes
    encoding: str = "utf-8"  # as the uploader chose it


def _hold_key(batch: ImportBatch) -> str:
    return f"import-held:{batch.agency_id}:{batch.public_id}"


def hold_extract(batch: ImportBatch, upload: UploadedFile, encoding: str = "utf-8") -> bool:
    """Keep the file, and the encoding it was read in, for a later choice; False if it is
    too big to hold."""
    if (upload.size or 0) > HOLD_MAX_BYTES:
        return False
    upload.seek(0)
    packed = zlib.compress(upload.read(), level=1)
    cache.set(_hold_key(batch), (upload.name or "", packed, encoding), HOLD_SECONDS)
    return True


def held_extract(batch: ImportBatch) -> HeldExtract | None:
    held = cache.get(_hold_key(batch))
    if held is None:
        return None
    file_name, packed, *chosen = held
    return HeldExtract(
        file_name=file_name, data=zlib.decompress(packed), encoding=chosen[0] if chosen else "utf-8"
    )


def release_extract(batch: ImportBatch) -> None:
    cache.delete(_hold_key(batch))


# --- Loading an extract: the one action every channel calls ----------------------------


def import_extract(
    agency: Agency,
    source: Path | BinaryIO | list[dict[str, Any]],
    *,
    kind: str,
    file_name: str = "",
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    load_valid_rows: bool = False,
    channel: str = ImportChannel.COMMAND,
    user: User | None = None,
    request: HttpRequest | None = None,
    progress: Callable[[int], object] | None = None,
    encoding: str = "utf-8",
) -> ImportResult:
    """Check an agency's extract and load it: all of it, the valid rows, or (dry run) none.

    The one way in for every channel: the upload page (`upload_extract`), the API
    (children/api.py) and `safeguarding import` call it with the same checks, the same
    batch and the same audit entry (docs/decisions/0064-pipelines-as-packages.md).

    A CSV file is read in `encoding` (one of core.uploads.ENCODINGS), strictly.

    Raises ImportRefused for a file that cannot be read as a whole (its batch saved as
    refused), ImportFailed when loading broke (rolled back; its batch saved as failed).
    `progress` is called with the number of rows read since its last call.
    """
    if kind not in FIELDS:
        raise ValueError(f"An extract is of kind persons or events, not {kind!r}.")
    if encoding not in ENCODINGS:
        raise ValueError(f"The encodings are {', '.join(ENCODINGS)}, not {encoding!r}.")
    if user is None and request is not None and isinstance(request.user, User):
        user = request.user
    if user is not None and user.agency_id != agency.pk:
        raise PermissionDenied("Only an agency's own users load its extracts.")
    if isinstance(source, str | Path) and not file_name:
        file_name = Path(source).name
    batch = ImportBatch.objects.create(
        agency=agency,
        kind=kind,
        channel=channel,
        file_name=file_name[:255],
        # Until the run finishes: a batch left so by a process that died loaded nothing.
        status=ImportStatus.FAILED,
        by=user,
    )
    try:
        if not agency.is_active:
            raise refuse("the agency has left the partnership: its extracts are not loaded")
        outcome = _run(
            agency,
            batch,
            source,
            kind=kind,
            file_name=file_name,
            mapping=mapping,
            dry_run=dry_run,
            load_valid_rows=load_valid_rows,
            channel=channel,
            progress=progress,
            encoding=encoding,
        )
    except ImportRefused as refused:
        _finish(batch, ImportStatus.REFUSED, refused.problems, request=request, user=user)
        refused.batch = batch
        raise
    except Exception as error:
        _finish(batch, ImportStatus.FAILED, [], request=request, user=user, error=error)
        raise ImportFailed(batch, error) from error
    if dry_run:
        status = ImportStatus.CHECKED
    elif outcome.problems and not load_valid_rows:
        status = ImportStatus.REFUSED
    elif outcome.problems:
        status = ImportStatus.LOADED_VALID_ROWS
    else:
        status = ImportStatus.LOADED
    _finish(batch, status, outcome.problems, request=request, user=user, outcome=outcome)
    return ImportResult(
        batch=batch,
        problems=outcome.problems,
        rows_read=outcome.rows_read,
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        rejected=outcome.rejected,
        loaded=outcome.loaded,
        dry_run=dry_run,
        extra_columns=outcome.extra_columns,
    )


def _finish(
    batch: ImportBatch,
    status: str,
    problems: list[Problem],
    *,
    request: HttpRequest | None,
    user: User | None,
    outcome: Outcome | None = None,
    error: BaseException | None = None,
) -> None:
    """Write the batch's final state and its audit entry, outside the load's transaction."""
    batch.status = status
    batch.problems = [problem.as_dict() for problem in problems[:PROBLEMS_KEPT]]
    batch.problem_count = len(problems)
    if outcome is not None:
        batch.rows_read = outcome.rows_read
        batch.rows_created = outcome.created
        batch.rows_updated = outcome.updated
        batch.rows_unchanged = outcome.unchanged
        batch.rows_rejected = outcome.rejected
    batch.finished_at = timezone.now()
    with transactions.action():
        batch.save()
        detail: dict[str, Any] = {
            # Named here as well as by the user: an API import has no user, only the
            # agency's token (named in the file name).
            "agency": batch.agency.code,
            "file": batch.file_name,
            "kind": batch.kind,
            "channel": batch.channel,
            "status": status,
            "rows_read": batch.rows_read,
            "created": batch.rows_created,
            "updated": batch.rows_updated,
            "unchanged": batch.rows_unchanged,
            "rejected": batch.rows_rejected,
            "problem_count": batch.problem_count,
        }
        if error is not None:
            detail["error"] = type(error).__name__
        audit.record(
            AuditAction.IMPORT,
            request=request,
            user=user,
            object_type="import_batch",
            object_id=str(batch.public_id),
            detail=detail,
        )


def _run(
    agency: Agency,
    batch: ImportBatch,
    source: Path | BinaryIO | list[dict[str, Any]],
    *,
    kind: str,
    file_name: str,
    mapping: dict[str, str] | None,
    dry_run: bool,
    load_valid_rows: bool,
    channel: str,
    progress: Callable[[int], object] | None,
    encoding: str,
) -> Outcome:
    """Read the source, plan its columns, then check and load it in one transaction,
    holding the agency's lock."""
    hint = COMMAND_ENCODING if channel == ImportChannel.COMMAND else CHOOSE_ENCODING
    table = open_table(source, file_name, encoding, hint)
    columns = plan_columns(
        kind, table.headers, saved_mapping(agency, kind) if mapping is None else mapping
    )
    run_class = PersonsRun if kind == ExtractKind.PERSONS else EventsRun
    with transactions.action():
        # One load per agency at a time: two would race to create the same records.
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        run = run_class(
            agency,
            batch,
            table,
            columns,
            dry_run=dry_run,
            load_valid_rows=load_valid_rows,
            progress=progress,
        )
        outcome = run.run()
        run.finish_problems(FIELDS[kind])
    return outcome


def save_mapping(
    agency: Agency, kind: str, mapping: dict[str, str], *, user: User | None
) -> ColumnMapping:
    """Save (replace) the agency's mapping for a kind; ImportRefused if it names no field."""
    if kind not in FIELDS:
        raise ValueError(f"An extract is of kind persons or events, not {kind!r}.")
    cleaned = {
        " ".join(str(header).split()): target.strip()
        for header, target in mapping.items()
        if str(header).strip()
    }
    problems = check_mapping(kind, cleaned)
    if problems:
        raise ImportRefused(problems)
    saved, _ = ColumnMapping.objects.update_or_create(
        agency=agency,
        kind=kind,
        defaults={"mapping": cleaned, "updated_at": timezone.now(), "updated_by": user},
    )
    return saved
