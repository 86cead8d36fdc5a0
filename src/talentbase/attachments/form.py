"""The multipart body of the upload routes: exactly one file, in the form field ``files``.

The body reaches this point only as ``multipart/form-data`` within the upload size limit
(``api.middleware.BodyGuardMiddleware``); Starlette spools the file to a temporary file as it
streams in (to disk past 1 MiB), so an upload is never held in memory whole.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any, BinaryIO

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from talentbase.api.errors import (
    INVALID_TYPE,
    REQUIRED,
    TOO_BIG,
    UNRECOGNIZED_KEYS,
    ErrorItem,
    ValidationFailed,
)

FILES_FIELD = "files"  # Spott's field name
# Spott takes up to 10 files a request; talentbase one, and says so for up to 10. Beyond
# these the form parser itself refuses the body with a 400.
MAX_PARTS = 10
MAX_TEXT_PART_BYTES = 1024

# the OpenAPI description of the body (the form is read by hand, so FastAPI cannot infer it)
REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": [FILES_FIELD],
                "properties": {
                    FILES_FIELD: {
                        "type": "string",
                        "format": "binary",
                        "description": "One PDF or DOCX file (checked by its content); its "
                        "file name is kept in full Unicode",
                    }
                },
                "additionalProperties": False,
            }
        }
    },
}


@dataclass(frozen=True)
class UploadedFile:
    """The uploaded file: its spooled ``file`` (seekable), the client's ``name`` as sent
    (cleaned later) and its ``size`` in bytes."""

    file: BinaryIO
    name: str
    size: int


def _check(form_items: list[tuple[str, UploadFile | str]]) -> UploadFile:
    errors: list[ErrorItem] = []
    for key in dict.fromkeys(key for key, _ in form_items):
        if key != FILES_FIELD:
            errors.append(
                ErrorItem(UNRECOGNIZED_KEYS, key, f"Unrecognized form field {key!r}", key)
            )
    values = [value for key, value in form_items if key == FILES_FIELD]
    if not values:
        errors.append(ErrorItem(REQUIRED, FILES_FIELD, "Required: a file to upload"))
    elif any(isinstance(value, str) for value in values):
        errors.append(
            ErrorItem(
                INVALID_TYPE, FILES_FIELD, "Must be a file (a part with a filename)", "string"
            )
        )
    elif len(values) > 1:
        errors.append(ErrorItem(TOO_BIG, FILES_FIELD, "Upload one file per request", len(values)))
    if errors:
        raise ValidationFailed(errors)
    upload = values[0]
    assert isinstance(upload, UploadFile)
    return upload


async def _uploaded_file(request: Request) -> AsyncIterator[UploadedFile]:
    """Reads the form and yields its one file; its temporary file is closed after the
    request. 400 for a missing ``files``, a text value, more than one file or another field."""
    form = await request.form(
        max_files=MAX_PARTS, max_fields=MAX_PARTS, max_part_size=MAX_TEXT_PART_BYTES
    )
    try:
        upload = _check(form.multi_items())
        yield UploadedFile(upload.file, upload.filename or "", upload.size or 0)
    finally:
        await form.close()


# Declare it before the caller and session in a route's parameters: FastAPI solves
# dependencies in that order, so the body streams in before the transaction (and, on SQLite,
# the write lock) is taken.
UploadedFileDep = Annotated[UploadedFile, Depends(_uploaded_file)]
