"""Rules for users (recruiters): creation, changes, deactivation."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import NotFound
from talentbase.candidates import repository as candidates
from talentbase.db.types import utcnow
from talentbase.users import repository
from talentbase.users.models import User
from talentbase.users.schemas import UserCreate, UserPatch
from talentbase.views import user_json


async def create_user(session: AsyncSession, workspace_id: str, body: UserCreate) -> dict[str, Any]:
    """Creates a user and returns ``{userId, name, email, avatarUrl, deactivatedAt}``."""
    user = User(
        workspace_id=workspace_id, name=body.name, email=body.email, avatar_url=body.avatar_url
    )
    repository.add(session, user)
    await session.flush()
    return user_json(user)


async def get_user(session: AsyncSession, workspace_id: str, user_id: str) -> dict[str, Any]:
    """The user as ``{userId, name, email, avatarUrl, deactivatedAt}``; 404 when unknown."""
    user = await repository.get(session, workspace_id, user_id)
    if user is None:
        raise NotFound("User", user_id)
    return user_json(user)


async def update_user(
    session: AsyncSession, workspace_id: str, user_id: str, body: UserPatch
) -> dict[str, Any]:
    """Applies the keys present in ``body``; absent keys are left unchanged. ``deactivated``
    true sets ``deactivatedAt`` to now (kept if already deactivated), false clears it. The row
    is locked so parallel deactivations agree on one time. A real change touches every
    candidate whose view shows the user (``candidates.repository.ids_showing_user``): the user
    object in ``mainContact``, ``lastInteractionWith`` or ``nextInteractionWith`` changed, so a
    sync by ``modifiedSince`` must see those candidates again."""
    user = await repository.get(session, workspace_id, user_id, for_update=True)
    if user is None:
        raise NotFound("User", user_id)
    sent = body.model_fields_set
    changed = False
    for name in ("name", "email", "avatar_url"):
        if name in sent and getattr(body, name) != getattr(user, name):
            setattr(user, name, getattr(body, name))
            changed = True
    if "deactivated" in sent and body.deactivated != (user.deactivated_at is not None):
        user.deactivated_at = utcnow() if body.deactivated else None
        changed = True
    if changed:
        user.modified_at = utcnow()
        await session.flush()
        await candidates.touch(
            session,
            workspace_id,
            await candidates.ids_showing_user(session, workspace_id, user.id),
            {"user": {"id": user.id, "action": "updated"}},
        )
    return user_json(user)


async def list_users(
    session: AsyncSession, workspace_id: str, *, include_deactivated: bool
) -> dict[str, Any]:
    """``{"users": [...]}`` ordered by name."""
    users = await repository.list_users(
        session, workspace_id, include_deactivated=include_deactivated
    )
    return {"users": [user_json(user) for user in users]}
