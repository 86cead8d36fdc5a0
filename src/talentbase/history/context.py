"""Who is writing: the request's API key name, acting user and route, for the history rows that
code deep below the routers writes (``candidates.repository.touch`` is called by every record
family). A router-level dependency (``write_context``) stores them in a ``ContextVar`` for the
request, so no family threads them through its functions.

The acting user is named by the header ``x-on-behalf-of``: a user id of the caller's workspace
(a deactivated user may be named: work is also recorded for the past). A write that records
it (every change of a candidate; notes and tasks as their creator) answers 400 ``NOT_FOUND`` at
``x-on-behalf-of`` when it names no user of the workspace, together with the request's other
field errors where the route collects them, and writes nothing; reads ignore the header. The
check is made where the user is needed, not up front, so a request that names the user in its
body as well loads it once.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.deps import CallerDep
from talentbase.api.errors import NOT_FOUND, ErrorItem, ValidationFailed
from talentbase.db.base import is_id
from talentbase.users.models import User

ACTING_USER_HEADER = "x-on-behalf-of"


@dataclass(frozen=True)
class WriteContext:
    """The request behind a change: the API key's name, the acting user's id as sent (not yet
    checked), the method and the route template (``/candidates/{id}``)."""

    api_key_name: str | None
    acting_user_id: str | None
    method: str | None
    route: str | None


_current: ContextVar[WriteContext | None] = ContextVar("talentbase_write_context", default=None)


def current() -> WriteContext | None:
    """The context of the request being served; None outside a request (CLI, worker)."""
    return _current.get()


def acting_user_id() -> str | None:
    """The ``x-on-behalf-of`` of the request being served, as sent (None without one)."""
    context = current()
    return context.acting_user_id if context is not None else None


def acting_user_not_found(user_id: str) -> ErrorItem:
    """The error for an ``x-on-behalf-of`` that names no user of the workspace."""
    return ErrorItem(
        NOT_FOUND, ACTING_USER_HEADER, f"No user {user_id[:200]} in this workspace", user_id[:200]
    )


async def acting_user(session: AsyncSession, workspace_id: str) -> User | None:
    """The user named by ``x-on-behalf-of`` (None without the header). Raises
    ``ValidationFailed`` (400 ``NOT_FOUND`` at ``x-on-behalf-of``) when it is not a user of the
    workspace. No query when this request has loaded the user already."""
    user_id = acting_user_id()
    if user_id is None:
        return None
    user = await session.get(User, user_id) if is_id(user_id) else None
    if user is None or user.workspace_id != workspace_id:
        raise ValidationFailed([acting_user_not_found(user_id)])
    return user


async def _write_context(
    request: Request,
    caller: CallerDep,
    acting_user_id: Annotated[
        str | None,
        Header(
            alias=ACTING_USER_HEADER,
            description="Id of the workspace's user on whose behalf a write is made: recorded "
            "in the history of the candidates it changes (and as the creator of notes and "
            "tasks); an id that is not a user of the workspace → 400 `NOT_FOUND` and nothing "
            "is written. Reads ignore it.",
        ),
    ] = None,
) -> None:
    route: Any = request.scope.get("route")
    _current.set(
        WriteContext(
            api_key_name=caller.api_key_name,
            acting_user_id=acting_user_id,
            method=request.method,
            route=getattr(route, "path", None),
        )
    )


# ``APIRouter(dependencies=[write_context])`` on every router whose writes change candidates
write_context = Depends(_write_context)
