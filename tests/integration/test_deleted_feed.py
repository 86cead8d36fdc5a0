"""The deleted feed ``GET /candidates/deleted`` (issue 4 §2): the candidates deleted or merged
away, oldest first, ties by id, in cursor pages over ``(deletedAt, id)`` with ``since``
inclusive; the workspace's own only; the path is not read as a candidate id."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, insert, select

from talentbase.candidates.models import DeletedCandidate
from talentbase.db.urls import sync_url
from talentbase.views import iso
from tests.conftest import NewKey, create_candidate, make_client, workspace_id_of


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = create_engine(sync_url(database_url))
    yield made
    made.dispose()


def tombstones(engine: Engine, ids: list[str]) -> dict[str, datetime]:
    """The stored ``deleted_at`` of these tombstones, by id."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(DeletedCandidate.id, DeletedCandidate.deleted_at).where(
                DeletedCandidate.id.in_(ids)
            )
        ).all()
    return {row.id: row.deleted_at for row in rows}


def insert_tombstones(engine: Engine, workspace_id: str, at: datetime, count: int) -> list[str]:
    """``count`` tombstones of the workspace sharing one ``deleted_at`` (as a bulk delete
    within one millisecond would leave), ids sorted."""
    ids = sorted(str(uuid.uuid4()) for _ in range(count))
    with engine.begin() as connection:
        # through the model's table, so the time is stored as the app stores it
        connection.execute(
            insert(DeletedCandidate),
            [{"id": id_, "workspace_id": workspace_id, "deleted_at": at} for id_ in ids],
        )
    return ids


