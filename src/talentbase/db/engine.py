"""Engine, sessions and the per-request transaction.

One ``Database`` per app. SQLite has a single writer: concurrent writers on pooled connections
busy-wait (p99 about 1 s at 16 writers, performance-facts.md), so write requests on SQLite take
an in-process lock for their whole transaction; readers run in parallel under WAL. A write
transaction then begins, on the driver's thread, by taking the ``WriterLock``
(``db.writer_lock``: the threads and processes on the file in turn, handed over at release
or within a millisecond, where SQLite's busy handler sleeps up to 100 ms between tries) and
``BEGIN IMMEDIATE``: SQLite's write lock up front, instead of reading first and failing with
"database is locked" when it tries to upgrade. PostgreSQL uses a fixed pool (no overflow
churn) and row locks (``SELECT ... FOR NO KEY UPDATE``) instead.

A write transaction opened with ``lock_late`` (a PATCH of a candidate) reads without the lock on
SQLite: the PATCH writes its change in one call that takes the ``WriterLock``, begins, writes
at the version it read and commits (``WriteBatch.send_committing``), so the lock covers
SQLite's work on its rows and not the reading, validation and rules before them, nor the event
loop's turns in between; other requests, and other worker processes, write meanwhile. When the
candidate changed since its read, it rolls back and does the work again under the lock
(``begin_writing``, ``reads_unlocked``). On PostgreSQL it is an ordinary write transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_only

from talentbase import jsontext
from talentbase.db.urls import async_url, is_sqlite, sqlite_path
from talentbase.db.writer_lock import WriterLock

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=10000",
)


# execution option of a write transaction's connection on SQLite: its ``_WriteHold``
WRITE_OPTION = "talentbase_write"
# the session's ``_LateLock`` (in ``session.info``) when it takes the write lock late
_LATE_LOCK = "talentbase_late_lock"


def _take_over_sqlite_transactions(dbapi_connection: Any, _record: Any) -> None:
    """The driver stops emitting its own (deferred) BEGIN; ``_begin_sqlite`` does it."""
    dbapi_connection.isolation_level = None


class _WriteHold:
    """A write transaction's hold of the ``WriterLock``: taken on the driver's thread with its
    ``BEGIN IMMEDIATE`` (``_begin_sqlite``), so that a connection is in hand before the lock
    is (a lock holder waiting for a pooled connection, while the pool's connections wait for
    the lock, would be a deadlock), and let go when the transaction's unit ends."""

    def __init__(self, lock: WriterLock) -> None:
        self.lock = lock
        self.held = False
        self._abandoned = False
        self._guard = threading.Lock()

    def take(self) -> bool:
        """On the driver's thread: takes the lock (once per unit); False when the caller
        has given up waiting meanwhile (nothing is then held). Raises
        ``sqlite3.OperationalError`` when it waited longer than SQLite's busy timeout."""
        if self.held:
            return True
        if not self.lock.hold(lambda: self._abandoned):
            return False
        with self._guard:
            if self._abandoned:
                self.lock.let_go()
                return False
            self.held = True
        return True

    def abandon(self) -> None:
        """The caller stopped waiting for ``take`` (cancelled): a ``take`` still waiting stops
        and one still to come lets the lock go; one done already is let go by ``release``."""
        with self._guard:
            self._abandoned = True

    def release(self) -> None:
        with self._guard:
            if self.held:
                self.held = False
                self.lock.let_go()


def _begin_immediate(sqlite_connection: sqlite3.Connection, hold: _WriteHold) -> None:
    """On aiosqlite's thread: the writer lock, then SQLite's own."""
    if hold.take():
        sqlite_connection.execute("BEGIN IMMEDIATE")


def _begin_sqlite(connection: Any) -> None:
    """``BEGIN IMMEDIATE`` under the writer lock for write transactions (marked with
    ``WRITE_OPTION``), else ``BEGIN``."""
    hold: _WriteHold | None = connection.get_execution_options().get(WRITE_OPTION)
    if hold is None:
        connection.exec_driver_sql("BEGIN")
        return
    driver = connection.connection.driver_connection
    # in the session's greenlet, as SQLAlchemy's own driver calls: both waits, on one hop
    try:
        await_only(driver._execute(_begin_immediate, driver._conn, hold))
    except sqlite3.Error as error:
        raise DBAPIError.instance(
            "BEGIN IMMEDIATE", None, error, sqlite3.Error, dialect=connection.dialect
        ) from error
    except BaseException:
        hold.abandon()
        raise


