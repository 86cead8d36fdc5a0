"""Several writes of one change sent to the database as one round trip where it can take them.

A PATCH writes up to six kinds of rows (the candidate, its search row, its identifiers, the
history entry and the outbox event). Through the ORM's flush each is its own statement, and on
this machine a statement costs about 0.5 ms of the server's CPU (bench/README.md, issue 7),
more than the rules of the PATCH together. ``WriteBatch`` collects Core ``INSERT``, ``UPDATE``
and ``DELETE`` statements with their parameters and sends them:

- on PostgreSQL (and PostgreSQL-wire engines with data-modifying ``WITH``) as one statement,
  each write a ``WITH`` part, which the statement runs to completion;
- elsewhere (SQLite) one after the other, in the order added, on the session's connection.

Either way they run in the caller's transaction, and ``send`` returns each write's row count.

The statements are built once per shape, with named bind parameters (``bound``), and their
parameters are passed apart (``prefixed``): building a statement with its values bound in it,
and working out its cache key, cost more than running it. The parameter names of one batch's
writes must differ (each kind of write has its own prefix). The parts of one PostgreSQL
statement share one snapshot and do not see each other's rows: the writes of a batch must not
depend on each other's effects (no two writes of one row, no read of a row written in it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Delete,
    FromClause,
    Insert,
    Select,
    Update,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

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


@lru_cache(maxsize=256)
def _together(writes: tuple[Write, ...]) -> Select[Any]:
    """One statement running ``writes`` as ``WITH`` parts and answering their row counts.
    Cached by the writes themselves (built once each), so the statement and its cache key
    are made once per shape."""
    parts = [
        write.returning(literal_column("1")).cte(f"write_{index}")
        for index, write in enumerate(writes)
    ]
    return select(
        *(
            select(func.count()).select_from(part).scalar_subquery().label(part.name)
            for part in parts
        )
    ).add_cte(*parts)


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
        (a constraint) propagate as SQLAlchemy's ``DBAPIError``."""
        writes, self._writes = self._writes, []
        params, self._params = self._params, []
        if not writes:
            return []
        connection = await session.connection()
        if connection.dialect.name != "postgresql" or len(writes) == 1:
            return [
                (await connection.execute(write, dict(values))).rowcount
                for write, values in zip(writes, params, strict=True)
            ]
        merged: dict[str, Any] = {}
        for values in params:
            merged.update(values)
        row = (await connection.execute(_together(tuple(writes)), merged)).one()
        return [int(count) for count in row]
