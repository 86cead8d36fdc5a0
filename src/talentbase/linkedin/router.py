"""LinkedIn profile route: ``PUT /candidates/{id}/linkedin-profile``; the rules are in
``linkedin.service``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from talentbase.api.deps import CallerDep, SessionDep
from talentbase.api.routing import StrictJSONRoute
from talentbase.api.schemas import error_responses
from talentbase.candidates.router import VIEW_RESPONSE, candidate_answer
from talentbase.history.context import write_context
from talentbase.linkedin import service
from talentbase.linkedin.schemas import LinkedInProfileIn

router = APIRouter(route_class=StrictJSONRoute, tags=["candidates"], dependencies=[write_context])


@router.put(
    "/candidates/{id}/linkedin-profile",
    response_class=JSONResponse,
    summary="Set LinkedIn profile",
    responses={**VIEW_RESPONSE, **error_responses(400, 401, 404, 413, 415)},
)
async def put_linkedin_profile(
    id: str, body: LinkedInProfileIn, caller: CallerDep, session: SessionDep
) -> JSONResponse:
    """Replaces the candidate's LinkedIn profile (headline, about, skills); a change moves
    ``lastLinkedinDiffAt`` and ``modifiedAt``. Answers the CandidateView with its ``ETag``."""
    view = await service.put_profile(session, caller.workspace_id, id, body)
    return await candidate_answer(session, view)
