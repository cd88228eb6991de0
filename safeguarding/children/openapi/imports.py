"""The import API's part of the OpenAPI document: person and event records, the import
request and result, problems and errors, and the import operations."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from safeguarding.children import catalogue
from safeguarding.children.models import ExtractKind, ImportStatus

API_VERSION = "1.0.0"

DATE_HELP = (
    "Dates in the forms UK systems export: 2025-03-05, 05/03/2025 or 5 Mar 2025 (day before "
    "month). When a file's dates could be read either way round, the problem is reported, not "
    "guessed."
)


def text(
    description: str, *, max_length: int | None = None, examples: list[str] | None = None
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": ["string", "null"], "description": description}
    if max_length:
        schema["maxLength"] = max_length
    if examples:
        schema["examples"] = examples
    return schema


RECORD_ID = {
    "type": "string",
    "minLength": 1,
    "maxLength": 100,
    "description": "Your own system's id for the person. Sending the same id again updates that record (its history is kept); it never makes a second one.",
    "examples": ["LCS000123"],
}

# A value the hub keeps as the agency sent it (numbers and true/false are kept as text).
EXTRA_VALUE = {"type": ["string", "number", "boolean", "null"]}


def person_record() -> dict[str, Any]:
    return {
        "type": "object",
        "title": "Person record",
        "description": "One person as your system holds them, with the hub's field names (a column mapping saved for uploads does not apply here). Fields the hub does not know are kept with the record as attributes.",
        "required": ["record_id"],
        "properties": {
            "record_id": RECORD_ID,
            "given_name": text("First name.", max_length=100, examples=["Jordan"]),
            "family_name": text("Last name.", max_length=100, examples=["Example"]),
            "other_names": text(
                "Other names the person is known by, such as a middle name or a former surname.",
                max_length=200,
            ),
            "date_of_birth": text(
                f"Date of birth. {DATE_HELP} A date of birth in the future, or of someone aged 26 or more, is reported."
            ),
            "sex": text(
                "F (female), M (male), X (other) or U (not known); the words are accepted too.",
                examples=["F"],
            ),
            "address": text("The address the person lives at.", max_length=300),
            "postcode": text(
                "UK postcode, in any spacing or case.", max_length=10, examples=["AB1 2CD"]
            ),
            "nhs_number": {
                "type": ["string", "integer", "null"],
                "description": "10 digits; spaces and hyphens are ignored. A number failing its check digit is reported.",
                "examples": ["9434765919"],
            },
            "upn": text(
                "Unique Pupil Number: 13 characters, a check letter then 12 characters.",
                examples=["A801200101001"],
            ),
        },
        "additionalProperties": EXTRA_VALUE,
    }


def label(code: str) -> str:
    entry = catalogue.find(code)
    if entry is None:
        raise LookupError(f"The OpenAPI document's example {code!r} is not in the catalogue.")
    return entry.label


def event_record() -> dict[str, Any]:
    return {
        "type": "object",
        "title": "Event record",
        "description": "Something your agency recorded about a person: one line of the child's multi-agency chronology.",
        "required": ["record_id", "event_type", "occurred_at"],
        "properties": {
            "record_id": {
                **RECORD_ID,
                "description": "The id of the person record (sent as persons) the event is about.",
            },
            "event_type": {
                "type": "string",
                "description": "An event type of the hub's catalogue, by its code or its label in any case (see EventType).",
                "examples": ["mash_referral", label("mash_referral")],
            },
            "occurred_at": {
                "type": "string",
                "description": f"When it happened: a date or a date and time (2025-03-05T14:30). {DATE_HELP} Times are UK local time.",
                "examples": ["2025-03-05T14:30", "05/03/2025"],
            },
            "summary": text("What happened, in a few lines."),
            "restricted": {
                "type": ["boolean", "string", "null"],
                "description": "true (or yes) if only your agency and the child's panels may see the entry, as for police intelligence. Default no.",
                "examples": [False, "yes"],
            },
        },
        "additionalProperties": False,
    }


def import_request(record_schema: str, example: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["records"],
        "properties": {
            "records": {
                "type": "array",
                "minItems": 1,
                "maxItems": settings.SAFEGUARDING_API_MAX_RECORDS,
                "items": {"$ref": f"#/components/schemas/{record_schema}"},
            },
            "dry_run": {
                "type": "boolean",
                "default": False,
                "description": "Check the records and report every problem; load nothing.",
            },
            "load_valid_rows": {
                "type": "boolean",
                "default": False,
                "description": "When some records have problems, load the others. By default a request with any problem loads nothing.",
            },
        },
        "additionalProperties": False,
        "examples": [{"records": example, "dry_run": False, "load_valid_rows": False}],
    }


PERSON_EXAMPLE = [
    {
        "record_id": "LCS000123",
        "given_name": "Jordan",
        "family_name": "Example",
        "date_of_birth": "2014-03-05",
        "sex": "F",
        "postcode": "AB1 2CD",
        "nhs_number": "9434765919",
        "team": "Children in need, north",
    }
]
EVENT_EXAMPLE = [
    {
        "record_id": "LCS000123",
        "event_type": "mash_referral",
        "occurred_at": "2025-03-05T14:30",
        "summary": "Referral from the school's designated safeguarding lead.",
        "restricted": False,
    }
]


def problem() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "One problem found: where, and why. The value itself is never repeated back.",
        "required": ["row", "column", "reason"],
        "properties": {
            "row": {
                "type": ["integer", "null"],
                "minimum": 1,
                "description": "The 1-based position of the record in `records`; null for a problem with the request as a whole (a required field that no record has, say).",
            },
            "column": {"type": "string", "description": "The field, as you named it."},
            "reason": {"type": "string", "description": "What is wrong, in words."},
        },
        "additionalProperties": False,
        "examples": [{"row": 3, "column": "date_of_birth", "reason": "31/02/2015 is not a date"}],
    }


def result() -> dict[str, Any]:
    count = {"type": "integer", "minimum": 0}
    return {
        "type": "object",
        "description": "What became of the records: one import batch, which you can ask about again later.",
        "required": ["batch", "kind", "status", "dry_run", "counts", "problem_count", "problems"],
        "properties": {
            "batch": {
                "type": "string",
                "format": "uuid",
                "description": "The batch's id, for GET /api/v1/batches/{public_id}.",
            },
            "kind": {"type": "string", "enum": list(ExtractKind.values)},
            "status": {
                "type": "string",
                "enum": list(ImportStatus.values),
                "description": "; ".join(
                    f"{value}: {label}" for value, label in ImportStatus.choices
                ),
            },
            "dry_run": {"type": "boolean"},
            "counts": {
                "type": "object",
                "required": ["rows_read", "created", "updated", "unchanged", "rejected"],
                "properties": {
                    "rows_read": count,
                    "created": count,
                    "updated": count,
                    "unchanged": count,
                    "rejected": {
                        **count,
                        "description": "Records left out because of their problems.",
                    },
                },
                "additionalProperties": False,
            },
            "problem_count": {
                **count,
                "description": "Every problem found; `problems` lists the first thousand.",
            },
            "problems": {"type": "array", "items": {"$ref": "#/components/schemas/Problem"}},
            "started_at": {"type": "string", "format": "date-time"},
            "finished_at": {"type": ["string", "null"], "format": "date-time"},
        },
        "additionalProperties": False,
    }


def error() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string", "description": "What went wrong, in words."},
            "batch": {
                "type": "string",
                "format": "uuid",
                "description": "The batch, when the failure happened after it was recorded.",
            },
        },
        "additionalProperties": False,
        "examples": [{"error": "The body is not valid JSON: Expecting value (line 1, column 1)."}],
    }


def json_response(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


COMMON_ERRORS = {
    "400": json_response(
        "Error",
        "The request is malformed: not JSON, no `records`, or a value of the wrong type. Nothing was loaded.",
    ),
    "401": json_response("Error", "No token, or a token that is unknown or revoked."),
    "413": json_response(
        "Error", "The body is larger than the limit; send the records in smaller requests."
    ),
}


def import_operation(kind: str, schema: str) -> dict[str, Any]:
    noun = "person records" if kind == "persons" else "events"
    return {
        "post": {
            "operationId": f"import_{kind}",
            "summary": f"Send {noun}",
            "description": (
                f"Checks every record and, unless there is a problem or `dry_run` is set, loads "
                f"them in one transaction: all or nothing, or the valid records only when "
                f"`load_valid_rows` is set. The same checks as the upload page and "
                f"`safeguarding import ... --kind {kind}`."
            ),
            "tags": ["Imports"],
            "security": [{"bearerAuth": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                },
            },
            "responses": {
                "201": json_response(
                    "ImportResult",
                    "Records were loaded (all of them, or the valid ones when `load_valid_rows` was set).",
                ),
                "200": json_response(
                    "ImportResult",
                    "A dry run: the records were checked and nothing was loaded (see `problems`).",
                ),
                "422": json_response(
                    "ImportResult",
                    "Nothing was loaded because of the records' problems (see `problems`): "
                    "the request was refused, or with `load_valid_rows` every record was rejected.",
                ),
                **COMMON_ERRORS,
                "500": json_response(
                    "Error",
                    "The load failed part of the way and was rolled back: nothing was loaded. "
                    "Send the request again; if it fails again, tell the partnership.",
                ),
                "405": json_response("Error", "Only POST is allowed here."),
            },
        }
    }
