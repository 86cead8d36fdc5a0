"""Note (interaction) routes: ``/notes``. Thin; the rules are in ``notes.service``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, status
from fastapi.responses import JSONResponse

from talentbase.api.deps import CallerDep, SessionDep
from talentbase.api.pagination import CursorQueryDep
from talentbase.api.routing import StrictJSONRoute
from talentbase.api.schemas import error_responses
from talentbase.history.context import ACTING_USER_HEADER, write_context
from talentbase.notes import service
from talentbase.notes.repository import NoteFilters
from talentbase.notes.schemas import NoteCreate, NoteList, NoteOut, NoteSource

router = APIRouter(route_class=StrictJSONRoute, tags=["notes"], dependencies=[write_context])

ActingUser = Annotated[
    str | None,
    Header(
        alias=ACTING_USER_HEADER,
        description="Id of the workspace's user on whose behalf the request is made "
        "(the note's `createdBy`); without it `createdBy` is null",
    ),
]


@router.post(
    "/notes",
    status_code=status.HTTP_201_CREATED,
    response_class=JSONResponse,
    summary="Create a note",
    responses={201: {"model": NoteOut}, **error_responses(400, 401, 413, 415)},
)
async def create_note(
    body: NoteCreate, caller: CallerDep, session: SessionDep, acting_user: ActingUser = None
) -> JSONResponse:
    """Records a note, or an interaction when ``source`` names one (a call, a meeting)."""
    note = await service.create_note(session, caller.workspace_id, body, acting_user)
    return JSONResponse(note, status_code=status.HTTP_201_CREATED)


@router.get(
    "/notes",
    response_class=JSONResponse,
    summary="List notes",
    responses={200: {"model": NoteList}, **error_responses(400, 401)},
)
async def list_notes(
    query: CursorQueryDep,
    caller: CallerDep,
    session: SessionDep,
    candidate_id: Annotated[
        str | None, Query(alias="candidateId", description="Only notes linked to this candidate")
    ] = None,
    client_contact_id: Annotated[
        str | None,
        Query(alias="clientContactId", description="Only notes linked to this client contact"),
    ] = None,
    source: Annotated[NoteSource | None, Query(description="Only notes of this source")] = None,
) -> JSONResponse:
    """Notes in ``(modifiedAt, id)`` order, a cursor page at a time."""
    filters = NoteFilters(candidate_id, client_contact_id, source)
    return JSONResponse(await service.list_notes(session, caller.workspace_id, query, filters))


@router.get(
    "/notes/{id}",
    response_class=JSONResponse,
    summary="Get a note",
    responses={200: {"model": NoteOut}, **error_responses(401, 404)},
)
async def get_note(id: str, caller: CallerDep, session: SessionDep) -> JSONResponse:
    """One note."""
    return JSONResponse(await service.get_note(session, caller.workspace_id, id))
