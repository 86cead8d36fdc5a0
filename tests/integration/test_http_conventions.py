"""HTTP conventions of API.md §1: JSON only (415 / 413 / 400), request ids, the Spott error body,
authentication, unknown routes and methods, no redirects, and 500s that leak nothing."""

from __future__ import annotations

import json
import random
import string
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from talentbase.app import create_app
from talentbase.settings import Settings
from tests.conftest import count_candidates_named, create_candidate, make_client

ONE_MIB = 1024 * 1024
JSON = {"content-type": "application/json"}

ReadRow = Callable[[str], dict[str, Any] | None]


def unique_last_name() -> str:
    return "".join(random.choices(string.ascii_lowercase, k=16)).capitalize()


def assert_spott_error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The answer has ``status`` and Spott's error body, whose requestId is the header's."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert {"status", "message", "requestId"} <= set(body), body
    assert set(body) <= {"status", "message", "requestId", "errors"}, body
    assert body["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    assert body["requestId"] == response.headers["x-request-id"]
    return body


def assert_validation_error(response: httpx.Response, code: str, path: str) -> dict[str, Any]:
    body = assert_spott_error(response, 400)
    assert any(item["code"] == code and item["path"] == path for item in body["errors"]), body
    return body


@pytest.fixture
async def candidate_id(client: httpx.AsyncClient) -> str:
    return await create_candidate(client, firstName="Original", lastName="Person")


# ---- 415: bodies must be application/json -----------------------------------------------------


async def test_patch_with_text_plain_body_is_refused_with_415_and_changes_nothing(
    client: httpx.AsyncClient, candidate_id: str, read_row: ReadRow
) -> None:
    before = read_row(candidate_id)

    response = await client.patch(
        f"/candidates/{candidate_id}",
        content=b'{"firstName": "Changed"}',
        headers={"content-type": "text/plain"},
    )

    assert_spott_error(response, 415)
    assert read_row(candidate_id) == before


async def test_patch_with_a_body_but_no_content_type_is_refused_with_415(
    client: httpx.AsyncClient, candidate_id: str, read_row: ReadRow
) -> None:
    before = read_row(candidate_id)

    response = await client.patch(
        f"/candidates/{candidate_id}", content=b'{"firstName": "Changed"}'
    )

    assert "content-type" not in response.request.headers
    assert_spott_error(response, 415)
    assert read_row(candidate_id) == before


async def test_post_with_form_content_type_is_refused_with_415_and_creates_nothing(
    client: httpx.AsyncClient, database_url: str
) -> None:
    last_name = unique_last_name()

    response = await client.post(
        "/candidates",
        content=json.dumps({"firstName": "Jane", "lastName": last_name}).encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )

    assert_spott_error(response, 415)
    assert count_candidates_named(database_url, last_name) == 0


@pytest.mark.parametrize(
    "content_type",
    [
        "application/merge-patch+json",
        "application/json-patch+json",
        "text/json",
        "multipart/form-data",
    ],
)
async def test_patch_with_a_json_like_but_other_content_type_is_refused_with_415(
    client: httpx.AsyncClient, candidate_id: str, read_row: ReadRow, content_type: str
) -> None:
    before = read_row(candidate_id)

    response = await client.patch(
        f"/candidates/{candidate_id}",
        content=b'{"firstName": "Changed"}',
        headers={"content-type": content_type},
    )

    assert_spott_error(response, 415)
    assert read_row(candidate_id) == before


async def test_delete_sent_with_a_text_body_is_refused_with_415_and_deletes_nothing(
    client: httpx.AsyncClient, candidate_id: str, read_row: ReadRow
) -> None:
    before = read_row(candidate_id)

    response = await client.request(
        "DELETE",
        f"/candidates/{candidate_id}",
        content=b"please delete",
        headers={"content-type": "text/plain"},
    )

    assert_spott_error(response, 415)
    assert read_row(candidate_id) == before


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", "Application/JSON", "application/json ; charset=UTF-8"],
)
async def test_json_content_type_in_any_case_or_with_charset_is_accepted(
    client: httpx.AsyncClient, candidate_id: str, content_type: str
) -> None:
    response = await client.patch(
        f"/candidates/{candidate_id}",
        content=b'{"firstName": "Charset"}',
        headers={"content-type": content_type},
    )

    assert response.status_code == 200, response.text
    assert response.json()["name"]["firstName"] == "Charset"


