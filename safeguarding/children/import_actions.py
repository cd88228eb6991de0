"""Changes of state for the import pages and the API: tokens and column mappings.

A token is `sgh_` + an 8-character prefix + `_` + 43 random characters. Only the SHA-256
of the whole token is stored, with the prefix in clear so that a presented token is found
by one indexed lookup and then compared in constant time
(docs/decisions/0020-import-api-and-tokens.md).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import secrets
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError
from django.http import HttpRequest
from django.utils import timezone

from safeguarding.children.importing import ImportFailed, run_import, save_mapping
from safeguarding.children.models import ApiToken, ImportBatch, ImportChannel
from safeguarding.core import audit, transactions
from safeguarding.core.access import signed_in_user
from safeguarding.core.models import Agency, AuditAction

TOKEN_SCHEME = "sgh"  # noqa: S105 - the tokens' visible prefix, not a secret
PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
PREFIX_LENGTH = 8

logger = logging.getLogger(__name__)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_prefix() -> str:
    return "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    # The token itself: shown to its maker once, then never again (only its hash is kept).
    plain: str


def issue_token(request: HttpRequest, *, name: str) -> IssuedToken:
    """A new token for the user's agency, audited; the plain token is returned once."""
    user = signed_in_user(request)
    if user.agency is None:
        raise PermissionError("Only a member of an agency can issue its tokens.")
    for _ in range(5):  # a clash of random 8-character prefixes is rare; try again if one comes
        prefix = _new_prefix()
        plain = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transactions.action():
                token = ApiToken.objects.create(
                    agency=user.agency,
                    name=name.strip(),
                    prefix=prefix,
                    token_hash=token_hash(plain),
                    created_by=user,
                )
                audit.record(
                    AuditAction.API_TOKEN,
                    request=request,
                    object_type="api_token",
                    object_id=prefix,
                    detail={"change": "issued", "name": token.name},
                )
        except IntegrityError:
            continue
        return IssuedToken(token=token, plain=plain)
    raise RuntimeError("Could not find a free token prefix; try again.")


def revoke_token(request: HttpRequest, token: ApiToken) -> bool:
    """Revoke a token at once; False if it was revoked already."""
    with transactions.action():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if changed:
            audit.record(
                AuditAction.API_TOKEN,
                request=request,
                object_type="api_token",
                object_id=token.prefix,
                detail={"change": "revoked", "name": token.name},
            )
    return bool(changed)


def authenticate_token(presented: str) -> ApiToken | None:
    """The live token this text is, with its agency; None for anything else.

    A revoked token, an unknown one, a malformed one and a token of an agency that has left
    the partnership are all simply not a token. A good token's `last_used_at` is updated.
    """
    parts = presented.strip().split("_")
    if len(parts) < 3 or parts[0] != TOKEN_SCHEME or len(parts[1]) != PREFIX_LENGTH:
        return None
    token = (
        ApiToken.objects.filter(prefix=parts[1], revoked_at__isnull=True)
        .select_related("agency")
        .first()
    )
    if token is None or not hmac.compare_digest(token.token_hash, token_hash(presented.strip())):
        return None
    if not token.agency.is_active:
        return None
    token.last_used_at = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at)
    return token


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
