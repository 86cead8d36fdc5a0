"""Workspaces and API keys: creation, bootstrap, and key lookup for authentication."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.workspaces import repository
from talentbase.workspaces.models import ApiKey, Workspace

KEY_PREFIX = "tb_"
PREFIX_LENGTH = 10
MIN_BOOTSTRAP_KEY_LENGTH = 16


def hash_key(secret: str) -> str:
    """SHA-256 hex digest of an API key; keys are random and high-entropy, so a plain hash is
    enough to make a stolen database useless for authentication."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def generate_key() -> str:
    """A new API key: ``tb_`` and 43 URL-safe characters (256 random bits)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class IssuedKey:
    """A key just created: ``secret`` is shown once and never stored."""

    workspace_id: str
    workspace_name: str
    key_id: str
    name: str
    secret: str


async def get_or_create_workspace(session: AsyncSession, name: str) -> Workspace:
    """The workspace called ``name``, created if missing (flushed, not committed)."""
    workspace = await repository.workspace_by_name(session, name)
    if workspace is None:
        workspace = Workspace(name=name)
        repository.add(session, workspace)
        await session.flush()
    return workspace


async def issue_key(
    session: AsyncSession, workspace_name: str, key_name: str = "default", secret: str | None = None
) -> IssuedKey:
    """Creates an API key in ``workspace_name`` (created if missing).

    ``secret`` lets a script choose the key (``TALENTBASE_BOOTSTRAP_API_KEY``); otherwise one is
    generated. Raises ``ValueError`` for a chosen secret shorter than 16 characters.
    """
    if secret is None:
        secret = generate_key()
    elif len(secret) < MIN_BOOTSTRAP_KEY_LENGTH:
        raise ValueError(f"an API key must be at least {MIN_BOOTSTRAP_KEY_LENGTH} characters")
    workspace = await get_or_create_workspace(session, workspace_name)
    key = ApiKey(
        workspace_id=workspace.id,
        name=key_name,
        prefix=secret[:PREFIX_LENGTH],
        key_hash=hash_key(secret),
    )
    repository.add(session, key)
    await session.flush()
    return IssuedKey(workspace.id, workspace.name, key.id, key.name, secret)


async def ensure_key(session: AsyncSession, workspace_name: str, secret: str) -> bool:
    """Makes sure ``secret`` is a key (of ``workspace_name`` when created); True if created."""
    if await repository.key_by_hash(session, hash_key(secret)) is not None:
        return False
    await issue_key(session, workspace_name, "bootstrap", secret)
    return True


async def authenticate(session: AsyncSession, secret: str) -> ApiKey | None:
    """The active key matching ``secret``; the lookup is by hash, so no secret is compared."""
    return await repository.active_key_by_hash(session, hash_key(secret))
