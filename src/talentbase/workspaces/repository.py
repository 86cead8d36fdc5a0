"""SQL for workspaces and API keys."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.workspaces.models import ApiKey, Workspace


async def workspace_by_name(session: AsyncSession, name: str) -> Workspace | None:
    """The workspace called ``name``, if any."""
    result: Workspace | None = await session.scalar(select(Workspace).where(Workspace.name == name))
    return result


async def any_workspace(session: AsyncSession) -> bool:
    """Whether the database holds at least one workspace."""
    return await session.scalar(select(Workspace.id).limit(1)) is not None


async def active_key_by_hash(session: AsyncSession, key_hash: str) -> ApiKey | None:
    """The unrevoked API key with this hash, if any."""
    result: ApiKey | None = await session.scalar(
        select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
    )
    return result


async def key_by_hash(session: AsyncSession, key_hash: str) -> ApiKey | None:
    """The API key with this hash, revoked or not."""
    result: ApiKey | None = await session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))
    return result


def add(session: AsyncSession, row: Workspace | ApiKey) -> None:
    """Stages a new workspace or key for insertion."""
    session.add(row)
