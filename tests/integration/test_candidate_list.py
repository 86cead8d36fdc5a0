"""GET /candidates: the cursor walk of API.md §4 — order, bounds, cursors, and walks that
neither skip nor repeat nor loop, even when many rows share one ``modifiedAt``."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from talentbase.candidates.models import Candidate
from talentbase.db.engine import Database
from tests.conftest import NewKey, create_candidate, make_client

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _name(index: int) -> str:
    """A distinct valid last name per index (names may hold letters only)."""
    return "Roe" + LETTERS[index // 26] + LETTERS[index % 26]


async def _walk(
    http: httpx.AsyncClient, limit: int, params: dict[str, str] | None = None
) -> tuple[list[str], int]:
    """Every id a full walk returns, in order, and the number of pages it took."""
    ids: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        query: dict[str, Any] = {"limit": limit, **(params or {})}
        if cursor is not None:
            query["cursor"] = cursor
        response = await http.get("/candidates", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        pages += 1
        assert pages < 1000, "the walk does not end"
        ids.extend(item["id"] for item in body["items"])
        assert body["pageInfo"]["hasNextPage"] is (body["pageInfo"]["nextCursor"] is not None)
        cursor = body["pageInfo"]["nextCursor"]
        if cursor is None:
            return ids, pages


async def _workspace_of(database: Database, candidate_id: str) -> str:
    async with database.transaction(write=False) as session:
        candidate = await session.get(Candidate, candidate_id)
        assert candidate is not None
        return candidate.workspace_id


def _cursor(document: Any) -> str:
    return base64.b64encode(json.dumps(document).encode()).decode()


async def test_walk_returns_every_candidate_once_in_modified_order(
    client: httpx.AsyncClient,
) -> None:
    created = [await create_candidate(client, lastName=_name(index)) for index in range(7)]
    ids, pages = await _walk(client, limit=2)
    assert sorted(ids) == sorted(created)
    assert len(ids) == len(set(ids))
    assert pages == 4
    first = (await client.get("/candidates", params={"limit": 50})).json()
    keys = [(item["modifiedAt"], item["id"]) for item in first["items"]]
    assert keys == sorted(keys)
    assert first["pageInfo"] == {"nextCursor": None, "hasNextPage": False}


async def test_list_items_are_the_candidate_views(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(
        client, emails=[{"email": "jane@example.com", "isPrimary": True, "purpose": "personal"}]
    )
    listed = (await client.get("/candidates")).json()["items"]
    single = (await client.get(f"/candidates/{candidate_id}")).json()
    assert listed == [single]


async def test_default_limit_is_25(client: httpx.AsyncClient) -> None:
    for index in range(26):
        await create_candidate(client, lastName=_name(index))
    body = (await client.get("/candidates")).json()
    assert len(body["items"]) == 25
    assert body["pageInfo"]["hasNextPage"] is True


async def test_walk_over_120_candidates_sharing_one_modified_at_returns_each_once(
    client: httpx.AsyncClient, database: Database
) -> None:
    workspace_id = await _workspace_of(database, await create_candidate(client))
    moment = datetime(2025, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)
    async with database.transaction(write=True) as session:
        session.add_all(
            Candidate(
                workspace_id=workspace_id,
                first_name="Same",
                last_name=_name(index),
                created_at=moment,
                modified_at=moment,
            )
            for index in range(120)
        )
    ids, pages = await _walk(client, limit=2)
    assert len(ids) == 121
    assert len(set(ids)) == 121
    assert pages == 61


async def test_walk_with_patches_during_it_still_returns_every_candidate(
    client: httpx.AsyncClient,
) -> None:
    created = [await create_candidate(client, lastName=_name(index)) for index in range(10)]
    seen: list[str] = []
    cursor: str | None = None
    page = 0
    while True:
        query: dict[str, Any] = {"limit": 3}
        if cursor:
            query["cursor"] = cursor
        body = (await client.get("/candidates", params=query)).json()
        seen.extend(item["id"] for item in body["items"])
        page += 1
        if page == 1:
            # one already read and one not yet read both move to the end of the order
            for candidate_id in (seen[0], created[-2]):
                response = await client.patch(
                    f"/candidates/{candidate_id}", json={"middleName": f"Moved{LETTERS[page]}"}
                )
                assert response.status_code == 200
        cursor = body["pageInfo"]["nextCursor"]
        if cursor is None:
            break
        assert page < 50
    assert set(seen) == set(created)
    assert seen.count(created[0]) == 2  # read, changed, read again: a sync sees the change


async def test_modified_since_and_until_are_inclusive(
    client: httpx.AsyncClient, database: Database
) -> None:
    workspace_id = await _workspace_of(database, await create_candidate(client))
    base = datetime(2024, 1, 1, tzinfo=UTC)
    async with database.transaction(write=True) as session:
        rows = [
            Candidate(
                workspace_id=workspace_id,
                first_name="Dated",
                last_name=_name(day),
                created_at=base,
                modified_at=base + timedelta(days=day),
            )
            for day in range(5)
        ]
        session.add_all(rows)
        await session.flush()
        by_day = [row.id for row in rows]
    params = {"modifiedSince": "2024-01-02T00:00:00.000Z", "modifiedUntil": "2024-01-04T00:00:00Z"}
    ids, _ = await _walk(client, limit=50, params=params)
    assert ids == by_day[1:4]
    # an offset is converted to UTC: 01:00+01:00 is midnight UTC
    ids, _ = await _walk(client, limit=50, params={"modifiedUntil": "2024-01-02T01:00:00+01:00"})
    assert ids == by_day[:2]


async def test_bounds_finer_than_a_millisecond_keep_their_meaning(
    client: httpx.AsyncClient, database: Database
) -> None:
    workspace_id = await _workspace_of(database, await create_candidate(client))
    moment = datetime(2024, 3, 1, 12, 0, 44, 242_000, tzinfo=UTC)  # stored to the millisecond
    async with database.transaction(write=True) as session:
        row = Candidate(
            workspace_id=workspace_id,
            first_name="Fine",
            last_name="Grained",
            created_at=moment,
            modified_at=moment,
        )
        session.add(row)
        await session.flush()
        stored = row.id

    async def answered(**params: str) -> bool:
        ids, _ = await _walk(client, limit=50, params=params)
        return stored in ids

    # it was modified before 44.2421 (and before 44.2429): not "since" either of them
    assert not await answered(modifiedSince="2024-03-01T12:00:44.2421Z")
    assert not await answered(modifiedSince="2024-03-01T12:00:44.242999+00:00")
    assert await answered(modifiedSince="2024-03-01T12:00:44.2420000Z")
    assert await answered(modifiedSince="2024-03-01T12:00:44.242Z")
    # ... and it is "until" them
    assert await answered(modifiedUntil="2024-03-01T12:00:44.2421Z")
    assert not await answered(modifiedUntil="2024-03-01T12:00:44.2419Z")


@pytest.mark.parametrize(
    ("params", "code", "path"),
    [
        ({"limit": "0"}, "TOO_SMALL", "limit"),
        ({"limit": "51"}, "TOO_BIG", "limit"),
        ({"limit": "ten"}, "INVALID_TYPE", "limit"),
        ({"cursor": "not a cursor!"}, "INVALID_STRING", "cursor"),
        ({"cursor": base64.b64encode(b"not json").decode()}, "INVALID_STRING", "cursor"),
        (
            {"cursor": _cursor({"modifiedAt": "2024-01-01T00:00:00.000Z"})},
            "INVALID_STRING",
            "cursor",
        ),
        (
            {
                "cursor": _cursor(
                    {"modifiedAt": "yesterday", "id": "3f0c0f8e-6f7e-4d1e-9a53-1d2f1e0c9b11"}
                )
            },
            "INVALID_STRING",
            "cursor",
        ),
        (
            {"cursor": _cursor({"modifiedAt": "2024-01-01T00:00:00.000Z", "id": "candidate-123"})},
            "INVALID_STRING",
            "cursor",
        ),
        ({"cursor": _cursor(["2024-01-01T00:00:00.000Z", "x"])}, "INVALID_STRING", "cursor"),
        ({"modifiedSince": "2024-01-01"}, "INVALID_STRING", "modifiedSince"),
        ({"modifiedUntil": "2024-01-01T00:00:00"}, "INVALID_STRING", "modifiedUntil"),
    ],
)
async def test_bad_list_parameters_are_400_naming_the_parameter(
    client: httpx.AsyncClient, params: dict[str, str], code: str, path: str
) -> None:
    response = await client.get("/candidates", params=params)
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert [(error["code"], error["path"]) for error in errors] == [(code, path)]


async def test_a_cursor_from_another_workspace_shows_nothing_of_it(
    client: httpx.AsyncClient, app: Any, new_api_key: NewKey
) -> None:
    for index in range(3):
        await create_candidate(client, lastName=_name(index))
    cursor = (await client.get("/candidates", params={"limit": 1})).json()["pageInfo"]["nextCursor"]
    async with make_client(app, await new_api_key()) as other:
        mine = await create_candidate(other, lastName="Other")
        body = (await other.get("/candidates", params={"cursor": cursor})).json()
        assert [item["id"] for item in body["items"]] in ([], [mine])
        everything = (await other.get("/candidates")).json()
        assert [item["id"] for item in everything["items"]] == [mine]
