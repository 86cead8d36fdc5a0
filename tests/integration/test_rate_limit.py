"""Rate limits (API.md §1): per API key, per address without a key; headers on every answer."""

from __future__ import annotations

from typing import Any

import httpx

from talentbase.app import create_app
from talentbase.settings import Settings
from tests.conftest import NewKey, make_client


async def _app(settings: Settings, per_key: int, per_address: int) -> Any:
    limited = settings.model_copy(
        update={
            "rate_limit_per_minute": per_key,
            "rate_limit_unauthenticated_per_minute": per_address,
        }
    )
    return create_app(limited)


async def test_every_answer_carries_rate_limit_headers(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get("/users/_list"),
        await client.get("/candidates/unknown"),
        await client.get("/healthz"),
    ):
        assert int(response.headers["ratelimit-limit"]) == 100_000
        assert 0 <= int(response.headers["ratelimit-remaining"]) < 100_000
        assert 0 <= int(response.headers["ratelimit-reset"]) <= 60


async def test_key_over_its_budget_gets_429_with_retry_after(
    settings: Settings, new_api_key: NewKey
) -> None:
    app = await _app(settings, per_key=3, per_address=100)
    key, other_key = await new_api_key(), await new_api_key()
    try:
        async with make_client(app, key) as http, make_client(app, other_key) as other:
            remaining = [
                int((await http.get("/users/_list")).headers["ratelimit-remaining"])
                for _ in range(3)
            ]
            refused = await http.get("/users/_list")
            fresh = await other.get("/users/_list")
    finally:
        await app.state.database.dispose()
    assert remaining == [2, 1, 0]
    assert refused.status_code == 429
    body = refused.json()
    assert body["status"] == 429
    assert body["requestId"] == refused.headers["x-request-id"]
    assert "rate limit" in body["message"].lower()
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-remaining"] == "0"
    # another key has its own budget
    assert fresh.status_code == 200


async def test_requests_without_a_key_are_limited_per_address(settings: Settings) -> None:
    app = await _app(settings, per_key=100, per_address=2)
    try:
        async with make_client(app, None) as http:
            statuses = [(await http.get("/candidates/x")).status_code for _ in range(3)]
    finally:
        await app.state.database.dispose()
    assert statuses == [401, 401, 429]
