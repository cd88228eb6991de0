"""The OpenAPI 3.1 document of the import API, written by hand.

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
from safeguarding.children.models import ExtractKind, ImportStatus
from safeguarding.core import api

API_VERSION = "1.0.0"

DATE_HELP = (
    "Dates in the forms UK systems export: 2025-03-05, 05/03/2025 or 5 Mar 2025 (day before "
    "month). When a file's dates could be read either way round, the problem is reported, not "
    "guessed."
)


def _text(
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


def _person_record() -> dict[str, Any]:
    return {
        "type": "object",
        "title": "Person record",
        "description": "One person as your system holds them, with the hub's field names (a column mapping saved for uploads does not apply here). Fields the hub does not know are kept with the record as attributes.",
        "required": ["record_id"],
        "properties": {
            "record_id": RECORD_ID,
            "given_name": _text("First name.", max_length=100, examples=["Jordan"]),
            "family_name": _text("Last name.", max_length=100, examples=["Example"]),
            "other_names": _text(
                "Other names the person is known by, such as a middle name or a former surname.",
                max_length=200,
            ),
            "date_of_birth": _text(
                f"Date of birth. {DATE_HELP} A date of birth in the future, or of someone aged 26 or more, is reported."
            ),
            "sex": _text(
                "F (female), M (male), X (other) or U (not known); the words are accepted too.",
                examples=["F"],
            ),
            "address": _text("The address the person lives at.", max_length=300),
            "postcode": _text(
                "UK postcode, in any spacing or case.", max_length=10, examples=["AB1 2CD"]
            ),
            "nhs_number": {
                "type": ["string", "integer", "null"],
                "description": "10 digits; spaces and hyphens are ignored. A number failing its check digit is reported.",
                "examples": ["9434765919"],
            },
            "upn": _text(
                "Unique Pupil Number: 13 characters, a check letter then 12 characters.",
                examples=["A801200101001"],
            ),
        },
        "additionalProperties": EXTRA_VALUE,
    }


def _label(code: str) -> str:
    entry = catalogue.find(code)
    if entry is None:
        raise LookupError(f"The OpenAPI document's example {code!r} is not in the catalogue.")
    return entry.label


def _event_record() -> dict[str, Any]:
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
                "examples": ["mash_referral", _label("mash_referral")],
            },
            "occurred_at": {
                "type": "string",
                "description": f"When it happened: a date or a date and time (2025-03-05T14:30). {DATE_HELP} Times are UK local time.",
                "examples": ["2025-03-05T14:30", "05/03/2025"],
            },
            "summary": _text("What happened, in a few lines."),
            "restricted": {
                "type": ["boolean", "string", "null"],
                "description": "true (or yes) if only your agency and the child's panels may see the entry, as for police intelligence. Default no.",
                "examples": [False, "yes"],
            },
        },
        "additionalProperties": False,
    }


def _import_request(record_schema: str, example: list[dict[str, Any]]) -> dict[str, Any]:
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


def _problem() -> dict[str, Any]:
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


def _result() -> dict[str, Any]:
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


def _error() -> dict[str, Any]:
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


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


COMMON_ERRORS = {
    "400": _json(
        "Error",
        "The request is malformed: not JSON, no `records`, or a value of the wrong type. Nothing was loaded.",
    ),
    "401": _json("Error", "No token, or a token that is unknown or revoked."),
    "413": _json(
        "Error", "The body is larger than the limit; send the records in smaller requests."
    ),
}


def _import_operation(kind: str, schema: str) -> dict[str, Any]:
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
                "201": _json(
                    "ImportResult",
                    "Records were loaded (all of them, or the valid ones when `load_valid_rows` was set).",
                ),
                "200": _json(
                    "ImportResult",
                    "A dry run: the records were checked and nothing was loaded (see `problems`).",
                ),
                "422": _json(
                    "ImportResult",
                    "Nothing was loaded because of the records' problems (see `problems`): "
                    "the request was refused, or with `load_valid_rows` every record was rejected.",
                ),
                **COMMON_ERRORS,
                "500": _json(
                    "Error",
                    "The load failed part of the way and was rolled back: nothing was loaded. "
                    "Send the request again; if it fails again, tell the partnership.",
                ),
                "405": _json("Error", "Only POST is allowed here."),
            },
        }
    }


DATA_VALUES_EXAMPLE = {
    "values": [
        {"indicator": "missing-episodes", "period_start": "2025-03-01", "value": 41},
        {
            "indicator": "rhi-72-hours",
            "period_start": "2025-01-01",
            "numerator": 57,
            "denominator": 72,
        },
        {
            "indicator": "missing-children",
            "period_start": "2025-02-01",
            "value": 23,
            "reason": "Two children were counted twice in the first return.",
        },
    ]
}


def _data_values() -> dict[str, Any]:
    number = {"type": ["number", "string", "null"]}
    whole = {"type": ["integer", "string", "null"], "minimum": 0}
    return {
        "type": "object",
        "title": "Data set values",
        "description": "Values of the partnership data set's indicators that your agency sends, at most 1,000 at a time. Every value is checked first; all are stored or none.",
        "required": ["values"],
        "properties": {
            "values": {
                "type": "array",
                "maxItems": 1000,
                "items": {
                    "type": "object",
                    "required": ["indicator", "period_start"],
                    "properties": {
                        "indicator": {
                            "type": "string",
                            "description": "The indicator's code in the catalogue (the data set's indicators page lists the ones your agency sends).",
                            "examples": ["missing-episodes"],
                        },
                        "period_start": {
                            "type": "string",
                            "format": "date",
                            "description": "The first day of the period: a month (2025-03-01), or a quarter of the financial year starting in April, July, October or January.",
                        },
                        "value": {
                            **number,
                            "description": "The figure. For a rate or percentage, send `numerator` and `denominator` instead and the hub works it out.",
                        },
                        "numerator": {
                            **whole,
                            "description": "For a rate or percentage: what is counted.",
                        },
                        "denominator": {
                            **whole,
                            "description": "For a rate or percentage: out of what.",
                        },
                        "reason": {
                            "type": ["string", "null"],
                            "maxLength": 2000,
                            "description": "Needed to correct a value already held for the period: the old value is kept with this reason.",
                        },
                    },
                    "additionalProperties": False,
                },
            }
        },
        "examples": [DATA_VALUES_EXAMPLE],
    }


def _data_result() -> dict[str, Any]:
    count = {"type": "integer", "minimum": 0}
    return {
        "type": "object",
        "required": ["submitted", "corrected", "unchanged"],
        "properties": {
            "submitted": {**count, "description": "Values new for their period."},
            "corrected": {
                **count,
                "description": "Values that replaced one held, with the reason.",
            },
            "unchanged": {**count, "description": "Values the hub already held as sent."},
        },
        "additionalProperties": False,
    }


def _data_refused() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string", "description": "What went wrong, in words."},
            "problems": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Problem"},
                "description": "Every problem found; `row` is the value's 1-based position in `values` and `column` its field.",
            },
        },
        "additionalProperties": False,
    }


def _data_operation() -> dict[str, Any]:
    return {
        "post": {
            "operationId": "send_data_values",
            "summary": "Send data set values",
            "description": (
                "Sends your agency's values of the partnership data set's indicators, the same "
                "checks as the form and the template upload. A value already held for the "
                "period is corrected only with a `reason`; all are stored or none."
            ),
            "tags": ["Data set"],
            "security": [{"bearerAuth": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/DataValues"}}
                },
            },
            "responses": {
                "201": _json("DataResult", "The values were stored."),
                "400": _json(
                    "DataRefused",
                    "Nothing was stored: the body is not JSON, or a value has a problem (each is listed).",
                ),
                "401": COMMON_ERRORS["401"],
                "405": _json("Error", "Only POST is allowed here."),
                "413": _json("Error", "The body is larger than 1,000,000 bytes."),
            },
        }
    }


SINCE_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?$"
)


def _flags_operation() -> dict[str, Any]:
    return {
        "get": {
            "operationId": "get_exploitation_flags",
            "summary": "Read the exploitation flags",
            "description": (
                "The current exploitation flags of the children your agency is involved with "
                "(it holds a record or an event about them, or owns an open action of the "
                "panel), newest change last, at most 5,000 at a time. Every call is recorded."
            ),
            "tags": ["Exploitation flags"],
            "security": [{"bearerAuth": []}],
            "parameters": [
                {
                    "name": "since",
                    "in": "query",
                    "required": False,
                    "description": (
                        "Only flags set or changed from this moment: a date (2025-04-01, from "
                        "its start in London) or an ISO 8601 date and time (a time without an "
                        "offset is London time). With `more` true, ask again from the last "
                        "flag's `changed_at`."
                    ),
                    "schema": {
                        "type": "string",
                        "pattern": SINCE_PATTERN,
                        "examples": ["2025-04-01", "2025-04-01T09:30:00Z"],
                    },
                }
            ],
            "responses": {
                "200": _json("Flags", "The flags."),
                "400": _json(
                    "Error",
                    "`since` is not a real date, or a date and time with an offset of less than a day.",
                ),
                "401": COMMON_ERRORS["401"],
                "405": _json("Error", "Only GET is allowed here."),
            },
        }
    }


def _flags() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["as_at", "since", "flags", "more"],
        "properties": {
            "as_at": {"type": "string", "format": "date-time"},
            "since": {"type": ["string", "null"], "format": "date-time"},
            "flags": {"type": "array", "items": {"$ref": "#/components/schemas/Flag"}},
            "more": {
                "type": "boolean",
                "description": "True when there were more flags than were sent.",
            },
        },
        "additionalProperties": False,
    }


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
            "/api/v1/persons": _import_operation("persons", "PersonsImport"),
            "/api/v1/events": _import_operation("events", "EventsImport"),
            "/data/api/values": _data_operation(),
            "/exploitation/api/v1/flags": _flags_operation(),
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
                        "200": _json("ImportResult", "The batch."),
                        "401": COMMON_ERRORS["401"],
                        "404": _json("Error", "No batch of your agency has this id."),
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
                "PersonRecord": _person_record(),
                "EventRecord": _event_record(),
                "PersonsImport": _import_request("PersonRecord", PERSON_EXAMPLE),
                "EventsImport": _import_request("EventRecord", EVENT_EXAMPLE),
                "Problem": _problem(),
                "ImportResult": _result(),
                "Error": _error(),
                "DataValues": _data_values(),
                "DataResult": _data_result(),
                "DataRefused": _data_refused(),
                "Flags": _flags(),
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
