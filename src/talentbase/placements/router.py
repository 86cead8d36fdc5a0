"""Placement routes: ``/placements``. Thin; the rules are in ``placements.service``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse

from talentbase.api.deps import CallerDep, SessionDep
from talentbase.api.pagination import PageQueryDep, parse_instant
from talentbase.api.routing import StrictJSONRoute
from talentbase.api.schemas import error_responses
from talentbase.history.context import write_context
from talentbase.placements import service
from talentbase.placements.repository import PlacementFilters
from talentbase.placements.schemas import (
    PlacementCreate,
    PlacementDetail,
    PlacementList,
    PlacementPatch,
)

router = APIRouter(route_class=StrictJSONRoute, tags=["placements"], dependencies=[write_context])


@router.post(
    "/placements",
    status_code=status.HTTP_201_CREATED,
    response_class=JSONResponse,
    summary="Create placement",
    responses={201: {"model": PlacementDetail}, **error_responses(400, 401, 413, 415)},
)
async def create_placement(
    body: PlacementCreate, caller: CallerDep, session: SessionDep
) -> JSONResponse:
    """Places a candidate at a company; answers the new placement."""
    placement = await service.create_placement(session, caller.workspace_id, body)
    return JSONResponse(placement, status_code=status.HTTP_201_CREATED)


@router.get(
    "/placements",
    response_class=JSONResponse,
    summary="List placements",
    responses={200: {"model": PlacementList}, **error_responses(400, 401)},
)
async def list_placements(
    query: PageQueryDep,
    caller: CallerDep,
    session: SessionDep,
    company_id: Annotated[
        str | None, Query(alias="companyId", description="Only placements at this company")
    ] = None,
    candidate_id: Annotated[
        str | None, Query(alias="candidateId", description="Only placements of this candidate")
    ] = None,
    modified_since: Annotated[
        str | None,
        Query(
            alias="modifiedSince",
            description="Only placements modified at or after this ISO 8601 date-time",
        ),
    ] = None,
    modified_until: Annotated[
        str | None,
        Query(
            alias="modifiedUntil",
            description="Only placements modified at or before this ISO 8601 date-time",
        ),
    ] = None,
) -> JSONResponse:
    """Placements in ``(modifiedAt, id)`` order, a page at a time."""
    filters = PlacementFilters(
        company_id=company_id,
        candidate_id=candidate_id,
        modified_since=parse_instant(modified_since, "modifiedSince", lower=True),
        modified_until=parse_instant(modified_until, "modifiedUntil"),
    )
    return JSONResponse(await service.list_placements(session, caller.workspace_id, filters, query))


@router.get(
    "/placements/{id}",
    response_class=JSONResponse,
    summary="Get placement",
    responses={200: {"model": PlacementDetail}, **error_responses(401, 404)},
)
async def get_placement(id: str, caller: CallerDep, session: SessionDep) -> JSONResponse:
    """One placement."""
    return JSONResponse(await service.get_placement(session, caller.workspace_id, id))


@router.patch(
    "/placements/{id}",
    response_class=JSONResponse,
    summary="Update placement",
    responses={200: {"model": PlacementDetail}, **error_responses(400, 401, 404, 413, 415)},
)
async def update_placement(
    id: str, body: PlacementPatch, caller: CallerDep, session: SessionDep
) -> JSONResponse:
    """Changes the keys sent; answers the placement after the update."""
    return JSONResponse(await service.update_placement(session, caller.workspace_id, id, body))


@router.delete(
    "/placements/{id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete placement",
    responses=error_responses(400, 401, 404),
)
async def delete_placement(id: str, caller: CallerDep, session: SessionDep) -> Response:
    """Deletes the placement: 204, then GET answers 404."""
    await service.delete_placement(session, caller.workspace_id, id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
