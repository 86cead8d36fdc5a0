"""Attachment (CV upload and download) routes: ``/attachments``. Thin; the rules are in
``attachments.service``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import FileResponse, JSONResponse

from talentbase.api.deps import CallerDep, SessionDep
from talentbase.api.pagination import PageQueryDep
from talentbase.api.routing import StrictJSONRoute
from talentbase.api.schemas import ErrorBody, error_responses
from talentbase.api.settings_dep import SettingsDep
from talentbase.attachments import content, service
from talentbase.attachments.form import REQUEST_BODY, UploadedFileDep
from talentbase.attachments.repository import AttachmentFilters
from talentbase.attachments.schemas import (
    AssignBody,
    AttachmentList,
    AttachmentType,
    UploadedAttachment,
)
from talentbase.attachments.storage import Storage
from talentbase.history.context import write_context

router = APIRouter(route_class=StrictJSONRoute, tags=["attachments"], dependencies=[write_context])

TypeQuery = Annotated[
    AttachmentType, Query(alias="type", description="`CV` or `unassigned` (any letter case)")
]

_UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"model": list[UploadedAttachment]},
    **error_responses(400, 401),
    413: {"model": ErrorBody, "description": "File larger than `max_attachment_bytes` (10 MiB)"},
    415: {
        "model": ErrorBody,
        "description": "Body not multipart/form-data, or a file that is neither PDF nor DOCX "
        "(`UNSUPPORTED_FILE_TYPE`)",
    },
}
_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.post(
    "/attachments",
    status_code=status.HTTP_201_CREATED,
    response_class=JSONResponse,
    summary="Upload attachment",
    responses=_UPLOAD_RESPONSES,
    openapi_extra={"requestBody": REQUEST_BODY},
)
async def upload_attachment(
    upload: UploadedFileDep,
    attachment_type: TypeQuery,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
    candidate_id: Annotated[
        str | None,
        Query(alias="candidateId", description="The candidate the file belongs to"),
    ] = None,
) -> JSONResponse:
    """Uploads one PDF or DOCX file (form field ``files``), optionally as an attachment of
    ``candidateId``; type ``CV`` makes it the candidate's ``cvAttachmentId``. Answers Spott's
    array of one ``{type, attachmentId, attachmentName, createdAt, extension, size}``."""
    created = await service.upload(
        session,
        caller.workspace_id,
        Storage.from_settings(settings),
        upload,
        attachment_type,
        candidate_id,
    )
    return JSONResponse(created, status_code=status.HTTP_201_CREATED)


@router.post(
    "/attachments/temporary",
    status_code=status.HTTP_201_CREATED,
    response_class=JSONResponse,
    summary="Upload temporary attachment",
    responses=_UPLOAD_RESPONSES,
    openapi_extra={"requestBody": REQUEST_BODY},
)
async def upload_temporary_attachment(
    upload: UploadedFileDep,
    attachment_type: TypeQuery,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
) -> JSONResponse:
    """Uploads one PDF or DOCX file (form field ``files``) belonging to no record yet; link it
    with ``POST /attachments/temporary/assign``. Answers as ``POST /attachments``."""
    created = await service.upload(
        session,
        caller.workspace_id,
        Storage.from_settings(settings),
        upload,
        attachment_type,
        None,
    )
    return JSONResponse(created, status_code=status.HTTP_201_CREATED)


@router.post(
    "/attachments/temporary/assign",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Assign temporary attachments to a candidate",
    responses={
        **error_responses(400, 401, 413, 415),
        409: {"model": ErrorBody, "description": "An attachment belongs to another candidate"},
    },
)
async def assign_attachments(body: AssignBody, caller: CallerDep, session: SessionDep) -> Response:
    """Links uploaded attachments to a candidate, each with its ``type`` (and new ``name``)."""
    await service.assign(session, caller.workspace_id, body)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/attachments",
    response_class=JSONResponse,
    summary="List attachments",
    responses={200: {"model": AttachmentList}, **error_responses(400, 401)},
)
async def list_attachments(
    query: PageQueryDep,
    caller: CallerDep,
    session: SessionDep,
    candidate_id: Annotated[
        str | None, Query(alias="candidateId", description="Only this candidate's attachments")
    ] = None,
    attachment_type: Annotated[
        AttachmentType | None,
        Query(alias="type", description="Only `CV` or only `unassigned` (any letter case)"),
    ] = None,
    company_id: Annotated[
        str | None,
        Query(
            alias="companyId",
            description="Only this client's attachments: talentbase links files to candidates "
            "only, so the answer is an empty page",
        ),
    ] = None,
    vacancy_id: Annotated[
        str | None,
        Query(
            alias="vacancyId",
            description="Only this vacancy's attachments: talentbase links files to candidates "
            "only, so the answer is an empty page",
        ),
    ] = None,
) -> JSONResponse:
    """Attachments in ``(createdAt, id)`` order, a page at a time, filtered by ``candidateId``
    and ``type``. Spott's ``companyId`` and ``vacancyId`` filters are accepted; talentbase links
    files to candidates only, so with either of them the answer is an empty page
    (``totalItems`` 0)."""
    filters = AttachmentFilters(
        candidate_id=candidate_id,
        type=attachment_type,
        company_id=company_id,
        vacancy_id=vacancy_id,
    )
    return JSONResponse(
        await service.list_attachments(session, caller.workspace_id, filters, query)
    )


@router.get(
    "/attachments/{id}",
    response_class=FileResponse,
    summary="Download attachment",
    responses={
        200: {
            "description": "The file, with `Content-Disposition: attachment` naming it "
            "(RFC 6266; `filename*` in UTF-8 per RFC 5987)",
            "content": {kind: _BINARY for kind in content.KINDS},
        },
        **error_responses(401, 404),
    },
)
async def download_attachment(id: str, caller: CallerDep, session: SessionDep) -> FileResponse:
    """The attachment's bytes as uploaded."""
    found = await service.download(session, caller.workspace_id, id)
    return FileResponse(
        found.path,
        media_type=found.content_type,
        stat_result=found.stat,
        headers={
            "Content-Disposition": content.content_disposition(found.name),
            # the declared type is the checked one; browsers must not guess another
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.delete(
    "/attachments/{id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete attachment",
    responses=error_responses(400, 401, 404),
)
async def delete_attachment(id: str, caller: CallerDep, session: SessionDep) -> Response:
    """Deletes the attachment and, once that has committed, its file."""
    await service.delete(session, caller.workspace_id, id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