async def test_bodiless_delete_is_not_refused_for_its_content_type(
    client: httpx.AsyncClient, candidate_id: str, read_row: ReadRow
) -> None:
    response = await client.delete(
        f"/candidates/{candidate_id}", headers={"content-type": "text/plain"}
    )

    assert response.status_code == 204, response.text
    assert read_row(candidate_id) is None


async def test_bodiless_get_is_not_refused_for_its_content_type(
    client: httpx.AsyncClient, candidate_id: str
) -> None:
    response = await client.get(
        f"/candidates/{candidate_id}", headers={"content-type": "application/xml"}
    )

    assert response.status_code == 200, response.text
    assert response.json()["id"] == candidate_id


async def test_bodiless_patch_with_text_content_type_is_a_400_not_a_415(
    client: httpx.AsyncClient, candidate_id: str
) -> None:
    response = await client.patch(
        f"/candidates/{candidate_id}", headers={"content-type": "text/plain"}
    )

    assert_validation_error(response, "REQUIRED", "")


# ---- 413: bodies over 1 MiB --------------------------------------------------------------------


async def test_body_over_one_mib_is_refused_with_413_and_changes_nothing(
    client: httpx.AsyncClient, candidate_id: str, read_row: ReadRow
) -> None:
    before = read_row(candidate_id)
    body = b'{"firstName": "Changed"}' + b" " * ONE_MIB

    response = await client.patch(f"/candidates/{candidate_id}", content=body, headers=JSON)

    assert_spott_error(response, 413)
    assert read_row(candidate_id) == before


async def test_chunked_body_over_one_mib_without_content_length_is_refused_with_413(
    client: httpx.AsyncClient, candidate_id: str, read_row: ReadRow
) -> None:
    before = read_row(candidate_id)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"firstName": "Changed"}'
        for _ in range(11):
            yield b" " * 100_000

    response = await client.patch(f"/candidates/{candidate_id}", content=chunks(), headers=JSON)

    assert "content-length" not in response.request.headers
    assert_spott_error(response, 413)
    assert read_row(candidate_id) == before


async def test_body_of_exactly_one_mib_is_accepted(
    client: httpx.AsyncClient, candidate_id: str
) -> None:
    start = b'{"firstName": "Exact"}'
    body = start + b" " * (ONE_MIB - len(start))
    assert len(body) == ONE_MIB

    response = await client.patch(f"/candidates/{candidate_id}", content=body, headers=JSON)

    assert response.status_code == 200, response.text
    assert response.json()["name"]["firstName"] == "Exact"


# ---- 400: the body must be a JSON object -------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"firstName": ', id="truncated"),
        pytest.param(b"firstName=Changed", id="form-encoded"),
        pytest.param(b"{'firstName': 'Changed'}", id="single-quotes"),
        pytest.param(b'{"firstName": "Changed",}', id="trailing-comma"),
    ],
)
async def test_body_that_is_not_json_is_a_400_and_changes_nothing(
    client: httpx.AsyncClient, candidate_id: str, read_row: ReadRow, raw: bytes
) -> None:
    before = read_row(candidate_id)

    response = await client.patch(f"/candidates/{candidate_id}", content=raw, headers=JSON)

    assert_spott_error(response, 400)
    assert read_row(candidate_id) == before


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'[{"firstName": "Changed"}]', id="array"),
        pytest.param(b'"Changed"', id="string"),
        pytest.param(b"42", id="number"),
    ],
)
async def test_json_body_that_is_not_an_object_is_invalid_type_at_the_root(
    client: httpx.AsyncClient, candidate_id: str, read_row: ReadRow, raw: bytes
) -> None:
    before = read_row(candidate_id)

    response = await client.patch(f"/candidates/{candidate_id}", content=raw, headers=JSON)

    assert_validation_error(response, "INVALID_TYPE", "")
    assert read_row(candidate_id) == before


async def test_post_with_array_body_is_invalid_type_at_the_root(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/candidates", content=b'[{"firstName": "Jane", "lastName": "Roe"}]', headers=JSON
    )

    assert_validation_error(response, "INVALID_TYPE", "")


async def test_duplicate_keys_are_a_400_and_neither_value_is_stored(
    client: httpx.AsyncClient, candidate_id: str, read_row: ReadRow
) -> None:
    before = read_row(candidate_id)

    response = await client.patch(
        f"/candidates/{candidate_id}",
        content=b'{"firstName": "First", "firstName": "Second"}',
        headers=JSON,
    )

    assert_spott_error(response, 400)
    assert read_row(candidate_id) == before


