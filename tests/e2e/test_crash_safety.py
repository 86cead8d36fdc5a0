"""Crash safety (issue 6 §6): a real server under a write load is killed with SIGKILL at a
random moment and restarted; every write that was answered 2xx is stored, and nothing is stored
half-written (a candidate with only some of its emails or work history)."""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from talentbase.db import migrate
from talentbase.db.urls import sync_url
from tests.conftest import backend
from tests.e2e.servers import free_port, start_server

LETTERS = "abcdefghijklmnopqrstuvwxyz"
WORKERS = 6
ROUNDS = 3


def _word(number: int) -> str:
    """A letters-only word per number (names may hold letters only)."""
    word = ""
    while True:
        word = LETTERS[number % 26] + word
        number //= 26
        if number == 0:
            return word.capitalize()


@dataclass
class Ledger:
    """What the load was told: acknowledged creates and, per candidate, the last acknowledged
    middle name and the one possibly in flight when the server died."""

    created: dict[str, str] = field(default_factory=dict)
    acknowledged_middle: dict[str, str] = field(default_factory=dict)
    in_flight_middle: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _create_body(last_name: str, company_id: str) -> dict[str, Any]:
    return {
        "firstName": "Crash",
        "lastName": last_name,
        "emails": [
            {"email": f"{last_name.lower()}.{kind}@example.com", "isPrimary": kind == "a"}
            for kind in ("a", "b", "c")
        ],
        "workExperiences": [
            {"companyId": company_id, "jobTitle": "Engineer", "startDate": "2019-01-01T00:00:00Z"},
            {"companyId": company_id, "jobTitle": "Lead", "startDate": "2022-01-01T00:00:00Z"},
        ],
    }


def _load(
    base: str, key: str, company_id: str, worker: int, stop: threading.Event, ledger: Ledger
) -> None:
    with httpx.Client(base_url=base, headers={"x-api-key": key}, timeout=5) as http:
        number = worker * 100_000
        while not stop.is_set():
            number += 1
            last_name = _word(number)
            try:
                created = http.post("/candidates", json=_create_body(last_name, company_id))
            except httpx.TransportError:
                return
            if created.status_code != 201:
                with ledger.lock:
                    ledger.errors.append(f"create {created.status_code}: {created.text}")
                return
            candidate_id = created.json()
            with ledger.lock:
                ledger.created[candidate_id] = last_name
            for step in range(3):
                middle = _word(number * 10 + step)
                with ledger.lock:
                    ledger.in_flight_middle[candidate_id] = middle
                try:
                    patched = http.patch(f"/candidates/{candidate_id}", json={"middleName": middle})
                except httpx.TransportError:
                    return
                if patched.status_code != 200:
                    with ledger.lock:
                        ledger.errors.append(f"patch {patched.status_code}: {patched.text}")
                    return
                with ledger.lock:
                    ledger.acknowledged_middle[candidate_id] = middle


def _stored(url: str, workspace: str) -> dict[str, dict[str, Any]]:
    """Each stored candidate of the workspace: its names, email count and work history count."""
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT c.id, c.last_name, c.middle_name, c.emails, "
                    "(SELECT count(*) FROM work_experiences w WHERE w.candidate_id = c.id) AS jobs "
                    "FROM candidates c JOIN workspaces s ON s.id = c.workspace_id "
                    "WHERE s.name = :name"
                ),
                {"name": workspace},
            ).mappings()
            return {row["id"]: dict(row) for row in rows}
    finally:
        engine.dispose()


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_sigkill_under_write_load_loses_no_acknowledged_write(
    tmp_path: Path, database_url: str, round_number: int
) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}" if backend() == "sqlite" else database_url
    workspace = f"crash-{uuid.uuid4().hex}"
    key = f"tb_crash-{uuid.uuid4().hex}"
    env = {"TALENTBASE_BOOTSTRAP_API_KEY": key, "TALENTBASE_BOOTSTRAP_WORKSPACE": workspace}
    migrate.upgrade(url)
    port = free_port()
    log = tmp_path / "server.log"
    server = start_server(url, log, env, port)
    with httpx.Client(base_url=server.base, headers={"x-api-key": key}) as http:
        company = http.post("/clients", json={"name": "Acme"})
    assert company.status_code == 201, company.text
    company_id = company.json()["id"]
    ledger = Ledger()
    stop = threading.Event()
    workers = [
        threading.Thread(target=_load, args=(server.base, key, company_id, worker, stop, ledger))
        for worker in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    time.sleep(random.Random(round_number).uniform(0.5, 2.0))
    server.kill()
    stop.set()
    for worker in workers:
        worker.join(timeout=30)
    assert ledger.errors == []
    assert ledger.created, "the load acknowledged no write before the kill"

    restarted = start_server(url, log, env, port)
    try:
        with httpx.Client(base_url=restarted.base, headers={"x-api-key": key}, timeout=10) as http:
            for candidate_id, last_name in ledger.created.items():
                view = http.get(f"/candidates/{candidate_id}")
                assert view.status_code == 200, candidate_id
                assert view.json()["name"]["lastName"] == last_name
    finally:
        restarted.stop()

    stored = _stored(url, workspace)
    assert set(ledger.created) <= set(stored)
    for candidate_id, row in stored.items():
        # whole or nothing: every stored candidate has all its emails and work history
        emails = (
            row["emails"]
            if isinstance(row["emails"], list)
            else __import__("json").loads(row["emails"])
        )
        assert len(emails) == 3, row
        assert row["jobs"] == 2, row
        if candidate_id in ledger.acknowledged_middle:
            assert row["middle_name"] in (
                ledger.acknowledged_middle[candidate_id],
                ledger.in_flight_middle[candidate_id],
            )
