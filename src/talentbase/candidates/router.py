"""Candidate routes: thin; the rules are in ``candidates.service``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.deps import CallerDep, SessionDep, locks_late
from talentbase.api.pagination import CursorQueryDep
from talentbase.api.routing import StrictJSONRoute
from talentbase.api.schemas import StrictInput, error_responses
from talentbase.api.settings_dep import SettingsDep
from talentbase.candidates import anonymize, merge, service
from talentbase.candidates.etags import (
    ETAG_HEADER_DOC,
    IF_MATCH,
    IF_NONE_MATCH,
    NOT_MODIFIED_RESPONSES,
    PRECONDITION_RESPONSES,
)
from talentbase.candidates.schemas import (
    CandidateList,
    CandidatePatch,
    CandidateView,
)
from talentbase.duplicates import service as duplicates
from talentbase.duplicates.schemas import CandidateCreateBody, DuplicateCandidateBody
from talentbase.history.context import write_context

router = APIRouter(route_class=StrictJSONRoute, tags=["candidates"], dependencies=[write_context])

# the answer of every route that answers one candidate's view, with its ETag
VIEW_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"model": CandidateView, "headers": ETAG_HEADER_DOC}
}

IfMatch = Annotated[
    str | None,
    Header(
        alias=IF_MATCH,
        description="Change the candidate only if its current ETag is one of these (comma "
        'separated, e.g. `"…"`), or `*`; otherwise 412 and nothing changes',
    ),
]
IfNoneMatch = Annotated[
    str | None,
    Header(
        alias=IF_NONE_MATCH,
        description="ETags of copies the client holds; when one is current → 304, no body",
    ),
]


def view_answer(view: dict[str, Any], etag: str) -> JSONResponse:
    """A CandidateView answer with its ``ETag``."""
    return JSONResponse(view, headers={"ETag": etag})


async def candidate_answer(session: AsyncSession, view: dict[str, Any]) -> JSONResponse:
    """The answer of a route of another family that changed a candidate and answers its
    CandidateView: the view with the candidate's current ``ETag``."""
    return view_answer(view, await service.current_etag(session, view["id"]))


@router.post(
    "/candidates",
    status_code=status.HTTP_201_CREATED,
    response_model=str,
    summary="Create candidate",
    responses={
        201: {
            "description": "The new candidate's id",
            "headers": {**ETAG_HEADER_DOC, **duplicates.DUPLICATES_HEADER_DOC},
        },
        **error_responses(400, 401, 413, 415),
        409: {
            "model": DuplicateCandidateBody,
            "description": "`onDuplicate: reject` and another candidate of the workspace holds "
            "an identifier of the body (`DUPLICATE`); nothing was created",
        },
    },
)
async def create_candidate(
    body: CandidateCreateBody,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> str:
    """Creates a candidate; the answer is the new id as a bare JSON string (API.md §2.2), with
    the candidate's ``ETag`` and, in ``x-duplicates``, the other candidates of the workspace
    holding one of its identifiers (with ``onDuplicate: reject``, those make it a 409)."""
    candidate_id = await service.create_candidate(
        session, caller.workspace_id, body, phone_region=settings.default_phone_region
    )
    found = await duplicates.check_new_candidate(
        session, caller.workspace_id, candidate_id, body.on_duplicate
    )
    response.headers["ETag"] = await service.current_etag(session, candidate_id)
    response.headers[duplicates.DUPLICATES_HEADER] = duplicates.header_value(found)
    return candidate_id


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
    responses={
        **VIEW_RESPONSE,
        **NOT_MODIFIED_RESPONSES,
        **error_responses(401),
        **merge.NOT_FOUND_RESPONSES,
    },
)
async def get_candidate(
    id: str, caller: CallerDep, session: SessionDep, if_none_match: IfNoneMatch = None
) -> Response:
    """The CandidateView (API.md §2.3) with its ``ETag``; 304 without a body when
    ``If-None-Match`` names the current ETag."""
    answer = await service.get_candidate(
        session, caller.workspace_id, id, if_none_match=if_none_match
    )
    if isinstance(answer, service.NotModified):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": answer.etag})
    return view_answer(answer.view, answer.etag)


