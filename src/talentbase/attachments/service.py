"""Rules for attachments: what may be uploaded, where it goes, who it belongs to.

- Accepted: PDF and DOCX, judged by the bytes (``content.detect``), up to
  ``max_attachment_bytes``; anything else → 415 ``UNSUPPORTED_FILE_TYPE``, larger → 413.
- The client's file name is kept (full Unicode, path parts and control characters dropped)
  for downloads; the stored file is named by the generated id (``storage``).
- A file and its row appear together or not at all (``storage``: removed if the transaction
  does not commit; a deleted row's file is removed after the commit).
- A candidate's ``cvAttachmentId`` is its CV assigned last: each assignment to a candidate
  (upload with ``candidateId``, or assign) is stamped strictly later than the candidate's
  previous one, under the candidate's row lock, so "last" is never a tie. Any create, assign
  or delete of a CV touches the candidate (``candidates.repository.touch``); its row is locked
  before the attachment's, the lock order of every candidate write.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import (
    DUPLICATE,
    INVALID_STRING,
    NOT_FOUND,
    TOO_BIG,
    TOO_SMALL,
    ApiError,
    ErrorItem,
    NotFound,
    ValidationFailed,
)
from talentbase.api.pagination import PageQuery
from talentbase.attachments import content, repository, storage
from talentbase.attachments.form import FILES_FIELD, UploadedFile
from talentbase.attachments.models import Attachment
from talentbase.attachments.repository import CV, AttachmentFilters
from talentbase.attachments.schemas import AssignBody
from talentbase.attachments.storage import Storage
from talentbase.candidates import repository as candidates
from talentbase.db.base import new_id
from talentbase.db.types import after, utcnow
from talentbase.views import iso

UNSUPPORTED_FILE_TYPE = "UNSUPPORTED_FILE_TYPE"

log = structlog.get_logger("talentbase.attachments")


def _kind(attachment: Attachment) -> content.FileKind | None:
    return content.KINDS.get(attachment.content_type or "")


def uploaded_json(attachment: Attachment) -> dict[str, Any]:
    """``{type, attachmentId, attachmentName, createdAt, extension, size}`` (Spott's upload
    answer item)."""
    kind = _kind(attachment)
    return {
        "type": attachment.type,
        "attachmentId": attachment.id,
        "attachmentName": attachment.file_name,
        "createdAt": iso(attachment.created_at),
        "extension": kind.extension if kind else None,
        "size": attachment.size_bytes,
    }


def item_json(attachment: Attachment) -> dict[str, Any]:
    """``{attachmentId, attachmentName, createdAt, extension, size, type}`` (a list item)."""
    kind = _kind(attachment)
    return {
        "attachmentId": attachment.id,
        "attachmentName": attachment.file_name,
        "createdAt": iso(attachment.created_at),
        "extension": kind.extension if kind else None,
        "size": attachment.size_bytes,
        "type": attachment.type,
    }


def _assignment_after(previous: datetime | None) -> datetime:
    """The time of a new assignment to a candidate whose last one was ``previous``: now, or
    just after ``previous`` if the clock has not passed it. Read ``previous`` with the
    candidate's row locked."""
    return after(previous) if previous is not None else utcnow()


def _missing(path: str, what: str, id_: str) -> ErrorItem:
    return ErrorItem(NOT_FOUND, path, f"No {what} {id_} in this workspace", id_)


async def _checked_upload(upload: UploadedFile, limit: int) -> tuple[str, content.FileKind]:
    """The upload's cleaned file name and format; 413 over ``limit`` bytes, 400 for an empty
    file or name, 415 for a format other than PDF or DOCX."""
    if upload.size > limit:
        raise ApiError(
            413,
            f"File is larger than {limit} bytes",
            [ErrorItem(TOO_BIG, FILES_FIELD, f"Must be at most {limit} bytes", upload.size)],
        )
    errors: list[ErrorItem] = []
    if upload.size == 0:
        errors.append(ErrorItem(TOO_SMALL, FILES_FIELD, "The file is empty", 0))
    name = content.clean_file_name(upload.name)
    if not name:
        errors.append(ErrorItem(INVALID_STRING, FILES_FIELD, "The file has no name", upload.name))
    elif len(name) > content.MAX_FILE_NAME_LENGTH:
        errors.append(
            ErrorItem(
                TOO_BIG,
                FILES_FIELD,
                f"File name is longer than {content.MAX_FILE_NAME_LENGTH} characters",
                name,
            )
        )
    if errors:
        raise ValidationFailed(errors)
    kind = await asyncio.to_thread(content.detect, upload.file)
    if kind is None:
        message = "Unsupported file type: only PDF and DOCX files are accepted (judged by content)"
        raise ApiError(415, message, [ErrorItem(UNSUPPORTED_FILE_TYPE, FILES_FIELD, message, name)])
    return name, kind


