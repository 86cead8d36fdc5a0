"""Workspaces and API keys: creation, bootstrap, and key lookup for authentication."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.db.types import utcnow
from talentbase.db.urls import sqlite_path
from talentbase.settings import Settings
from talentbase.workspaces import repository
from talentbase.workspaces.models import ApiKey, Workspace

KEY_PREFIX = "tb_"
PREFIX_LENGTH = 10
MIN_BOOTSTRAP_KEY_LENGTH = 16
SECRET_BYTES = 32

HMAC_SHA256 = "hmac-sha256"
# keys issued before keyed hashing; they keep working and are listed with this scheme
LEGACY_SHA256 = "sha256"


def load_server_secret(value: str | None, path: Path) -> bytes:
    """The server secret keying API-key hashes: ``value`` when given (``TALENTBASE_SECRET_KEY``),
    else the contents of ``path``, which is created with 32 random bytes (base64, mode 0600) when
    missing. Raises ``OSError`` if the file can be neither read nor created, ``ValueError`` if it
    is empty."""
    if value:
        return value.encode("utf-8")
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_bytes().strip()
        if not secret:
            raise ValueError(f"secret key file {path} is empty") from None
        return secret
    with os.fdopen(descriptor, "wb") as handle:
        secret = base64.urlsafe_b64encode(secrets.token_bytes(SECRET_BYTES))
        handle.write(secret + b"\n")
    return secret


SECRET_FILE_NAME = "talentbase.secret"  # noqa: S105 (a file name, not a secret)


def secret_file(settings: Settings) -> Path:
    """Where the server secret lives when ``TALENTBASE_SECRET_KEY`` is unset: the configured
    file, else beside the SQLite database file (so every command on that database finds the
    same secret, whatever its working folder), else the working folder."""
    if settings.secret_key_file is not None:
        return settings.secret_key_file
    path = sqlite_path(settings.database_url)
    return (path.parent if path is not None else Path()) / SECRET_FILE_NAME


def key_hasher(settings: Settings) -> KeyHasher:
    """The hasher keyed with the server secret of ``settings`` (``secret_key`` or its file)."""
    value = settings.secret_key.get_secret_value() if settings.secret_key else None
    return KeyHasher(load_server_secret(value, secret_file(settings)))


class SecretMismatch(Exception):
    """The database's keys were made under another server secret than the one loaded."""


_SECRET_CHECK = "server-secret-check"  # noqa: S105 (the name of a setting)


async def check_server_secret(session: AsyncSession, hasher: KeyHasher) -> None:
    """Makes sure ``hasher`` keys this database: the first time, stores a check value (an HMAC
    of a constant: it reveals nothing of the secret); after that, raises ``SecretMismatch``
    when the loaded secret gives another value, instead of letting every key fail."""
    expected = hasher.digest(_SECRET_CHECK)
    stored = await repository.server_setting(session, _SECRET_CHECK)
    if stored is None:
        repository.set_server_setting(session, _SECRET_CHECK, expected)
        await session.flush()
    elif not hmac.compare_digest(stored, expected):
        raise SecretMismatch(
            "this database's API keys were made under another server secret; run talentbase "
            "where its secret file is, or set TALENTBASE_SECRET_KEY / TALENTBASE_SECRET_KEY_FILE"
        )


class KeyHasher:
    """Hashes API keys with HMAC-SHA256 under the server secret, so the stored hashes are
    useless without that secret, and checks a presented key against stored hashes in constant
    time."""

    def __init__(self, server_secret: bytes) -> None:
        self._secret = server_secret

    def digest(self, key: str, scheme: str = HMAC_SHA256) -> str:
        """The hex digest of ``key`` under ``scheme`` (``hmac-sha256``, or ``sha256`` for keys
        stored before keyed hashing)."""
        if scheme == LEGACY_SHA256:
            return hashlib.sha256(key.encode("utf-8")).hexdigest()
        return hmac.new(self._secret, key.encode("utf-8"), hashlib.sha256).hexdigest()

    def matches(self, key: str, stored: ApiKey) -> bool:
        """Whether ``key`` is the key ``stored`` holds (constant-time comparison)."""
        return hmac.compare_digest(self.digest(key, stored.hash_scheme), stored.key_hash)


def key_prefix(secret: str) -> str:
    """The visible prefix of a key: its first 10 characters (``tb_`` and 7 random ones for a
    generated key), but never more than a quarter of it, so listing a short chosen key does not
    give most of it away."""
    return secret[: min(PREFIX_LENGTH, len(secret) // 4)]


def normalize_api_key(value: str) -> str:
    """The key a header value names: the value without surrounding spaces and tabs (only
    those: any other character is part of the key, so two spellings never share a key)."""
    return value.strip(" \t")


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
    session: AsyncSession,
    hasher: KeyHasher,
    workspace_name: str,
    key_name: str = "default",
    secret: str | None = None,
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
        prefix=key_prefix(secret),
        key_hash=hasher.digest(secret),
        hash_scheme=HMAC_SHA256,
    )
    repository.add(session, key)
    await session.flush()
    return IssuedKey(workspace.id, workspace.name, key.id, key.name, secret)


async def find_key(session: AsyncSession, hasher: KeyHasher, secret: str) -> ApiKey | None:
    """The key (revoked or not) that ``secret`` is. Keys are found by their visible prefix and
    every one sharing it is compared in constant time, so timing tells nothing of the hash."""
    found = None
    # keys stored before the quarter rule kept 10 characters
    prefixes = {key_prefix(secret), secret[:PREFIX_LENGTH]}
    for key in await repository.keys_by_prefixes(session, prefixes):
        if hasher.matches(secret, key):
            found = key
    return found


async def ensure_key(
    session: AsyncSession, hasher: KeyHasher, workspace_name: str, secret: str
) -> bool:
    """Makes sure ``secret`` is a key (of ``workspace_name`` when created); True if created."""
    if await find_key(session, hasher, secret) is not None:
        return False
    await issue_key(session, hasher, workspace_name, "bootstrap", secret)
    return True


async def authenticate(session: AsyncSession, hasher: KeyHasher, secret: str) -> ApiKey | None:
    """The unrevoked key ``secret`` is, or None; a revoked key fails from the next request on."""
    key = await find_key(session, hasher, secret)
    return key if key is not None and key.revoked_at is None else None


@dataclass(frozen=True)
class KeyListing:
    """An API key as ``api-keys list`` shows it: never the secret or its hash."""

    id: str
    workspace_name: str
    name: str
    prefix: str
    hash_scheme: str
    created_at: datetime
    revoked_at: datetime | None


async def list_keys(session: AsyncSession, workspace_name: str | None) -> list[KeyListing]:
    """Every key (of ``workspace_name`` when given), oldest first."""
    return [
        KeyListing(
            key.id,
            workspace.name,
            key.name,
            key.prefix,
            key.hash_scheme,
            key.created_at,
            key.revoked_at,
        )
        for key, workspace in await repository.list_keys(session, workspace_name)
    ]


async def revoke_key(session: AsyncSession, key_id: str) -> KeyListing | None:
    """Revokes the key with this id (already revoked keys keep their first revocation time);
    None when there is no such key."""
    row = await repository.key_with_workspace(session, key_id)
    if row is None:
        return None
    key, workspace = row
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        await session.flush()
    return KeyListing(
        key.id,
        workspace.name,
        key.name,
        key.prefix,
        key.hash_scheme,
        key.created_at,
        key.revoked_at,
    )
