"""Work experience and education routes under ``/candidates/{id}``: thin; the rules are in
``work_history.service``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status
from fastapi.responses import JSONResponse

from talentbase.api.deps import CallerDep, SessionDep
from talentbase.api.routing import StrictJSONRoute
from talentbase.api.schemas import error_responses
from talentbase.candidates.schemas import EducationIn, WorkExperienceIn
from talentbase.history.context import write_context
from talentbase.work_history import service
from talentbase.work_history.schemas import (
    EducationList,
    EducationOut,
    WorkExperienceList,
    WorkExperienceOut,
)

router = APIRouter(route_class=StrictJSONRoute, tags=["work history"], dependencies=[write_context])

_EDUCATION_LIST: dict[int | str, dict[str, Any]] = {200: {"model": list[EducationOut]}}
_EXPERIENCE_LIST: dict[int | str, dict[str, Any]] = {200: {"model": list[WorkExperienceOut]}}


@router.get(
    "/candidates/{id}/education",
    response_class=JSONResponse,
    summary="Get education",
    responses={**_EDUCATION_LIST, **error_responses(401, 404)},
)
async def list_education(id: str, caller: CallerDep, session: SessionDep) -> JSONResponse:
    """The candidate's education as a bare array, most recent first: current (started, not
    ended) by latest start, then ended by latest end, then not yet started by soonest start;
    ties by id."""
    return JSONResponse(
        await service.list_records(session, caller.workspace_id, id, service.EDUCATION)
    )


@router.post(
    "/candidates/{id}/education",
    status_code=status.HTTP_201_CREATED,
    response_class=JSONResponse,
    summary="Add education",
    responses={201: {"model": EducationOut}, **error_responses(400, 401, 404, 413, 415)},
)
async def add_education(
    id: str, body: EducationIn, caller: CallerDep, session: SessionDep
) -> JSONResponse:
    """Adds one education record (the rules of POST /candidates ``education[]``); answers it."""
    record = await service.add_record(session, caller.workspace_id, id, service.EDUCATION, body)
    return JSONResponse(record, status_code=status.HTTP_201_CREATED)


@router.put(
    "/candidates/{id}/education",
    response_class=JSONResponse,
    summary="Replace education",
    responses={**_EDUCATION_LIST, **error_responses(400, 401, 404, 413, 415)},
)
async def replace_education(
    id: str, body: EducationList, caller: CallerDep, session: SessionDep
) -> JSONResponse:
    """Replaces the candidate's whole education with ``education`` (``[]`` empties it); an
    item's ``id`` keeps that record. Answers the new list, in GET order."""
    records = await service.replace_records(
        session, caller.workspace_id, id, service.EDUCATION, body.education
    )
    return JSONResponse(records)


@router.delete(
    "/candidates/{id}/education/{educationId}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete education",
    responses=error_responses(400, 401, 404),
)
async def delete_education(
    id: str,
    education_id: Annotated[str, Path(alias="educationId")],
    caller: CallerDep,
    session: SessionDep,
) -> Response:
    """Deletes one education record of the candidate."""
    await service.delete_record(session, caller.workspace_id, id, service.EDUCATION, education_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/candidates/{id}/work-experiences",
    response_class=JSONResponse,
    summary="Get work experiences",
    responses={**_EXPERIENCE_LIST, **error_responses(401, 404)},
)
async def list_work_experiences(id: str, caller: CallerDep, session: SessionDep) -> JSONResponse:
    """The candidate's work experiences as a bare array, most recent first: current (started,
    not ended) by latest start, then ended by latest end, then not yet started by soonest start;
    ties by id. The first is the view's ``latestWorkExperience``."""
    return JSONResponse(
        await service.list_records(session, caller.workspace_id, id, service.WORK_EXPERIENCES)
    )


@router.post(
    "/candidates/{id}/work-experiences",
    status_code=status.HTTP_201_CREATED,
    response_class=JSONResponse,
    summary="Add work experience",
    responses={201: {"model": WorkExperienceOut}, **error_responses(400, 401, 404, 413, 415)},
)
async def add_work_experience(
    id: str, body: WorkExperienceIn, caller: CallerDep, session: SessionDep
) -> JSONResponse:
    """Adds one work experience (the rules of POST /candidates ``workExperiences[]``); answers
    it."""
    record = await service.add_record(
        session, caller.workspace_id, id, service.WORK_EXPERIENCES, body
    )
    return JSONResponse(record, status_code=status.HTTP_201_CREATED)


@router.put(
    "/candidates/{id}/work-experiences",
    response_class=JSONResponse,
    summary="Replace work experiences",
    responses={**_EXPERIENCE_LIST, **error_responses(400, 401, 404, 413, 415)},
)
async def replace_work_experiences(
    id: str, body: WorkExperienceList, caller: CallerDep, session: SessionDep
) -> JSONResponse:
    """Replaces the candidate's whole work history with ``workExperiences`` (``[]`` empties
    it); an item's ``id`` keeps that record. Answers the new list, in GET order."""
    records = await service.replace_records(
        session, caller.workspace_id, id, service.WORK_EXPERIENCES, body.work_experiences
    )
    return JSONResponse(records)


@router.delete(
    "/candidates/{id}/work-experiences/{workExperienceId}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete work experience",
    responses=error_responses(400, 401, 404),
)
async def delete_work_experience(
    id: str,
    work_experience_id: Annotated[str, Path(alias="workExperienceId")],
    caller: CallerDep,
    session: SessionDep,
) -> Response:
    """Deletes one work experience of the candidate."""
    await service.delete_record(
        session, caller.workspace_id, id, service.WORK_EXPERIENCES, work_experience_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
