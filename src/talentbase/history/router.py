"""History route: ``GET /candidates/{id}/history``; the rules are in ``history.service``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from talentbase.api.deps import CallerDep, SessionDep
from talentbase.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, CursorQuery, decode_cursor
from talentbase.api.routing import StrictJSONRoute
from talentbase.api.schemas import error_responses
from talentbase.history import service
from talentbase.history.schemas import HistoryList

router = APIRouter(route_class=StrictJSONRoute, tags=["candidates"])


def _history_query(
    limit: Annotated[
        int, Query(description=f"Items per page, 1–{MAX_LIMIT}", ge=1, le=MAX_LIMIT)
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(description="`pageInfo.nextCursor` of the previous page; omit for the first"),
    ] = None,
) -> CursorQuery:
    return CursorQuery(
        limit=limit,
        after=decode_cursor(cursor) if cursor is not None else None,
        modified_since=None,
        modified_until=None,
    )


@router.get(
    "/candidates/{id}/history",
    response_class=JSONResponse,
    summary="Get candidate history",
    responses={200: {"model": HistoryList}, **error_responses(400, 401, 404)},
)
async def get_history(
    id: str,
    query: Annotated[CursorQuery, Depends(_history_query)],
    caller: CallerDep,
    session: SessionDep,
) -> JSONResponse:
    """Every stored change of the candidate, newest first, a cursor page at a time: who (API
    key name, acting user), when, through which route, and the field-level before/after. The
    history of a deleted candidate stays readable (its last entry is the deletion); an id that
    never named a candidate of the workspace → 404."""
    return JSONResponse(await service.list_history(session, caller.workspace_id, id, query))
