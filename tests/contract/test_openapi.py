"""The OpenAPI document describes the API as served, and the PATCH body and CandidateView match the
seed (``update-candidate.seed.txt``, the primary source per API.md)."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from talentbase.candidates.schemas import CandidateView
from tests.conftest import (
    NULLABLE_PATCH_FIELDS,
    ROOT,
    create_candidate,
    create_user,
    make_client,
)

# The user's document for PATCH /candidates/{id}; the project keeps a copy beside this test so
# a clone without the spec folder beside it still runs. TALENTBASE_SEED_PATH overrides.
_SHARED_SEED = ROOT.parent / "shared" / "spec" / "update-candidate.seed.txt"
_VENDORED_SEED = Path(__file__).parent / "spec" / "update-candidate.seed.txt"
SEED_PATH = Path(
    os.environ.get(
        "TALENTBASE_SEED_PATH",
        str(_SHARED_SEED if _SHARED_SEED.is_file() else _VENDORED_SEED),
    )
)

# every operation the server documents, with every status it documents (a new route must be
# added here on purpose)
EXPECTED_OPERATIONS: dict[tuple[str, str], set[str]] = {
    ("/healthz", "get"): {"200", "500"},
    ("/readyz", "get"): {"200", "500", "503"},
    ("/candidates", "post"): {"201", "400", "401", "413", "415", "429", "500", "503"},
    ("/candidates", "get"): {"200", "400", "401", "429", "500", "503"},
    ("/candidates/_search", "post"): {"200", "400", "401", "413", "415", "429", "500", "503"},
    ("/search/people", "get"): {"200", "400", "401", "429", "500", "503"},
    ("/candidates/{id}", "get"): {"200", "304", "401", "404", "429", "500", "503"},
    ("/candidates/{id}", "patch"): {
        "200",
        "400",
        "401",
        "404",
        "412",
        "413",
        "415",
        "429",
        "500",
        "503",
    },
    ("/candidates/{id}", "delete"): {"204", "400", "401", "404", "412", "429", "500", "503"},
    ("/candidates/{id}/history", "get"): {"200", "400", "401", "404", "429", "500", "503"},
    ("/candidates/deleted", "get"): {"200", "400", "401", "429", "500", "503"},
    ("/candidates/{id}/contact-identifiers", "post"): {
        "200",
        "201",
        "400",
        "401",
        "404",
        "413",
        "415",
        "429",
        "500",
        "503",
    },
    ("/candidates/{id}/merge", "post"): {
        "200",
        "400",
        "401",
        "404",
        "409",
        "412",
        "413",
        "415",
        "429",
        "500",
        "503",
    },
    ("/candidates/{id}/anonymize", "post"): {
        "200",
        "400",
        "401",
        "404",
        "412",
        "429",
        "500",
        "503",
    },
    ("/users", "post"): {"201", "400", "401", "413", "415", "429", "500", "503"},
    ("/users", "get"): {"200", "400", "401", "429", "500", "503"},
    ("/users/_list", "get"): {"200", "401", "429", "500", "503"},
    ("/users/{id}", "get"): {"200", "401", "404", "429", "500", "503"},
    ("/users/{id}", "patch"): {"200", "400", "401", "404", "413", "415", "429", "500", "503"},
    ("/clients", "post"): {"201", "400", "401", "413", "415", "429", "500", "503"},
    ("/clients", "get"): {"200", "400", "401", "429", "500", "503"},
    ("/clients/{id}", "get"): {"200", "401", "404", "429", "500", "503"},
    ("/clients/{id}", "patch"): {"200", "400", "401", "404", "413", "415", "429", "500", "503"},
    ("/clients/contacts/stages", "get"): {"200", "401", "429", "500", "503"},
    ("/clients/contacts/stages", "post"): {
        "201",
        "400",
        "401",
        "409",
        "413",
        "415",
        "429",
        "500",
        "503",
    },
    ("/clients/contacts/{id}", "post"): {
        "201",
        "400",
        "401",
        "404",
        "409",
        "413",
        "415",
        "429",
        "500",
        "503",
    },
    ("/clients/contacts/{id}", "get"): {"200", "401", "404", "429", "500", "503"},
    ("/clients/contacts/{id}", "patch"): {
        "200",
        "400",
        "401",
        "404",
        "413",
        "415",
        "429",
        "500",
        "503",
    },
    ("/candidates/{id}/education", "get"): {"200", "401", "404", "429", "500", "503"},
    ("/candidates/{id}/education", "post"): {
        "201",
        "400",
        "401",
        "404",
        "413",
        "415",
        "429",
        "500",
        "503",
    },
    ("/candidates/{id}/education", "put"): {
        "200",
        "400",
        "401",
        "404",
        "413",
        "415",
        "429",
        "500",
        "503",
    },
    ("/candidates/{id}/education/{educationId}", "delete"): {
        "204",
        "400",
        "401",
        "404",
        "429",
        "500",
        "503",
    },
    ("/candidates/{id}/work-experiences", "get"): {"200", "401", "404", "429", "500", "503"},
    ("/candidates/{id}/work-experiences", "post"): {
        "201",
        "400",
        "401",
        "404",
        "413",
        "415",
        "429",
        "500",
        "503",
    },
    ("/candidates/{id}/work-experiences", "put"): {
        "200",
        "400",
        "401",
        "404",
        "413",
        "415",
        "429",
        "500",
        "503",
    },
    ("/candidates/{id}/work-experiences/{workExperienceId}", "delete"): {
        "204",
        "400",
        "401",
        "404",
        "429",
        "500",
        "503",
    },
    ("/candidates/{id}/linkedin-profile", "put"): {
        "200",
        "400",
        "401",
        "404",
        "413",
        "415",
        "429",
        "500",
        "503",
    },
    ("/placements", "post"): {"201", "400", "401", "413", "415", "429", "500", "503"},
    ("/placements", "get"): {"200", "400", "401", "429", "500", "503"},
    ("/placements/{id}", "get"): {"200", "401", "404", "429", "500", "503"},
    ("/placements/{id}", "patch"): {"200", "400", "401", "404", "413", "415", "429", "500", "503"},
    ("/placements/{id}", "delete"): {"204", "400", "401", "404", "429", "500", "503"},
    ("/tasks/_raw", "post"): {"201", "400", "401", "413", "415", "429", "500", "503"},
    ("/tasks", "get"): {"200", "400", "401", "429", "500", "503"},
    ("/tasks/{id}", "get"): {"200", "401", "404", "429", "500", "503"},
    ("/tasks/{id}", "patch"): {"200", "400", "401", "404", "413", "415", "429", "500", "503"},
    ("/notes", "post"): {"201", "400", "401", "413", "415", "429", "500", "503"},
    ("/notes", "get"): {"200", "400", "401", "429", "500", "503"},
    ("/notes/{id}", "get"): {"200", "401", "404", "429", "500", "503"},
    ("/custom-attributes/{entityType}/definitions", "post"): {
        "201",
        "400",
        "401",
        "404",
        "409",
        "413",
        "415",
        "429",
        "500",
        "503",
    },
    ("/custom-attributes/{entityType}/definitions", "get"): {
        "200",
        "400",
        "401",
        "404",
        "429",
        "500",
        "503",
    },
    ("/custom-attributes/{entityType}/definitions/{id}", "get"): {
        "200",
        "401",
        "404",
        "429",
        "500",
        "503",
    },
    ("/candidates/{id}/custom-attributes/{definitionId}", "put"): {
        "200",
        "400",
        "401",
        "404",
        "413",
        "415",
        "429",
        "500",
        "503",
    },
    ("/custom-attributes/candidates/{id}/values/_bulk", "put"): {
        "204",
        "400",
        "401",
        "404",
        "413",
        "415",
        "429",
        "500",
        "503",
    },
    ("/attachments", "post"): {"201", "400", "401", "413", "415", "429", "500", "503"},
    ("/attachments", "get"): {"200", "400", "401", "429", "500", "503"},
    ("/attachments/temporary", "post"): {"201", "400", "401", "413", "415", "429", "500", "503"},
    ("/attachments/temporary/assign", "post"): {
        "204",
        "400",
        "401",
        "409",
        "413",
        "415",
        "429",
        "500",
        "503",
    },
    ("/attachments/{id}", "get"): {"200", "401", "404", "429", "500", "503"},
    ("/attachments/{id}", "delete"): {"204", "400", "401", "404", "429", "500", "503"},
    ("/webhooks", "post"): {"201", "400", "401", "413", "415", "429", "500", "503"},
    ("/webhooks", "get"): {"200", "401", "429", "500", "503"},
    ("/webhooks/{id}", "delete"): {"204", "401", "404", "429", "500", "503"},
    ("/webhooks/{id}/deliveries", "get"): {"200", "400", "401", "404", "429", "500", "503"},
}

# every POST takes an Idempotency-Key (issue 5 §2): 409 while a request with the key is in
# flight (or its answer was lost), 422 when the key is reused for a different request
for _operation in EXPECTED_OPERATIONS:
    if _operation[1] == "post":
        EXPECTED_OPERATIONS[_operation] |= {"409", "422"}


# API.md §2.3: the name section also carries middleName and secondLastName.
VIEW_EXTRAS = {"name": {"middleName", "secondLastName"}}


# ---- the seed ----------------------------------------------------------------------------------


def seed_text() -> str:
    if not SEED_PATH.is_file():
        pytest.fail(f"seed not found at {SEED_PATH}; set TALENTBASE_SEED_PATH")
    return SEED_PATH.read_text(encoding="utf-8")


def seed_examples() -> tuple[dict[str, Any], dict[str, Any]]:
    """The seed's example PATCH body and example answer, key order kept."""
    text = seed_text()
    start = text.index("--data '") + len("--data '")
    end = text.index("\n'\n", start)
    request = json.loads(text[start:end])
    answer_end = text.index("\nAuthorizations", end)
    answer = json.loads(text[end + 3 : answer_end])
    return request, answer


