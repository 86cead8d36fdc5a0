"""SQL for the deleted feed. Every query filters by workspace (API.md §1)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.pagination import CursorPage, CursorQuery, cursor_page
from talentbase.candidates.models import DeletedCandidate


async def page(
    session: AsyncSession, workspace_id: str, query: CursorQuery
) -> CursorPage[DeletedCandidate]:
    """One page of the workspace's tombstones in ``(deletedAt, id)`` order: one range of
    ``ix_deleted_candidates_workspace_deleted``."""
    return await cursor_page(
        session,
        select(DeletedCandidate).where(DeletedCandidate.workspace_id == workspace_id),
        DeletedCandidate.deleted_at,
        DeletedCandidate.id,
        query,
    )
