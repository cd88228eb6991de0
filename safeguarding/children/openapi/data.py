"""The OpenAPI document's endpoints of other apps that agencies' systems call with the same
tokens: the data set's values (insight) and the exploitation flags."""

from __future__ import annotations

from typing import Any

from safeguarding.children.openapi.imports import COMMON_ERRORS, json_response

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


def data_values() -> dict[str, Any]:
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


def data_result() -> dict[str, Any]:
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


def data_refused() -> dict[str, Any]:
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


def data_operation() -> dict[str, Any]:
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
                "201": json_response("DataResult", "The values were stored."),
                "400": json_response(
                    "DataRefused",
                    "Nothing was stored: the body is not JSON, or a value has a problem (each is listed).",
                ),
                "401": COMMON_ERRORS["401"],
                "405": json_response("Error", "Only POST is allowed here."),
                "413": json_response("Error", "The body is larger than 1,000,000 bytes."),
            },
        }
    }


# The forms `since` is written in (a real date and an offset under a day are checked too).
SINCE_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?$"
)


def flags_operation() -> dict[str, Any]:
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
                "200": json_response("Flags", "The flags."),
                "400": json_response(
                    "Error",
                    "`since` is not a real date, or a date and time with an offset of less than a day.",
                ),
                "401": COMMON_ERRORS["401"],
                "405": json_response("Error", "Only GET is allowed here."),
            },
        }
    }


def flags() -> dict[str, Any]:
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
