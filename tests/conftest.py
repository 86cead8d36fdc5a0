"""Test harness: one database per run (SQLite file, or a throw-away PostgreSQL database), the
app over httpx's ASGI transport, and a fresh workspace per test so tests never share data.

``TALENTBASE_TEST_DATABASE`` chooses the backend: ``sqlite`` (default) or ``postgres``; the
PostgreSQL server is ``TALENTBASE_TEST_POSTGRES_URL`` (default the local one).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

from talentbase.app import create_app
from talentbase.db import migrate
from talentbase.db.engine import Database
from talentbase.db.urls import sync_url
from talentbase.settings import Settings
from talentbase.workspaces import service as workspaces

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"

pytest_plugins = ["tests.status_coverage"]

# every app and CLI call of the run keys API-key hashes with this secret, so none of them
# writes a secret file into the working folder (tests/unit/test_api_keys.py tests the file)
os.environ.setdefault("TALENTBASE_SECRET_KEY", "test-suite-server-secret")


def backend() -> str:
    """The backend this run tests: ``sqlite`` or ``postgres``."""
    return os.environ.get("TALENTBASE_TEST_DATABASE", "sqlite")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database for this run; PostgreSQL databases are dropped afterwards."""
    if backend() == "sqlite":
        path = tmp_path_factory.mktemp("db") / "talentbase.db"
        url = f"sqlite:///{path}"
        migrate.upgrade(url)
        yield url
        return
    server = os.environ.get("TALENTBASE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    name = f"talentbase_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(sync_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # budgets far above what the suite sends; tests/integration/test_rate_limit.py checks limits
    return Settings(
        database_url=database_url,
        attachments_dir=tmp_path_factory.mktemp("attachments"),
        access_log=False,
        rate_limit_per_minute=100_000,
        rate_limit_unauthenticated_per_minute=100_000,
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings)
    yield application
    await application.state.database.dispose()


@pytest.fixture(scope="session")
async def database(app: Any) -> Database:
    result: Database = app.state.database
    return result


NewKey = Callable[[], Awaitable[str]]


@pytest.fixture
async def new_api_key(app: Any, database: Database) -> NewKey:
    """Makes a new workspace and returns its API key."""

    async def make() -> str:
        async with database.transaction(write=True) as session:
            issued = await workspaces.issue_key(
                session, app.state.key_hasher, f"ws-{uuid.uuid4().hex}", "test"
            )
        return issued.secret

    return make


async def workspace_id_of(database: Database, api_key: str) -> str:
    """The id of the workspace ``api_key`` belongs to (keys hashed with the run's secret)."""
    async with database.transaction(write=False) as session:
        key = await workspaces.authenticate(session, workspaces.key_hasher(Settings()), api_key)
    assert key is not None
    return key.workspace_id


def make_client(app: Any, api_key: str | None) -> httpx.AsyncClient:
    headers = {"x-api-key": api_key} if api_key else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://talentbase.test", headers=headers
    )


@pytest.fixture
async def client(app: Any, new_api_key: NewKey) -> AsyncIterator[httpx.AsyncClient]:
    """A client authenticated for a workspace of its own."""
    async with make_client(app, await new_api_key()) as http:
        yield http


@pytest.fixture
def read_row(database_url: str) -> Iterator[Callable[[str], dict[str, Any] | None]]:
    """Reads a candidate's stored row as it is in the database (for byte-for-byte checks)."""
    engine = create_engine(sync_url(database_url))

    def read(candidate_id: str) -> dict[str, Any] | None:
        with engine.connect() as connection:
            row = (
                connection.execute(
                    text("SELECT * FROM candidates WHERE id = :id"), {"id": candidate_id}
                )
                .mappings()
                .first()
            )
        return dict(row) if row is not None else None

    yield read
    engine.dispose()


# API.md §2.1: the body keys that `null` clears; `null` on any other key is a 400
NULLABLE_PATCH_FIELDS = (
    "gender",
    "visibleIfClientContact",
    "dateOfBirth",
    "lastInteractionAt",
    "lastInteractionWithId",
    "middleName",
    "secondLastName",
    "compensation",
    "mainContact",
)


def count_candidates_named(database_url: str, last_name: str) -> int:
    """How many stored candidates (any workspace) have this last name."""
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT count(*) FROM candidates WHERE last_name = :name"),
                    {"name": last_name},
                ).scalar_one()
            )
    finally:
        engine.dispose()


async def create_user(http: httpx.AsyncClient, name: str, email: str) -> dict[str, Any]:
    """POST /users and return the user."""
    response = await http.post("/users", json={"name": name, "email": email})
    assert response.status_code == 201, response.text
    user: dict[str, Any] = response.json()
    return user


async def create_candidate(http: httpx.AsyncClient, **fields: Any) -> str:
    """POST /candidates and return the id."""
    body = {"firstName": "Jane", "lastName": "Roe", **fields}
    response = await http.post("/candidates", json=body)
    assert response.status_code == 201, response.text
    candidate_id: str = response.json()
    return candidate_id


ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def recorded_statements(database: Database) -> Iterator[list[str]]:
    """The SQL statements the app's engine sends while the block runs, in order, each with its
    whitespace collapsed to single spaces."""
    statements: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(" ".join(statement.split()))

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture(scope="module")
def explainer(database_url: str) -> Iterator[Engine]:
    """A plain synchronous engine on the test database, for ``EXPLAIN`` of captured SQL."""
    engine = create_engine(sync_url(database_url))
    yield engine
    engine.dispose()
