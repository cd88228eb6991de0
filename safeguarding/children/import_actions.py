"""Changes of state for the import pages and the API: uploads and column mappings (the
API tokens the pages issue and revoke are core/tokens.py's)."""

from __future__ import annotations

import io
import logging
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest

from safeguarding.children.importing import ImportFailed, run_import, save_mapping
from safeguarding.children.models import ImportBatch, ImportChannel
from safeguarding.core import audit
from safeguarding.core.access import signed_in_user
from safeguarding.core.models import Agency, AuditAction

logger = logging.getLogger(__name__)


def extract_source(upload: UploadedFile) -> Path | BinaryIO:
    """What run_import reads: a large upload's temporary file by its path, a small one as a
    copy in memory (the importer closes what it reads, and the upload may yet be held)."""
    temporary_path = getattr(upload, "temporary_file_path", None)
    if temporary_path is not None:
        return Path(temporary_path())
    upload.seek(0)
    return io.BytesIO(upload.read())


def import_extract(
    request: HttpRequest,
    source: Path | BinaryIO,
    *,
    file_name: str,
    kind: str,
    dry_run: bool = False,
    load_valid_rows: bool = False,
    encoding: str = "utf-8",
) -> ImportBatch:
    """Check and load an uploaded extract for the user's agency; its batch says what happened.

    ImportRefused (the file as a whole cannot be read) is left to the caller, to show on the
    form; an import that failed part of the way returns its batch, marked failed, with
    nothing loaded.
    """
    user = signed_in_user(request)
    if user.agency is None:
        raise PermissionError("Only a member of an agency can load its extracts.")
    try:
        result = run_import(
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
    with transaction.atomic():
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
