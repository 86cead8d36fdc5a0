"""Webhook delivery with real processes (issue 5 §4): a ``talentbase worker`` killed with
SIGKILL while the receiver holds its request open loses nothing once a worker runs again (the
delivery is sent again after its lease runs out, and the events behind it follow in order);
and ``talentbase serve`` runs the worker itself unless told not to."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from talentbase.db import migrate
from talentbase.db.urls import sync_url
from tests.conftest import backend
from tests.e2e.servers import start_server
from tests.integration.test_webhooks import ALL_EVENTS, Receiver, in_candidate_order

FAST_ENV = {
    "TALENTBASE_WEBHOOK_POLL_SECONDS": "0.05",
    "TALENTBASE_WEBHOOK_TIMEOUT_SECONDS": "2",
    "TALENTBASE_WEBHOOK_LEASE_SECONDS": "3",
    "TALENTBASE_WEBHOOK_BACKOFF_BASE_SECONDS": "0.05",
    "TALENTBASE_WEBHOOK_BACKOFF_MAX_SECONDS": "0.2",
    # webhooks other tests left in a shared database are never contacted
    "TALENTBASE_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
}


def _start_worker(url: str, log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "talentbase.cli", "worker", "--database-url", url],
            env={**os.environ, **FAST_ENV, **env},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )


def _until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _events(url: str, workspace: str) -> list[dict[str, Any]]:
    """The workspace's outbox events: ``{id, candidateId, version, createdAt}``."""
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT o.id, o.candidate_id, o.payload, o.created_at FROM outbox_events o "
                    "JOIN workspaces w ON w.id = o.workspace_id WHERE w.name = :name"
                ),
                {"name": workspace},
            ).mappings()
            found = []
            for row in rows:
                payload = row["payload"]
                payload = json.loads(payload) if isinstance(payload, str) else payload
                found.append(
                    {
                        "id": row["id"],
                        "candidateId": row["candidate_id"],
                        "version": payload["data"].get("version"),
                        "createdAt": str(row["created_at"]),
                    }
                )
            return found
    finally:
        engine.dispose()


def _setup(tmp_path: Path, database_url: str, name: str) -> tuple[str, str, dict[str, str]]:
    url = f"sqlite:///{tmp_path / f'{name}.db'}" if backend() == "sqlite" else database_url
    workspace = f"{name}-{uuid.uuid4().hex}"
    env = {
        "TALENTBASE_BOOTSTRAP_API_KEY": f"tb_{name}-{uuid.uuid4().hex}",
        "TALENTBASE_BOOTSTRAP_WORKSPACE": workspace,
    }
    migrate.upgrade(url)
    return url, workspace, env


def _write_candidates(http: httpx.Client, count: int, updates: int) -> list[str]:
    ids = []
    for number in range(count):
        created = http.post(
            "/candidates", json={"firstName": "Hook", "lastName": f"Person{'x' * number}"}
        )
        assert created.status_code == 201, created.text
        ids.append(created.json())
        for step in range(updates):
            patched = http.patch(
                f"/candidates/{ids[-1]}", json={"middleName": f"M{'a' * (step + 1)}"}
            )
            assert patched.status_code == 200, patched.text
    return ids


def test_a_worker_killed_mid_delivery_loses_nothing_after_a_restart(
    tmp_path: Path, database_url: str
) -> None:
    url, workspace, env = _setup(tmp_path, database_url, "hooks")
    server_env = {**env, "TALENTBASE_WEBHOOK_WORKER": "false"}
    server = start_server(url, tmp_path / "server.log", server_env)
    receiver = Receiver(hold={0})
    try:
        with (
            receiver.running(),
            httpx.Client(
                base_url=server.base, headers={"x-api-key": env["TALENTBASE_BOOTSTRAP_API_KEY"]}
            ) as http,
        ):
            webhook = http.post("/webhooks", json={"url": receiver.url, "events": ALL_EVENTS})
            assert webhook.status_code == 201, webhook.text
            webhook_id = webhook.json()["id"]
            candidates = _write_candidates(http, count=3, updates=2)
            expected = _events(url, workspace)
            assert len(expected) == 9, expected

            # one delivery at a time: the held one is the only one in flight when it dies
            first = _start_worker(
                url, tmp_path / "worker.log", {"TALENTBASE_WEBHOOK_CONCURRENCY": "1"}
            )
            try:
                assert receiver.arrived.wait(30), (tmp_path / "worker.log").read_text()
            finally:
                first.send_signal(signal.SIGKILL)
                first.wait(timeout=10)
            held = receiver.snapshot()[0].event_id
            receiver.release.set()

            killed_at = time.monotonic()
            second = _start_worker(url, tmp_path / "worker.log", {})
            try:
                _until(
                    lambda: (
                        {item.event_id for item in receiver.snapshot()[1:]}
                        >= {event["id"] for event in expected}
                    ),
                    60,
                    "every event after the restart",
                )
                resent_after = time.monotonic() - killed_at
                _until(
                    lambda: (
                        {
                            entry["status"]
                            for entry in http.get(
                                f"/webhooks/{webhook_id}/deliveries", params={"limit": 50}
                            ).json()["items"]
                        }
                        == {"delivered"}
                    ),
                    30,
                    "every delivery marked delivered",
                )
                log = http.get(f"/webhooks/{webhook_id}/deliveries", params={"limit": 50})
            finally:
                second.terminate()
                second.wait(timeout=20)
            assert second.returncode == 0, (tmp_path / "worker.log").read_text()
    finally:
        server.stop()

    got = receiver.snapshot()
    # the held event twice (the dead worker's try, and again after its lease ran out),
    # every other event exactly once
    counts = {event["id"]: [item.event_id for item in got].count(event["id"]) for event in expected}
    assert counts == {event["id"]: 2 if event["id"] == held else 1 for event in expected}
    assert resent_after >= 2.0  # not before the lease (3 s from the claim) ran out
    for candidate_id in candidates:
        order = in_candidate_order([e for e in expected if e["candidateId"] == candidate_id])
        assert [item.event_id for item in got[1:] if item.event_id in order] == order
    entries = {entry["eventId"]: entry for entry in log.json()["items"]}
    assert set(entries) == {event["id"] for event in expected}
    assert {entry["status"] for entry in entries.values()} == {"delivered"}
    assert entries[held]["attempts"] == 2
    assert {entries[e["id"]]["attempts"] for e in expected if e["id"] != held} == {1}


def test_serve_runs_the_worker_unless_it_is_turned_off(tmp_path: Path, database_url: str) -> None:
    url, _workspace, env = _setup(tmp_path, database_url, "served")
    server = start_server(url, tmp_path / "server.log", {**env, **FAST_ENV})
    try:
        with (
            Receiver().running() as receiver,
            httpx.Client(
                base_url=server.base, headers={"x-api-key": env["TALENTBASE_BOOTSTRAP_API_KEY"]}
            ) as http,
        ):
            webhook = http.post(
                "/webhooks", json={"url": receiver.url, "events": ["candidate.created"]}
            )
            assert webhook.status_code == 201, webhook.text
            (candidate_id,) = _write_candidates(http, count=1, updates=1)
            _until(lambda: len(receiver.snapshot()) >= 1, 30, "the created event")
            time.sleep(0.3)
    finally:
        server.stop()

    (only,) = receiver.snapshot()
    body = json.loads(only.body)
    assert body["type"] == "candidate.created"
    assert body["data"]["candidateId"] == candidate_id
    assert only.headers["talentbase-event-id"] == body["id"]
    log = (tmp_path / "server.log").read_text()
    assert webhook.json()["secret"] not in log
    assert receiver.url not in log