@router.patch(
    "/candidates/{id}",
    response_class=JSONResponse,
    summary="Update candidate",
    responses={
        **VIEW_RESPONSE,
        **PRECONDITION_RESPONSES,
        **error_responses(400, 401, 413, 415),
        **merge.NOT_FOUND_RESPONSES,
    },
)
@locks_late
async def update_candidate(
    id: str,
    body: CandidatePatch,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Partial update with the semantics of API.md §2.1; answers the updated CandidateView
    with its new ``ETag``. With ``If-Match``, only when the candidate is still at that ETag
    (else 412, nothing changed)."""
    answer = await service.update_candidate(
        session,
        caller.workspace_id,
        id,
        body,
        phone_region=settings.default_phone_region,
        if_match=if_match,
    )
    return view_answer(answer.view, answer.etag)


@router.delete(
    "/candidates/{id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete candidate",
    responses={
        **PRECONDITION_RESPONSES,
        **error_responses(400, 401),
        **merge.NOT_FOUND_RESPONSES,
    },
)
async def delete_candidate(
    id: str, caller: CallerDep, session: SessionDep, if_match: IfMatch = None
) -> Response:
    """Deletes the candidate: 204, then GET answers 404; its history stays readable. With
    ``If-Match``, only when the candidate is still at that ETag (else 412, nothing deleted).
    400 only for an unknown ``x-on-behalf-of``."""
    await service.delete_candidate(session, caller.workspace_id, id, if_match=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/candidates/{id}/merge",
    response_class=JSONResponse,
    summary="Merge a duplicate into this candidate",
    responses={
        **VIEW_RESPONSE,
        **PRECONDITION_RESPONSES,
        **merge.CONFLICT_RESPONSES,
        **error_responses(400, 401, 413, 415),
        **merge.NOT_FOUND_RESPONSES,
    },
)
async def merge_candidates(
    id: str,
    body: merge.MergeBody,
    caller: CallerDep,
    session: SessionDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Moves everything of candidate `duplicateId` to this one (contact identifiers without
    repeats, notes, tasks, placements, work history, attachments, client-contact roles,
    missing custom attribute values and LinkedIn profile), deletes the duplicate (its id then
    answers 404 with `mergedInto`) and answers this candidate's CandidateView with its new
    `ETag`. With `If-Match`, only when this candidate is still at that ETag (else 412).
    400 `NOT_FOUND` / `SAME_CANDIDATE` at `duplicateId`; 409 when a merged list would exceed
    50 items (nothing changes)."""
    answer = await merge.merge_candidates(
        session, caller.workspace_id, id, body.duplicate_id, if_match=if_match
    )
    return view_answer(answer.view, answer.etag)


class AnonymizeBody(StrictInput):
    """Anonymize takes no options: an empty object (or no body); any key is refused."""


@router.post(
    "/candidates/{id}/anonymize",
    response_class=JSONResponse,
    summary="Anonymize candidate",
    responses={
        **VIEW_RESPONSE,
        **PRECONDITION_RESPONSES,
        **error_responses(400, 401),
        **merge.NOT_FOUND_RESPONSES,
    },
)
async def anonymize_candidate(
    id: str,
    caller: CallerDep,
    session: SessionDep,
    if_match: IfMatch = None,
    _body: AnonymizeBody | None = None,
) -> JSONResponse:
    """Erases the candidate's personal data for good (names become `Anonymized Candidate`;
    contact details, locations, date of birth, gender, nationality, LinkedIn profile,
    attachments and their files, free-text custom values, the text of its notes and tasks,
    and the personal values in its history) and keeps its id and non-personal facts
    (placements, tasks, counts). Answers the CandidateView with its `ETag`; anonymizing again
    changes nothing. With `If-Match`, only when the candidate is still at that ETag (else
    412). 400 only for an unknown `x-on-behalf-of`."""
    answer = await anonymize.anonymize_candidate(
        session, caller.workspace_id, id, if_match=if_match
    )
    return view_answer(answer.view, answer.etag)
