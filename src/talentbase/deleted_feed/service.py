"""The deleted feed (issue 4 §2): the tombstones that ``DELETE /candidates/{id}`` and a merge
leave, so a sync client can remove what is gone. Same cursor style as ``GET /candidates``
(``api.pagination``), over ``(deletedAt, id)``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.pagination import CursorQuery
from talentbase.candidates.models import DeletedCandidate
from talentbase.deleted_feed import repository
from talentbase.views import iso


def _item(tombstone: DeletedCandidate) -> dict[str, Any]:
    return {
        "id": tombstone.id,
        "deletedAt": iso(tombstone.deleted_at),
        "mergedInto": tombstone.merged_into_id,
    }


async def deleted_candidates(
    session: AsyncSession, workspace_id: str, query: CursorQuery
) -> dict[str, Any]:
    """``{items: [{id, deletedAt, mergedInto}], pageInfo}``: the workspace's candidates
    deleted at or after ``query.modified_since`` (the ``since`` parameter), oldest first, ties
    by id, one cursor page."""
    found = await repository.page(session, workspace_id, query)
    return {"items": [_item(row) for row in found.rows], "pageInfo": found.page_info()}
