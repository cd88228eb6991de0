"""The import API: agencies' systems push person records and events as JSON.

`POST /api/v1/persons`, `POST /api/v1/events`, `GET /api/v1/batches/<id>`, described by
the OpenAPI document in children/openapi.py. A request is authenticated by an agency's
bearer token only; a session cookie is ignored, which is why CSRF does not apply here
(docs/decisions/0020-import-api-and-tokens.md). The records go through the same
`imports.actions.import_extract` as the upload page and the command, as ImportChannel.API.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from safeguarding.children import catalogue, openapi
from safeguarding.children.imports import ImportFailed, ImportRefused
from safeguarding.children.imports import actions as import_actions
from safeguarding.children.imports import queries as import_queries
from safeguarding.children.models import (
    ExtractKind,
    ImportBatch,
    ImportChannel,
    ImportStatus,
)
from safeguarding.core import jsonbody, refusals
from safeguarding.core.api import error, token_required
from safeguarding.core.models import ApiToken

ApiView = Callable[..., HttpResponse]
TOP_LEVEL_FIELDS = {"records", "dry_run", "load_valid_rows"}
logger = logging.getLogger(__name__)


class BadRequest(refusals.Refused):
    """The request cannot be understood; the message says why, for the sender's developer."""

    code = "children.bad_request"


class TooLarge(refusals.Refused):
    """The request is over the size limits: 413."""

    code = "children.too_large"


def read_body(request: HttpRequest) -> dict[str, Any]:
    """The JSON body, read by core/jsonbody.py's checks; BadRequest or TooLarge otherwise."""
    try:
        body = jsonbody.read_json(request, max_bytes=settings.SAFEGUARDING_API_MAX_BYTES)
    except jsonbody.BodyRefused as refused:
        if refused.status == 413:
            raise TooLarge from None
        raise BadRequest(str(refused)) from None
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object with a 'records' list.")
    unknown = sorted(set(body) - TOP_LEVEL_FIELDS)
    if unknown:
        raise BadRequest(
            f"Unknown field {unknown[0]!r}: the body has 'records', 'dry_run' and 'load_valid_rows'."
        )
    return body


def _cell(value: Any, where: str) -> str:
    """A JSON value as the text a file's cell would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, str):
        return value
    raise BadRequest(
        f"{where} must be text, a number, true/false or null, not a list or an object."
    )


def parse_records(body: dict[str, Any]) -> tuple[list[dict[str, str]], bool, bool]:
    if "records" not in body:
        raise BadRequest("The body has no 'records': send {\"records\": [{...}, ...]}.")
    records = body["records"]
    if not isinstance(records, list):
        raise BadRequest("'records' must be a list of objects.")
    if not records:
        raise BadRequest("'records' is empty: send at least one record.")
    if len(records) > settings.SAFEGUARDING_API_MAX_RECORDS:
        raise TooLarge
    flags = []
    for name in ("dry_run", "load_valid_rows"):
        value = body.get(name, False)
        if not isinstance(value, bool):
            raise BadRequest(f"'{name}' must be true or false.")
        flags.append(value)
    rows = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise BadRequest(f"Record {number} must be an object of field names and values.")
        rows.append(
            {str(key): _cell(value, f"Record {number}'s {key!r}") for key, value in record.items()}
        )
    return rows, flags[0], flags[1]


def batch_json(batch: ImportBatch) -> dict[str, Any]:
    summary = import_queries.batch_summary(batch)
    problem_count = summary.pop("problem_count")
    return {
        "batch": str(batch.public_id),
        "kind": batch.kind,
        "status": batch.status,
        "dry_run": batch.status == ImportStatus.CHECKED,
        "counts": summary,
        "problem_count": problem_count,
        "problems": batch.problems,
        "started_at": batch.started_at.isoformat(),
        "finished_at": batch.finished_at.isoformat() if batch.finished_at else None,
    }


def import_status(batch: ImportBatch) -> int:
    """201 when records were loaded; 200 for a dry run; 422 when nothing was loaded because
    of the records' problems: refused, or every record rejected by `load_valid_rows`."""
    if batch.status == ImportStatus.CHECKED:
        return 200
    if batch.status == ImportStatus.LOADED:
        return 201
    if batch.status == ImportStatus.LOADED_VALID_ROWS and batch.rows_rejected < batch.rows_read:
        return 201
    return 422


def _import(request: HttpRequest, token: ApiToken, kind: str) -> HttpResponse:
    try:
        rows, dry_run, load_valid_rows = parse_records(read_body(request))
    except BadRequest as problem:
        return error(400, str(problem))
    except TooLarge:
        return error(
            413,
            f"Send at most {settings.SAFEGUARDING_API_MAX_RECORDS:,} records and "
            f"{settings.SAFEGUARDING_API_MAX_BYTES // (1024 * 1024)} MB in one request.",
        )
    try:
        # The records use the hub's field names, as documented: no saved column mapping.
        batch = import_actions.import_extract(
            token.agency,
            rows,
            kind=kind,
            file_name=f"API token {token.prefix} ({token.name})",
            mapping={},
            dry_run=dry_run,
            load_valid_rows=load_valid_rows,
            channel=ImportChannel.API,
            request=request,
        ).batch
    except ImportRefused as refused:
        if refused.batch is None:
            raise
        batch = refused.batch
    except ImportFailed as failed:
        logger.exception("API import %s failed", failed.batch.public_id)
        return error(
            500,
            "The load failed part of the way and was rolled back: nothing was loaded. "
            "Send the records again; if it fails again, tell the partnership, quoting the batch.",
            batch=str(failed.batch.public_id),
        )
    response = JsonResponse(batch_json(batch), status=import_status(batch))
    response["Location"] = reverse("api:batch", kwargs={"public_id": batch.public_id})
    return response


@token_required("POST")
def persons(request: HttpRequest, token: ApiToken) -> HttpResponse:
    return _import(request, token, ExtractKind.PERSONS)


@token_required("POST")
def events(request: HttpRequest, token: ApiToken) -> HttpResponse:
    return _import(request, token, ExtractKind.EVENTS)


@token_required("GET")
def batch(request: HttpRequest, token: ApiToken, public_id: str) -> HttpResponse:
    try:
        found = import_queries.agency_batch(token.agency, public_id)
    except Http404:
        return error(404, "No batch of your agency has this id.")
    return JsonResponse(batch_json(found))


@require_safe
def openapi_json(request: HttpRequest) -> HttpResponse:
    return JsonResponse(openapi.document(), json_dumps_params={"indent": 2})


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The API for people: its endpoints and record fields, from the same document."""
    document = openapi.document()
    example = document["components"]["schemas"]["PersonsImport"]["examples"][0]
    context = {
        "info": document["info"],
        "endpoints": openapi.endpoints(),
        "record_tables": [
            ("Fields of a person record", openapi.record_fields("PersonRecord")),
            ("Fields of an event record", openapi.record_fields("EventRecord")),
        ],
        "event_types": catalogue.event_types(),
        "example": json.dumps(example, indent=2),
        "max_mb": settings.SAFEGUARDING_API_MAX_BYTES // (1024 * 1024),
        "max_records": f"{settings.SAFEGUARDING_API_MAX_RECORDS:,}",
    }
    return render(request, "children/imports/api_index.html", context)
