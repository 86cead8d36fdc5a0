"""Several writes of one change sent to the database as one round trip where it can take them.

A PATCH writes up to six kinds of rows (the candidate, its search row, its identifiers, the
history entry and the outbox event). Through the ORM's flush each is its own statement, and on
this machine a statement costs about 0.5 ms of the server's CPU (bench/README.md, issue 7),
more than the rules of the PATCH together. ``WriteBatch`` collects Core ``INSERT``, ``UPDATE``
and ``DELETE`` statements with their parameters and sends them:

- on PostgreSQL (and PostgreSQL-wire engines with data-modifying ``WITH``) as one statement,
  each write a ``WITH`` part, which the statement runs to completion;
- elsewhere (SQLite) one after the other, in the order added, in one call on the driver's
  thread.

Either way they run in the caller's transaction, and ``send`` returns each write's row count.

The statements are built once per shape, with named bind parameters (``bound``), and their
parameters are passed apart (``prefixed``): building a statement with its values bound in it,
and working out its cache key, cost more than running it. Each write is also compiled once for
the session's dialect to the driver's own SQL (``%s`` placeholders, numbered ``$1``… for its
place in the PostgreSQL statement and sent through psycopg's raw cursor; ``?`` for sqlite3),
with its parameter order and each parameter's conversion, and ``send`` hands the driver that
SQL and the converted values directly. SQLAlchemy's execution layer (cache key, parameter
processing, result set-up), psycopg's parsing of named placeholders (repeated for every
statement over 4 096 characters) and, on aiosqlite, three or four hand-overs to its thread
per statement cost more than the database's work on these rows (bench/README.md, fifth round).
The engine's ``before_cursor_execute`` listeners are still told each statement, and a database
error is raised as the ``DBAPIError`` subclass SQLAlchemy would raise. A write must not use an
expanding (``IN``-list) parameter, whose SQL depends on the list's length: build one write per
length instead.

The parameter names of one batch's writes must differ (each kind of write has its own prefix).
The parts of one PostgreSQL statement share one snapshot and do not see each other's rows: the
writes of a batch must not depend on each other's effects (no two writes of one row, no read of
a row written in it).
"""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import psycopg
from sqlalchemy import (
    BindParameter,
    Delete,
    FromClause,
    Insert,
    Update,
    bindparam,
    literal_column,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from talentbase.db.writer_lock import Claim, WriterLock

Write = Insert | Update | Delete
# a write built once and the parameters of one use of it
Staged = tuple[Write, dict[str, Any]]


def bound(prefix: str, table: FromClause, columns: Iterable[str]) -> dict[str, BindParameter[Any]]:
    """``{column: bind parameter named prefix + column}``, typed as the column, for the
    ``values`` of a write built once. An ``INSERT`` must bind every column: inside a ``WITH``
    the columns' Python-side defaults are not filled in."""
    return {name: bindparam(prefix + name, type_=table.c[name].type) for name in columns}


def prefixed(prefix: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of a write built with ``bound(prefix, …)``, from ``{column: value}``."""
    return {prefix + name: value for name, value in values.items()}


@lru_cache(maxsize=512)
def _counted(write: Write) -> Write:
    """``write`` answering one row per row it wrote, for a ``WITH`` part to be counted."""
    return write.returning(literal_column("1"))


_REQUIRED = object()


@dataclass(frozen=True)
class _DriverSql:
    """A statement compiled once for one dialect: the driver's SQL, the names of its
    positional parameters in order, for each the conversion the dialect applies to its value
    (None: passed as is) and the value bound in the statement itself (``_REQUIRED``: none)."""

    sql: str
    names: tuple[str, ...]
    converters: tuple[Callable[[Any], Any] | None, ...]
    defaults: tuple[Any, ...]

    def values(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        """The positional values for ``params`` (parameter name -> value). Raises
        ``KeyError`` for a parameter the statement needs and ``params`` lacks."""
        values = []
        for name, convert, default in zip(self.names, self.converters, self.defaults, strict=True):
            value = params[name] if default is _REQUIRED else params.get(name, default)
            values.append(value if convert is None else convert(value))
        return tuple(values)


@lru_cache(maxsize=8)
def _formatted(dialect: Dialect) -> Dialect:
    """``dialect`` compiling to ``%s`` placeholders, which ``_send_postgresql`` numbers
    (``$1``…) for its place in the statement; the types' conversions stay the dialect's."""
    formatted = copy.copy(dialect)
    formatted.paramstyle = "format"
    formatted.positional = True
    return formatted


@lru_cache(maxsize=512)
def _compiled(statement: Write, dialect: Dialect) -> _DriverSql:
    """``statement`` compiled for ``dialect`` (``_DriverSql``; on PostgreSQL with ``%s``
    placeholders, see ``_formatted``). Raises ``ValueError`` for an expanding parameter, whose
    SQL depends on each use's list."""
    target = _formatted(dialect) if dialect.name == "postgresql" else dialect
    compiled = statement.compile(dialect=target)
    names = tuple(compiled.positiontup or ())
    binds = [compiled.binds[name] for name in names]
    if any(bind.expanding for bind in compiled.binds.values()):
        raise ValueError(f"an expanding parameter in a batched write: {compiled.string}")
    return _DriverSql(
        sql=compiled.string,
        names=names,
        converters=tuple(bind.type.dialect_impl(dialect).bind_processor(dialect) for bind in binds),
        defaults=tuple(_REQUIRED if bind.required else bind.effective_value for bind in binds),
    )


class WriteBatch:
    """Writes staged for one round trip (module docstring): ``add`` them in the order they
    would run one by one, then ``send`` once."""

    def __init__(self) -> None:
        self._writes: list[Write] = []
        self._params: list[Mapping[str, Any]] = []

    def add(self, write: Write, params: Mapping[str, Any]) -> int:
        """Stages ``write`` (built once, with bind parameters) with its ``params``; returns
        its index in ``send``'s answer. Raises ``ValueError`` when a parameter name is taken
        by a write already staged."""
        for earlier in self._params:
            if not earlier.keys().isdisjoint(params):
                raise ValueError(f"parameter names shared in one batch: {sorted(params)}")
        self._writes.append(write)
        self._params.append(params)
        return len(self._writes) - 1

    async def send(self, session: AsyncSession) -> list[int]:
        """Runs the staged writes in the session's transaction; returns the row count of
        each, in the order added. The batch is empty afterwards. Errors of the database
        (a constraint) propagate as SQLAlchemy's ``DBAPIError`` (``IntegrityError``…)."""
        writes, self._writes = self._writes, []
        params, self._params = self._params, []
        if not writes:
            return []
        connection = await session.connection()
        dialect = connection.dialect
        if dialect.name == "postgresql":
            parts = [_compiled(_counted(write), dialect) for write in writes]
            return await _send_postgresql(connection, parts, params)
        statements = [_compiled(write, dialect) for write in writes]
        return await _send_sqlite(connection, statements, params)

    async def send_committing(
        self, session: AsyncSession, lock: WriterLock, required: Iterable[int]
    ) -> list[int] | None:
        """SQLite: the session's transaction has only read; the staged writes become a
        transaction of their own, whole in one call on the driver's thread: end the reading,
        take ``lock``, ``BEGIN IMMEDIATE``, the writes, ``COMMIT`` when each write of
        ``required`` (indexes, in the order added) wrote a row, else ``ROLLBACK``; let the lock
        go. Returns the row counts, or None when it rolled back. A database error rolls back
        and propagates as in ``send``. The batch is empty afterwards. A caller cancelled
        meanwhile (its request's timeout) leaves nothing written: the thread stops waiting
        for the lock, or rolls back instead of committing, unless its ``COMMIT`` had already
        begun.

        The session's own transaction is left open with nothing in it, for its commit or
        rollback (a no-op on the driver). Neither the event loop nor another request runs
        while the lock is held: the lock covers SQLite's work on these rows alone, which is
        what lets two processes write one file in turn (bench/README.md, sixth round)."""
        writes, self._writes = self._writes, []
        params, self._params = self._params, []
        connection = await session.connection()
        statements = [_compiled(write, connection.dialect) for write in writes]
        driver = await _driver(connection)
        prepared = _prepared(connection, statements, params)
        claim = Claim()
        try:
            counts: list[int] | None = await driver._execute(
                _run_committing, driver._conn, prepared, lock, tuple(required), claim
            )
        except _WriteFailed as failed:
            raise _raised(connection, failed.sql, failed.error) from failed.error
        except BaseException:
            # cancelled (the request's timeout): the thread goes on, but must not commit
            claim.abandon()
            raise
        return counts


def _told(connection: AsyncConnection, sql: str, values: Sequence[Any]) -> None:
    """Tells the engine's ``before_cursor_execute`` listeners (statement recorders) what is
    about to be sent, as SQLAlchemy's own execution would."""
    sync = connection.sync_connection
    if sync is not None:
        sync.dispatch.before_cursor_execute(sync, None, sql, values, None, False)


async def _driver(connection: AsyncConnection) -> Any:
    """The driver's own connection under the session's (psycopg's, aiosqlite's)."""
    driver = (await connection.get_raw_connection()).driver_connection
    if driver is None:
        raise RuntimeError("the session's connection has no driver connection")
    return driver


def _raised(connection: AsyncConnection, sql: str, error: Exception) -> Exception:
    """The driver's ``error`` as SQLAlchemy raises it (``IntegrityError``…), without the
    parameters (they hold personal data)."""
    dialect = connection.dialect
    return DBAPIError.instance(
        sql, None, error, dialect.loaded_dbapi.Error, hide_parameters=True, dialect=dialect
    )


async def _send_postgresql(
    connection: AsyncConnection, parts: list[_DriverSql], params: list[Mapping[str, Any]]
) -> list[int]:
    """One statement, each write a ``WITH`` part, answering their row counts. It is put
    together from the parts' SQL, each compiled once, on every call: the writes of a change
    vary (changed columns, identifiers kept and gone), and a statement compiled per
    combination was compiled again for about one PATCH in ten (bench/README.md, fifth
    round)."""
    sql: list[str] = []
    values: list[Any] = []
    for index, (part, part_params) in enumerate(zip(parts, params, strict=True)):
        numbers = tuple(
            f"${number}" for number in range(len(values) + 1, len(values) + 1 + len(part.names))
        )
        sql.append(f"write_{index} AS ({part.sql % numbers})")
        values.extend(part.values(part_params))
    # only compiled SQL and numbers go into the text; the values are bound
    counts = ", ".join(f"(SELECT count(*) FROM write_{index})" for index in range(len(parts)))  # noqa: S608
    statement = f"WITH {', '.join(sql)} SELECT {counts}"
    _told(connection, statement, values)
    driver = await _driver(connection)
    try:
        async with psycopg.AsyncRawCursor(driver) as cursor:
            await cursor.execute(statement, values)
            row = await cursor.fetchone()
    except psycopg.Error as error:
        raise _raised(connection, statement, error) from error
    assert row is not None  # one row of counts, always
    return [int(count) for count in row]


async def _send_sqlite(
    connection: AsyncConnection, statements: list[_DriverSql], params: list[Mapping[str, Any]]
) -> list[int]:
    """The writes one after the other in one call on aiosqlite's thread. Through SQLAlchemy
    each statement is three or four hand-overs to that thread and back, and a PATCH holds
    the SQLite write lock while the event loop waits for them (bench/README.md, fifth
    round). aiosqlite has no public call for running a function on its thread; its
    ``_execute`` (0.20 to 0.22) is what its own ``execute`` uses."""
    driver = await _driver(connection)
    prepared = _prepared(connection, statements, params)
    try:
        counts: list[int] = await driver._execute(_run_all, driver._conn, prepared)
    except _WriteFailed as failed:
        raise _raised(connection, failed.sql, failed.error) from failed.error
    return counts


def _prepared(
    connection: AsyncConnection, statements: list[_DriverSql], params: list[Mapping[str, Any]]
) -> list[tuple[str, tuple[Any, ...]]]:
    """Each write's SQL with its values in the driver's order, told to the listeners."""
    prepared = []
    for statement, values in zip(statements, params, strict=True):
        positional = statement.values(values)
        _told(connection, statement.sql, positional)
        prepared.append((statement.sql, positional))
    return prepared


class _WriteFailed(Exception):
    """A write of a SQLite batch failed: its SQL and the driver's error."""

    def __init__(self, sql: str, error: sqlite3.Error) -> None:
        super().__init__(sql)
        self.sql = sql
        self.error = error


def _run_all(
    sqlite_connection: sqlite3.Connection, statements: list[tuple[str, tuple[Any, ...]]]
) -> list[int]:
    """On aiosqlite's thread: runs ``statements`` in order, answers their row counts; raises
    ``_WriteFailed`` at the first that fails (the caller's transaction is then rolled
    back)."""
    counts = []
    for sql, values in statements:
        try:
            counts.append(sqlite_connection.execute(sql, values).rowcount)
        except sqlite3.Error as error:
            raise _WriteFailed(sql, error) from error
    return counts


def _run_committing(
    sqlite_connection: sqlite3.Connection,
    statements: list[tuple[str, tuple[Any, ...]]],
    lock: WriterLock,
    required: tuple[int, ...],
    claim: Claim,
) -> list[int] | None:
    """On aiosqlite's thread: ``WriteBatch.send_committing``'s transaction."""
    if sqlite_connection.in_transaction:
        # a reader cannot become SQLite's writer once another has committed since it began
        _run_control(sqlite_connection, "COMMIT")
    try:
        if not lock.hold(claim.abandoned):
            return None
    except sqlite3.Error as error:
        raise _WriteFailed("BEGIN IMMEDIATE", error) from error
    try:
        _run_control(sqlite_connection, "BEGIN IMMEDIATE")
        try:
            counts = _run_all(sqlite_connection, statements)
            if all(counts[index] for index in required) and claim.finalize():
                _run_control(sqlite_connection, "COMMIT")
                return counts
        except BaseException:
            if sqlite_connection.in_transaction:
                sqlite_connection.execute("ROLLBACK")
            raise
        sqlite_connection.execute("ROLLBACK")
        return None
    finally:
        lock.let_go()


def _run_control(sqlite_connection: sqlite3.Connection, sql: str) -> None:
    try:
        sqlite_connection.execute(sql)
    except sqlite3.Error as error:
        raise _WriteFailed(sql, error) from error
