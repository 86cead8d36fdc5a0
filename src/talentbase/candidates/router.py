"""Candidate routes: thin; the rules are in ``candidates.service``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from fastapi.responses import JSONResponse

from talentbase.api.deps import CallerDep, SessionDep
from talentbase.api.pagination import CursorQueryDep
from talentbase.api.routing import StrictJSONRoute
from talentbase.api.schemas import error_responses
from talentbase.api.settings_dep import SettingsDep
from talentbase.candidates import service
from talentbase.candidates.schemas import (
    CandidateCreate,
    CandidateList,
    CandidatePatch,
    CandidateView,
)

router = APIRouter(route_class=StrictJSONRoute, tags=["candidates"])

_VIEW: dict[int | str, dict[str, Any]] = {200: {"model": CandidateView}}


@router.post(
    "/candidates",
    status_code=status.HTTP_201_CREATED,
    response_model=str,
    summary="Create candidate",
    responses=error_responses(400, 401, 413, 415),
)
async def create_candidate(
    body: CandidateCreate, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> str:
    """Creates a candidate; the answer is the new id as a bare JSON string (API.md §2.2)."""
    return await service.create_candidate(
        session, caller.workspace_id, body, phone_region=settings.default_phone_region
    )


@router.get(
    "/candidates",
    response_class=JSONResponse,
    summary="List candidates",
    responses={200: {"model": CandidateList}, **error_responses(400, 401)},
)
async def list_candidates(
    query: CursorQueryDep, caller: CallerDep, session: SessionDep
) -> JSONResponse:
    """Candidates in ``(modifiedAt, id)`` order, a cursor page at a time (API.md §4)."""
    return JSONResponse(await service.list_candidates(session, caller.workspace_id, query))


@router.get(
    "/candidates/{id}",
    response_class=JSONResponse,
    summary="Get candidate by ID",
    responses={**_VIEW, **error_responses(401, 404)},
)
async def get_candidate(id: str, caller: CallerDep, session: SessionDep) -> JSONResponse:
    """The CandidateView (API.md §2.3)."""
    return JSONResponse(await service.get_candidate(session, caller.workspace_id, id))


@router.patch(
    "/candidates/{id}",
    response_class=JSONResponse,
    summary="Update candidate",
    responses={**_VIEW, **error_responses(400, 401, 404, 413, 415)},
)
async def update_candidate(
    id: str, body: CandidatePatch, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> JSONResponse:
    """Partial update with the semantics of API.md §2.1; answers the updated CandidateView."""
    view = await service.update_candidate(
        session, caller.workspace_id, id, body, phone_region=settings.default_phone_region
    )
    return JSONResponse(view)


@router.delete(
    "/candidates/{id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete candidate",
    responses=error_responses(401, 404),
)
async def delete_candidate(id: str, caller: CallerDep, session: SessionDep) -> Response:
    """Deletes the candidate: 204, then GET answers 404."""
    await service.delete_candidate(session, caller.workspace_id, id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
