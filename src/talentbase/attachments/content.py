"""What an uploaded file is, judged by its bytes; its file name; and the download header.

Only PDF and DOCX are accepted (the CV formats of Spott's public upload route). The client's
file name and declared Content-Type are never trusted: a renamed ``.exe`` is refused.
"""

from __future__ import annotations

import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import quote

MAX_FILE_NAME_LENGTH = 255

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
DOCX_CONTENT_TYPES = "[Content_Types].xml"
DOCX_MAIN_PART = "word/document.xml"
# the main part's content type that [Content_Types].xml declares for a .docx; macro-enabled
# documents (.docm) and templates (.dotx) declare another one and are refused
DOCX_MAIN_CONTENT_TYPE = (
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
# [Content_Types].xml is a few KiB; a larger one is not read (no decompression bombs)
MAX_CONTENT_TYPES_BYTES = 256 * 1024


@dataclass(frozen=True)
class FileKind:
    """An accepted file format: its ``extension`` (as shown in Spott's ``extension``, without a
    dot) and the Content-Type it is downloaded with."""

    extension: str
    content_type: str


PDF = FileKind("pdf", "application/pdf")
DOCX = FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
KINDS = {kind.content_type: kind for kind in (PDF, DOCX)}


def detect(file: BinaryIO) -> FileKind | None:
    """The format of ``file`` by its content, or None when it is neither PDF nor DOCX.

    PDF: starts with ``%PDF-``. DOCX: a ZIP archive whose directory lists
    ``[Content_Types].xml`` and ``word/document.xml`` and whose content types declare a Word
    document. Only the ZIP directory and ``[Content_Types].xml`` (size-capped) are read;
    nothing is extracted. Blocking I/O: run it in a worker thread. Leaves ``file`` at 0.
    """
    file.seek(0)
    head = file.read(len(PDF_MAGIC))
    try:
        if head == PDF_MAGIC:
            return PDF
        if head.startswith(ZIP_MAGIC) and _is_docx(file):
            return DOCX
        return None
    finally:
        file.seek(0)


def _is_docx(file: BinaryIO) -> bool:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if DOCX_CONTENT_TYPES not in names or DOCX_MAIN_PART not in names:
                return False
            info = archive.getinfo(DOCX_CONTENT_TYPES)
            if info.file_size > MAX_CONTENT_TYPES_BYTES:
                return False
            with archive.open(info) as member:
                # read one byte past the cap: the directory's stated size may lie
                declared = member.read(MAX_CONTENT_TYPES_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        return False  # not a ZIP, or a corrupt one
    except (RuntimeError, NotImplementedError):
        return False  # encrypted, or compressed with a method zipfile cannot read
    return len(declared) <= MAX_CONTENT_TYPES_BYTES and DOCX_MAIN_CONTENT_TYPE in declared


# Unicode bidi controls (embeddings, overrides, isolates, marks): invisible, they reorder what
# follows, so ``cv\u202efdp.exe`` would show as ``cvexe.pdf``. Dropped like control characters.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)


def _visible(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char) != "Cf"


def clean_file_name(raw: str) -> str:
    """The file name to keep: the last path component (``/`` or ``\\`` separated) without
    control characters and bidi controls (``BIDI_CONTROLS``), trimmed and NFC-normalised; every
    other character, in any script, is kept. Empty (the caller refuses it) when nothing visible
    is left or only dots (``.``, ``..`` name no file)."""
    last = raw.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(
        char for char in last if unicodedata.category(char) != "Cc" and char not in BIDI_CONTROLS
    )
    name = unicodedata.normalize("NFC", kept.strip())
    if not any(_visible(char) and char != "." for char in name):
        return ""
    return name


# Latin letters that carry no combining mark to drop (NFKD leaves them whole), and dashes
_ASCII_LOOKALIKES = str.maketrans(
    {
        "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h",
        "ß": "ss", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Þ": "Th", "þ": "th",
        "ı": "i", "–": "-", "—": "-",
    }
)  # fmt: skip


def _ascii_fallback(name: str) -> str:
    """An ASCII stand-in for ``name`` for clients that ignore ``filename*``: accents dropped
    and a few letters spelled in ASCII (``Łukasz Żółć – CV.pdf`` → ``Lukasz Zolc - CV.pdf``);
    other non-ASCII characters and the quoting-sensitive ``"``, ``\\`` and ``%`` (RFC 6266
    appendix D) replaced by ``_``."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_ASCII_LOOKALIKES))
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(
        char if " " <= char <= "~" and char not in '"\\%' else "_" for char in without_marks
    )


def content_disposition(name: str) -> str:
    """``attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>``
    (RFC 6266 with the RFC 5987 extended parameter): clients that read ``filename*`` get the
    name in full Unicode, older ones an ASCII approximation."""
    fallback = _ascii_fallback(name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
