"""SQL for users."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.db.base import is_id
from talentbase.users.models import User


async def get(
    session: AsyncSession, workspace_id: str, user_id: str, *, for_update: bool = False
) -> User | None:
    """The user of the workspace with this id; ``for_update`` locks the row (PostgreSQL)."""
    if not is_id(user_id):
        return None
    query = select(User).where(User.workspace_id == workspace_id, User.id == user_id)
    if for_update:
        query = query.with_for_update(key_share=True)
    result: User | None = await session.scalar(query)
    return result


# built once: every PATCH naming a user and every view showing one runs it
_BY_IDS = select(User).where(
    User.workspace_id == bindparam("workspace_id"),
    User.id.in_(bindparam("user_ids", expanding=True)),
)


async def by_ids(session: AsyncSession, workspace_id: str, ids: Iterable[str]) -> dict[str, User]:
    """Users of the workspace among ``ids``, by id (one query)."""
    wanted = sorted({id_ for id_ in ids if is_id(id_)})
    if not wanted:
        return {}
    rows = await session.scalars(_BY_IDS, {"workspace_id": workspace_id, "user_ids": wanted})
    return {user.id: user for user in rows}


async def list_users(
    session: AsyncSession, workspace_id: str, *, include_deactivated: bool
) -> list[User]:
    """Users of the workspace ordered by name then id; active ones only unless asked."""
    query = select(User).where(User.workspace_id == workspace_id)
    if not include_deactivated:
        query = query.where(User.deactivated_at.is_(None))
    return list(await session.scalars(query.order_by(User.name, User.id)))


def add(session: AsyncSession, user: User) -> None:
    """Stages a new user for insertion."""
    session.add(user)
