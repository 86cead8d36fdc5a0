"""Engine, sessions and the per-request transaction.

One ``Database`` per app. SQLite has a single writer: concurrent writers on pooled connections
busy-wait (p99 about 1 s at 16 writers, performance-facts.md), so write requests on SQLite take
an in-process lock for their whole transaction; readers run in parallel under WAL. Across
processes (``serve --workers``) a write transaction begins with ``BEGIN IMMEDIATE``: it takes
SQLite's write lock up front, waiting (busy timeout) for another process's writer, instead of
reading first and failing with "database is locked" when it tries to upgrade. PostgreSQL uses
a fixed pool (no overflow churn) and row locks (``SELECT ... FOR NO KEY UPDATE``) instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from talentbase.db.urls import async_url, is_sqlite

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=10000",
)


WRITE_OPTION = "talentbase_write"


def _take_over_sqlite_transactions(dbapi_connection: Any, _record: Any) -> None:
    """The driver stops emitting its own (deferred) BEGIN; ``_begin_sqlite`` does it."""
    dbapi_connection.isolation_level = None


def _begin_sqlite(connection: Any) -> None:
    """``BEGIN IMMEDIATE`` for write transactions (marked with ``WRITE_OPTION``), else BEGIN."""
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def apply_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Connection hook: WAL, foreign keys on, a busy timeout (API.md stack: SQLite WAL, FKs on)."""
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


class Database:
    """The engine, session factory and SQLite write lock of one application instance.

    ``url`` is the user-facing URL (``sqlite:///...`` or ``postgresql://...``).
    """

    def __init__(self, url: str, *, pool_size: int = 20, timeout_seconds: float = 30.0) -> None:
        self.url = url
        self.timeout_seconds = timeout_seconds
        self.is_sqlite = is_sqlite(url)
        # error messages (and so logs) never carry statement parameters: they hold personal data
        kwargs: dict[str, Any] = {"hide_parameters": True, "pool_timeout": timeout_seconds}
        if self.is_sqlite:
            kwargs["pool_size"] = 5
            kwargs["max_overflow"] = 0
        else:
            kwargs["pool_size"] = pool_size
            kwargs["max_overflow"] = 0
        self.engine: AsyncEngine = create_async_engine(async_url(url), **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", apply_sqlite_pragmas)
            event.listen(self.engine.sync_engine, "connect", _take_over_sqlite_transactions)
            event.listen(self.engine.sync_engine, "begin", _begin_sqlite)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    @contextlib.asynccontextmanager
    async def transaction(self, *, write: bool) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits when the block succeeds, rolls back on any exception.

        ``write=True`` serialises the block against other writers of this process on SQLite.
        The whole unit (waiting for the lock and for a connection included) must finish within
        ``timeout_seconds``, else it is cancelled and ``TimeoutError`` raised: a database that
        stops answering must not hold requests forever.
        """
        async with asyncio.timeout(self.timeout_seconds):
            async with self._unit(write=write) as session:
                yield session

    @contextlib.asynccontextmanager
    async def _unit(self, *, write: bool) -> AsyncIterator[AsyncSession]:
        lock = self._write_lock if write else None
        if lock is not None:
            await lock.acquire()
        try:
            async with self.sessionmaker() as session:
                if lock is not None:
                    await session.connection(execution_options={WRITE_OPTION: True})
                try:
                    yield session
                except BaseException:
                    await session.rollback()
                    raise
                await session.commit()
        finally:
            if lock is not None:
                lock.release()

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
