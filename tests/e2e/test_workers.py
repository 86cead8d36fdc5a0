"""``talentbase serve --workers 2``: two processes share the database safely. Concurrent writes
from both (creates, and PATCHes of the same candidates) all succeed, none is lost, and on
SQLite no writer fails with "database is locked" (write transactions begin IMMEDIATE)."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import httpx

from tests.conftest import backend
from tests.e2e.servers import ServerProcess, start_server

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _two_workers(tmp_path: Path, database_url: str) -> tuple[ServerProcess, str]:
    """``serve --workers 2`` on a new SQLite file (or the test's PostgreSQL database), with a
    new workspace; the server and its API key."""
    url = f"sqlite:///{tmp_path / 'workers.db'}" if backend() == "sqlite" else database_url
    key = f"tb_workers-{uuid.uuid4().hex}"
    env = {
        "TALENTBASE_BOOTSTRAP_API_KEY": key,
        "TALENTBASE_BOOTSTRAP_WORKSPACE": f"w-{uuid.uuid4().hex}",
    }
    return start_server(url, tmp_path / "server.log", env, workers=2), key


def _created(server: ServerProcess, key: str, first_name: str, last_names: list[str]) -> list[str]:
    """The ids of new candidates, one per last name."""
    with httpx.Client(base_url=server.base, headers={"x-api-key": key}, timeout=30) as http:
        return [
            http.post("/candidates", json={"firstName": first_name, "lastName": last}).json()
            for last in last_names
        ]


def test_two_workers_take_concurrent_writes_without_loss(tmp_path: Path, database_url: str) -> None:
    server, key = _two_workers(tmp_path, database_url)
    statuses: list[int] = []
    lock = threading.Lock()
    try:
        shared = _created(server, key, "Shared", [f"Roe{letter}" for letter in LETTERS[:4]])

        def load(worker: int) -> None:
            # a new connection per request spreads them over both worker processes
            for step in range(15):
                with httpx.Client(
                    base_url=server.base, headers={"x-api-key": key}, timeout=30
                ) as http:
                    created = http.post(
                        "/candidates",
                        json={
                            "firstName": "Load",
                            "lastName": f"Roe{LETTERS[worker]}{LETTERS[step]}",
                        },
                    )
                    patched = http.patch(
                        f"/candidates/{shared[step % 4]}",
                        json={"middleName": f"M{LETTERS[worker]}{LETTERS[step]}"},
                    )
                with lock:
                    statuses.extend([created.status_code, patched.status_code])

        threads = [threading.Thread(target=load, args=(worker,)) for worker in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert sorted(set(statuses)) == [200, 201], server_log(tmp_path)
        assert statuses.count(201) == 8 * 15
        with httpx.Client(base_url=server.base, headers={"x-api-key": key}, timeout=30) as http:
            walked = http.get("/candidates", params={"limit": 50}).json()
            total = len(walked["items"])
            cursor = walked["pageInfo"]["nextCursor"]
            while cursor:
                page = http.get("/candidates", params={"limit": 50, "cursor": cursor}).json()
                total += len(page["items"])
                cursor = page["pageInfo"]["nextCursor"]
        assert total == 4 + 8 * 15
    finally:
        server.stop()


FIELDS = ("firstName", "middleName", "lastName", "secondLastName")


def test_two_workers_patching_one_candidates_fields_at_once_lose_no_change(
    tmp_path: Path, database_url: str
) -> None:
    """Each thread PATCHes one field of one candidate, over both processes: every field ends
    at its thread's last value, each PATCH is one version of the history, and the search row
    holds the names as they ended (on SQLite a PATCH reads before the write lock, and one
    whose candidate changed meanwhile is made again under it)."""
    server, key = _two_workers(tmp_path, database_url)
    steps = 8
    statuses: list[int] = []
    lock = threading.Lock()
    try:
        ids = _created(server, key, "Start", ["Starta", "Startb"])

        def value(field: str, candidate: int, step: int) -> str:
            unique = "".join(LETTERS[int(digit, 16)] for digit in uuid.uuid4().hex[:6])
            return f"{field[:4].title()}{LETTERS[candidate]}{LETTERS[step]}{unique}"

        last: dict[tuple[str, int], str] = {}

        def patch_field(field: str, candidate: int) -> None:
            for step in range(steps):
                sent = value(field, candidate, step)
                # a new connection per request spreads them over both worker processes
                with httpx.Client(
                    base_url=server.base, headers={"x-api-key": key}, timeout=30
                ) as http:
                    answer = http.patch(f"/candidates/{ids[candidate]}", json={field: sent})
                with lock:
                    statuses.append(answer.status_code)
                    last[(field, candidate)] = sent

        threads = [
            threading.Thread(target=patch_field, args=(field, candidate))
            for field in FIELDS
            for candidate in range(len(ids))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert set(statuses) == {200}, server_log(tmp_path)
        assert len(statuses) == len(threads) * steps

        with httpx.Client(base_url=server.base, headers={"x-api-key": key}, timeout=30) as http:
            for index, candidate_id in enumerate(ids):
                name = http.get(f"/candidates/{candidate_id}").json()["name"]
                assert {field: name[field] for field in FIELDS} == {
                    field: last[(field, index)] for field in FIELDS
                }
                history = http.get(
                    f"/candidates/{candidate_id}/history", params={"limit": 50}
                ).json()["items"]
                assert sorted(entry["version"] for entry in history) == list(
                    range(1, 2 + len(FIELDS) * steps)
                )
                for field in ("firstName", "lastName"):
                    found = http.post(
                        "/candidates/_search",
                        json={
                            "filters": [
                                {
                                    "type": "text",
                                    "operator": "equals",
                                    "path": f"candidate.{field}",
                                    "value": name[field],
                                }
                            ]
                        },
                    ).json()["items"]
                    assert [item["id"] for item in found] == [candidate_id]
    finally:
        server.stop()


def server_log(tmp_path: Path) -> str:
    return (tmp_path / "server.log").read_text()[-3000:]
