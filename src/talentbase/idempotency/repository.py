"""SQL for idempotency keys. Every change to a claim after it is taken names the attempt's
``token``, so an attempt whose claim was taken over (its lease ran out) changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.idempotency.models import COMMITTED, DONE, IN_FLIGHT, IdempotencyKey


def _where(workspace_id: str, key: str, token: str) -> tuple[Any, ...]:
    return (
        IdempotencyKey.workspace_id == workspace_id,
        IdempotencyKey.key == key,
        IdempotencyKey.token == token,
    )


async def get(
    session: AsyncSession, workspace_id: str, key: str, *, for_update: bool = False
) -> IdempotencyKey | None:
    """The claim of ``key`` in the workspace, if any; ``for_update`` locks it (PostgreSQL)."""
    query = select(IdempotencyKey).where(
        IdempotencyKey.workspace_id == workspace_id, IdempotencyKey.key == key
    )
    if for_update:
        query = query.with_for_update()
    result: IdempotencyKey | None = await session.scalar(query)
    return result


async def claim(
    session: AsyncSession,
    existing: IdempotencyKey | None,
    *,
    workspace_id: str,
    key: str,
    fingerprint: str,
    token: str,
    now: datetime,
    lease_expires_at: datetime,
) -> None:
    """Takes the key for the attempt ``token``: a new claim, or ``existing`` (locked; expired
    or abandoned) overwritten. Flushes, so a concurrent first claim of the same key fails here
    with ``IntegrityError``."""
    if existing is None:
        existing = IdempotencyKey(workspace_id=workspace_id, key=key)
        session.add(existing)
    existing.fingerprint = fingerprint
    existing.state = IN_FLIGHT
    existing.token = token
    existing.created_at = now
    existing.lease_expires_at = lease_expires_at
    existing.response_status = None
    existing.response_headers = None
    existing.response_body = None
    await session.flush()


async def _changed(session: AsyncSession, statement: Any) -> bool:
    result = cast(
        CursorResult[Any],
        await session.execute(statement.execution_options(synchronize_session=False)),
    )
    return result.rowcount > 0


async def mark_committed(
    session: AsyncSession, workspace_id: str, key: str, token: str, lease_expires_at: datetime
) -> bool:
    """Marks the attempt's claim committed (in the request's own transaction) and extends its
    lease over storing the answer; False when the attempt no longer holds the key."""
    return await _changed(
        session,
        update(IdempotencyKey)
        .where(*_where(workspace_id, key, token), IdempotencyKey.state == IN_FLIGHT)
        .values(state=COMMITTED, lease_expires_at=lease_expires_at),
    )


async def store_answer(
    session: AsyncSession,
    workspace_id: str,
    key: str,
    token: str,
    *,
    status: int,
    headers: list[list[str]],
    body: bytes,
) -> bool:
    """Stores the attempt's answer (state ``done``); False when it no longer holds the key."""
    return await _changed(
        session,
        update(IdempotencyKey)
        .where(*_where(workspace_id, key, token))
        .values(state=DONE, response_status=status, response_headers=headers, response_body=body),
    )


async def release(
    session: AsyncSession, workspace_id: str, key: str, token: str, now: datetime
) -> None:
    """Gives the key up after a failed attempt: a claim still in flight is deleted, so a retry
    runs again; a committed one (the change stands, its answer was a 5xx) stays, its lease
    ended now, so a retry is told at once that the answer was lost."""
    if await _changed(
        session,
        delete(IdempotencyKey).where(
            *_where(workspace_id, key, token), IdempotencyKey.state == IN_FLIGHT
        ),
    ):
        return
    await _changed(
        session,
        update(IdempotencyKey)
        .where(*_where(workspace_id, key, token), IdempotencyKey.state == COMMITTED)
        .values(lease_expires_at=now),
    )


async def purge(session: AsyncSession, created_before: datetime) -> None:
    """Deletes every claim (any workspace) created before ``created_before``."""
    await session.execute(
        delete(IdempotencyKey)
        .where(IdempotencyKey.created_at < created_before)
        .execution_options(synchronize_session=False)
    )