def seed_field_names() -> list[str]:
    return list(seed_examples()[0])


def seed_options() -> dict[str, list[str]]:
    """Each body field's "Available options:" list, as the seed's Body section gives it."""
    lines = [line.strip() for line in seed_text().splitlines()]
    fields = set(seed_field_names())
    body_start = lines.index("Body")
    options: dict[str, list[str]] = {}
    current: str | None = None
    index = body_start
    while index < len(lines) and lines[index] != "Response":
        line = lines[index]
        if line in fields:
            current = line
        elif line == "Available options:":
            assert current is not None
            values: list[str] = []
            while True:
                index += 1
                values.append(lines[index].rstrip(","))
                if not lines[index].endswith(","):
                    break
            options[current] = values
        index += 1
    return options


def test_seed_parses_into_the_four_enum_lists() -> None:
    options = seed_options()

    assert set(options) == {"gender", "nationality", "status", "acquisitionSource"}
    assert options["gender"] == ["male", "female", "x"]
    assert len(options["status"]) == 5
    assert len(options["acquisitionSource"]) == 10
    assert len(options["nationality"]) >= 190
    assert options["nationality"][0] == "Afghan"
    assert options["nationality"][-1] == "Zimbabwean"


# ---- the document ------------------------------------------------------------------------------


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200, response.text
    doc: dict[str, Any] = response.json()
    return doc


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = doc["components"]["schemas"][name]
    return schema


