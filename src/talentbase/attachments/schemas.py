"""Bodies and answers of the attachment routes (Spott ``attachments.txt``).

Attachment types: Spott's docs spell them ``CV`` / ``unassigned`` (query values), ``UNASSIGNED``
(a newer rendering) and ``cv`` (the assign example), so talentbase accepts ``cv`` and
``unassigned`` in any letter case and always answers ``CV`` or ``unassigned``, Spott's values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from talentbase.api.errors import INVALID_ENUM_VALUE, INVALID_STRING, TOO_BIG
from talentbase.api.pagination import PaginationOut
from talentbase.api.schemas import Output, StrictInput, absent
from talentbase.attachments import content
from talentbase.attachments.repository import CV, UNASSIGNED
from talentbase.candidates.schemas import RefId

TYPES = (CV, UNASSIGNED)
_BY_LOWER = {value.lower(): value for value in TYPES}
TYPE_SCHEMA = {
    "type": "string",
    "enum": list(TYPES),
    "description": "`CV` or `unassigned`, in any letter case",
}
MAX_ASSIGN_ITEMS = 10  # Spott: at most 10 files per upload request


def attachment_type(value: str) -> str:
    """``value`` as Spott's attachment type (``CV`` or ``unassigned``), matched without regard
    to letter case; else ``INVALID_ENUM_VALUE``."""
    canonical = _BY_LOWER.get(value.lower())
    if canonical is None:
        raise PydanticCustomError(
            INVALID_ENUM_VALUE, f"Invalid attachment type {value!r}; expected CV or unassigned"
        )
    return canonical


def file_name(value: str) -> str:
    """A file name as stored (``content.clean_file_name``): 1–255 characters after cleaning."""
    cleaned = content.clean_file_name(value)
    if not cleaned:
        raise PydanticCustomError(INVALID_STRING, "File name is empty")
    if len(cleaned) > content.MAX_FILE_NAME_LENGTH:
        raise PydanticCustomError(
            TOO_BIG, f"File name is longer than {content.MAX_FILE_NAME_LENGTH} characters"
        )
    return cleaned


AttachmentType = Annotated[str, AfterValidator(attachment_type), WithJsonSchema(TYPE_SCHEMA)]
FileName = Annotated[
    str,
    AfterValidator(file_name),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": content.MAX_FILE_NAME_LENGTH}),
]


class AssignItem(StrictInput):
    """One attachment to assign: its ``id``, the ``type`` it takes, and optionally a new
    ``name`` (path parts and control characters are dropped, as for uploads)."""

    id: RefId
    type: AttachmentType
    name: FileName = absent("New file name; omit to keep the uploaded one")


class AssignBody(StrictInput):
    """Body of ``POST /attachments/temporary/assign``: 1–10 attachments (distinct ids) of the
    workspace and the candidate they go to. Spott also names ``companyId`` and ``vacancyId``;
    talentbase links files to candidates only, so those keys are refused."""

    attachments: list[AssignItem] = Field(min_length=1, max_length=MAX_ASSIGN_ITEMS)
    candidate_id: RefId


class UploadedAttachment(Output):
    """One uploaded file, as Spott's upload routes answer it (inside an array)."""

    type: Annotated[str, WithJsonSchema(TYPE_SCHEMA)]
    attachment_id: str
    attachment_name: str | None
    created_at: datetime
    extension: str | None = Field(description="`pdf` or `docx`, by the file's content")
    size: int | None = Field(description="Bytes")


class AttachmentItem(Output):
    """One attachment in ``GET /attachments``."""

    attachment_id: str
    attachment_name: str | None
    created_at: datetime
    extension: str | None
    size: int | None
    type: Annotated[str, WithJsonSchema(TYPE_SCHEMA)]


class AttachmentList(Output):
    """``{items, pagination}`` (Spott "List attachments")."""

    items: list[AttachmentItem]
    pagination: PaginationOut
