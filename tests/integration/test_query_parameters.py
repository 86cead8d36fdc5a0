"""Query strings are as strict as bodies: an undeclared parameter is a 400
``UNRECOGNIZED_KEYS`` naming it (never silently ignored), a NUL character is a 400 (no
database stores one), and booleans are exactly ``true`` or ``false``."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize(
    ("method", "url", "name"),
    [
        ("GET", "/candidates?foo=1", "foo"),
        ("GET", "/clients?listIds=a", "listIds"),
        ("GET", "/tasks?limit=5&candidate_id=x", "candidate_id"),
        ("GET", "/users/_list?all=true", "all"),
        ("POST", "/candidates?dryRun=true", "dryRun"),
    ],
)
async def test_an_undeclared_query_parameter_is_named_in_a_400(
    client: httpx.AsyncClient, method: str, url: str, name: str
) -> None:
    response = await client.request(method, url, json={"firstName": "A", "lastName": "B"})
    assert response.status_code == 400, response.text
    assert [(e["code"], e["path"]) for e in response.json()["errors"]] == [
        ("UNRECOGNIZED_KEYS", name)
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/tasks?candidateId=a%00b",
        "/tasks?assignedToUserId=%00",
        "/notes?candidateId=%00",
        "/notes?clientContactId=%00",
        "/placements?companyId=%00",
        "/attachments?candidateId=x%00",
    ],
)
async def test_a_nul_character_in_a_query_parameter_is_a_400(
    client: httpx.AsyncClient, url: str
) -> None:
    response = await client.get(url)
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert error["code"] == "INVALID_STRING"
    assert error["path"] == url.split("?")[1].split("=")[0]


@pytest.mark.parametrize("value", ["yes", "1", "TRUE", "on", ""])
async def test_booleans_in_the_query_are_exactly_true_or_false(
    client: httpx.AsyncClient, value: str
) -> None:
    for url in (f"/tasks?isCompleted={value}", f"/users?includeDeactivated={value}"):
        response = await client.get(url)
        assert response.status_code == 400, (url, response.text)
        (error,) = response.json()["errors"]
        assert error["code"] == "INVALID_TYPE"


async def test_true_and_false_are_accepted(client: httpx.AsyncClient) -> None:
    for url in (
        "/tasks?isCompleted=true",
        "/tasks?isCompleted=false",
        "/users?includeDeactivated=true",
    ):
        response = await client.get(url)
        assert response.status_code == 200, (url, response.text)


async def test_a_query_parameter_given_twice_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/candidates?limit=1&limit=3")
    assert response.status_code == 400
    assert [(e["code"], e["path"]) for e in response.json()["errors"]] == [("DUPLICATE", "limit")]


@pytest.mark.parametrize(
    "path", ["/candidates%2F{id}", "/candidates/{id}%2Feducation", "/candidates/{id}%2feducation"]
)
async def test_an_encoded_slash_is_no_path_separator(client: httpx.AsyncClient, path: str) -> None:
    candidate_id = (
        await client.post("/candidates", json={"firstName": "A", "lastName": "B"})
    ).json()
    response = await client.get(path.replace("{id}", candidate_id))
    assert response.status_code == 404
    assert response.json()["status"] == 404
