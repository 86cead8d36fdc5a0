"""Two server processes with ``TALENTBASE_REDIS_URL`` share one rate-limit budget per API key
(issue 6 §1): the budget is spent by requests to either process."""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import backend
from tests.e2e.servers import running_server

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
BUDGET = 6


def _redis_reachable() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_url() -> str:
    if not _redis_reachable():
        if os.environ.get("TALENTBASE_TEST_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required but not reachable at {REDIS_HOST}:{REDIS_PORT}")
        pytest.skip(f"no Redis at {REDIS_HOST}:{REDIS_PORT}")
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/0"


def test_two_processes_share_one_budget_through_redis(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}" if backend() == "sqlite" else database_url
    # a key of its own per run, so counters left in Redis by an earlier run do not count
    key = f"tb_shared-{uuid.uuid4().hex}"
    env = {
        "TALENTBASE_BOOTSTRAP_API_KEY": key,
        "TALENTBASE_REDIS_URL": redis_url,
        "TALENTBASE_RATE_LIMIT_PER_MINUTE": str(BUDGET),
    }
    with (
        running_server(url, tmp_path / "first.log", env) as first,
        running_server(url, tmp_path / "second.log", env) as second,
    ):
        statuses = []
        remaining = []
        for index in range(BUDGET + 2):
            base = (first, second)[index % 2]
            response = httpx.get(f"{base}/users/_list", headers={"x-api-key": key}, timeout=10)
            statuses.append(response.status_code)
            remaining.append(int(response.headers["ratelimit-remaining"]))
    assert statuses == [200] * BUDGET + [429, 429]
    assert remaining[:BUDGET] == list(range(BUDGET - 1, -1, -1))
