"""Database unavailable (issue 6 §6): requests answer 503 in Spott's body with a clear message
and ``Retry-After``, and the server serves again as soon as the database is back."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from talentbase.app import create_app
from talentbase.db import migrate
from talentbase.settings import Settings
from talentbase.workspaces import service as workspaces
from tests.conftest import backend, make_client
from tests.e2e.servers import free_port


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["status"] == 503
    assert body["message"] == "The database is unavailable; nothing was changed. Retry shortly."
    assert body["requestId"] == response.headers["x-request-id"]
    assert response.headers["retry-after"] == "1"


async def _issue_key(app: Any) -> str:
    async with app.state.database.transaction(write=True) as session:
        issued = await workspaces.issue_key(session, app.state.key_hasher, f"ws-{uuid.uuid4()}")
    return issued.secret


async def test_database_unavailable_is_503_and_the_server_recovers(
    tmp_path: Path, settings: Settings, database_url: str
) -> None:
    if backend() == "sqlite":
        await _sqlite_file_unreachable(tmp_path, settings)
    else:
        await _postgres_going_away(settings, database_url)


async def _sqlite_file_unreachable(tmp_path: Path, settings: Settings) -> None:
    """The database file's folder does not exist yet, then does (and is migrated)."""
    folder = tmp_path / "not-there-yet"
    url = f"sqlite:///{folder / 'talentbase.db'}"
    app = create_app(settings.model_copy(update={"database_url": url}))
    try:
        async with make_client(app, "tb_some-key-0123456789abcdef") as http:
            _assert_unavailable(await http.get("/candidates"))
            _assert_unavailable(
                await http.post("/candidates", json={"firstName": "A", "lastName": "B"})
            )
        folder.mkdir()
        migrate.upgrade(url)
        async with make_client(app, await _issue_key(app)) as http:
            response = await http.get("/candidates")
        assert response.status_code == 200
        assert response.json()["items"] == []
    finally:
        await app.state.database.dispose()


class _Proxy:
    """A TCP proxy in front of PostgreSQL that the test can cut and restore."""

    def __init__(self, target_host: str, target_port: int, port: int) -> None:
        self.target = (target_host, target_port)
        self.port = port
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.flowing = asyncio.Event()
        self.flowing.set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def cut(self) -> None:
        """Refuses new connections and drops every open one, like a database going down."""
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()
        self.writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self.writers.update((writer, upstream_writer))

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await source.read(65536):
                    await self.flowing.wait()  # frozen: connections stay open, nothing passes
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))


async def _postgres_going_away(settings: Settings, database_url: str) -> None:
    """PostgreSQL behind a proxy that is cut (open connections dropped), then restored."""
    real = make_url(database_url)
    proxy = _Proxy(real.host or "127.0.0.1", real.port or 5432, free_port())
    await proxy.start()
    proxied = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = create_app(
        settings.model_copy(update={"database_url": proxied, "db_timeout_seconds": 2.0})
    )
    try:
        key = await _issue_key(app)
        async with make_client(app, key) as http:
            assert (await http.get("/candidates")).status_code == 200
            await proxy.cut()
            _assert_unavailable(await http.get("/candidates"))
            _assert_unavailable(
                await http.post("/candidates", json={"firstName": "Ann", "lastName": "Lost"})
            )
            await proxy.start()
            # frozen: the database holds connections open and never answers
            proxy.flowing.clear()
            frozen = await http.get("/candidates")
            assert frozen.status_code == 503, frozen.text
            assert frozen.json()["message"] == (
                "The database did not answer in time; nothing was changed. Retry shortly."
            )
            proxy.flowing.set()
            # the pool drops its dead connections on the first failure; at most one more 503
            statuses = [(await http.get("/candidates")).status_code for _ in range(4)]
            assert statuses[-1] == 200
            assert statuses.count(503) <= 2
            listed = (await http.get("/candidates")).json()["items"]
            assert [item["name"]["lastName"] for item in listed] == []
    finally:
        await app.state.database.dispose()
        await proxy.cut()
