"""``talentbase serve --workers 2``: two processes share the database safely. Concurrent writes
from both (creates, and PATCHes of the same candidates) all succeed, none is lost, and on
SQLite no writer fails with "database is locked" (write transactions begin IMMEDIATE)."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import httpx

from tests.conftest import backend
from tests.e2e.servers import start_server

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def test_two_workers_take_concurrent_writes_without_loss(tmp_path: Path, database_url: str) -> None:
    url = f"sqlite:///{tmp_path / 'workers.db'}" if backend() == "sqlite" else database_url
    key = f"tb_workers-{uuid.uuid4().hex}"
    env = {
        "TALENTBASE_BOOTSTRAP_API_KEY": key,
        "TALENTBASE_BOOTSTRAP_WORKSPACE": f"w-{uuid.uuid4().hex}",
    }
    server = start_server(url, tmp_path / "server.log", env, workers=2)
    statuses: list[int] = []
    lock = threading.Lock()
    try:
        with httpx.Client(base_url=server.base, headers={"x-api-key": key}, timeout=30) as http:
            shared = [
                http.post(
                    "/candidates", json={"firstName": "Shared", "lastName": f"Roe{letter}"}
                ).json()
                for letter in LETTERS[:4]
            ]

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


def server_log(tmp_path: Path) -> str:
    return (tmp_path / "server.log").read_text()[-3000:]
