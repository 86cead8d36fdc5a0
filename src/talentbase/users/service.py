"""Rules for users: unique email per workspace, deactivation."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import DUPLICATE, ErrorItem, NotFound, ValidationFailed
from talentbase.db.types import utcnow
from talentbase.users import repository
from talentbase.users.models import User
from talentbase.users.schemas import UserCreate, UserPatch
from talentbase.views import user_json


def _email_taken(email: str) -> ValidationFailed:
    return ValidationFailed(
        [ErrorItem(DUPLICATE, "email", "A user with this email already exists", email)]
    )


async def _flush(session: AsyncSession, email: str) -> None:
    """Flushes; a concurrent insert of the same email (unique index) is the same 400."""
    try:
        await session.flush()
    except IntegrityError as exc:
        raise _email_taken(email) from exc


async def _check_email(
    session: AsyncSession, workspace_id: str, email: str, except_id: str | None = None
) -> None:
    if await repository.email_taken(session, workspace_id, email, except_id):
        raise _email_taken(email)


async def create_user(session: AsyncSession, workspace_id: str, body: UserCreate) -> dict[str, Any]:
    """Creates a user; 400 ``DUPLICATE`` at ``email`` when the email is taken in the workspace."""
    await _check_email(session, workspace_id, body.email)
    user = User(
        workspace_id=workspace_id, name=body.name, email=body.email, avatar_url=body.avatar_url
    )
    repository.add(session, user)
    await _flush(session, body.email)
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
    """Applies the keys present in ``body``; absent keys are left unchanged."""
    user = await repository.get(session, workspace_id, user_id)
    if user is None:
        raise NotFound("User", user_id)
    sent = body.model_fields_set
    changed = False
    if "email" in sent and body.email != user.email:
        await _check_email(session, workspace_id, body.email, except_id=user.id)
        user.email = body.email
        changed = True
    if "name" in sent and body.name != user.name:
        user.name = body.name
        changed = True
    if "avatar_url" in sent and body.avatar_url != user.avatar_url:
        user.avatar_url = body.avatar_url
        changed = True
    if "deactivated" in sent and body.deactivated != (user.deactivated_at is not None):
        user.deactivated_at = utcnow() if body.deactivated else None
        changed = True
    if changed:
        user.modified_at = utcnow()
        await _flush(session, user.email)
    return user_json(user)


async def list_users(
    session: AsyncSession, workspace_id: str, *, include_deactivated: bool
) -> dict[str, Any]:
    """``{"users": [...]}`` ordered by name."""
    users = await repository.list_users(
        session, workspace_id, include_deactivated=include_deactivated
    )
    return {"users": [user_json(user) for user in users]}