async def test_duplicate_keys_in_a_nested_object_are_a_400(
    client: httpx.AsyncClient, candidate_id: str, read_row: ReadRow
) -> None:
    before = read_row(candidate_id)

    response = await client.patch(
        f"/candidates/{candidate_id}",
        content=b'{"emails": [{"email": "a@x.example", "email": "b@x.example"}]}',
        headers=JSON,
    )

    assert_spott_error(response, 400)
    assert read_row(candidate_id) == before


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
async def test_non_finite_number_constants_are_a_400(
    client: httpx.AsyncClient, candidate_id: str, read_row: ReadRow, constant: bytes
) -> None:
    before = read_row(candidate_id)

    response = await client.patch(
        f"/candidates/{candidate_id}",
        content=b'{"compensation": {"currency": "USD", "totalCompensation": ' + constant + b"}}",
        headers=JSON,
    )

    assert_spott_error(response, 400)
    assert read_row(candidate_id) == before


async def test_invalid_utf8_body_is_a_400(
    client: httpx.AsyncClient, candidate_id: str, read_row: ReadRow
) -> None:
    before = read_row(candidate_id)

    response = await client.patch(
        f"/candidates/{candidate_id}", content=b'{"firstName": "Jos\xe9"}', headers=JSON
    )

    assert_spott_error(response, 400)
    assert read_row(candidate_id) == before


# ---- request ids -------------------------------------------------------------------------------


async def test_every_answer_carries_a_request_id_and_distinct_requests_get_distinct_ids(
    app: Any, client: httpx.AsyncClient, candidate_id: str
) -> None:
    async with make_client(app, None) as anonymous:
        responses = [
            await client.get(f"/candidates/{candidate_id}"),
            await client.get("/candidates/does-not-exist"),
            await client.patch(f"/candidates/{candidate_id}", json={"gender": "robot"}),
            await anonymous.get(f"/candidates/{candidate_id}"),
            await anonymous.get("/healthz"),
        ]

    assert [response.status_code for response in responses] == [200, 404, 400, 401, 200]
    ids = [response.headers.get("x-request-id") for response in responses]
    assert all(ids), ids
    assert len(set(ids)) == len(ids), ids


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        pytest.param("GET", "/healthz", {}, 200, id="200"),
        pytest.param(
            "POST", "/candidates", {"json": {"firstName": "A", "lastName": "B"}}, 201, id="201"
        ),
        pytest.param("GET", "/candidates/nope", {}, 404, id="404"),
        pytest.param("POST", "/candidates", {"json": {"firstName": "A"}}, 400, id="400"),
        pytest.param(
            "POST",
            "/candidates",
            {"content": b"{}", "headers": {"content-type": "text/plain"}},
            415,
            id="415",
        ),
        pytest.param(
            "POST", "/candidates", {"content": b" " * (ONE_MIB + 1), "headers": JSON}, 413, id="413"
        ),
        pytest.param("PUT", "/candidates/nope", {}, 405, id="405"),
        pytest.param("GET", "/no-such-route", {}, 404, id="unknown-route"),
    ],
)
async def test_client_request_id_is_echoed_on_every_answer(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
) -> None:
    request_id = f"client-{uuid.uuid4().hex}"
    kwargs = dict(kwargs)
    headers = {"x-request-id": request_id, **kwargs.pop("headers", {})}

    response = await client.request(method, path, headers=headers, **kwargs)

    assert response.status_code == status, response.text
    assert response.headers["x-request-id"] == request_id
    if status >= 400:
        assert response.json()["requestId"] == request_id


@pytest.mark.parametrize(
    "request_id",
    [
        pytest.param("3f2b8c1e-9a4d-4e7b-8f61-2c5d9e0a7b34", id="uuid"),
        pytest.param("01ARZ3NDEKTSV4RRFFQ69G5FAV", id="ulid"),
        pytest.param("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", id="traceparent"),
        pytest.param("Root=1-5759e988-bd862e3fe1be46a994272793", id="aws-trace-id"),
        pytest.param("q83vEjRWeJA+/w==", id="base64"),
    ],
)
async def test_client_request_ids_in_common_formats_are_echoed_unchanged(
    client: httpx.AsyncClient, request_id: str
) -> None:
    response = await client.get("/users", headers={"x-request-id": request_id})

    assert response.status_code == 200
    assert response.headers["x-request-id"] == request_id


