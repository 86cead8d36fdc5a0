"""Probes, without an API key and never rate limited (``rate_limit.UNLIMITED_PATHS``):

- ``GET /healthz``: the process is up (no database);
- ``GET /readyz``: the process can serve: the database answers within ``READY_TIMEOUT_SECONDS``
  and its Alembic revision is the head of ``talentbase/db/migrations``. Otherwise 503 in the
  Spott error body, whose message names what is wrong, plus ``database`` and ``migrations``.

The migrations' head is read from the script directory once per process; each ``/readyz``
asks the database for its revision (one small query through the app's pool).
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from typing import Literal

import structlog
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from talentbase.api.errors import ApiError
from talentbase.api.schemas import ErrorBody, Output
from talentbase.db.engine import Database
from talentbase.db.migrate import MIGRATIONS_DIR

router = APIRouter(tags=["health"])
log = structlog.get_logger("talentbase.health")

READY_TIMEOUT_SECONDS = 5.0
DatabaseState = Literal["ok", "unreachable"]
MigrationsState = Literal["current", "behind", "unknown"]


class Health(BaseModel):
    """``{"status": "ok"}``."""

    status: str


class Ready(Output):
    """``{"status": "ready", "database": "ok", "migrations": "current"}``."""

    status: Literal["ready"]
    database: Literal["ok"]
    migrations: Literal["current"]


class NotReadyBody(ErrorBody):
    """The 503 of ``/readyz``: the Spott error body plus the state of each check
    (``migrations`` is ``unknown`` when the database is unreachable, or at a revision this
    version of talentbase does not know)."""

    database: DatabaseState
    migrations: MigrationsState


class NotReady(ApiError):
    """503 from ``/readyz``; ``message`` says what is wrong."""

    def __init__(
        self, message: str, *, database: DatabaseState, migrations: MigrationsState
    ) -> None:
        super().__init__(503, message, extra={"database": database, "migrations": migrations})


@dataclass(frozen=True)
class Migrations:
    """The revisions of the migration scripts this code ships: the head(s) and all known."""

    heads: frozenset[str]
    known: frozenset[str]


@functools.cache
def shipped_migrations() -> Migrations:
    """Read once per process: the scripts do not change while it runs."""
    scripts = ScriptDirectory(str(MIGRATIONS_DIR))
    return Migrations(
        heads=frozenset(scripts.get_heads()),
        known=frozenset(script.revision for script in scripts.walk_revisions()),
    )


@router.get("/healthz", response_model=Health, summary="Liveness")
async def healthz() -> Health:
    """Answers while the process serves requests."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Ready,
    summary="Readiness: database reachable, migrations current",
    responses={
        503: {
            "model": NotReadyBody,
            "description": "The database is unreachable or its migrations are not current",
        }
    },
)
async def readyz(request: Request) -> Ready:
    """200 when the database answers and is migrated to the head this code ships; 503 with the
    reason otherwise (unreachable, no migrations applied, behind, or an unknown revision)."""
    database: Database = request.app.state.database
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            applied = await _applied_revisions(database)
    except (SQLAlchemyError, OSError, TimeoutError) as error:
        log.warning("readiness_database_unreachable", error=type(error).__name__)
        detail = (
            f"did not answer within {READY_TIMEOUT_SECONDS:g} s"
            if isinstance(error, TimeoutError)
            else "refused or failed the connection"
        )
        raise NotReady(
            f"Not ready: the database is unreachable ({detail})",
            database="unreachable",
            migrations="unknown",
        ) from error
    _check_migrations(applied, shipped_migrations())
    return Ready(status="ready", database="ok", migrations="current")


async def _applied_revisions(database: Database) -> frozenset[str]:
    """The revision(s) in the database's ``alembic_version`` (empty when it has none). Read
    directly: Alembic's ``MigrationContext`` would log two lines on every probe."""

    def current_heads(connection: Connection) -> frozenset[str]:
        if not inspect(connection).has_table("alembic_version"):
            return frozenset()
        rows = connection.execute(text("SELECT version_num FROM alembic_version"))
        return frozenset(rows.scalars())

    async with database.engine.connect() as connection:
        return await connection.run_sync(current_heads)


def _check_migrations(applied: frozenset[str], shipped: Migrations) -> None:
    """Raises ``NotReady`` unless ``applied`` is exactly the shipped head(s)."""
    if applied == shipped.heads:
        return
    expected = ", ".join(sorted(shipped.heads))
    if not applied:
        message = (
            "Not ready: the database has no migrations applied "
            f"(expected revision {expected}); run `talentbase migrate`"
        )
        raise NotReady(message, database="ok", migrations="behind")
    at = ", ".join(sorted(applied))
    unknown = applied - shipped.known
    if unknown:
        message = (
            f"Not ready: the database is at revision {at}, which this version of talentbase "
            f"does not know (it expects {expected}); was it migrated by a newer version?"
        )
        raise NotReady(message, database="ok", migrations="unknown")
    message = (
        f"Not ready: database migrations are behind (database at revision {at}, "
        f"expected {expected}); run `talentbase migrate`"
    )
    raise NotReady(message, database="ok", migrations="behind")
