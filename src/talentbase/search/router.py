"""Search routes: thin; the rules are in ``search.service``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from talentbase.api.deps import CallerDep, SessionDep, read_only
from talentbase.api.routing import StrictJSONRoute
from talentbase.api.schemas import error_responses
from talentbase.search import service
from talentbase.search.schemas import CandidateSearchBody, CandidateSearchPage, PeopleList

router = APIRouter(route_class=StrictJSONRoute, tags=["search"])

MAX_PEOPLE = 50
DEFAULT_PEOPLE = 25


@router.post(
    "/candidates/_search",
    response_class=JSONResponse,
    summary="Search candidates",
    responses={200: {"model": CandidateSearchPage}, **error_responses(400, 401, 413, 415)},
)
@read_only
async def search_candidates(
    body: CandidateSearchBody, caller: CallerDep, session: SessionDep
) -> JSONResponse:
    """Candidates meeting every filter, a page at a time, most recently modified first, ties by
    id (API.md §4)."""
    return JSONResponse(await service.search_candidates(session, caller.workspace_id, body))


@router.get(
    "/search/people",
    response_class=JSONResponse,
    summary="Search people",
    responses={200: {"model": PeopleList}, **error_responses(400, 401)},
)
async def search_people(
    caller: CallerDep,
    session: SessionDep,
    query: Annotated[
        str,
        Query(
            min_length=1,
            max_length=service.MAX_QUERY,
            description="Full name (any order), email address or part of one, or phone number "
            "(or its last digits)",
        ),
    ],
    limit: Annotated[
        int, Query(ge=1, le=MAX_PEOPLE, description=f"At most this many people, 1–{MAX_PEOPLE}")
    ] = DEFAULT_PEOPLE,
) -> JSONResponse:
    """Quick lookup of people by name, email or phone number: every word of ``query`` must be
    found (case, accents and apostrophes aside); whole-word matches rank first."""
    return JSONResponse(await service.search_people(session, caller.workspace_id, query, limit))
