"""Deleted feed route: thin; the rules are in ``deleted_feed.service``. Included before the
candidate routes, so ``/candidates/deleted`` is not read as ``/candidates/{id}``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from talentbase.api.deps import CallerDep, SessionDep
from talentbase.api.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    CursorQuery,
    decode_cursor,
    parse_instant,
)
from talentbase.api.routing import StrictJSONRoute
from talentbase.api.schemas import error_responses
from talentbase.deleted_feed import service
from talentbase.deleted_feed.schemas import DeletedFeed

router = APIRouter(route_class=StrictJSONRoute, tags=["candidates"])


@router.get(
    "/candidates/deleted",
    response_class=JSONResponse,
    summary="List deleted candidates",
    responses={200: {"model": DeletedFeed}, **error_responses(400, 401)},
)
async def list_deleted_candidates(
    caller: CallerDep,
    session: SessionDep,
    since: Annotated[
        str | None,
        Query(description="Only candidates deleted at or after this ISO 8601 date-time"),
    ] = None,
    limit: Annotated[
        int, Query(description=f"Items per page, 1–{MAX_LIMIT}", ge=1, le=MAX_LIMIT)
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(description="`pageInfo.nextCursor` of the previous page; omit for the first"),
    ] = None,
) -> JSONResponse:
    """Candidates deleted (or merged into another: ``mergedInto`` names the survivor), oldest
    deletion first, ties by id, a cursor page at a time: a sync client removes them from its
    copy. Malformed ``since`` or ``cursor`` → 400."""
    query = CursorQuery(
        limit=limit,
        after=decode_cursor(cursor) if cursor is not None else None,
        modified_since=parse_instant(since, "since", lower=True),
        modified_until=None,
    )
    return JSONResponse(await service.deleted_candidates(session, caller.workspace_id, query))
