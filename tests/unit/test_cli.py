"""The ``talentbase`` command: API keys are shown once and stored only as a keyed hash
(API.md §3), listed without secrets and revoked, users are created in a named workspace, and
first start bootstraps a key."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from talentbase.app import create_app
from talentbase.cli import _bootstrap, app
from talentbase.db import migrate
from talentbase.db.urls import sync_url
from talentbase.settings import Settings


@pytest.fixture
def database_file(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def rows(url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            return [dict(row) for row in connection.execute(text(sql), params).mappings()]
    finally:
        engine.dispose()


def create_key(runner: CliRunner, url: str, workspace: str = "acme") -> str:
    """Runs ``api-keys create`` and returns the key it printed."""
    result = runner.invoke(
        app, ["api-keys", "create", "--workspace", workspace, "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    # the key alone on stdout, so scripts can capture it; notes go to stderr
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def keyed(key: str) -> str:
    """The stored hash of ``key``: HMAC-SHA256 under the run's server secret (conftest)."""
    secret = os.environ["TALENTBASE_SECRET_KEY"].encode()
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Runs in an empty folder so a stray default ``./talentbase.db`` would be noticed."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def test_api_keys_create_prints_a_tb_key_stored_only_as_its_keyed_hash(
    runner: CliRunner, database_file: str, cwd: Path
) -> None:
    key = create_key(runner, database_file)

    assert key.startswith("tb_")
    assert len(key) >= 32
    stored = rows(database_file, "SELECT * FROM api_keys")
    assert len(stored) == 1
    assert stored[0]["key_hash"] == keyed(key)
    assert stored[0]["hash_scheme"] == "hmac-sha256"
    assert stored[0]["prefix"] == key[:10]
    for column, value in stored[0].items():
        assert key not in str(value), column
    workspaces = rows(database_file, "SELECT * FROM workspaces")
    assert [workspace["name"] for workspace in workspaces] == ["acme"]
    assert stored[0]["workspace_id"] == workspaces[0]["id"]
    assert not (cwd / "talentbase.db").exists()


def test_the_key_appears_nowhere_in_the_database_file(
    runner: CliRunner, database_file: str, tmp_path: Path
) -> None:
    key = create_key(runner, database_file)

    raw = b"".join(path.read_bytes() for path in tmp_path.glob("cli.db*"))

    assert key.encode() not in raw
    assert keyed(key).encode() in raw
    assert hashlib.sha256(key.encode()).hexdigest().encode() not in raw


def test_two_api_keys_create_calls_give_two_different_keys_of_the_same_workspace(
    runner: CliRunner, database_file: str
) -> None:
    first = create_key(runner, database_file)
    second = create_key(runner, database_file)

    assert first != second
    stored = rows(database_file, "SELECT key_hash, workspace_id FROM api_keys")
    assert {row["key_hash"] for row in stored} == {
        keyed(first),
        keyed(second),
    }
    assert len({row["workspace_id"] for row in stored}) == 1
    assert len(rows(database_file, "SELECT id FROM workspaces")) == 1


def test_users_create_prints_the_user_as_json(runner: CliRunner, database_file: str) -> None:
    create_key(runner, database_file)

    result = runner.invoke(
        app,
        [
            "users",
            "create",
            "--workspace",
            "acme",
            "--name",
            "Ann",
            "--email",
            "ann@x.example",
            "--database-url",
            database_file,
        ],
    )

    assert result.exit_code == 0, result.output
    user = json.loads(result.output)
    assert user == {
        "userId": user["userId"],
        "name": "Ann",
        "email": "ann@x.example",
        "avatarUrl": None,
        "deactivatedAt": None,
    }
    stored = rows(database_file, "SELECT id, name, email FROM users")
    assert stored == [{"id": user["userId"], "name": "Ann", "email": "ann@x.example"}]


def test_users_create_in_an_unknown_workspace_fails_and_creates_nothing(
    runner: CliRunner, database_file: str
) -> None:
    create_key(runner, database_file)

    result = runner.invoke(
        app,
        [
            "users",
            "create",
            "--workspace",
            "nope",
            "--name",
            "Ann",
            "--email",
            "ann@x.example",
            "--database-url",
            database_file,
        ],
    )

    assert result.exit_code != 0
    assert rows(database_file, "SELECT id FROM users") == []
    assert [row["name"] for row in rows(database_file, "SELECT name FROM workspaces")] == ["acme"]


def test_users_create_with_a_bad_email_fails(runner: CliRunner, database_file: str) -> None:
    create_key(runner, database_file)

    result = runner.invoke(
        app,
        [
            "users",
            "create",
            "--workspace",
            "acme",
            "--name",
            "Ann",
            "--email",
            "not-an-email",
            "--database-url",
            database_file,
        ],
    )

    assert result.exit_code != 0
    assert rows(database_file, "SELECT id FROM users") == []


def test_api_keys_list_shows_prefixes_and_never_a_secret(
    runner: CliRunner, database_file: str
) -> None:
    first = create_key(runner, database_file, "acme")
    second = create_key(runner, database_file, "globex")

    everything = runner.invoke(app, ["api-keys", "list", "--database-url", database_file])
    only_acme = runner.invoke(
        app, ["api-keys", "list", "--workspace", "acme", "--database-url", database_file]
    )

    assert everything.exit_code == 0, everything.output
    for key in (first, second):
        assert key[:10] in everything.stdout
        assert key not in everything.stdout
        assert keyed(key) not in everything.stdout
    assert first[:10] in only_acme.stdout
    assert second[:10] not in only_acme.stdout


