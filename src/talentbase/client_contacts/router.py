"""Client contact routes: ``/clients/contacts``. Thin; the rules are in
``client_contacts.service``.

The stage routes are declared before ``/clients/contacts/{id}`` so ``stages`` is never read as
an id. Spott names the path parameter ``clientId``, ``candidateId`` or ``id`` depending on the
method; here it is ``{id}`` on all three (OpenAPI forbids one path under three names), and each
route says which record the id names.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status
from fastapi.responses import JSONResponse

from talentbase.api.deps import CallerDep, SessionDep
from talentbase.api.routing import StrictJSONRoute
from talentbase.api.schemas import ErrorBody, error_responses
from talentbase.api.settings_dep import SettingsDep
from talentbase.candidates.schemas import StageOut
from talentbase.client_contacts import service
from talentbase.client_contacts.schemas import (
    ClientContactCreate,
    ClientContactPatch,
    ContactPerson,
    StageCreate,
    StageList,
)
from talentbase.history.context import write_context

router = APIRouter(
    route_class=StrictJSONRoute, tags=["client contacts"], dependencies=[write_context]
)


def _conflict(description: str) -> dict[int | str, dict[str, object]]:
    return {409: {"model": ErrorBody, "description": description}}


@router.post(
    "/clients/contacts/stages",
    status_code=status.HTTP_201_CREATED,
    response_class=JSONResponse,
    summary="Create client contact stage",
    responses={
        201: {"model": StageOut},
        **error_responses(400, 401, 413, 415),
        **_conflict("A stage already has this name, ignoring case (code `DUPLICATE`)"),
    },
)
async def create_stage(body: StageCreate, caller: CallerDep, session: SessionDep) -> JSONResponse:
    """Creates a stage ``{id, order, name, colorHex}`` of the workspace's client contact
    pipeline; ``order`` defaults to one after the last stage."""
    stage = await service.create_stage(session, caller.workspace_id, body)
    return JSONResponse(stage, status_code=status.HTTP_201_CREATED)


@router.get(
    "/clients/contacts/stages",
    response_class=JSONResponse,
    summary="Get client contact stages",
    responses={200: {"model": StageList}, **error_responses(401)},
)
async def list_stages(caller: CallerDep, session: SessionDep) -> JSONResponse:
    """The workspace's client contact stages in pipeline order (``order``, then name)."""
    return JSONResponse(await service.list_stages(session, caller.workspace_id))


@router.post(
    "/clients/contacts/{id}",
    status_code=status.HTTP_201_CREATED,
    response_class=JSONResponse,
    summary="Create a new client contact",
    responses={
        201: {"model": ContactPerson},
        **error_responses(400, 401, 404, 413, 415),
        **_conflict("The candidate is already a contact at this client (code `DUPLICATE`)"),
    },
)
async def create_contact(
    id: Annotated[str, Path(description="The client's id")],
    body: ClientContactCreate,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
) -> JSONResponse:
    """Makes a candidate (``candidateId``, or a new one from the candidate fields) a contact at
    the client; answers the person as ``GET /clients/contacts/{candidateId}`` shows it."""
    person = await service.create_contact(
        session, caller.workspace_id, id, body, phone_region=settings.default_phone_region
    )
    return JSONResponse(person, status_code=status.HTTP_201_CREATED)


@router.get(
    "/clients/contacts/{id}",
    response_class=JSONResponse,
    summary="Get client contact by candidate ID",
    responses={200: {"model": ContactPerson}, **error_responses(401, 404)},
)
async def get_contact_person(
    id: Annotated[str, Path(description="The candidate's id")],
    caller: CallerDep,
    session: SessionDep,
) -> JSONResponse:
    """The candidate with all its client-contact roles; 404 when it is no contact anywhere."""
    return JSONResponse(await service.get_contact_person(session, caller.workspace_id, id))


@router.patch(
    "/clients/contacts/{id}",
    response_class=JSONResponse,
    summary="Update client contact",
    responses={200: {"model": ContactPerson}, **error_responses(400, 401, 404, 413, 415)},
)
async def update_contact(
    id: Annotated[str, Path(description="The client contact's id (clientContacts[].id)")],
    body: ClientContactPatch,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
) -> JSONResponse:
    """Partial update of the role (and of the candidate's names and main contact); answers the
    person as ``GET /clients/contacts/{candidateId}`` shows it."""
    person = await service.update_contact(
        session, caller.workspace_id, id, body, phone_region=settings.default_phone_region
    )
    return JSONResponse(person)
