"""User (recruiter) routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from talentbase.api.deps import CallerDep, SessionDep
from talentbase.api.routing import StrictJSONRoute
from talentbase.api.schemas import error_responses
from talentbase.candidates.schemas import UserOut
from talentbase.history.context import write_context
from talentbase.users import service
from talentbase.users.schemas import UserCreate, UserList, UserPatch

router = APIRouter(route_class=StrictJSONRoute, tags=["users"], dependencies=[write_context])


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    response_class=JSONResponse,
    summary="Create user",
    responses={201: {"model": UserOut}, **error_responses(400, 401, 413, 415)},
)
async def create_user(body: UserCreate, caller: CallerDep, session: SessionDep) -> JSONResponse:
    """Creates a recruiter of the workspace."""
    user = await service.create_user(session, caller.workspace_id, body)
    return JSONResponse(user, status_code=status.HTTP_201_CREATED)


@router.get(
    "/users/_list",
    response_class=JSONResponse,
    summary="Get active users",
    responses={200: {"model": UserList}, **error_responses(401)},
)
async def list_active_users(caller: CallerDep, session: SessionDep) -> JSONResponse:
    """All users of the workspace that are not deactivated, as ``{"users": [...]}``."""
    users = await service.list_users(session, caller.workspace_id, include_deactivated=False)
    return JSONResponse(users)


@router.get(
    "/users",
    response_class=JSONResponse,
    summary="List users",
    responses={200: {"model": UserList}, **error_responses(400, 401)},
)
async def list_users(
    caller: CallerDep,
    session: SessionDep,
    include_deactivated: Annotated[bool, Query(alias="includeDeactivated")] = False,
) -> JSONResponse:
    """Users of the workspace; deactivated ones too with ``includeDeactivated=true``."""
    users = await service.list_users(
        session, caller.workspace_id, include_deactivated=include_deactivated
    )
    return JSONResponse(users)


@router.get(
    "/users/{id}",
    response_class=JSONResponse,
    summary="Get user",
    responses={200: {"model": UserOut}, **error_responses(401, 404)},
)
async def get_user(id: str, caller: CallerDep, session: SessionDep) -> JSONResponse:
    """One user."""
    return JSONResponse(await service.get_user(session, caller.workspace_id, id))


@router.patch(
    "/users/{id}",
    response_class=JSONResponse,
    summary="Update user",
    responses={200: {"model": UserOut}, **error_responses(400, 401, 404, 413, 415)},
)
async def update_user(
    id: str, body: UserPatch, caller: CallerDep, session: SessionDep
) -> JSONResponse:
    """Renames, changes email or avatar, deactivates (``deactivated: true``) or reactivates."""
    return JSONResponse(await service.update_user(session, caller.workspace_id, id, body))