def test_api_keys_revoke_makes_the_key_fail(runner: CliRunner, database_file: str) -> None:
    key = create_key(runner, database_file)
    (stored,) = rows(database_file, "SELECT id FROM api_keys")

    result = runner.invoke(
        app, ["api-keys", "revoke", stored["id"], "--database-url", database_file]
    )

    assert result.exit_code == 0, result.output
    assert "Revoked key" in result.stdout
    (row,) = rows(database_file, "SELECT revoked_at FROM api_keys")
    assert row["revoked_at"] is not None
    listed = runner.invoke(app, ["api-keys", "list", "--database-url", database_file])
    assert "revoked" in listed.stdout
    assert key[:10] in listed.stdout


def test_api_keys_revoke_of_an_unknown_id_fails(runner: CliRunner, database_file: str) -> None:
    create_key(runner, database_file)

    result = runner.invoke(
        app,
        [
            "api-keys",
            "revoke",
            "00000000-0000-4000-8000-000000000000",
            "--database-url",
            database_file,
        ],
    )

    assert result.exit_code == 1
    assert "No API key" in result.stderr
    (row,) = rows(database_file, "SELECT revoked_at FROM api_keys")
    assert row["revoked_at"] is None


# ---- bootstrap ---------------------------------------------------------------------------------


async def _authenticates(url: str, key: str) -> bool:
    application = create_app(Settings(database_url=url, access_log=False))
    try:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://cli.test", headers={"x-api-key": key}
        ) as http:
            response = await http.get("/users/_list")
        assert response.status_code in (200, 401), response.text
        return response.status_code == 200
    finally:
        await application.state.database.dispose()


async def test_bootstrap_on_an_empty_database_returns_a_key_once(database_file: str) -> None:
    migrate.upgrade(database_file)
    settings = Settings(database_url=database_file, bootstrap_workspace="first")

    first = await _bootstrap(settings)
    second = await _bootstrap(settings)

    assert first is not None and first.startswith("tb_")
    assert second is None
    stored = rows(database_file, "SELECT key_hash FROM api_keys")
    assert stored == [{"key_hash": keyed(first)}]
    assert [row["name"] for row in rows(database_file, "SELECT name FROM workspaces")] == ["first"]
    assert await _authenticates(database_file, first)


@pytest.fixture
def existing_key(runner: CliRunner, database_file: str) -> str:
    """A key made with the CLI (a sync fixture: the CLI runs its own event loop)."""
    return create_key(runner, database_file)


async def test_bootstrap_on_a_database_with_a_workspace_returns_none(
    existing_key: str, database_file: str
) -> None:
    existing = existing_key

    issued = await _bootstrap(Settings(database_url=database_file))

    assert issued is None
    assert len(rows(database_file, "SELECT id FROM api_keys")) == 1
    assert await _authenticates(database_file, existing)


async def test_bootstrap_api_key_setting_makes_that_key_valid(database_file: str) -> None:
    migrate.upgrade(database_file)
    chosen = "tb_chosen-by-a-script-0123456789"
    settings = Settings(database_url=database_file, bootstrap_api_key=chosen)
    assert not await _authenticates(database_file, chosen)

    result = await _bootstrap(settings)

    assert result is None
    assert await _authenticates(database_file, chosen)
    assert not await _authenticates(database_file, chosen + "x")
    stored = rows(database_file, "SELECT key_hash FROM api_keys")
    assert stored == [{"key_hash": keyed(chosen)}]


async def test_bootstrap_api_key_is_idempotent(database_file: str) -> None:
    migrate.upgrade(database_file)
    chosen = "tb_chosen-by-a-script-0123456789"
    settings = Settings(database_url=database_file, bootstrap_api_key=chosen)

    await _bootstrap(settings)
    await _bootstrap(settings)

    assert len(rows(database_file, "SELECT id FROM api_keys")) == 1
    assert await _authenticates(database_file, chosen)


def test_api_key_create_says_on_stderr_when_it_creates_the_workspace(cwd: Path) -> None:
    url = f"sqlite:///{cwd / 'notes.db'}"
    runner = CliRunner()
    first = runner.invoke(app, ["api-keys", "create", "--workspace", "acme", "--database-url", url])
    second = runner.invoke(
        app, ["api-keys", "create", "--workspace", "acme", "--database-url", url]
    )
    assert "Created workspace 'acme'" in first.stderr
    assert "Created workspace" not in second.stderr


def test_the_secret_file_lives_beside_the_sqlite_database(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TALENTBASE_SECRET_KEY")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    folder = tmp_path / "data"
    folder.mkdir()
    url = f"sqlite:///{folder / 'cli.db'}"

    create_key(runner, url)

    assert (folder / "talentbase.secret").exists()
    assert not (elsewhere / "talentbase.secret").exists()


def test_a_command_with_another_server_secret_refuses_to_run(
    runner: CliRunner, database_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_key(runner, database_file)
    monkeypatch.setenv("TALENTBASE_SECRET_KEY", "another-server-secret")

    result = runner.invoke(
        app, ["api-keys", "create", "--workspace", "acme", "--database-url", database_file]
    )

    assert result.exit_code == 2
    assert "another server secret" in result.stderr
    assert len(rows(database_file, "SELECT id FROM api_keys")) == 1
