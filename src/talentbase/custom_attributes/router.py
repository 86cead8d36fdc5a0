"""Custom attribute definition and value routes: thin; the rules are in
``custom_attributes.service``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status
from fastapi.responses import JSONResponse

from talentbase.api.deps import CallerDep, SessionDep
from talentbase.api.pagination import PageQueryDep
from talentbase.api.routing import StrictJSONRoute
from talentbase.api.schemas import ErrorBody, error_responses
from talentbase.candidates.router import VIEW_RESPONSE, candidate_answer
from talentbase.custom_attributes import service
from talentbase.custom_attributes.models import ENTITY_TYPES
from talentbase.custom_attributes.schemas import (
    BulkValues,
    DefinitionCreate,
    DefinitionList,
    DefinitionOut,
    ValueSet,
)
from talentbase.history.context import write_context

router = APIRouter(
    route_class=StrictJSONRoute, tags=["custom attributes"], dependencies=[write_context]
)

EntityType = Annotated[
    str,
    Path(
        alias="entityType",
        description="`candidate` or `clientContact`; anything else answers 404",
        json_schema_extra={"enum": list(ENTITY_TYPES)},
    ),
]

_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ErrorBody,
        "description": "The label is already used by another definition (code `DUPLICATE`)",
    }
}


@router.post(
    "/custom-attributes/{entityType}/definitions",
    status_code=status.HTTP_201_CREATED,
    response_class=JSONResponse,
    summary="Create custom attribute definition",
    responses={
        201: {"model": DefinitionOut},
        **error_responses(400, 401, 404, 413, 415),
        **_CONFLICT,
    },
)
async def create_definition(
    entity_type: EntityType, body: DefinitionCreate, caller: CallerDep, session: SessionDep
) -> JSONResponse:
    """Creates a definition of kind ``viewType`` (customText, customNumber, customCheckbox,
    customSelect, customMultiSelect, customDate, customCurrency, customUrl); ``options`` for
    the select kinds only. 409 when the label is taken (ignoring case)."""
    definition = await service.create_definition(session, caller.workspace_id, entity_type, body)
    return JSONResponse(definition, status_code=status.HTTP_201_CREATED)


@router.get(
    "/custom-attributes/{entityType}/definitions",
    response_class=JSONResponse,
    summary="List custom attribute definitions",
    responses={200: {"model": DefinitionList}, **error_responses(400, 401, 404)},
)
async def list_definitions(
    entity_type: EntityType, query: PageQueryDep, caller: CallerDep, session: SessionDep
) -> JSONResponse:
    """Definitions of the entity type, oldest first, a page at a time (``page``, ``pageSize``)."""
    return JSONResponse(
        await service.list_definitions(session, caller.workspace_id, entity_type, query)
    )


@router.get(
    "/custom-attributes/{entityType}/definitions/{id}",
    response_class=JSONResponse,
    summary="Get custom attribute definition",
    responses={200: {"model": DefinitionOut}, **error_responses(401, 404)},
)
async def get_definition(
    entity_type: EntityType, id: str, caller: CallerDep, session: SessionDep
) -> JSONResponse:
    """One definition."""
    return JSONResponse(await service.get_definition(session, caller.workspace_id, entity_type, id))


@router.put(
    "/candidates/{id}/custom-attributes/{definitionId}",
    response_class=JSONResponse,
    summary="Set candidate custom attribute value",
    responses={**VIEW_RESPONSE, **error_responses(400, 401, 404, 413, 415)},
)
async def set_value(
    id: str,
    definition_id: Annotated[str, Path(alias="definitionId")],
    body: ValueSet,
    caller: CallerDep,
    session: SessionDep,
) -> JSONResponse:
    """Sets the candidate's value of one candidate attribute (``{"value": null}`` removes it)
    and answers the CandidateView with its ``ETag``."""
    view = await service.set_value(session, caller.workspace_id, id, definition_id, body)
    return await candidate_answer(session, view)


@router.put(
    "/custom-attributes/candidates/{id}/values/_bulk",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Update custom attribute values for a candidate",
    responses=error_responses(400, 401, 404, 413, 415),
)
async def set_values(id: str, body: BulkValues, caller: CallerDep, session: SessionDep) -> Response:
    """Sets or removes (``null``) several values at once, all or nothing; attributes not
    listed keep their values. 204 (Spott answers a message)."""
    await service.set_values(session, caller.workspace_id, id, body)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
