"""Input limits (issue 6 §3): deeply nested JSON is refused before parsing, with a 400 instead
of exhausting the parser; deep JSON within the limit reaches normal validation."""

from __future__ import annotations

import httpx
import pytest

from talentbase.api.routing import MAX_NESTING_DEPTH
from tests.conftest import create_candidate

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize("depth", [MAX_NESTING_DEPTH + 1, 10_000, 200_000])
async def test_json_nested_too_deep_is_a_400(client: httpx.AsyncClient, depth: int) -> None:
    candidate_id = await create_candidate(client)
    body = b'{"middleName": ' + b"[" * depth + b"]" * depth + b"}"
    response = await client.patch(f"/candidates/{candidate_id}", content=body, headers=JSON)
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert error["code"] == "TOO_BIG"
    assert str(MAX_NESTING_DEPTH) in error["message"]
    view = (await client.get(f"/candidates/{candidate_id}")).json()
    assert view["name"]["middleName"] is None


async def test_brackets_inside_strings_do_not_count_as_nesting(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)
    street = b"[{" * 90 + b'\\" [[['
    body = b'{"locations": [{"street1": "' + street + b'"}]}'
    response = await client.patch(f"/candidates/{candidate_id}", content=body, headers=JSON)
    assert response.status_code == 200, response.text
    (location,) = response.json()["locations"]["locations"]
    assert location["street1"] == "[{" * 90 + '" [[['


async def test_nesting_at_the_limit_reaches_field_validation(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)
    depth = MAX_NESTING_DEPTH - 1
    body = b'{"middleName": ' + b"[" * depth + b"]" * depth + b"}"
    response = await client.patch(f"/candidates/{candidate_id}", content=body, headers=JSON)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["code"], error["path"]) == ("INVALID_TYPE", "middleName")
