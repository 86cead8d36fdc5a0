"""Engine, sessions and the per-request transaction.

One ``Database`` per app. SQLite has a single writer: concurrent writers on pooled connections
busy-wait (p99 about 1 s at 16 writers, performance-facts.md), so write requests on SQLite take
an in-process lock for their whole transaction; readers run in parallel under WAL. PostgreSQL
uses a fixed pool (no overflow churn) and row locks (``SELECT ... FOR UPDATE``) instead.
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

    def __init__(self, url: str, *, pool_size: int = 20) -> None:
        self.url = url
        self.is_sqlite = is_sqlite(url)
        # error messages (and so logs) never carry statement parameters: they hold personal data
        kwargs: dict[str, Any] = {"hide_parameters": True}
        if self.is_sqlite:
            kwargs["pool_size"] = 5
            kwargs["max_overflow"] = 0
        else:
            kwargs["pool_size"] = pool_size
            kwargs["max_overflow"] = 0
        self.engine: AsyncEngine = create_async_engine(async_url(url), **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", apply_sqlite_pragmas)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    @contextlib.asynccontextmanager
    async def transaction(self, *, write: bool) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits when the block succeeds, rolls back on any exception.

        ``write=True`` serialises the block against other writers of this process on SQLite.
        """
        lock = self._write_lock if write else None
        if lock is not None:
            await lock.acquire()
        try:
            async with self.sessionmaker() as session:
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