async def test_client_request_id_is_echoed_on_401(app: Any) -> None:
    request_id = f"client-{uuid.uuid4().hex}"
    async with make_client(app, None) as anonymous:
        response = await anonymous.get("/candidates/x", headers={"x-request-id": request_id})

    body = assert_spott_error(response, 401)
    assert body["requestId"] == request_id


async def test_validation_error_body_has_status_message_request_id_and_errors(
    client: httpx.AsyncClient, candidate_id: str
) -> None:
    response = await client.patch(f"/candidates/{candidate_id}", json={"gender": "robot"})

    body = assert_spott_error(response, 400)
    assert body["errors"] == [
        {
            "code": "INVALID_ENUM_VALUE",
            "path": "gender",
            "message": body["errors"][0]["message"],
            "received": "robot",
        }
    ]


# ---- authentication ----------------------------------------------------------------------------


async def test_missing_api_key_is_a_401_in_spott_shape(app: Any, candidate_id: str) -> None:
    async with make_client(app, None) as anonymous:
        response = await anonymous.get(f"/candidates/{candidate_id}")

    body = assert_spott_error(response, 401)
    assert "errors" not in body
    assert candidate_id not in response.text


async def test_unknown_api_key_is_a_401_in_spott_shape(app: Any, candidate_id: str) -> None:
    async with make_client(app, "tb_" + uuid.uuid4().hex) as stranger:
        response = await stranger.get(f"/candidates/{candidate_id}")

    body = assert_spott_error(response, 401)
    assert "errors" not in body
    assert candidate_id not in response.text


async def test_empty_api_key_is_a_401(app: Any) -> None:
    async with make_client(app, None) as anonymous:
        response = await anonymous.get("/users", headers={"x-api-key": ""})

    assert_spott_error(response, 401)


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        pytest.param(
            "POST",
            "/candidates",
            {"json": {"firstName": "A", "lastName": "B"}},
            id="POST /candidates",
        ),
        pytest.param(
            "PATCH",
            "/candidates/{id}",
            {"json": {"firstName": "Changed"}},
            id="PATCH /candidates/{id}",
        ),
        pytest.param("DELETE", "/candidates/{id}", {}, id="DELETE /candidates/{id}"),
        pytest.param("GET", "/users", {}, id="GET /users"),
        pytest.param("GET", "/users/_list", {}, id="GET /users/_list"),
        pytest.param(
            "POST", "/users", {"json": {"name": "Ann", "email": "a@x.example"}}, id="POST /users"
        ),
    ],
)
async def test_every_private_route_refuses_a_missing_key_and_writes_nothing(
    app: Any,
    candidate_id: str,
    read_row: ReadRow,
    method: str,
    path: str,
    kwargs: dict[str, Any],
) -> None:
    before = read_row(candidate_id)
    async with make_client(app, None) as anonymous:
        response = await anonymous.request(method, path.format(id=candidate_id), **kwargs)

    assert_spott_error(response, 401)
    assert read_row(candidate_id) == before


async def test_healthz_needs_no_api_key(app: Any) -> None:
    async with make_client(app, None) as anonymous:
        response = await anonymous.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["x-request-id"]


# ---- unknown routes, methods, redirects --------------------------------------------------------


async def test_unknown_route_is_a_404_in_spott_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/candidates")

    body = assert_spott_error(response, 404)
    assert "detail" not in body


