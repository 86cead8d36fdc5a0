"""Request dependencies: the transaction and the authenticated workspace."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Scope

from talentbase.api.errors import ApiError, Unauthorized
from talentbase.api.middleware import RATE_LIMITED, RESPONSE_HEADERS, state_of
from talentbase.api.rate_limit import RateLimits, client_address
from talentbase.db.engine import Database
from talentbase.workspaces import service as workspaces

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READ_ONLY = "_talentbase_read_only"
_LOCKS_LATE = "_talentbase_locks_late"

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def read_only(endpoint: Endpoint) -> Endpoint:
    """Marks a route that writes nothing although its method is not safe (``POST
    /candidates/_search``): its request runs in a read transaction (on SQLite it neither waits
    for nor holds the write lock), unless a layer around it registered a ``before_commit``
    callback that writes (an ``Idempotency-Key``'s claim)."""
    setattr(endpoint, _READ_ONLY, True)
    return endpoint


def locks_late(endpoint: Endpoint) -> Endpoint:
    """Marks a writing route whose service takes SQLite's write lock only when it is about to
    write and checks there that what it read still holds (``PATCH /candidates/{id}``): its
    reading, validation and rules run while other requests write (``Database.transaction``'s
    ``lock_late``), and its writes commit on their own there, under the lock
    (``candidates.repository.store_change``). Not when a layer around it writes in its
    transaction (a ``before_commit`` callback, as a POST's ``Idempotency-Key`` registers): the
    request then holds the lock throughout."""
    setattr(endpoint, _LOCKS_LATE, True)
    return endpoint


api_key_header = APIKeyHeader(
    name="x-api-key",
    auto_error=False,
    description="API key of a workspace (`talentbase api-keys create`).",
)


BeforeCommit = Callable[[AsyncSession], Awaitable[None]]
_BEFORE_COMMIT = "before_commit"


def before_commit(scope: Scope) -> list[BeforeCommit]:
    """The request's before-commit callbacks: a layer around the route (the idempotency
    middleware) appends a callback here to write in the request's own transaction, so its
    write commits exactly when the route's change does. Each runs, in order, on the session
    after the route returned and just before the commit; one that raises rolls the whole
    request back."""
    hooks: list[BeforeCommit] = state_of(scope).setdefault(_BEFORE_COMMIT, [])
    return hooks


def writes(scope: Scope) -> bool:
    """Whether the request's transaction is a write transaction: for every method but GET,
    HEAD and OPTIONS, except on a ``read_only`` route with no ``before_commit`` callback."""
    if scope["method"] in _SAFE_METHODS:
        return False
    return not getattr(scope.get("endpoint"), _READ_ONLY, False) or bool(before_commit(scope))


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the handler returns (before the answer is
    sent), rolled back on any error, so a failed request writes nothing (API.md §1). The
    ``before_commit`` callbacks run on it just before the commit. On a ``locks_late`` route
    the writes may commit before (SQLite; see ``locks_late``)."""
    database: Database = request.app.state.database
    # a layer's callback writes after the route, in its transaction: under the lock throughout
    late = getattr(request.scope.get("endpoint"), _LOCKS_LATE, False) and not before_commit(
        request.scope
    )
    async with database.transaction(write=writes(request.scope), lock_late=late) as session:
        yield session
        for hook in before_commit(request.scope):
            await hook(session)


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
    api_key = workspaces.normalize_api_key(api_key or "")
    if not api_key:
        raise Unauthorized("Missing x-api-key header")
    limits: RateLimits = request.app.state.rate_limits
    key = await workspaces.authenticate(session, request.app.state.key_hasher, api_key)
    if key is None:
        verdict = await limits.failed_authentication(client_address(request.scope))
        if not verdict.allowed:
            state = state_of(request.scope)
            state[RATE_LIMITED] = "failed_auth"  # for metrics
            state[RESPONSE_HEADERS] = verdict.headers()
            raise ApiError(
                429,
                "Too many failed authentications from this address; "
                f"retry in {max(verdict.reset, 1)} s",
                headers={"Retry-After": str(max(verdict.reset, 1))},
            )
        raise Unauthorized("Invalid API key")
    limits.mark_good(limits.identity(api_key))
    request.scope.setdefault("state", {})["workspace_id"] = key.workspace_id
    return Caller(key.workspace_id, key.id, key.name)


CallerDep = Annotated[Caller, Depends(_caller, scope="function")]
