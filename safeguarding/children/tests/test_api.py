"""The import API: bearer tokens, the JSON import endpoints and the OpenAPI document."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from safeguarding.children import openapi
from safeguarding.children.importing import EVENT_FIELDS, PERSON_FIELDS
from safeguarding.children.models import (
    ChildEvent,
    ImportBatch,
    ImportChannel,
    ImportStatus,
    SourceRecord,
)
from safeguarding.conftest import World
from safeguarding.core.models import Agency, ApiToken, AuditAction, AuditEntry
from safeguarding.core.tokens import token_hash

PLAIN = "sgh_abcd2345_" + "x" * 43
PERSONS: list[dict[str, Any]] = [
    {
        "record_id": "LA-1",
        "given_name": "Amara",
        "family_name": "Okafor",
        "date_of_birth": "2014-03-05",
        "nhs_number": 9434765919,
    },
    {
        "record_id": "LA-2",
        "given_name": "Ben",
        "family_name": "Smith",
        "date_of_birth": "21/11/2012",
        "team": "North",
    },
]


def make_token(world: World, agency: Agency | None = None, plain: str = PLAIN) -> ApiToken:
    return ApiToken.objects.create(
        agency=agency or world.la,
        name="Case system",
        prefix=plain.split("_")[1],
        token_hash=token_hash(plain),
        created_by=world.users["data_officer"],
    )


def post(
    path: str,
    body: Any,
    *,
    token: str | None = PLAIN,
    client: Client | None = None,
    raw: bool = False,
) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = body if raw else json.dumps(body)
    return (client or Client()).post(path, data, content_type="application/json", headers=headers)


def persons_url() -> str:
    return reverse("api:persons")


# --- Authentication ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Basic dXNlcjpwYXNz",
        f"Token {PLAIN}",
        "Bearer sgh_abcd2345_wrong",
        "Bearer nonsense",
    ],
    ids=["none", "empty bearer", "basic", "other scheme", "wrong secret", "malformed"],
)
def test_a_request_without_a_good_token_is_refused_with_401(
    world: World, header: str | None
) -> None:
    make_token(world)
    headers = {"Authorization": header} if header else {}

    response = Client().post(
        persons_url(),
        json.dumps({"records": PERSONS}),
        content_type="application/json",
        headers=headers,
    )

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "error" in response.json()
    assert not ImportBatch.objects.exists()


def test_a_revoked_token_is_refused(world: World) -> None:
    token = make_token(world)
    token.revoked_at = timezone.now()
    token.save()

    assert post(persons_url(), {"records": PERSONS}).status_code == 401


def test_a_token_of_an_agency_that_left_is_refused(world: World) -> None:
    make_token(world)
    Agency.objects.filter(pk=world.la.pk).update(removed_at=timezone.now())

    assert post(persons_url(), {"records": PERSONS}).status_code == 401


def test_a_signed_in_session_is_not_enough(world: World, client_for: Any) -> None:
    response = post(
        persons_url(), {"records": PERSONS}, token=None, client=client_for("data_officer")
    )

    assert response.status_code == 401
    assert not ImportBatch.objects.exists()


def test_a_good_token_needs_no_csrf_token_and_marks_its_last_use(world: World) -> None:
    token = make_token(world)

    response = post(persons_url(), {"records": PERSONS}, client=Client(enforce_csrf_checks=True))

    assert response.status_code == 201
    token.refresh_from_db()
    assert token.last_used_at is not None


# --- Importing --------------------------------------------------------------------------


def test_persons_are_loaded_for_the_tokens_agency_and_the_batch_is_answered(world: World) -> None:
    make_token(world)

    response = post(persons_url(), {"records": PERSONS})

    assert response.status_code == 201
    body = response.json()
    batch = ImportBatch.objects.get(public_id=body["batch"])
    assert (batch.agency, batch.channel, batch.status) == (
        world.la,
        ImportChannel.API,
        ImportStatus.LOADED,
    )
    assert response["Location"] == reverse("api:batch", args=[batch.public_id])
    assert body["counts"] == {
        "rows_read": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert body["problems"] == [] and body["dry_run"] is False
    record = SourceRecord.objects.get(agency=world.la, record_id="LA-1")
    assert record.nhs_number == "9434765919"
    assert SourceRecord.objects.get(agency=world.la, record_id="LA-2").attributes == {
        "team": "North"
    }


def test_sending_a_record_again_updates_it(world: World) -> None:
    make_token(world)
    post(persons_url(), {"records": PERSONS})

    changed = [{**PERSONS[0], "family_name": "Okafor-Reid"}, PERSONS[1]]
    body = post(persons_url(), {"records": changed}).json()

    assert body["counts"]["updated"] == 1 and body["counts"]["unchanged"] == 1
    assert (
        SourceRecord.objects.filter(agency=world.la, record_id="LA-1").get().family_name
        == "Okafor-Reid"
    )


def test_problems_name_the_records_position_field_and_reason_and_nothing_is_loaded(
    world: World,
) -> None:
    make_token(world)
    records = [
        PERSONS[0],
        {"record_id": "LA-3", "date_of_birth": "2012-02-31"},
        {"given_name": "No id"},
    ]

    response = post(persons_url(), {"records": records})

    assert response.status_code == 422
    body = response.json()
    assert body["status"] == ImportStatus.REFUSED
    assert {(p["row"], p["column"]) for p in body["problems"]} == {
        (2, "date_of_birth"),
        (3, "record_id"),
    }
    assert all(p["reason"] for p in body["problems"])
    assert not SourceRecord.objects.filter(agency=world.la, record_id__startswith="LA-").exists()


def test_load_valid_rows_loads_the_others(world: World) -> None:
    make_token(world)
    records = [PERSONS[0], {"record_id": "LA-3", "date_of_birth": "2012-02-31"}]

    response = post(persons_url(), {"records": records, "load_valid_rows": True})

    assert response.status_code == 201
    assert response.json()["status"] == ImportStatus.LOADED_VALID_ROWS
    assert set(
        SourceRecord.objects.filter(agency=world.la, record_id__startswith="LA-").values_list(
            "record_id", flat=True
        )
    ) == {"LA-1"}


def test_when_every_record_is_rejected_the_answer_says_nothing_was_loaded(world: World) -> None:
    make_token(world)
    records = [{"record_id": "LA-3", "date_of_birth": "2012-02-31"}, {"given_name": "No id"}]

    response = post(persons_url(), {"records": records, "load_valid_rows": True})

    assert response.status_code == 422
    body = response.json()
    assert body["counts"]["rejected"] == 2 and body["problem_count"] == 2
    assert not SourceRecord.objects.filter(agency=world.la, record_id__startswith="LA-").exists()


def test_a_dry_run_loads_nothing(world: World) -> None:
    make_token(world)

    response = post(persons_url(), {"records": PERSONS, "dry_run": True})

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["dry_run"], body["counts"]["created"]) == (
        ImportStatus.CHECKED,
        True,
        2,
    )
    assert not SourceRecord.objects.filter(agency=world.la, record_id__startswith="LA-").exists()


def test_events_are_loaded_onto_the_agencys_records(world: World) -> None:
    make_token(world)
    post(persons_url(), {"records": PERSONS})
    events = [
        {
            "record_id": "LA-1",
            "event_type": "mash_referral",
            "occurred_at": "2025-03-05T14:30",
            "summary": "Referral.",
            "restricted": False,
        },
        {
            "record_id": "LA-2",
            "event_type": "camhs referral",
            "occurred_at": "2025-03-06",
            "restricted": True,
        },
    ]

    response = post(reverse("api:events"), {"records": events})

    assert response.status_code == 201, response.json()["problems"]
    loaded = ChildEvent.objects.filter(agency=world.la, source_record__record_id__startswith="LA-")
    assert sorted(loaded.values_list("event_type", "restricted")) == [
        ("camhs_referral", True),
        ("mash_referral", False),
    ]


def test_an_import_by_the_api_is_audited(world: World) -> None:
    make_token(world)

    body = post(persons_url(), {"records": PERSONS}).json()

    entry = AuditEntry.objects.filter(action=AuditAction.IMPORT).get()
    assert entry.object_id == body["batch"]
    assert entry.detail["channel"] == "api"
    # No user signs an API import: the entry names the agency and the token instead.
    assert entry.detail["agency"] == world.la.code
    assert ApiToken.objects.get().prefix in entry.detail["file"]


def test_a_load_that_breaks_half_way_answers_500_and_loads_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeguarding.children import importing

    def breaks(self: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing._PersonsRun, "run", breaks)
    make_token(world)

    response = post(persons_url(), {"records": PERSONS})

    assert response.status_code == 500
    body = response.json()
    assert "nothing was loaded" in body["error"] and "disk full" not in body["error"]
    assert ImportBatch.objects.get(public_id=body["batch"]).status == ImportStatus.FAILED
    assert not SourceRecord.objects.filter(agency=world.la, record_id__startswith="LA-").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "The body is not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ("{}", "has no 'records'"),
        ('{"records": {"record_id": "A"}}', "'records' must be a list"),
        ('{"records": []}', "'records' is empty"),
        ('{"records": ["LA-1"]}', "Record 1 must be an object"),
        (
            '{"records": [{"record_id": "A", "address": {"line": 1}}]}',
            "Record 1's 'address' must be text",
        ),
        ('{"records": [{"record_id": "A"}], "dry_run": "yes"}', "'dry_run' must be true or false"),
        ('{"records": [{"record_id": "A"}], "dryrun": true}', "Unknown field 'dryrun'"),
    ],
    ids=[
        "not json",
        "not an object",
        "no records",
        "records not a list",
        "no record",
        "record not an object",
        "nested value",
        "flag not boolean",
        "unknown field",
    ],
)
def test_a_malformed_request_is_refused_with_400_saying_why(
    world: World, body: str, message: str
) -> None:
    make_token(world)

    response = post(persons_url(), body, raw=True)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not ImportBatch.objects.exists()


def test_a_body_that_is_not_json_by_its_content_type_is_refused(world: World) -> None:
    make_token(world)

    response = Client().post(
        persons_url(),
        json.dumps({"records": PERSONS}),
        content_type="text/plain",
        headers={"Authorization": f"Bearer {PLAIN}"},
    )

    assert response.status_code == 400
    assert "Content-Type: application/json" in response.json()["error"]


def test_a_body_over_the_limit_is_refused_with_413(world: World, settings: Any) -> None:
    make_token(world)
    settings.SAFEGUARDING_API_MAX_BYTES = 1000

    response = post(persons_url(), {"records": PERSONS * 20})

    assert response.status_code == 413
    assert not ImportBatch.objects.exists()


def test_too_many_records_are_refused_with_413(world: World, settings: Any) -> None:
    make_token(world)
    settings.SAFEGUARDING_API_MAX_RECORDS = 1

    assert post(persons_url(), {"records": PERSONS}).status_code == 413


NUL_KEY = '{"records": [{"record_id": "LA-1", "team\\u0000x": "North"}]}'
NUL_VALUE = '{"records": [{"record_id": "LA-1", "team": "No\\u0000rth"}]}'
SURROGATE_VALUE = '{"records": [{"record_id": "LA-1", "given_name": "Am\\ud800ara"}]}'
SURROGATE_KEY = '{"records": [{"record_id": "LA-1"}, {"record_id": "LA-2", "\\udc00": 1}]}'
DEEP = "[" * 50_000 + "]" * 50_000
NESTED_33 = '{"records": [{"record_id": "LA-1", "team": ' + "[" * 31 + "]" * 31 + "}]}"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (NUL_KEY, "NUL character (\\u0000) in a field name in $.records[0]"),
        (NUL_VALUE, "NUL character (\\u0000) in the value at $.records[0].team"),
        (SURROGATE_VALUE, "lone surrogate in the value at $.records[0].given_name"),
        (SURROGATE_KEY, "lone surrogate in a field name in $.records[1]"),
        ('{"records": ' + DEEP + "}", "nested more than 32 levels"),
        (DEEP, "nested more than 32 levels"),
        (NESTED_33, "nested more than 32 levels"),
        ('{"records": [{"record_id": NaN}]}', "NaN is not a number JSON allows"),
        ('{"records": [{"record_id": 1e999}]}', "too large"),
        (b'{"records": [{"record_id": "\xff"}]}', "not valid JSON"),
    ],
    ids=[
        "NUL in a field name",
        "NUL in a value",
        "lone surrogate in a value",
        "lone surrogate in a field name",
        "50,000 deep",
        "50,000 deep at the top",
        "33 deep",
        "NaN",
        "infinite number",
        "not UTF-8",
    ],
)
def test_text_the_database_cannot_hold_is_refused_with_400_naming_the_place(
    world: World, body: str | bytes, message: str
) -> None:
    make_token(world)

    response = post(persons_url(), body, raw=True)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not SourceRecord.objects.filter(agency=world.la, record_id__startswith="LA-").exists()
    assert not ImportBatch.objects.exists()


def test_a_paired_surrogate_is_a_character_like_any_other(world: World) -> None:
    make_token(world)
    body = '{"records": [{"record_id": "LA-1", "given_name": "Amara \\ud83d\\ude00", "t\\\\u0000": "a"}]}'

    response = post(persons_url(), body, raw=True)

    assert response.status_code == 201, response.json()
    record = SourceRecord.objects.get(agency=world.la, record_id="LA-1")
    assert record.given_name == "Amara \U0001f600"


@pytest.mark.parametrize("body", [NUL_KEY, SURROGATE_VALUE, DEEP], ids=["NUL", "surrogate", "deep"])
def test_every_api_operation_that_takes_a_body_refuses_bad_json_with_400(
    world: World, body: str
) -> None:
    """Every operation of the OpenAPI document with a request body reads it the one way
    (core/jsonbody.py), so each gives the same 400."""
    make_token(world)
    with_bodies = [
        path
        for path, item in openapi.document()["paths"].items()
        for operation in item.values()
        if "requestBody" in operation
    ]

    for path in with_bodies:
        response = post(path, body, raw=True)
        assert response.status_code == 400, path
        assert response.json()["error"].startswith("The body "), path
    assert len(with_bodies) >= 3


def test_only_post_is_taken_by_the_import_endpoints(world: World) -> None:
    make_token(world)

    response = Client().get(persons_url(), headers={"Authorization": f"Bearer {PLAIN}"})

    assert response.status_code == 405
    assert response["Allow"] == "POST"


# --- Batches ----------------------------------------------------------------------------


def test_a_token_reads_its_own_agencys_batches_only(world: World) -> None:
    make_token(world)
    own = post(persons_url(), {"records": PERSONS}).json()["batch"]
    theirs = ImportBatch.objects.create(
        agency=world.police,
        kind="persons",
        channel=ImportChannel.UPLOAD,
        status=ImportStatus.LOADED,
    )
    headers = {"Authorization": f"Bearer {PLAIN}"}

    mine = Client().get(reverse("api:batch", args=[own]), headers=headers)
    other = Client().get(reverse("api:batch", args=[theirs.public_id]), headers=headers)
    missing = Client().get(reverse("api:batch", args=[uuid.uuid4()]), headers=headers)

    assert mine.status_code == 200 and mine.json()["counts"]["created"] == 2
    assert other.status_code == 404 and missing.status_code == 404
    assert other.json() == missing.json()


# --- The OpenAPI document ---------------------------------------------------------------


def resolve_ref(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"only local references: {ref}"
    node: Any = document
    for part in ref[2:].split("/"):
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


JSON_TYPES: dict[str, Any] = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "object": dict,
    "array": list,
    "null": type(None),
}


def schema_errors(document: dict[str, Any], schema: Any, value: Any, where: str = "$") -> list[str]:
    """A small JSON Schema checker: the keywords this document uses, no more."""
    if schema is True or schema == {}:
        return []
    if schema is False:
        return [f"{where}: no value is allowed here"]
    if "$ref" in schema:
        return schema_errors(document, resolve_ref(document, schema["$ref"]), value, where)
    errors: list[str] = []
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]

        def fits(kind: str) -> bool:
            if kind in {"integer", "number"} and isinstance(value, bool):
                return False
            return isinstance(value, JSON_TYPES[kind])

        if not any(fits(kind) for kind in types):
            return [f"{where}: {value!r} is not {' or '.join(types)}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, str) and not (
        schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value))
    ):
        errors.append(f"{where}: length out of bounds")
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and value < schema.get("minimum", value)
    ):
        errors.append(f"{where}: below the minimum")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get(
            "maxItems", len(value)
        ):
            errors.append(f"{where}: wrong number of items")
        for index, item in enumerate(value):
            errors += schema_errors(document, schema.get("items", {}), item, f"{where}[{index}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors += [
            f"{where}: {name} is required"
            for name in schema.get("required", [])
            if name not in value
        ]
        for name, item in value.items():
            if name in properties:
                errors += schema_errors(document, properties[name], item, f"{where}.{name}")
            else:
                errors += schema_errors(
                    document, schema.get("additionalProperties", True), item, f"{where}.{name}"
                )
    return errors


def test_the_checker_finds_what_is_wrong() -> None:
    document = openapi.document()
    person = {"$ref": "#/components/schemas/PersonRecord"}

    assert schema_errors(document, person, {"record_id": "A", "given_name": "B"}) == []
    assert schema_errors(document, person, {"given_name": "B"}) == ["$: record_id is required"]
    assert schema_errors(document, person, {"record_id": ""}) == [
        "$.record_id: length out of bounds"
    ]
    assert schema_errors(document, person, {"record_id": "A", "extra": {"x": 1}})


def test_the_document_is_structurally_openapi_3_1() -> None:
    document = openapi.document()

    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] and document["info"]["version"]
    schemes = document["components"]["securitySchemes"]
    operation_ids = []
    for path, item in document["paths"].items():
        assert path.startswith("/")
        for method, operation in item.items():
            assert method in {"get", "post", "put", "patch", "delete"}
            operation_ids.append(operation["operationId"])
            assert operation["responses"], f"{method} {path} has no responses"
            for status, response in operation["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d", status) and response["description"]
            for requirement in operation.get("security", []):
                assert set(requirement) <= set(schemes)
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), path
    assert len(operation_ids) == len(set(operation_ids))
    for node in walk(document):
        if "$ref" in node:
            resolve_ref(document, node["$ref"])


def test_the_documents_examples_are_valid_against_its_schemas() -> None:
    document = openapi.document()
    checked = 0
    for name, schema in document["components"]["schemas"].items():
        for example in schema.get("examples", []):
            assert schema_errors(document, schema, example) == [], name
            checked += 1
        for field, field_schema in schema.get("properties", {}).items():
            for example in field_schema.get("examples", []):
                assert schema_errors(document, field_schema, example) == [], f"{name}.{field}"
                checked += 1
    assert checked > 10


def test_the_event_type_examples_are_in_the_catalogue() -> None:
    from safeguarding.children import catalogue

    event_type = openapi.document()["components"]["schemas"]["EventRecord"]["properties"][
        "event_type"
    ]

    assert all(catalogue.find(example) for example in event_type["examples"])


def test_the_record_schemas_name_the_importers_own_fields() -> None:
    schemas = openapi.document()["components"]["schemas"]

    assert list(schemas["PersonRecord"]["properties"]) == list(PERSON_FIELDS)
    assert list(schemas["EventRecord"]["properties"]) == list(EVENT_FIELDS)


def test_the_documented_examples_are_accepted_by_the_api(world: World) -> None:
    make_token(world)
    schemas = openapi.document()["components"]["schemas"]

    persons = post(persons_url(), schemas["PersonsImport"]["examples"][0])
    events = post(reverse("api:events"), schemas["EventsImport"]["examples"][0])

    assert (persons.status_code, events.status_code) == (201, 201), events.json()
    document = openapi.document()
    assert (
        schema_errors(document, {"$ref": "#/components/schemas/ImportResult"}, persons.json()) == []
    )


def test_every_api_view_is_in_the_document(db: Any) -> None:
    """Every view taking a bearer token (core/api.py's `token_required`), found by
    walking the URL patterns, is an operation of the OpenAPI document with its methods."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk_patterns(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk_patterns(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), entry.callback

    documented = {
        re.sub(r"{\w+}", "<>", path): {method.upper() for method in item}
        for path, item in openapi.document()["paths"].items()
    }
    found = {
        "/" + re.sub(r"<[\w:]+>", "<>", route): set(view.api_methods)
        for route, view in walk_patterns(get_resolver().url_patterns)
        if hasattr(view, "api_methods")
    }

    assert len(found) >= 5
    assert found == {path: documented.get(path) for path in found}


def test_each_documented_endpoint_exists_with_its_methods(world: World) -> None:
    for path, item in openapi.document()["paths"].items():
        concrete = path.replace("{public_id}", str(uuid.uuid4()))
        try:
            resolve(concrete)
        except Resolver404:
            pytest.fail(f"{path} is documented but does not exist")
        for method in ("get", "post"):
            response = getattr(Client(), method)(concrete, content_type="application/json")
            if method in item:
                assert response.status_code == 401, f"{method} {path}"
            else:
                assert response.status_code == 405, f"{method} {path}"


def test_the_document_and_its_human_page_are_served_to_anyone(db: Any) -> None:
    served = Client().get(reverse("api:openapi"))
    page = Client().get(reverse("api:index")).content.decode()

    assert served["Content-Type"] == "application/json"
    assert served.json() == json.loads(json.dumps(openapi.document()))
    for endpoint in openapi.endpoints():
        assert endpoint["path"] in page
    assert "<script>" not in page
