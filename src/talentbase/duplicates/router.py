"""Contact identifier route: thin; the rules are in ``duplicates.service``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from talentbase.api.deps import CallerDep, SessionDep
from talentbase.api.routing import StrictJSONRoute
from talentbase.api.schemas import error_responses
from talentbase.api.settings_dep import SettingsDep
from talentbase.candidates.etags import ETAG_HEADER_DOC
from talentbase.duplicates import service
from talentbase.duplicates.schemas import ContactIdentifierAnswer, ContactIdentifierIn
from talentbase.history.context import write_context

router = APIRouter(route_class=StrictJSONRoute, tags=["candidates"], dependencies=[write_context])


@router.post(
    "/candidates/{id}/contact-identifiers",
    status_code=201,
    response_class=JSONResponse,
    summary="Create contact identifier for a candidate",
    responses={
        201: {
            "model": ContactIdentifierAnswer,
            "description": "The identifier was added to the candidate; `duplicates` lists the "
            "other candidates of the workspace holding it",
            "headers": ETAG_HEADER_DOC,
        },
        200: {
            "model": ContactIdentifierAnswer,
            "description": "The candidate already held the identifier: not added twice (its "
            "purpose, primary flag and contact type are updated as sent); `duplicates` lists "
            "the other candidates of the workspace holding it",
            "headers": ETAG_HEADER_DOC,
        },
        **error_responses(400, 401, 404, 413, 415),
    },
)
async def create_contact_identifier(
    id: str,
    body: ContactIdentifierIn,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
) -> JSONResponse:
    """Adds an email, phone number or social media URL to the candidate's lists, checked and
    recorded as ``PATCH /candidates/{id}`` would (history, event, new ``modifiedAt`` and
    ETag), and answers the other candidates of the workspace that hold the same identifier
    (emails ignoring case, phone numbers by E.164, URLs in canonical form)."""
    result = await service.add_contact_identifier(
        session, caller.workspace_id, id, body, phone_region=settings.default_phone_region
    )
    return JSONResponse(
        result.body, status_code=201 if result.added else 200, headers={"ETag": result.etag}
    )