async def upload(
    session: AsyncSession,
    workspace_id: str,
    files: Storage,
    upload: UploadedFile,
    attachment_type: str,
    candidate_id: str | None,
) -> list[dict[str, Any]]:
    """Stores the uploaded file as an attachment of ``attachment_type``, linked to
    ``candidate_id`` when given (400 ``NOT_FOUND`` at ``candidateId`` if it is not a candidate
    of the workspace), and answers Spott's one-item array. Errors as ``_checked_upload``."""
    name, kind = await _checked_upload(upload, files.max_bytes)
    assigned_at: datetime | None = None
    if candidate_id is not None:
        candidate = await candidates.get(session, workspace_id, candidate_id, for_update=True)
        if candidate is None:
            raise ValidationFailed([_missing("candidateId", "candidate", candidate_id)])
        assigned_at = _assignment_after(
            await repository.last_assigned_at(session, workspace_id, candidate_id)
        )
    attachment = Attachment(
        id=new_id(),
        workspace_id=workspace_id,
        candidate_id=candidate_id,
        type=attachment_type,
        file_name=name,
        content_type=kind.content_type,
        size_bytes=upload.size,
        created_at=utcnow(),
        assigned_at=assigned_at,
    )
    path = files.path_for(attachment.id)
    attachment.storage_path = str(path)
    storage.remove_unless_committed(session, path)
    await asyncio.to_thread(storage.write, upload.file, path)
    repository.add(session, attachment)
    await session.flush()
    if candidate_id is not None and attachment_type == CV:
        await candidates.touch(
            session,
            workspace_id,
            [candidate_id],
            {"attachment": {"id": attachment.id, "action": "created"}},
        )
    return [uploaded_json(attachment)]


async def assign(session: AsyncSession, workspace_id: str, body: AssignBody) -> None:
    """Links the attachments to the candidate with their new ``type`` (and ``name``, when
    sent); each becomes the candidate's latest, in list order (the last CV listed becomes
    ``cvAttachmentId``). Re-assigning to the same candidate is allowed. 400 ``NOT_FOUND`` at
    ``candidateId`` / ``attachments.N.id`` for ids not of the workspace, ``DUPLICATE`` for an
    id listed twice; 409 for an attachment that belongs to another candidate. All or
    nothing."""
    errors: list[ErrorItem] = []
    candidate = await candidates.get(session, workspace_id, body.candidate_id, for_update=True)
    if candidate is None:
        errors.append(_missing("candidateId", "candidate", body.candidate_id))
    ids = [item.id for item in body.attachments]
    found = await repository.by_ids(session, workspace_id, ids, for_update=True)
    seen: set[str] = set()
    for index, item in enumerate(body.attachments):
        path = f"attachments.{index}.id"
        if item.id in seen:
            errors.append(
                ErrorItem(DUPLICATE, path, f"Attachment {item.id} is listed twice", item.id)
            )
        elif item.id not in found:
            errors.append(_missing(path, "attachment", item.id))
        seen.add(item.id)
    if errors:
        raise ValidationFailed(errors)
    for item in body.attachments:
        owner = found[item.id].candidate_id
        if owner is not None and owner != body.candidate_id:
            raise ApiError(409, f"Attachment {item.id} already belongs to another candidate")
    previous = await repository.last_assigned_at(session, workspace_id, body.candidate_id)
    touches_cv = False
    for item in body.attachments:
        attachment = found[item.id]
        touches_cv = touches_cv or CV in (attachment.type, item.type)
        attachment.candidate_id = body.candidate_id
        attachment.type = item.type
        attachment.assigned_at = previous = _assignment_after(previous)
        if "name" in item.model_fields_set:
            attachment.file_name = item.name
    await session.flush()
    if touches_cv:
        await candidates.touch(
            session,
            workspace_id,
            [body.candidate_id],
            {"attachment": {"ids": ids, "action": "assigned"}},
        )


@dataclass(frozen=True)
class Download:
    """An attachment's file, ready to send: ``path``, its ``stat``, the ``name`` and
    ``content_type`` to send it with."""

    path: Path
    stat: os.stat_result
    name: str
    content_type: str


async def download(session: AsyncSession, workspace_id: str, attachment_id: str) -> Download:
    """The file of the attachment; ``NotFound`` (404) when the id is not one of the workspace,
    or when its file has gone from disk (logged: the folder was tampered with)."""
    attachment = await repository.get(session, workspace_id, attachment_id)
    if attachment is None:
        raise NotFound("Attachment", attachment_id)
    path = Path(attachment.storage_path)
    try:
        stat = await asyncio.to_thread(path.stat)
    except FileNotFoundError:
        log.error("attachment_file_missing", attachment_id=attachment.id, path=str(path))
        raise NotFound("Attachment", attachment_id) from None
    return Download(
        path, stat, attachment.file_name, attachment.content_type or "application/octet-stream"
    )


async def list_attachments(
    session: AsyncSession, workspace_id: str, filters: AttachmentFilters, query: PageQuery
) -> dict[str, Any]:
    """``{items, pagination}``: one page of attachments in ``(createdAt, id)`` order."""
    page = await repository.list_page(session, workspace_id, filters, query)
    return {"items": [item_json(row) for row in page.rows], "pagination": page.pagination()}


async def delete(session: AsyncSession, workspace_id: str, attachment_id: str) -> None:
    """Deletes the attachment; its file is removed once the deletion has committed. A CV's
    candidate is touched. ``NotFound`` (404) when the id is not one of the workspace."""
    attachment = await repository.get(session, workspace_id, attachment_id)
    if attachment is None:
        raise NotFound("Attachment", attachment_id)
    if attachment.candidate_id is not None:
        await candidates.get(session, workspace_id, attachment.candidate_id, for_update=True)
    locked = await repository.get(session, workspace_id, attachment_id, for_update=True)
    if locked is None:
        raise NotFound("Attachment", attachment_id)
    await repository.delete(session, locked)
    storage.remove_after_commit(session, [Path(locked.storage_path)])
    if locked.candidate_id is not None and locked.type == CV:
        await candidates.touch(
            session,
            workspace_id,
            [locked.candidate_id],
            {"attachment": {"id": locked.id, "action": "deleted"}},
        )