def enum_of(doc: dict[str, Any], schema: dict[str, Any]) -> list[str] | None:
    """The enum a property allows, looking through $ref, anyOf/oneOf (null aside) and items."""
    schema = resolve(doc, schema)
    if "enum" in schema:
        return list(schema["enum"])
    if "items" in schema:
        return enum_of(doc, schema["items"])
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found = enum_of(doc, option)
            if found is not None:
                return found
    return None


def allows_null(doc: dict[str, Any], schema: dict[str, Any]) -> bool:
    schema = resolve(doc, schema)
    if schema.get("type") == "null" or (
        isinstance(schema.get("type"), list) and "null" in schema["type"]
    ):
        return True
    if schema.get("nullable") is True:
        return True
    return any(
        allows_null(doc, option) for option in schema.get("anyOf", []) + schema.get("oneOf", [])
    )


def request_schema(doc: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    operation = doc["paths"][path][method]
    content = operation["requestBody"]["content"]
    assert list(content) == ["application/json"]
    return resolve(doc, content["application/json"]["schema"])


async def test_openapi_json_is_served_behind_the_api_key(app: Any) -> None:
    async with make_client(app, None) as anonymous:
        response = await anonymous.get("/openapi.json")

    assert response.status_code == 401
    body = response.json()
    assert body["status"] == 401
    assert body["requestId"] == response.headers["x-request-id"]
    assert "paths" not in body


async def test_openapi_json_with_a_key_is_the_same_document_every_time(
    client: httpx.AsyncClient, document: dict[str, Any]
) -> None:
    again = await client.get("/openapi.json")

    assert again.json() == document
    assert document["openapi"].startswith("3.")


async def test_every_route_is_documented_with_its_statuses(document: dict[str, Any]) -> None:
    documented_operations = {
        (path, method) for path, item in document["paths"].items() for method in item
    }
    assert documented_operations == set(EXPECTED_OPERATIONS)
    for (path, method), statuses in EXPECTED_OPERATIONS.items():
        assert path in document["paths"], path
        assert method in document["paths"][path], (path, method)
        documented = set(document["paths"][path][method]["responses"])
        assert statuses <= documented, (path, method, sorted(documented))
        successes = {status for status in documented if status.startswith("2")}
        assert successes == {status for status in statuses if status.startswith("2")}, (
            path,
            method,
        )


async def test_documented_error_answers_use_the_spott_error_body(document: dict[str, Any]) -> None:
    for (path, method), statuses in EXPECTED_OPERATIONS.items():
        responses = document["paths"][path][method]["responses"]
        for status in statuses:
            if status.startswith("2") or status == "304":  # a 304 has no body
                continue
            schema = resolve(document, responses[status]["content"]["application/json"]["schema"])
            assert {"status", "message", "requestId"} <= set(schema["properties"]), (path, status)
            assert set(schema["required"]) >= {"status", "message", "requestId"}


async def test_no_422_is_documented_but_a_reused_idempotency_key(
    document: dict[str, Any],
) -> None:
    """Validation failures are Spott 400s; the only 422 is ``IDEMPOTENCY_KEY_REUSED`` on POSTs."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation.get("responses", {})
            if method == "post":
                assert "IDEMPOTENCY_KEY_REUSED" in responses["422"]["description"], path
            else:
                assert "422" not in responses, (path, method)
    schemas = document.get("components", {}).get("schemas", {})
    assert "HTTPValidationError" not in schemas
    assert "ValidationError" not in schemas


async def test_create_candidate_answers_a_bare_string_and_get_answers_a_candidate_view(
    document: dict[str, Any],
) -> None:
    created = document["paths"]["/candidates"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["type"] == "string"
    for method in ("get", "patch"):
        ok = document["paths"]["/candidates/{id}"][method]["responses"]["200"]
        schema = ok["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/CandidateView"}, method
    assert "content" not in document["paths"]["/candidates/{id}"]["delete"]["responses"]["204"]


async def test_patch_body_schema_has_exactly_the_seed_fields_and_no_others(
    document: dict[str, Any],
) -> None:
    schema = request_schema(document, "/candidates/{id}", "patch")

    assert list(schema["properties"]) == seed_field_names()
    assert schema.get("additionalProperties") is False
    assert not schema.get("required")


async def test_patch_body_schema_allows_null_exactly_where_api_md_clears(
    document: dict[str, Any],
) -> None:
    schema = request_schema(document, "/candidates/{id}", "patch")

    nullable = {name for name, prop in schema["properties"].items() if allows_null(document, prop)}

    assert nullable == set(NULLABLE_PATCH_FIELDS)


async def test_patch_body_enums_equal_the_seed_lists(document: dict[str, Any]) -> None:
    schema = request_schema(document, "/candidates/{id}", "patch")

    for field, values in seed_options().items():
        assert enum_of(document, schema["properties"][field]) == values, field


async def test_create_body_schema_is_the_patch_fields_plus_create_only_fields(
    document: dict[str, Any],
) -> None:
    schema = request_schema(document, "/candidates", "post")

    assert list(schema["properties"])[: len(seed_field_names())] == seed_field_names()
    assert set(schema["properties"]) == set(seed_field_names()) | {
        "avatarUrl",
        "education",
        "workExperiences",
        "customAttributes",
        "onDuplicate",
    }
    assert sorted(schema["required"]) == ["firstName", "lastName"]
    assert schema.get("additionalProperties") is False
    for field, values in seed_options().items():
        assert enum_of(document, schema["properties"][field]) == values, field


async def test_candidate_view_schema_lists_the_seed_sections_in_order(
    document: dict[str, Any],
) -> None:
    schema = document["components"]["schemas"]["CandidateView"]

    assert list(schema["properties"]) == list(seed_examples()[1])
    assert set(schema["required"]) == set(seed_examples()[1])


async def test_api_key_security_scheme_is_documented_on_every_private_route(
    document: dict[str, Any],
) -> None:
    schemes = document["components"]["securitySchemes"]
    names = [
        name
        for name, scheme in schemes.items()
        if scheme == {**scheme, "type": "apiKey", "in": "header", "name": "x-api-key"}
    ]
    assert len(names) == 1, schemes
    for (path, method), _ in EXPECTED_OPERATIONS.items():
        security = document["paths"][path][method].get("security")
        if path in {"/healthz", "/readyz"}:
            assert not security
        else:
            assert security == [{names[0]: []}], (path, method)


# ---- real answers against CandidateView --------------------------------------------------------


def assert_seed_order(view: Any, seed: Any, where: str = "") -> None:
    """Every key of the seed's example appears in the answer in the seed's order; the answer has
    no keys the seed lacks (API.md's documented extras aside). Recurses where both have values."""
    if isinstance(seed, dict) and isinstance(view, dict):
        assert [key for key in view if key in seed] == list(seed), where or "<root>"
        extras = set(view) - set(seed)
        assert extras <= VIEW_EXTRAS.get(where, set()), (where, extras)
        for key in seed:
            assert_seed_order(view[key], seed[key], f"{where}.{key}" if where else key)
    elif isinstance(seed, list) and isinstance(view, list) and seed and view:
        for item in view:
            assert_seed_order(item, seed[0], where)


async def _populated_candidate(http: httpx.AsyncClient) -> tuple[str, dict[str, Any]]:
    user = await create_user(http, "Ann Recruiter", f"ann-{uuid.uuid4().hex}@x.example")
    candidate_id = await create_candidate(
        http, workExperiences=[{"jobTitle": "Engineer", "startDate": "2020-01-01T00:00:00Z"}]
    )
    body = {
        "firstName": "John",
        "middleName": "William",
        "lastName": "Doe",
        "secondLastName": "Garcia",
        "compensation": {"currency": "USD", "totalCompensation": 100000, "baseCompensation": 80000},
        "mainContact": {"userId": user["userId"]},
        "languages": [{"language": "English", "fluency": "Native or bilingual proficiency"}],
        "gender": "male",
        "nationality": ["Afghan"],
        "status": ["actively_looking"],
        "acquisitionSource": "manual",
        "locations": [
            {
                "type": "primary_home",
                "street1": "Keizersgracht 123",
                "postalCode": "1015 CJ",
                "city": "Amsterdam",
                "country": "NL",
                "latitude": 52.37,
                "longitude": 4.89,
            }
        ],
        "socialMedia": [{"url": "https://www.linkedin.com/in/john-doe", "type": "LINKEDIN"}],
        "emails": [{"purpose": "personal", "email": "jsmith@example.com", "isPrimary": True}],
        "phoneNumbers": [{"purpose": "personal", "phoneNumber": "+31612345678"}],
        "visibleIfClientContact": True,
        "dateOfBirth": "1990-05-15T00:00:00.000Z",
        "lastInteractionAt": "2024-01-15T14:30:00.000Z",
        "lastInteractionWithId": user["userId"],
    }
    assert list(body) == seed_field_names()
    return candidate_id, body


async def test_get_answer_of_a_new_candidate_validates_and_follows_the_seed_order(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)

    view = (await client.get(f"/candidates/{candidate_id}")).json()

    CandidateView.model_validate(view)
    assert list(view) == list(seed_examples()[1])
    assert_seed_order(view, seed_examples()[1])


async def test_patch_and_get_answers_validate_and_follow_the_seed_order(
    client: httpx.AsyncClient,
) -> None:
    candidate_id, body = await _populated_candidate(client)

    patched = await client.patch(f"/candidates/{candidate_id}", json=body)
    fetched = await client.get(f"/candidates/{candidate_id}")

    assert patched.status_code == 200, patched.text
    seed_answer = seed_examples()[1]
    for view in (patched.json(), fetched.json()):
        CandidateView.model_validate(view)
        assert list(view) == list(seed_answer)
        assert_seed_order(view, seed_answer)
        assert view["emails"]["emails"] and view["languages"]["languages"]
        assert view["latestWorkExperience"] is not None
    assert patched.json() == fetched.json()


async def test_candidate_view_model_rejects_a_view_with_an_undocumented_key(
    client: httpx.AsyncClient,
) -> None:
    """The model is strict, so validating real answers against it is a meaningful check."""
    candidate_id = await create_candidate(client)
    view = (await client.get(f"/candidates/{candidate_id}")).json()

    with pytest.raises(ValueError, match="extra"):
        CandidateView.model_validate({**view, "undocumented": 1})