async def test_unknown_route_without_key_is_a_404_in_spott_shape(app: Any) -> None:
    async with make_client(app, None) as anonymous:
        response = await anonymous.post("/nothing-here", json={})

    assert_spott_error(response, 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/candidates/{id}"),
        ("POST", "/candidates/{id}"),
        ("DELETE", "/users"),
        ("PUT", "/healthz"),
    ],
)
async def test_wrong_method_is_a_405_in_spott_shape(
    client: httpx.AsyncClient, candidate_id: str, read_row: ReadRow, method: str, path: str
) -> None:
    before = read_row(candidate_id)

    response = await client.request(method, path.format(id=candidate_id), json={})

    body = assert_spott_error(response, 405)
    assert "detail" not in body
    assert read_row(candidate_id) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/candidates/"),
        ("POST", "/candidates/"),
        ("GET", "/users/"),
        ("POST", "/users/"),
        ("GET", "/healthz/"),
        ("GET", "/candidates/{id}/"),
        ("PATCH", "/candidates/{id}/"),
        ("GET", "/users/_list/"),
    ],
)
async def test_no_route_answers_with_a_redirect(
    client: httpx.AsyncClient, candidate_id: str, method: str, path: str
) -> None:
    kwargs: dict[str, Any] = {"json": {"firstName": "Slash", "lastName": "Trailing"}}
    if method == "GET":
        kwargs = {}

    response = await client.request(
        method, path.format(id=candidate_id), follow_redirects=False, **kwargs
    )

    assert not response.is_redirect, (response.status_code, response.headers.get("location"))
    assert "location" not in response.headers
    assert_spott_error(response, response.status_code)
    assert response.status_code >= 400


# ---- 500 ---------------------------------------------------------------------------------------

SECRET = "SELECT password_hash FROM api_keys -- secret detail"


@pytest.fixture
async def exploding_app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings)

    async def explode() -> None:
        raise RuntimeError(SECRET)

    application.add_api_route("/explode", explode, methods=["GET", "POST"])
    yield application
    await application.state.database.dispose()


async def test_unhandled_error_is_a_500_giving_only_status_message_and_request_id(
    exploding_app: Any,
) -> None:
    transport = httpx.ASGITransport(app=exploding_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://talentbase.test") as http:
        response = await http.get("/explode")

    assert response.status_code == 500
    body = response.json()
    assert set(body) == {"status", "message", "requestId"}
    assert body["status"] == 500
    assert body["requestId"] == response.headers["x-request-id"]
    assert SECRET not in response.text
    assert "RuntimeError" not in response.text
    assert "Traceback" not in response.text


async def test_500_echoes_the_client_request_id(exploding_app: Any) -> None:
    transport = httpx.ASGITransport(app=exploding_app, raise_app_exceptions=False)
    request_id = f"client-{uuid.uuid4().hex}"
    async with httpx.AsyncClient(transport=transport, base_url="http://talentbase.test") as http:
        response = await http.post("/explode", json={}, headers={"x-request-id": request_id})

    assert response.status_code == 500
    assert response.headers["x-request-id"] == request_id
    assert response.json() == {
        "status": 500,
        "message": response.json()["message"],
        "requestId": request_id,
    }
    assert SECRET not in response.text


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/candidates/{id}", {"DELETE", "GET", "HEAD", "PATCH"}),
        ("/users", {"GET", "HEAD", "POST"}),
        ("/users/{id}", {"GET", "HEAD", "PATCH"}),
        ("/candidates", {"GET", "HEAD", "POST"}),
        # a literal path beats the template it also matches: /tasks/_raw is not a task id
        ("/tasks/_raw", {"POST"}),
        ("/users/_list", {"GET", "HEAD"}),
        ("/clients/contacts/stages", {"GET", "HEAD", "POST"}),
    ],
)
async def test_405_lists_every_method_the_path_supports(
    client: httpx.AsyncClient, path: str, allowed: set[str]
) -> None:
    response = await client.request("PUT", path.replace("{id}", str(uuid.uuid4())))
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == allowed
    assert response.json()["status"] == 405


async def test_an_undeclared_method_with_a_multipart_body_is_405_not_415(
    client: httpx.AsyncClient,
) -> None:
    response = await client.request(
        "TRACE",
        "/attachments",
        files={"files": ("cv.pdf", b"%PDF-1.4\n", "application/pdf")},
    )
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}


async def test_a_text_body_to_a_method_the_path_does_not_serve_is_405_not_415(
    client: httpx.AsyncClient,
) -> None:
    response = await client.request(
        "PUT", "/attachments", content=b"hello", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 405


async def test_an_empty_chunked_body_without_a_content_type_is_bodiless(
    client: httpx.AsyncClient,
) -> None:
    async def nothing() -> Any:
        return
        yield b""

    response = await client.request(
        "GET", "/users/_list", content=nothing(), headers={"transfer-encoding": "chunked"}
    )
    assert response.status_code == 200, response.text


async def test_a_chunked_body_with_a_wrong_content_type_is_still_415(
    client: httpx.AsyncClient,
) -> None:
    async def text_body() -> Any:
        yield b"hello"

    response = await client.request(
        "POST", "/users", content=text_body(), headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415
