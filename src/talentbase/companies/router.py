"""Client (company) routes: ``/clients``. Thin; the rules are in ``companies.service``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse

from talentbase.api.deps import CallerDep, SessionDep
from talentbase.api.pagination import CursorQueryDep
from talentbase.api.routing import StrictJSONRoute
from talentbase.api.schemas import error_responses
from talentbase.companies import service
from talentbase.companies.schemas import ClientCreate, ClientList, ClientPatch, ClientView
from talentbase.history.context import write_context

router = APIRouter(route_class=StrictJSONRoute, tags=["clients"], dependencies=[write_context])

_VIEW: dict[int | str, dict[str, Any]] = {200: {"model": ClientView}}


@router.post(
    "/clients",
    status_code=status.HTTP_201_CREATED,
    response_class=JSONResponse,
    summary="Create client",
    responses={201: {"model": ClientView}, **error_responses(400, 401, 413, 415)},
)
async def create_client(body: ClientCreate, caller: CallerDep, session: SessionDep) -> JSONResponse:
    """Creates a client (a company); answers it as ``GET /clients/{id}`` shows it."""
    client = await service.create_client(session, caller.workspace_id, body)
    return JSONResponse(client, status_code=status.HTTP_201_CREATED)


@router.get(
    "/clients",
    response_class=JSONResponse,
    summary="Get clients",
    responses={200: {"model": ClientList}, **error_responses(400, 401)},
)
async def list_clients(
    query: CursorQueryDep, caller: CallerDep, session: SessionDep
) -> JSONResponse:
    """Clients in ``(modifiedAt, id)`` order, oldest first, a cursor page at a time."""
    return JSONResponse(await service.list_clients(session, caller.workspace_id, query))


@router.get(
    "/clients/{id}",
    response_class=JSONResponse,
    summary="Get client",
    responses={**_VIEW, **error_responses(401, 404)},
)
async def get_client(id: str, caller: CallerDep, session: SessionDep) -> JSONResponse:
    """The client with its sections and contacts."""
    return JSONResponse(await service.get_client(session, caller.workspace_id, id))


@router.patch(
    "/clients/{id}",
    response_class=JSONResponse,
    summary="Update client",
    responses={**_VIEW, **error_responses(400, 401, 404, 413, 415)},
)
async def update_client(
    id: str, body: ClientPatch, caller: CallerDep, session: SessionDep
) -> JSONResponse:
    """Partial update: company-level fields under ``company``, ``status`` at the top; absent
    keys are left unchanged, ``null`` clears. Answers the updated client."""
    return JSONResponse(await service.update_client(session, caller.workspace_id, id, body))
