"""SQL for workspaces and API keys."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.db.base import is_id
from talentbase.workspaces.models import ApiKey, ServerSetting, Workspace


async def workspace_by_name(session: AsyncSession, name: str) -> Workspace | None:
    """The workspace called ``name``, if any."""
    result: Workspace | None = await session.scalar(select(Workspace).where(Workspace.name == name))
    return result


async def any_workspace(session: AsyncSession) -> bool:
    """Whether the database holds at least one workspace."""
    return await session.scalar(select(Workspace.id).limit(1)) is not None


# built once: every request runs it
_KEYS_BY_PREFIXES = select(ApiKey).where(ApiKey.prefix.in_(bindparam("prefixes", expanding=True)))


async def keys_by_prefixes(session: AsyncSession, prefixes: set[str]) -> list[ApiKey]:
    """Every key (revoked or not) whose visible prefix is one of ``prefixes``."""
    rows = await session.scalars(_KEYS_BY_PREFIXES, {"prefixes": sorted(prefixes)})
    return list(rows.all())


async def list_keys(
    session: AsyncSession, workspace_name: str | None
) -> list[tuple[ApiKey, Workspace]]:
    """Keys with their workspaces (of ``workspace_name`` when given), oldest first."""
    query = select(ApiKey, Workspace).join(Workspace, Workspace.id == ApiKey.workspace_id)
    if workspace_name is not None:
        query = query.where(Workspace.name == workspace_name)
    rows = await session.execute(query.order_by(ApiKey.created_at, ApiKey.id))
    return [(key, workspace) for key, workspace in rows]


async def key_with_workspace(session: AsyncSession, key_id: str) -> tuple[ApiKey, Workspace] | None:
    """The key with this id and its workspace, locked for update."""
    if not is_id(key_id):
        return None
    row = (
        await session.execute(
            select(ApiKey, Workspace)
            .join(Workspace, Workspace.id == ApiKey.workspace_id)
            .where(ApiKey.id == key_id)
            .with_for_update(of=ApiKey)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


def add(session: AsyncSession, row: Workspace | ApiKey) -> None:
    """Stages a new workspace or key for insertion."""
    session.add(row)


async def server_setting(session: AsyncSession, name: str) -> str | None:
    """A server setting's value, if stored."""
    row = await session.get(ServerSetting, name)
    return row.value if row is not None else None


def set_server_setting(session: AsyncSession, name: str, value: str) -> None:
    """Stages a new server setting."""
    session.add(ServerSetting(name=name, value=value))