def apply_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Connection hook: WAL, foreign keys on, a busy timeout (API.md stack: SQLite WAL, FKs on)."""
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


class _LateLock:
    """The write lock of a ``lock_late`` transaction on SQLite: not held until
    ``begin_writing``, then held until the unit ends."""

    def __init__(self, in_process: asyncio.Lock, hold: _WriteHold) -> None:
        self.in_process = in_process
        self.hold = hold
        self.held = False

    async def take(self, session: AsyncSession) -> None:
        if not self.held:
            # a read transaction cannot become SQLite's writer once another connection has
            # written since it began: end it, and begin anew with ``BEGIN IMMEDIATE``
            if session.in_transaction():
                await session.commit()
            await self.in_process.acquire()
            self.held = True
        if not session.in_transaction():
            await session.connection(execution_options={WRITE_OPTION: self.hold})


async def begin_writing(session: AsyncSession) -> None:
    """Makes sure the session's transaction may write: in a ``lock_late`` transaction on
    SQLite, ends its reading and begins a write transaction under the write lock (the
    process's writers in turn, then the ``WriterLock`` and ``BEGIN IMMEDIATE``); after a
    rollback, begins the next one under the lock still held. Anywhere else nothing happens.
    What the session read before may have changed since (``reads_unlocked``); its objects
    are kept (``expire_on_commit`` is off)."""
    late: _LateLock | None = session.info.get(_LATE_LOCK)
    if late is not None:
        await late.take(session)


def reads_unlocked(session: AsyncSession) -> bool:
    """Whether what the session has read may change before its writes: a ``lock_late``
    transaction on SQLite before ``begin_writing``. Its writes must check what they rely on
    (a version); when that changed, the caller rolls back and redoes the work, reading again
    under the lock, which it holds from then on."""
    late: _LateLock | None = session.info.get(_LATE_LOCK)
    return late is not None and not (late.held and session.in_transaction())


def commit_lock(session: AsyncSession) -> WriterLock | None:
    """The writer lock for writes that commit alone, on the driver's thread
    (``WriteBatch.send_committing``): that of a ``lock_late`` transaction on SQLite that has
    not taken the write lock yet (``reads_unlocked``). None anywhere else."""
    late: _LateLock | None = session.info.get(_LATE_LOCK)
    if late is None or not reads_unlocked(session):
        return None
    return late.hold.lock


class Database:
    """The engine, session factory and SQLite write lock of one application instance.

    ``url`` is the user-facing URL (``sqlite:///...`` or ``postgresql://...``).
    """

    def __init__(self, url: str, *, pool_size: int = 20, timeout_seconds: float = 30.0) -> None:
        self.url = url
        self.timeout_seconds = timeout_seconds
        self.is_sqlite = is_sqlite(url)
        # error messages (and so logs) never carry statement parameters: they hold personal data
        kwargs: dict[str, Any] = {
            "hide_parameters": True,
            "pool_timeout": timeout_seconds,
            "json_serializer": jsontext.dumps,
            "json_deserializer": jsontext.loads,
        }
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
        # SQLite's writers: this process's in turn, then every thread's and process's
        self._in_process_writers = asyncio.Lock()
        self._writer_lock = WriterLock(sqlite_path(url)) if self.is_sqlite else None

    @contextlib.asynccontextmanager
    async def transaction(
        self, *, write: bool, lock_late: bool = False
    ) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits when the block succeeds, rolls back on any exception.

        ``write=True`` serialises the block against other writers of this process on SQLite;
        with ``lock_late`` only from its ``begin_writing`` on (see the module's docstring).
        The whole unit (waiting for the lock and for a connection included) must finish within
        ``timeout_seconds``, else it is cancelled and ``TimeoutError`` raised: a database that
        stops answering must not hold requests forever.
        """
        async with asyncio.timeout(self.timeout_seconds):
            async with self._unit(write=write, lock_late=lock_late) as session:
                yield session

    @contextlib.asynccontextmanager
    async def _unit(self, *, write: bool, lock_late: bool) -> AsyncIterator[AsyncSession]:
        if not write or self._writer_lock is None:
            async with self._plain_unit() as session:
                yield session
            return
        hold = _WriteHold(self._writer_lock)
        late = _LateLock(self._in_process_writers, hold) if lock_late else None
        in_process = late is None

        def unlock() -> None:
            # as soon as the transaction has ended: the session's closing needs no lock
            nonlocal in_process
            hold.release()
            if late is not None and late.held:
                late.held = False
                self._in_process_writers.release()
            if in_process:
                in_process = False
                self._in_process_writers.release()

        if in_process:
            await self._in_process_writers.acquire()

        async def begin(session: AsyncSession) -> None:
            if late is not None:
                session.info[_LATE_LOCK] = late
            else:
                await session.connection(execution_options={WRITE_OPTION: hold})

        try:
            async with self._plain_unit(begin, ended=unlock) as session:
                yield session
        finally:
            unlock()

    @contextlib.asynccontextmanager
    async def _plain_unit(
        self,
        begin: Callable[[AsyncSession], Awaitable[None]] | None = None,
        ended: Callable[[], None] | None = None,
    ) -> AsyncIterator[AsyncSession]:
        """A session whose block commits, or rolls back on an exception; ``begin`` runs on it
        first, ``ended`` as soon as its transaction has ended (before the session closes)."""
        async with self.sessionmaker() as session:
            if begin is not None:
                await begin(session)
            try:
                try:
                    yield session
                except BaseException:
                    await session.rollback()
                    raise
                await session.commit()
            finally:
                if ended is not None:
                    ended()

    async def dispose(self) -> None:
        """Close every pooled connection (and the write lock's file)."""
        await self.engine.dispose()
        if self._writer_lock is not None:
            self._writer_lock.close()
