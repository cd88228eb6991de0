"""The OpenAPI 3.1 document of the import API, written by hand (this package's public module;
the schemas are in `imports` and `data`).

It is the API's contract with the agencies' suppliers, so it is written to be read: every
field says what the hub does with it. `GET /api/openapi.json` serves it and `GET /api/`
lists its endpoints for people. A test checks that it is structurally sound, that its
examples are valid against its own schemas, and that every documented endpoint exists
(docs/decisions/0020-import-api-and-tokens.md says why it is not generated).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings

from safeguarding.children import catalogue
from safeguarding.children.openapi.data import (
    data_operation,
    data_refused,
    data_result,
    data_values,
    flags,
    flags_operation,
)
from safeguarding.children.openapi.imports import (
    API_VERSION,
    COMMON_ERRORS,
    EVENT_EXAMPLE,
    PERSON_EXAMPLE,
    error,
    event_record,
    import_operation,
    import_request,
    json_response,
    person_record,
    problem,
    result,
)
from safeguarding.core import api


@cache
def _document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Safeguarding Partnership Hub: import API",
            "version": API_VERSION,
            "summary": "For agencies' systems to push person records and events into the partnership's child index.",
            "description": (
                "Each agency sends its own records. A token belongs to one agency, and whatever "
                "it sends is that agency's. Your agency's data officer issues tokens on the hub's "
                "API tokens page; a token is shown once. Send it as `Authorization: Bearer <token>`. "
                f"A request body may be up to {settings.SAFEGUARDING_API_MAX_BYTES // (1024 * 1024)} MB "
                f"and {settings.SAFEGUARDING_API_MAX_RECORDS:,} records."
            ),
        },
        "servers": [{"url": "/"}],
        "tags": [
            {"name": "Imports", "description": "Send records and ask what became of them."},
            {"name": "Data set", "description": "Send the partnership data set's values."},
            {
                "name": "Exploitation flags",
                "description": "Read the flags your agency's system should carry.",
            },
        ],
        "paths": {
            "/api/v1/persons": import_operation("persons", "PersonsImport"),
            "/api/v1/events": import_operation("events", "EventsImport"),
            "/data/api/values": data_operation(),
            "/exploitation/api/v1/flags": flags_operation(),
            "/api/v1/batches/{public_id}": {
                "get": {
                    "operationId": "get_batch",
                    "summary": "What became of a batch",
                    "description": "One of your agency's import batches, however it was sent. Another agency's batch is not found.",
                    "tags": ["Imports"],
                    "security": [{"bearerAuth": []}],
                    "parameters": [
                        {
                            "name": "public_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "format": "uuid"},
                        }
                    ],
                    "responses": {
                        "200": json_response("ImportResult", "The batch."),
                        "401": COMMON_ERRORS["401"],
                        "404": json_response("Error", "No batch of your agency has this id."),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "sgh_<8-character prefix>_<secret>",
                    "description": "A token issued to your agency on the hub's API tokens page.",
                }
            },
            "schemas": {
                "PersonRecord": person_record(),
                "EventRecord": event_record(),
                "PersonsImport": import_request("PersonRecord", PERSON_EXAMPLE),
                "EventsImport": import_request("EventRecord", EVENT_EXAMPLE),
                "Problem": problem(),
                "ImportResult": result(),
                "Error": error(),
                "DataValues": data_values(),
                "DataResult": data_result(),
                "DataRefused": data_refused(),
                "Flags": flags(),
                "Flag": api.openapi_schema("Flag"),
                "EventType": {
                    "type": "string",
                    "description": "The codes of the hub's event catalogue. Labels are accepted too: "
                    + "; ".join(
                        f"{entry.code}: {entry.label}" for entry in catalogue.event_types()
                    ),
                    "enum": [entry.code for entry in catalogue.event_types()],
                },
            },
        },
    }


def document() -> dict[str, Any]:
    """The OpenAPI document (built once per process; it depends only on settings)."""
    return _document()


def endpoints() -> list[dict[str, Any]]:
    """The operations, flattened for the human page."""
    rows = []
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            rows.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation["summary"],
                    "description": operation["description"],
                    "request": _schema_name(operation.get("requestBody")),
                    "responses": [
                        {"status": status, "description": response["description"]}
                        for status, response in sorted(operation["responses"].items())
                    ],
                }
            )
    return rows


def _schema_name(body: dict[str, Any] | None) -> str:
    if not body:
        return ""
    ref: str = body["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[-1]


def record_fields(schema_name: str) -> list[dict[str, Any]]:
    """A record schema's fields, for the human page."""
    schema = document()["components"]["schemas"][schema_name]
    return [
        {
            "name": name,
            "required": name in schema.get("required", []),
            "description": field.get("description", ""),
        }
        for name, field in schema["properties"].items()
    ]
