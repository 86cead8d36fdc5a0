"""A PATCH on SQLite takes the write lock only to write (``locks_late``, issue 7): it reads,
validates and works out its change while other requests and processes write, then writes at
the version it read, in one transaction under the lock. A candidate changed in between makes it
start again from a read under the lock, so no change is lost or applied to stale values."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Connection

from talentbase.candidates import etags, service
from talentbase.db.engine import Database
from talentbase.db.urls import sqlite_path, sync_url
from talentbase.db.writer_lock import WriterLock
from talentbase.events.models import OutboxEvent
from tests.conftest import backend, create_candidate

pytestmark = pytest.mark.skipif(
    backend() != "sqlite",
    reason="SQLite's single-writer lock; PostgreSQL locks the candidate's row on read",
)


@pytest.fixture
def other_writer(database: Database) -> Iterator[Connection]:
    """A connection of another process, to hold SQLite's write lock with."""
    engine = create_engine(sync_url(database.url))
    connection = engine.connect()
    yield connection
    connection.rollback()
    connection.close()
    engine.dispose()


async def _search_ids(client: httpx.AsyncClient, path: str, value: str) -> list[str]:
    response = await client.post(
        "/candidates/_search",
        json={
            "filters": [
                {"type": "text", "operator": "equals", "path": f"candidate.{path}", "value": value}
            ]
        },
    )
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_a_candidate_changed_between_a_patchs_read_and_its_write_is_patched_again(
    client: httpx.AsyncClient, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    candidate_id = await create_candidate(client)
    load_related = service.view.load_related
    reads = 0

    async def change_meanwhile(*args: Any, **kwargs: Any) -> Any:
        # between the PATCH's read and its write: another request changes the candidate
        nonlocal reads
        reads += 1
        if reads == 1:
            other = await client.patch(f"/candidates/{candidate_id}", json={"lastName": "Okafor"})
            assert other.status_code == 200, other.text
        return await load_related(*args, **kwargs)

    monkeypatch.setattr(service.view, "load_related", change_meanwhile)
    response = await client.patch(f"/candidates/{candidate_id}", json={"firstName": "Adaeze"})

    assert response.status_code == 200, response.text
    view = response.json()
    assert (view["name"]["firstName"], view["name"]["lastName"]) == ("Adaeze", "Okafor")
    assert response.headers["ETag"] == etags.etag(candidate_id, 3)
    # the first try, the other PATCH, the try again under the lock
    assert reads == 3
    history = (await client.get(f"/candidates/{candidate_id}/history")).json()["items"]
    assert [(entry["version"], sorted(entry["changes"])) for entry in history[:2]] == [
        (3, ["firstName"]),
        (2, ["lastName"]),
    ]
    # the search row holds both changes, and the first try left no event behind
    assert await _search_ids(client, "firstName", "Adaeze") == [candidate_id]
    assert await _search_ids(client, "lastName", "Okafor") == [candidate_id]
    async with database.transaction(write=False) as session:
        versions = (
            await session.scalars(
                select(OutboxEvent.payload).where(
                    OutboxEvent.candidate_id == candidate_id,
                    OutboxEvent.event_type == "candidate.updated",
                )
            )
        ).all()
    assert sorted(payload["data"]["version"] for payload in versions) == [2, 3]


async def test_a_patch_reads_while_another_process_writes_and_waits_only_to_write(
    client: httpx.AsyncClient, other_writer: Connection
) -> None:
    candidate_id = await create_candidate(client)
    other_writer.exec_driver_sql("BEGIN IMMEDIATE")  # a writer in another worker process

    # a PATCH that changes nothing writes nothing: it answers at once
    same = await asyncio.wait_for(
        client.patch(f"/candidates/{candidate_id}", json={"firstName": "Jane"}), timeout=5
    )
    assert same.status_code == 200, same.text
    assert same.headers["ETag"] == etags.etag(candidate_id, 1)

    changing = asyncio.create_task(
        client.patch(f"/candidates/{candidate_id}", json={"firstName": "Ngozi"})
    )
    await asyncio.sleep(0.5)
    assert not changing.done()  # its write waits for the other process's
    other_writer.rollback()
    changed = await asyncio.wait_for(changing, timeout=10)
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"]["firstName"] == "Ngozi"
    assert changed.headers["ETag"] == etags.etag(candidate_id, 2)


async def test_a_patch_that_times_out_waiting_to_write_answers_503_and_writes_nothing(
    client: httpx.AsyncClient, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its write waits on the driver's thread for the writer lock, held by another process:
    when the request's time is up it is answered at once, and its write, given up, is not
    made once the lock comes free."""
    candidate_id = await create_candidate(client)
    monkeypatch.setattr(database, "timeout_seconds", 0.5)
    other_process = WriterLock(sqlite_path(database.url))
    other_process.hold()
    try:
        response = await asyncio.wait_for(
            client.patch(f"/candidates/{candidate_id}", json={"firstName": "Ngozi"}), timeout=5
        )
    finally:
        other_process.let_go()
        other_process.close()
    assert response.status_code == 503, response.text
    assert "nothing was changed" in response.json()["message"]

    await asyncio.sleep(0.3)  # time for a write that was not given up to land
    current = await client.get(f"/candidates/{candidate_id}")
    assert current.json()["name"]["firstName"] == "Jane"
    assert current.headers["ETag"] == etags.etag(candidate_id, 1)
    history = (await client.get(f"/candidates/{candidate_id}/history")).json()["items"]
    assert [entry["version"] for entry in history] == [1]
