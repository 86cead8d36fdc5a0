"""Task routes: ``/tasks``. Thin; the rules are in ``tasks.service``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, status
from fastapi.responses import JSONResponse

from talentbase.api.deps import CallerDep, SessionDep
from talentbase.api.pagination import CursorQueryDep
from talentbase.api.routing import StrictJSONRoute
from talentbase.api.schemas import error_responses
from talentbase.history.context import ACTING_USER_HEADER, write_context
from talentbase.tasks import service
from talentbase.tasks.repository import TaskFilters
from talentbase.tasks.schemas import TaskCreate, TaskList, TaskOut, TaskPatch

router = APIRouter(route_class=StrictJSONRoute, tags=["tasks"], dependencies=[write_context])

ActingUser = Annotated[
    str | None,
    Header(
        alias=ACTING_USER_HEADER,
        description="Id of the workspace's user on whose behalf the request is made "
        "(the task's `createdBy`); without it `createdBy` is null",
    ),
]


@router.post(
    "/tasks/_raw",
    status_code=status.HTTP_201_CREATED,
    response_class=JSONResponse,
    summary="Create task",
    responses={201: {"model": TaskOut}, **error_responses(400, 401, 413, 415)},
)
async def create_task(
    body: TaskCreate, caller: CallerDep, session: SessionDep, acting_user: ActingUser = None
) -> JSONResponse:
    """Creates a task linked to candidates, clients, users or client contacts."""
    task = await service.create_task(session, caller.workspace_id, body, acting_user)
    return JSONResponse(task, status_code=status.HTTP_201_CREATED)


@router.get(
    "/tasks",
    response_class=JSONResponse,
    summary="List tasks",
    responses={200: {"model": TaskList}, **error_responses(400, 401)},
)
async def list_tasks(
    query: CursorQueryDep,
    caller: CallerDep,
    session: SessionDep,
    candidate_id: Annotated[
        str | None, Query(alias="candidateId", description="Only tasks linked to this candidate")
    ] = None,
    assigned_to_user_id: Annotated[
        str | None,
        Query(alias="assignedToUserId", description="Only tasks assigned to this user"),
    ] = None,
    is_completed: Annotated[
        bool | None,
        Query(alias="isCompleted", description="Only completed (true) or open (false) tasks"),
    ] = None,
) -> JSONResponse:
    """Tasks in ``(modifiedAt, id)`` order, a cursor page at a time."""
    filters = TaskFilters(candidate_id, assigned_to_user_id, is_completed)
    return JSONResponse(await service.list_tasks(session, caller.workspace_id, query, filters))


@router.get(
    "/tasks/{id}",
    response_class=JSONResponse,
    summary="Get task",
    responses={200: {"model": TaskOut}, **error_responses(401, 404)},
)
async def get_task(id: str, caller: CallerDep, session: SessionDep) -> JSONResponse:
    """One task."""
    return JSONResponse(await service.get_task(session, caller.workspace_id, id))


@router.patch(
    "/tasks/{id}",
    response_class=JSONResponse,
    summary="Update task",
    responses={200: {"model": TaskOut}, **error_responses(400, 401, 404, 413, 415)},
)
async def update_task(
    id: str, body: TaskPatch, caller: CallerDep, session: SessionDep
) -> JSONResponse:
    """Completes or reopens (``isCompleted``), reassigns, reschedules, edits the content or
    replaces the links; absent keys leave values unchanged."""
    return JSONResponse(await service.update_task(session, caller.workspace_id, id, body))
