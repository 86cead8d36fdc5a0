"""API keys (issue 6 §2): stored only as a keyed hash, found by prefix and compared in constant
time, revocable with immediate effect; failed authentication from one address is slowed down."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from talentbase.app import create_app
from talentbase.db.engine import Database
from talentbase.settings import Settings
from talentbase.workspaces import service as workspaces
from talentbase.workspaces.models import ApiKey
from tests.conftest import NewKey, make_client, workspace_id_of


async def test_a_revoked_key_fails_on_the_next_request(
    app: Any, database: Database, new_api_key: NewKey
) -> None:
    key = await new_api_key()
    async with make_client(app, key) as http:
        assert (await http.get("/users/_list")).status_code == 200
        async with database.transaction(write=True) as session:
            found = await workspaces.find_key(session, app.state.key_hasher, key)
            assert found is not None
            revoked = await workspaces.revoke_key(session, found.id)
        assert revoked is not None and revoked.revoked_at is not None
        response = await http.get("/users/_list")
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid API key"


async def test_stored_hashes_are_useless_under_another_server_secret(
    settings: Settings, new_api_key: NewKey
) -> None:
    key = await new_api_key()
    other = create_app(
        settings.model_copy(update={"secret_key": SecretStr("a-different-server-secret")})
    )
    try:
        async with make_client(other, key) as http:
            assert (await http.get("/users/_list")).status_code == 401
    finally:
        await other.state.database.dispose()


async def test_a_key_stored_before_keyed_hashing_still_authenticates(
    app: Any, database: Database, new_api_key: NewKey
) -> None:
    workspace_id = await workspace_id_of(database, await new_api_key())
    legacy = "tb_legacy-key-made-by-an-older-release-0123456789"
    async with database.transaction(write=True) as session:
        session.add(
            ApiKey(
                workspace_id=workspace_id,
                name="old",
                prefix=legacy[:10],
                key_hash=hashlib.sha256(legacy.encode()).hexdigest(),
                hash_scheme="sha256",
            )
        )
    async with make_client(app, legacy) as http:
        assert (await http.get("/users/_list")).status_code == 200
    async with make_client(app, legacy[:-1] + "x") as http:
        assert (await http.get("/users/_list")).status_code == 401


async def test_keys_sharing_a_prefix_are_told_apart(app: Any, database: Database) -> None:
    first = "tb_sameprefix-first-0123456789abcdef"
    second = "tb_sameprefix-second-0123456789abcdef"
    assert first[:10] == second[:10]
    async with database.transaction(write=True) as session:
        workspace = f"prefix-{uuid.uuid4().hex}"
        await workspaces.issue_key(session, app.state.key_hasher, workspace, "a", first)
        issued = await workspaces.issue_key(session, app.state.key_hasher, workspace, "b", second)
        await workspaces.revoke_key(session, issued.key_id)
    async with make_client(app, first) as http:
        assert (await http.get("/users/_list")).status_code == 200
    async with make_client(app, second) as http:
        assert (await http.get("/users/_list")).status_code == 401


async def test_repeated_failed_authentication_from_one_address_is_refused_with_429(
    settings: Settings, new_api_key: NewKey
) -> None:
    limited = create_app(settings.model_copy(update={"auth_failures_per_minute": 3}))
    good_key, unused_key = await new_api_key(), await new_api_key()
    try:
        async with make_client(limited, good_key) as http:
            assert (await http.get("/users/_list")).status_code == 200
        statuses = []
        for attempt in range(5):
            async with make_client(limited, f"tb_guess-{attempt}-0123456789abcdef") as http:
                response = await http.get("/users/_list")
                statuses.append(response.status_code)
        assert statuses == [401, 401, 401, 429, 429]
        assert 1 <= int(response.headers["retry-after"]) <= 60
        assert response.headers["ratelimit-limit"] == "3"
        assert response.headers["ratelimit-remaining"] == "0"
        body = response.json()
        assert body["status"] == 429
        assert "failed authentications" in body["message"]
        # past the budget a key is refused before it is checked, so guessing right is no
        # faster than guessing wrong; a key that authenticated before the guesses still works
        async with make_client(limited, unused_key) as http:
            assert (await http.get("/users/_list")).status_code == 429
        async with make_client(limited, good_key) as http:
            assert (await http.get("/users/_list")).status_code == 200
    finally:
        await limited.state.database.dispose()


async def test_a_key_with_another_spelling_is_not_a_fresh_budget(
    settings: Settings, new_api_key: NewKey
) -> None:
    limited = create_app(settings.model_copy(update={"rate_limit_per_minute": 3}))
    key = await new_api_key()
    try:
        statuses = []
        for spelling in (key, key, key, key + "\xa0", " " + key + "\t"):
            async with make_client(limited, None) as http:
                # the header as raw bytes: httpx refuses non-ASCII text
                headers = {"x-api-key": spelling.encode("latin-1")}
                statuses.append((await http.get("/users/_list", headers=headers)).status_code)
        # a non-breaking space is part of the key: no such key; spaces and tabs are trimmed
        assert statuses == [200, 200, 200, 401, 429]
    finally:
        await limited.state.database.dispose()


async def test_made_up_keys_spend_the_address_budget(
    settings: Settings, new_api_key: NewKey
) -> None:
    limited = create_app(
        settings.model_copy(
            update={"rate_limit_unauthenticated_per_minute": 3, "auth_failures_per_minute": 100}
        )
    )
    try:
        statuses = []
        for attempt in range(5):
            async with make_client(limited, f"tb_rotating-{attempt}-0123456789abcdef") as http:
                statuses.append((await http.get("/users/_list")).status_code)
        assert statuses == [401, 401, 401, 429, 429]
    finally:
        await limited.state.database.dispose()


def test_server_secret_file_is_created_once_with_owner_only_access(tmp_path: Path) -> None:
    path = tmp_path / "talentbase.secret"
    first = workspaces.load_server_secret(None, path)
    second = workspaces.load_server_secret(None, path)
    assert first == second
    assert len(first) >= 43
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert workspaces.load_server_secret("given", path) == b"given"


def test_an_empty_secret_file_is_an_error_not_an_empty_key(tmp_path: Path) -> None:
    path = tmp_path / "talentbase.secret"
    path.write_bytes(b"\n")
    with pytest.raises(ValueError, match="empty"):
        workspaces.load_server_secret(None, path)


async def test_listing_keys_never_shows_a_secret_or_hash(
    app: Any, database: Database, new_api_key: NewKey
) -> None:
    key = await new_api_key()
    async with database.transaction(write=False) as session:
        found = await workspaces.find_key(session, app.state.key_hasher, key)
        assert found is not None
        listing = [
            item for item in await workspaces.list_keys(session, None) if item.id == found.id
        ]
    assert len(listing) == 1
    shown = repr(listing[0])
    assert key not in shown and found.key_hash not in shown
    assert listing[0].prefix == key[:10]
    assert listing[0].hash_scheme == "hmac-sha256"


async def test_without_redis_the_limiter_lets_requests_through_and_keeps_serving(
    settings: Settings, new_api_key: NewKey
) -> None:
    unreachable = create_app(settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"}))
    try:
        async with make_client(unreachable, await new_api_key()) as http:
            response = await http.get("/users/_list")
        assert response.status_code == 200
        assert response.headers["ratelimit-limit"] == "100000"
    finally:
        await unreachable.state.database.dispose()


async def test_http_client_helper_is_unaffected(client: httpx.AsyncClient) -> None:
    assert (await client.get("/users/_list")).json() == {"users": []}


async def test_a_short_chosen_key_shows_at_most_a_quarter_of_itself(
    app: Any, database: Database
) -> None:
    chosen = "short-key-" + uuid.uuid4().hex[:6]
    assert len(chosen) == 16
    async with database.transaction(write=True) as session:
        issued = await workspaces.issue_key(
            session, app.state.key_hasher, f"short-{uuid.uuid4().hex}", "chosen", chosen
        )
        (listed,) = [
            key for key in await workspaces.list_keys(session, None) if key.id == issued.key_id
        ]
    assert listed.prefix == chosen[:4]
    async with make_client(app, chosen) as http:
        assert (await http.get("/users/_list")).status_code == 200
