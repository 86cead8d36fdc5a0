"""SQL for companies."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.companies.models import Company
from talentbase.db.base import is_id


async def existing_ids(session: AsyncSession, workspace_id: str, ids: Iterable[str]) -> set[str]:
    """The subset of ``ids`` that are companies of the workspace."""
    wanted = {id_ for id_ in ids if is_id(id_)}
    if not wanted:
        return set()
    rows = await session.scalars(
        select(Company.id).where(Company.workspace_id == workspace_id, Company.id.in_(wanted))
    )
    return set(rows)
