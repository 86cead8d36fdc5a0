"""SQL for the candidate history. Every query filters by workspace (API.md §1)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import exists, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.pagination import CursorPage, CursorQuery, cursor_page
from talentbase.candidates.models import Candidate, DeletedCandidate
from talentbase.db.batch import Staged, bound, prefixed
from talentbase.history.models import HistoryEntry


def add(session: AsyncSession, entry: HistoryEntry) -> None:
    """Stages a history row in the session's transaction (it commits with the change)."""
    session.add(entry)


def insert_entry(row: Mapping[str, Any]) -> Staged:
    """The ``INSERT`` of one history row (``row``: every column's value), for a
    ``WriteBatch``."""
    return _INSERT_ENTRY, prefixed("h_", row)


_INSERT_ENTRY = insert(HistoryEntry).values(
    bound("h_", HistoryEntry.__table__, HistoryEntry.__table__.c.keys())
)


async def entries_of(
    session: AsyncSession, workspace_id: str, candidate_id: str
) -> list[HistoryEntry]:
    """Every history entry of the candidate (one query; unordered)."""
    rows = await session.scalars(
        select(HistoryEntry).where(
            HistoryEntry.workspace_id == workspace_id, HistoryEntry.candidate_id == candidate_id
        )
    )
    return list(rows)


async def page(
    session: AsyncSession, workspace_id: str, candidate_id: str, query: CursorQuery
) -> CursorPage[HistoryEntry]:
    """One page of the candidate's history, newest first (``(at, id)`` descending; ``at``
    grows with the version, so this is version order)."""
    return await cursor_page(
        session,
        select(HistoryEntry).where(
            HistoryEntry.workspace_id == workspace_id, HistoryEntry.candidate_id == candidate_id
        ),
        HistoryEntry.at,
        HistoryEntry.id,
        query,
        descending=True,
    )


async def candidate_known(session: AsyncSession, workspace_id: str, candidate_id: str) -> bool:
    """Whether the id names a candidate of the workspace, living or deleted (a tombstone or
    history rows remain), in one query."""
    known = or_(
        exists().where(Candidate.workspace_id == workspace_id, Candidate.id == candidate_id),
        exists().where(
            DeletedCandidate.workspace_id == workspace_id, DeletedCandidate.id == candidate_id
        ),
        exists().where(
            HistoryEntry.workspace_id == workspace_id, HistoryEntry.candidate_id == candidate_id
        ),
    )
    return bool(await session.scalar(select(known)))
