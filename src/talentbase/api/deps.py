"""Request dependencies: the transaction and the authenticated workspace."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import ApiError, Unauthorized
from talentbase.api.middleware import RATE_LIMITED, state_of
from talentbase.api.rate_limit import RateLimits, client_address
from talentbase.db.engine import Database
from talentbase.workspaces import service as workspaces

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

api_key_header = APIKeyHeader(
    name="x-api-key",
    auto_error=False,
    description="API key of a workspace (`talentbase api-keys create`).",
)


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the handler returns (before the answer is
    sent), rolled back on any error, so a failed request writes nothing (API.md §1)."""
    database: Database = request.app.state.database
    async with database.transaction(write=request.method not in _SAFE_METHODS) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]


@dataclass(frozen=True)
class Caller:
    """Who is calling: the workspace and the API key used."""

    workspace_id: str
    api_key_id: str
    api_key_name: str


async def _caller(
    request: Request,
    session: SessionDep,
    api_key: Annotated[str | None, Security(api_key_header)],
) -> Caller:
    api_key = (api_key or "").strip()
    if not api_key:
        raise Unauthorized("Missing x-api-key header")
    key = await workspaces.authenticate(session, request.app.state.key_hasher, api_key)
    if key is None:
        limits: RateLimits = request.app.state.rate_limits
        verdict = await limits.failed_authentication(client_address(request.scope))
        if not verdict.allowed:
            state_of(request.scope)[RATE_LIMITED] = "failed_auth"  # for metrics
            raise ApiError(
                429,
                "Too many failed authentications from this address; "
                f"retry in {max(verdict.reset, 1)} s",
                headers={"Retry-After": str(max(verdict.reset, 1))},
            )
        raise Unauthorized("Invalid API key")
    request.scope.setdefault("state", {})["workspace_id"] = key.workspace_id
    return Caller(key.workspace_id, key.id, key.name)


CallerDep = Annotated[Caller, Depends(_caller, scope="function")]
