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


async def test_an_answer_names_at_most_50_errors_and_echoes_at_most_200_characters(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    body = {f"unknown{n}": n for n in range(500)}
    body["x" * 5000] = 1
    response = await client.patch(f"/candidates/{candidate_id}", json=body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["message"] == "Validation failed (501 errors; the first 50 shown)"
    assert len(answer["errors"]) == 50
    assert len(response.content) < 20_000
    long = await client.patch(f"/candidates/{candidate_id}", json={"x" * 5000: 1})
    (error,) = long.json()["errors"]
    assert len(error["path"]) == 200
    assert len(error["message"]) <= 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"middleName": "a\x01b"}', "Invalid control character at line 1, column 18"),
        (b'{"middleName": ' + b"9" * 5000 + b"}", "a number has too many digits"),
        (b'{"middleName": "Ann",}', "Expecting property name enclosed in double quotes"),
    ],
)
async def test_malformed_json_is_explained_with_where_it_went_wrong(
    client: httpx.AsyncClient, body: bytes, message: str
) -> None:
    candidate_id = await create_candidate(client)
    response = await client.patch(f"/candidates/{candidate_id}", content=body, headers=JSON)
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert "sys.set_int_max_str_digits" not in response.text
