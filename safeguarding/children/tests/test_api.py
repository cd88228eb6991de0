"""The import API: bearer tokens, the JSON import endpoints and the batches."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.children import openapi
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
    from safeguarding.children.imports.persons import PersonsRun

    def breaks(self: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(PersonsRun, "run", breaks)
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