async def walk(
    http: httpx.AsyncClient, limit: int, **params: str
) -> tuple[list[dict[str, Any]], int]:
    """Every item of the feed, page by page; and the number of pages."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = {"limit": str(limit), **params}
        if cursor is not None:
            query["cursor"] = cursor
        response = await http.get("/candidates/deleted", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        pages += 1
        assert len(body["items"]) <= limit
        items.extend(body["items"])
        cursor = body["pageInfo"]["nextCursor"]
        assert body["pageInfo"]["hasNextPage"] is (cursor is not None)
        if cursor is None:
            return items, pages
        assert pages < 1000, "the walk does not end"


async def test_an_empty_feed(client: httpx.AsyncClient) -> None:
    response = await client.get("/candidates/deleted")

    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "pageInfo": {"nextCursor": None, "hasNextPage": False}}


async def test_deleted_candidates_are_listed_oldest_first_with_their_deletion_time(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    ids = [await create_candidate(client) for _ in range(3)]
    kept = await create_candidate(client)
    for candidate_id in (ids[1], ids[0], ids[2]):
        assert (await client.delete(f"/candidates/{candidate_id}")).status_code == 204

    response = await client.get("/candidates/deleted")

    assert response.status_code == 200, response.text
    stored = tombstones(engine, ids)
    order = sorted(ids, key=lambda id_: (stored[id_], id_))
    assert stored[ids[1]] <= stored[ids[0]] <= stored[ids[2]]  # the order of the deletions
    assert response.json() == {
        "items": [{"id": id_, "deletedAt": iso(stored[id_]), "mergedInto": None} for id_ in order],
        "pageInfo": {"nextCursor": None, "hasNextPage": False},
    }
    assert kept not in response.text
    for candidate_id in ids:
        assert (await client.get(f"/candidates/{candidate_id}")).status_code == 404


async def test_a_merged_candidate_names_the_survivor(client: httpx.AsyncClient) -> None:
    survivor = await create_candidate(client)
    duplicate = await create_candidate(client)
    merged = await client.post(f"/candidates/{survivor}/merge", json={"duplicateId": duplicate})
    assert merged.status_code == 200, merged.text

    [item] = (await client.get("/candidates/deleted")).json()["items"]

    assert (item["id"], item["mergedInto"]) == (duplicate, survivor)


async def test_a_walk_over_tombstones_sharing_one_time_returns_each_once_and_ends(
    client: httpx.AsyncClient, engine: Engine, database: Any
) -> None:
    workspace_id = await workspace_id_of(database, client.headers["x-api-key"])
    at = datetime(2024, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)
    ids = insert_tombstones(engine, workspace_id, at, 41)

    items, pages = await walk(client, limit=4)

    assert [item["id"] for item in items] == ids
    assert {item["deletedAt"] for item in items} == {"2024-03-01T12:00:00.123Z"}
    assert pages == 11


async def test_since_is_inclusive_and_accepts_an_offset(
    client: httpx.AsyncClient, engine: Engine, database: Any
) -> None:
    workspace_id = await workspace_id_of(database, client.headers["x-api-key"])
    day = datetime(2024, 5, 1, tzinfo=UTC)
    by_day = [
        insert_tombstones(engine, workspace_id, day + timedelta(days=n), 1)[0] for n in range(4)
    ]

    items, _ = await walk(client, limit=50, since="2024-05-02T00:00:00.000Z")
    assert [item["id"] for item in items] == by_day[1:]

    items, _ = await walk(client, limit=2, since="2024-05-03T02:00:00+02:00")
    assert [item["id"] for item in items] == by_day[2:]

    items, _ = await walk(client, limit=50, since="2024-05-04T00:00:00.001Z")
    assert items == []


async def test_deletions_during_a_walk_show_up_at_its_end(
    client: httpx.AsyncClient, engine: Engine, database: Any
) -> None:
    workspace_id = await workspace_id_of(database, client.headers["x-api-key"])
    old = insert_tombstones(engine, workspace_id, datetime(2024, 1, 1, tzinfo=UTC), 3)
    first = (await client.get("/candidates/deleted", params={"limit": 2})).json()
    late = await create_candidate(client)
    assert (await client.delete(f"/candidates/{late}")).status_code == 204

    rest, _ = await walk(client, limit=2, cursor=first["pageInfo"]["nextCursor"])

    assert [item["id"] for item in first["items"] + rest] == [*old, late]


def _cursor(document: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode()


@pytest.mark.parametrize(
    ("params", "code", "path"),
    [
        ({"limit": "0"}, "TOO_SMALL", "limit"),
        ({"limit": "51"}, "TOO_BIG", "limit"),
        ({"limit": "ten"}, "INVALID_TYPE", "limit"),
        ({"since": "2024-01-01"}, "INVALID_STRING", "since"),
        ({"since": "2024-01-01T00:00:00"}, "INVALID_STRING", "since"),
        ({"cursor": "not a cursor!"}, "INVALID_STRING", "cursor"),
        (
            {"cursor": _cursor({"modifiedAt": "2024-01-01T00:00:00.000Z"})},
            "INVALID_STRING",
            "cursor",
        ),
        ({"modifiedSince": "2024-01-01T00:00:00Z"}, "UNRECOGNIZED_KEYS", "modifiedSince"),
    ],
)
async def test_bad_parameters_are_400_naming_the_parameter(
    client: httpx.AsyncClient, params: dict[str, str], code: str, path: str
) -> None:
    response = await client.get("/candidates/deleted", params=params)

    assert response.status_code == 400, response.text
    assert [(e["code"], e["path"]) for e in response.json()["errors"]] == [(code, path)]


async def test_another_workspace_sees_none_of_the_deletions_nor_with_their_cursor(
    client: httpx.AsyncClient, app: Any, new_api_key: NewKey
) -> None:
    theirs = [await create_candidate(client) for _ in range(3)]
    for candidate_id in theirs:
        await client.delete(f"/candidates/{candidate_id}")
    cursor = (await client.get("/candidates/deleted", params={"limit": 1})).json()["pageInfo"][
        "nextCursor"
    ]
    assert cursor is not None

    async with make_client(app, await new_api_key()) as other:
        mine = await create_candidate(other)
        await other.delete(f"/candidates/{mine}")
        everything = (await other.get("/candidates/deleted")).json()
        after_their_cursor = (
            await other.get("/candidates/deleted", params={"cursor": cursor})
        ).json()

    assert [item["id"] for item in everything["items"]] == [mine]
    assert [item["id"] for item in after_their_cursor["items"]] in ([], [mine])
    for candidate_id in theirs:
        assert candidate_id not in str(everything) + str(after_their_cursor)


async def test_deleted_is_not_read_as_a_candidate_id(client: httpx.AsyncClient) -> None:
    assert (await client.patch("/candidates/deleted", json={"middleName": "X"})).status_code == 404
    assert (await client.delete("/candidates/deleted")).status_code == 404
    response = await client.post("/candidates/deleted", json={})
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"
