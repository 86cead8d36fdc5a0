"""Input a fresh tester used to break the server: each is a clear 4xx (never a 500) that
changes nothing, or is accepted exactly as API.md says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from talentbase.app import create_app
from talentbase.settings import Settings
from tests.conftest import NewKey, create_candidate, make_client

ReadRow = Callable[[str], dict[str, Any] | None]

JSON = {"content-type": "application/json"}


def _raw(text: str) -> bytes:
    return text.encode("utf-8")


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [
        ('{"gender": "\\ud800"}', "gender", "INVALID_STRING"),
        ('{"nationality": ["\\udfff"]}', "nationality.0", "INVALID_STRING"),
        ('{"mainContact": {"userId": "a\\u0000"}}', "mainContact.userId", "INVALID_STRING"),
        ('{"lastInteractionWithId": "\\u0000"}', "lastInteractionWithId", "INVALID_STRING"),
        ('{"locations": [{"city": "Ams\\u0000terdam"}]}', "locations.0.city", "INVALID_STRING"),
        ('{"locations": [{"city": "Ams\\u0007terdam"}]}', "locations.0.city", "INVALID_STRING"),
        ('{"languages": [{"language": "Eng\\u0001lish"}]}', "languages.0.language", None),
        (
            '{"socialMedia": [{"url": "https://e.com/\\u0007", "type": "WEBSITE"}]}',
            "socialMedia.0.url",
            "INVALID_STRING",
        ),
        (
            '{"socialMedia": [{"url": "https://[::1/", "type": "WEBSITE"}]}',
            "socialMedia.0.url",
            "INVALID_STRING",
        ),
        ('{"lastInteractionAt": "9999-12-31T23:59:59-01:00"}', "lastInteractionAt", None),
        ('{"lastInteractionAt": "0001-01-01T00:30:00+01:00"}', "lastInteractionAt", None),
        ('{"lastInteractionAt": "0001-01-01T00:00:00Z"}', "lastInteractionAt", "TOO_SMALL"),
        ('{"lastInteractionAt": "2024-01-15T10:00:00Z\\n"}', "lastInteractionAt", None),
        (
            '{"lastInteractionAt": "٢٠٢٤-٠١-١٥T١٠:٠٠:٠٠Z"}',
            "lastInteractionAt",
            "INVALID_STRING",
        ),
        ('{"dateOfBirth": "１９９０-０５-１５"}', "dateOfBirth", "INVALID_STRING"),
        ('{"locations": [{"latitude": 1e999999, "longitude": 0}]}', "", None),
        ('{"compensation": {"totalCompensation": -1e400}}', "", None),
        ('{"compensation": {"totalCompensation": ' + "9" * 400 + "}}", None, None),
    ],
)
async def test_hostile_value_is_a_clear_400_that_changes_nothing(
    client: httpx.AsyncClient, read_row: ReadRow, body: str, path: str | None, code: str | None
) -> None:
    candidate_id = await create_candidate(client)
    before = read_row(candidate_id)

    response = await client.patch(f"/candidates/{candidate_id}", content=_raw(body), headers=JSON)

    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["status"] == 400
    assert answer["requestId"] == response.headers["x-request-id"]
    if path:
        assert [error["path"] for error in answer["errors"]] == [path]
    if code:
        assert answer["errors"][0]["code"] == code
    assert read_row(candidate_id) == before


@pytest.mark.parametrize("path", ["/candidates/a%00b", "/users/a%00b", "/candidates/NOT-A-UUID"])
async def test_odd_ids_in_the_path_are_not_found(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.json()["status"] == 404


async def test_user_name_with_nul_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/users", content=_raw('{"name": "a\\u0000b", "email": "a@b.example"}'), headers=JSON
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "name"


async def test_name_padded_past_the_limit_is_trimmed_not_refused(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    response = await client.patch(
        f"/candidates/{candidate_id}", json={"firstName": "a" + " " * 1000}
    )
    assert response.status_code == 200
    assert response.json()["name"]["firstName"] == "a"


async def test_many_duplicate_nationalities_are_dropped_not_refused(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    response = await client.patch(
        f"/candidates/{candidate_id}", json={"nationality": ["Dutch"] * 51}
    )
    assert response.status_code == 200
    assert response.json()["nationality"]["nationality"] == ["Dutch"]


async def test_refused_bodies_still_carry_rate_limit_headers(client: httpx.AsyncClient) -> None:
    unsupported = await client.patch(
        "/candidates/x", content=b"{}", headers={"content-type": "text/plain"}
    )
    too_large = await client.patch("/candidates/x", content=b" " * (1024 * 1024 + 1), headers=JSON)
    assert (unsupported.status_code, too_large.status_code) == (415, 413)
    for response in (unsupported, too_large):
        assert "ratelimit-limit" in response.headers
        assert "ratelimit-remaining" in response.headers
        assert response.json()["requestId"] == response.headers["x-request-id"]


async def test_health_is_never_rate_limited(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"rate_limit_unauthenticated_per_minute": 2}))
    try:
        async with make_client(app, None) as http:
            statuses = {(await http.get("/healthz")).status_code for _ in range(5)}
    finally:
        await app.state.database.dispose()
    assert statuses == {200}


async def test_head_answers_like_get_without_a_body(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)
    for path in ("/healthz", f"/candidates/{candidate_id}"):
        get = await client.get(path)
        head = await client.head(path)
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["content-length"] == get.headers["content-length"]


async def test_api_key_with_surrounding_whitespace_is_accepted(
    app: Any, new_api_key: NewKey
) -> None:
    key = await new_api_key()
    async with make_client(app, f"  {key} ") as http:
        response = await http.get("/users/_list")
    assert response.status_code == 200
    assert response.json() == {"users": []}
