"""The import API's OpenAPI document: sound, its examples valid, every endpoint documented and served."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from safeguarding.children import openapi
from safeguarding.children.imports import EVENT_FIELDS, PERSON_FIELDS
from safeguarding.conftest import World
from safeguarding.core.models import Agency, ApiToken
from safeguarding.core.tokens import token_hash

PLAIN = "sgh_abcd2345_" + "x" * 43


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
