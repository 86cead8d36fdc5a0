"""Attachments (issue 3, item 7; Spott ``attachments.txt``): upload (PDF or DOCX judged by
content, size limit, Unicode names), download (RFC 6266 / 5987 header), list, delete, the
temporary upload + assign form, the candidate's ``cvAttachmentId``, and that a failed request
leaves neither a row nor a file."""

from __future__ import annotations

import io
import os
import re
import uuid
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from talentbase.app import create_app
from talentbase.attachments import service as attachments_service
from talentbase.attachments import storage
from talentbase.candidates import repository as candidates_repository
from talentbase.db import types as db_types
from talentbase.db.engine import Database
from talentbase.settings import Settings
from tests.conftest import NewKey, create_candidate, make_client

LIMIT = 64 * 1024  # max_attachment_bytes of the app under test
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
POLISH_NAME = "Łukasz Żółć – CV.pdf"
JAPANESE_NAME = "履歴書_山田太郎.pdf"


# ---- files built here: a real minimal PDF and DOCX -------------------------------------------


def minimal_pdf(text: str = "Jane Roe") -> bytes:
    """A one-page PDF 1.4 with a correct cross-reference table."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def zip_of(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def content_types(main_type: str = DOCX_MAIN) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main_type}"/>'
        "</Types>"
    )


RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Jane Roe</w:t></w:r></w:p></w:body></w:document>"
)


def minimal_docx(main_type: str = DOCX_MAIN) -> bytes:
    """A Word document as Word writes its smallest one: content types, relationships, body."""
    return zip_of(
        {
            "[Content_Types].xml": content_types(main_type),
            "_rels/.rels": RELS,
            "word/document.xml": DOCUMENT,
        }
    )


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


# ---- the app under test: its own attachments folder and a small size limit -------------------


@dataclass
class World:
    """A client of a fresh workspace on an app whose files go to ``folder``."""

    app: Any
    http: httpx.AsyncClient
    folder: Path
    new_api_key: NewKey

    def stored_files(self) -> list[Path]:
        """Every file under the attachments folder (temporary files included)."""
        return sorted(path for path in self.folder.rglob("*") if path.is_file())

    def other_client(self, api_key: str) -> httpx.AsyncClient:
        return make_client(self.app, api_key)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "attachments"


@pytest.fixture
async def files_app(settings: Settings, folder: Path) -> AsyncIterator[Any]:
    application = create_app(
        settings.model_copy(update={"attachments_dir": folder, "max_attachment_bytes": LIMIT})
    )
    yield application
    await application.state.database.dispose()


@pytest.fixture
async def world(files_app: Any, folder: Path, new_api_key: NewKey) -> AsyncIterator[World]:
    async with make_client(files_app, await new_api_key()) as http:
        yield World(files_app, http, folder, new_api_key)


async def upload(
    http: httpx.AsyncClient,
    data: bytes,
    name: str = "cv.pdf",
    *,
    path: str = "/attachments",
    declared: str = PDF_TYPE,
    **params: str,
) -> httpx.Response:
    """POST one file in the form field ``files``; ``type`` defaults to CV."""
    query = {"type": "CV", **params}
    return await http.post(path, params=query, files={"files": (name, data, declared)})


async def uploaded(
    http: httpx.AsyncClient, data: bytes, name: str = "cv.pdf", **params: str
) -> str:
    """Upload and return the new attachment's id."""
    response = await upload(http, data, name, **params)
    assert response.status_code == 201, response.text
    attachment_id: str = response.json()[0]["attachmentId"]
    return attachment_id


async def view(http: httpx.AsyncClient, candidate_id: str) -> dict[str, Any]:
    response = await http.get(f"/candidates/{candidate_id}")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def listed(http: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await http.get("/attachments", params=params)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def errors_of(response: httpx.Response) -> list[tuple[str, str]]:
    return [(error["code"], error["path"]) for error in response.json()["errors"]]


def multipart_body(*parts: tuple[bytes, bytes]) -> tuple[bytes, dict[str, str]]:
    """A hand-made multipart body from ``(Content-Disposition value, content)`` parts, for
    shapes an HTTP client library will not produce."""
    boundary = b"talentbase-test-boundary"
    body = b"".join(
        b"--%s\r\nContent-Disposition: %s\r\nContent-Type: application/pdf\r\n\r\n%s\r\n"
        % (boundary, disposition, content)
        for disposition, content in parts
    )
    body += b"--%s--\r\n" % boundary
    return body, {"content-type": f"multipart/form-data; boundary={boundary.decode()}"}


# ---- upload and download ---------------------------------------------------------------------


async def test_pdf_upload_answers_spotts_array_and_downloads_byte_for_byte(world: World) -> None:
    pdf = minimal_pdf()

    response = await upload(world.http, pdf, "Jane Roe CV.pdf")

    assert response.status_code == 201
    [item] = response.json()
    assert item == {
        "type": "CV",
        "attachmentId": item["attachmentId"],
        "attachmentName": "Jane Roe CV.pdf",
        "createdAt": item["createdAt"],
        "extension": "pdf",
        "size": len(pdf),
    }
    assert str(uuid.UUID(item["attachmentId"])) == item["attachmentId"]
    assert ISO_MS.match(item["createdAt"])
    download = await world.http.get(f"/attachments/{item['attachmentId']}")
    assert download.status_code == 200
    assert download.content == pdf
    assert download.headers["content-type"] == PDF_TYPE
    assert download.headers["content-length"] == str(len(pdf))
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"Jane Roe CV.pdf\"; filename*=UTF-8''Jane%20Roe%20CV.pdf"
    )
    assert download.headers["x-content-type-options"] == "nosniff"


async def test_docx_upload_is_recognised_by_content_and_downloads_as_word(world: World) -> None:
    docx = minimal_docx()

    response = await upload(world.http, docx, "Jane Roe.docx", declared="application/zip")

    assert response.status_code == 201, response.text
    [item] = response.json()
    assert (item["extension"], item["size"]) == ("docx", len(docx))
    download = await world.http.get(f"/attachments/{item['attachmentId']}")
    assert download.content == docx
    assert download.headers["content-type"] == DOCX_TYPE


async def test_format_comes_from_the_bytes_not_the_name(world: World) -> None:
    response = await upload(world.http, minimal_docx(), "looks-like.pdf", declared=PDF_TYPE)

    [item] = response.json()
    assert (item["attachmentName"], item["extension"]) == ("looks-like.pdf", "docx")


async def test_head_of_a_download_gives_the_headers_without_the_body(world: World) -> None:
    pdf = minimal_pdf()
    attachment_id = await uploaded(world.http, pdf)

    response = await world.http.head(f"/attachments/{attachment_id}")

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(pdf))


async def test_stored_file_is_named_by_the_generated_id_never_the_clients_name(
    world: World,
) -> None:
    attachment_id = await uploaded(world.http, minimal_pdf(), "../../../etc/passwd.pdf")

    files = world.stored_files()

    assert files == [world.folder.resolve() / attachment_id[:2] / attachment_id]
    assert files[0].stat().st_mode & 0o777 == 0o600
    items = (await listed(world.http))["items"]
    assert [item["attachmentName"] for item in items] == ["passwd.pdf"]


# ---- file names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "ascii_fallback"),
    [
        (POLISH_NAME, "Lukasz Zolc - CV.pdf"),
        (JAPANESE_NAME, "________.pdf"),
    ],
)
async def test_unicode_names_are_kept_whole_and_sent_per_rfc_6266_and_5987(
    world: World, name: str, ascii_fallback: str
) -> None:
    attachment_id = await uploaded(world.http, minimal_pdf(), name)

    download = await world.http.get(f"/attachments/{attachment_id}")

    header = download.headers["content-disposition"]
    match = re.fullmatch(r"attachment; filename=\"([ -~]*)\"; filename\*=UTF-8''(\S+)", header)
    assert match is not None, header
    assert match.group(1) == ascii_fallback
    assert re.fullmatch(r"[A-Za-z0-9%._~-]+", match.group(2))  # RFC 5987 attr-chars only
    assert unquote(match.group(2), encoding="utf-8", errors="strict") == name
    items = (await listed(world.http))["items"]
    assert [item["attachmentName"] for item in items] == [name]


async def test_quotes_and_percent_signs_never_reach_the_ascii_fallback(world: World) -> None:
    # HTML form encoding turns `"` into %22 in an upload, so the name is given by assign
    candidate_id = await create_candidate(world.http)
    attachment_id = await uploaded(world.http, minimal_pdf(), path="/attachments/temporary")
    name = 'Jane "JR" 100% Roe.pdf'
    await world.http.post(
        "/attachments/temporary/assign",
        json={
            "attachments": [{"id": attachment_id, "type": "CV", "name": name}],
            "candidateId": candidate_id,
        },
    )

    download = await world.http.get(f"/attachments/{attachment_id}")

    assert download.headers["content-disposition"] == (
        'attachment; filename="Jane _JR_ 100_ Roe.pdf"; '
        "filename*=UTF-8''Jane%20%22JR%22%20100%25%20Roe.pdf"
    )


async def test_path_parts_and_control_characters_are_dropped_from_the_name(
    world: World,
) -> None:
    body, headers = multipart_body(
        (
            b'form-data; name="files"; filename="C:\\Users\\jr\\CV\x01 \x1bfinal\x7f.pdf"',
            b"%PDF-1.7",
        )
    )

    response = await world.http.post("/attachments?type=CV", content=body, headers=headers)

    assert response.status_code == 201, response.text
    assert response.json()[0]["attachmentName"] == "CV final.pdf"


async def test_name_made_only_of_path_parts_is_refused(world: World) -> None:
    response = await upload(world.http, minimal_pdf(), "folder/")

    assert response.status_code == 400
    assert errors_of(response) == [("INVALID_STRING", "files")]
    assert world.stored_files() == []


async def test_name_longer_than_255_characters_is_refused(world: World) -> None:
    response = await upload(world.http, minimal_pdf(), "ż" * 252 + ".pdf")

    assert response.status_code == 400
    assert errors_of(response) == [("TOO_BIG", "files")]


# ---- refused content: nothing stored ---------------------------------------------------------


async def test_renamed_exe_uploaded_as_pdf_is_refused_with_415_and_nothing_is_stored(
    world: World,
) -> None:
    candidate_id = await create_candidate(world.http)
    before = await view(world.http, candidate_id)

    response = await upload(world.http, EXE, "cv.pdf", candidateId=candidate_id)

    assert response.status_code == 415
    message = "Unsupported file type: only PDF and DOCX files are accepted (judged by content)"
    assert response.json() == {
        "status": 415,
        "message": message,
        "requestId": response.headers["x-request-id"],
        "errors": [
            {
                "code": "UNSUPPORTED_FILE_TYPE",
                "path": "files",
                "message": message,
                "received": "cv.pdf",
            }
        ],
    }
    assert world.stored_files() == []
    assert (await listed(world.http))["items"] == []
    after = await view(world.http, candidate_id)
    assert after["cvAttachmentId"] is None
    assert after["modifiedAt"] == before["modifiedAt"]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"plain text, not a CV", id="text"),
        pytest.param(b"%PDF", id="truncated-pdf-magic"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, id="png"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 64, id="corrupt-zip"),
        pytest.param(zip_of({"hello.txt": "hi"}), id="plain-zip"),
        pytest.param(zip_of({"word/document.xml": DOCUMENT}), id="zip-without-content-types"),
        pytest.param(
            zip_of({"[Content_Types].xml": content_types(), "xl/workbook.xml": "<x/>"}),
            id="zip-without-word-document",
        ),
        pytest.param(
            minimal_docx("application/vnd.ms-word.document.macroEnabled.main+xml"),
            id="macro-enabled-docm",
        ),
        pytest.param(b" %PDF-1.4", id="pdf-magic-not-at-start"),
    ],
)
async def test_content_other_than_pdf_or_docx_is_refused_with_415(
    world: World, data: bytes
) -> None:
    response = await upload(world.http, data, "cv.docx", declared=DOCX_TYPE)

    assert response.status_code == 415
    assert errors_of(response) == [("UNSUPPORTED_FILE_TYPE", "files")]
    assert world.stored_files() == []


async def test_upload_over_the_size_limit_is_refused_with_413_and_nothing_is_stored(
    world: World,
) -> None:
    too_big = b"%PDF-1.4\n" + b"0" * (LIMIT + 1 - 9)

    response = await upload(world.http, too_big)

    assert response.status_code == 413
    body = response.json()
    assert body["message"] == f"File is larger than {LIMIT} bytes"
    assert body["errors"] == [
        {
            "code": "TOO_BIG",
            "path": "files",
            "message": f"Must be at most {LIMIT} bytes",
            "received": LIMIT + 1,
        }
    ]
    assert world.stored_files() == []
    assert (await listed(world.http))["items"] == []


async def test_upload_of_exactly_the_limit_is_accepted(world: World) -> None:
    response = await upload(world.http, b"%PDF-1.4\n" + b"0" * (LIMIT - 9))

    assert response.status_code == 201, response.text
    assert response.json()[0]["size"] == LIMIT


async def test_body_announced_far_over_the_limit_is_refused_before_it_is_read(
    world: World,
) -> None:
    body, headers = multipart_body((b'form-data; name="files"; filename="cv.pdf"', b"%PDF-"))
    headers["content-length"] = str(LIMIT * 10)
    reads = 0

    async def stream() -> AsyncIterator[bytes]:
        nonlocal reads
        reads += 1
        yield body

    response = await world.http.post("/attachments?type=CV", content=stream(), headers=headers)

    assert response.status_code == 413
    assert response.json()["message"] == f"Request body is larger than {LIMIT + 64 * 1024} bytes"
    assert reads == 0
    assert world.stored_files() == []


async def test_chunked_body_over_the_limit_is_cut_off_while_streaming(world: World) -> None:
    head, headers = multipart_body((b'form-data; name="files"; filename="cv.pdf"', b"%PDF-"))
    chunk = b"0" * 16 * 1024
    sent = 0

    async def stream() -> AsyncIterator[bytes]:
        nonlocal sent
        yield head[: head.index(b"%PDF-") + 5]
        for _ in range(LIMIT // len(chunk) * 4):  # four times the limit, if all were read
            sent += len(chunk)
            yield chunk

    response = await world.http.post("/attachments?type=CV", content=stream(), headers=headers)

    assert response.status_code == 413
    assert sent <= LIMIT + 64 * 1024 + len(chunk)
    assert world.stored_files() == []


async def test_empty_file_is_refused(world: World) -> None:
    response = await upload(world.http, b"")

    assert response.status_code == 400
    assert errors_of(response) == [("TOO_SMALL", "files")]


def test_the_default_size_limit_is_10_mib_and_both_settings_read_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert Settings().max_attachment_bytes == 10 * 1024 * 1024
    assert Settings().attachments_dir == Path("attachments")
    monkeypatch.setenv("TALENTBASE_MAX_ATTACHMENT_BYTES", "2048")
    monkeypatch.setenv("TALENTBASE_ATTACHMENTS_DIR", str(tmp_path))

    assert (Settings().max_attachment_bytes, Settings().attachments_dir) == (2048, tmp_path)


# ---- the body and the query ------------------------------------------------------------------


async def test_json_body_on_the_upload_route_is_refused_with_415(world: World) -> None:
    response = await world.http.post("/attachments?type=CV", json={"files": "x"})

    assert response.status_code == 415
    assert response.json()["message"] == "Content-Type must be multipart/form-data"


async def test_multipart_body_on_a_json_route_is_still_refused_with_415(world: World) -> None:
    body, headers = multipart_body((b'form-data; name="files"; filename="cv.pdf"', b"%PDF-"))

    for path in ("/candidates", "/attachments/temporary/assign"):
        response = await world.http.post(path, content=body, headers=headers)
        assert response.status_code == 415, path
        assert response.json()["message"] == "Content-Type must be application/json"


async def test_json_routes_keep_their_one_mib_limit(world: World) -> None:
    response = await world.http.post(
        "/attachments/temporary/assign",
        content=b" " * (1024 * 1024 + 1),
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 413


async def test_form_without_files_is_a_400_naming_files(world: World) -> None:
    body, headers = multipart_body((b'form-data; name="other"; filename="cv.pdf"', b"%PDF-"))

    missing = await world.http.post("/attachments?type=CV")
    other_field = await world.http.post("/attachments?type=CV", content=body, headers=headers)

    assert missing.status_code == 400
    assert errors_of(missing) == [("REQUIRED", "files")]
    assert other_field.status_code == 400
    assert errors_of(other_field) == [("UNRECOGNIZED_KEYS", "other"), ("REQUIRED", "files")]


async def test_text_value_instead_of_a_file_is_a_400(world: World) -> None:
    body, headers = multipart_body((b'form-data; name="files"', b"%PDF-1.4"))

    response = await world.http.post("/attachments?type=CV", content=body, headers=headers)

    assert response.status_code == 400
    assert errors_of(response) == [("INVALID_TYPE", "files")]


async def test_more_than_one_file_is_a_400_and_nothing_is_stored(world: World) -> None:
    response = await world.http.post(
        "/attachments",
        params={"type": "CV"},
        files=[("files", ("a.pdf", minimal_pdf())), ("files", ("b.pdf", minimal_pdf()))],
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "TOO_BIG",
            "path": "files",
            "message": "Upload one file per request",
            "received": 2,
        }
    ]
    assert world.stored_files() == []


async def test_more_than_ten_parts_are_refused_by_the_form_parser(world: World) -> None:
    response = await world.http.post(
        "/attachments",
        params={"type": "CV"},
        files=[("files", (f"{index}.pdf", b"%PDF-")) for index in range(11)],
    )

    assert response.status_code == 400
    assert world.stored_files() == []


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("CV", "CV"),
        ("cv", "CV"),
        ("Cv", "CV"),
        ("unassigned", "unassigned"),
        ("UNASSIGNED", "unassigned"),
    ],
)
async def test_type_is_spotts_value_in_any_letter_case(
    world: World, sent: str, stored: str
) -> None:
    response = await upload(world.http, minimal_pdf(), type=sent)

    assert response.status_code == 201
    assert response.json()[0]["type"] == stored


async def test_missing_or_unknown_type_is_a_400_and_nothing_is_stored(world: World) -> None:
    missing = await world.http.post("/attachments", files={"files": ("cv.pdf", minimal_pdf())})
    unknown = await upload(world.http, minimal_pdf(), type="COVER_LETTER")

    assert errors_of(missing) == [("REQUIRED", "type")]
    assert unknown.json()["errors"] == [
        {
            "code": "INVALID_ENUM_VALUE",
            "path": "type",
            "message": "Invalid attachment type 'COVER_LETTER'; expected CV or unassigned",
            "received": "COVER_LETTER",
        }
    ]
    assert world.stored_files() == []


async def test_unknown_or_foreign_candidate_id_is_a_400_not_found_and_nothing_is_stored(
    world: World,
) -> None:
    async with world.other_client(await world.new_api_key()) as other:
        foreign = await create_candidate(other)

    for candidate_id in (str(uuid.uuid4()), foreign, "not-an-id"):
        response = await upload(world.http, minimal_pdf(), candidateId=candidate_id)
        assert response.status_code == 400, candidate_id
        assert response.json()["errors"] == [
            {
                "code": "NOT_FOUND",
                "path": "candidateId",
                "message": f"No candidate {candidate_id} in this workspace",
                "received": candidate_id,
            }
        ]
    assert world.stored_files() == []
    assert (await listed(world.http))["items"] == []


async def test_upload_without_api_key_is_a_401_and_stores_nothing(world: World) -> None:
    async with world.other_client("") as anonymous:
        response = await upload(anonymous, minimal_pdf())

    assert response.status_code == 401
    assert world.stored_files() == []


# ---- the candidate's cvAttachmentId ----------------------------------------------------------


async def test_cv_upload_for_a_candidate_sets_cv_attachment_id_and_touches_the_candidate(
    world: World,
) -> None:
    candidate_id = await create_candidate(world.http)
    before = await view(world.http, candidate_id)

    attachment_id = await uploaded(world.http, minimal_pdf(), candidateId=candidate_id)

    after = await view(world.http, candidate_id)
    assert before["cvAttachmentId"] is None
    assert after["cvAttachmentId"] == attachment_id
    assert after["modifiedAt"] > before["modifiedAt"]


async def test_unassigned_file_of_a_candidate_is_not_its_cv_and_does_not_touch_it(
    world: World,
) -> None:
    candidate_id = await create_candidate(world.http)
    before = await view(world.http, candidate_id)

    await uploaded(world.http, minimal_pdf(), type="unassigned", candidateId=candidate_id)

    after = await view(world.http, candidate_id)
    assert after["cvAttachmentId"] is None
    assert after["modifiedAt"] == before["modifiedAt"]


async def test_cv_attachment_id_is_the_cv_assigned_last(world: World) -> None:
    candidate_id = await create_candidate(world.http)
    first = await uploaded(world.http, minimal_pdf("first"), candidateId=candidate_id)
    temporary = await uploaded(world.http, minimal_docx(), path="/attachments/temporary")
    second = await uploaded(world.http, minimal_pdf("second"), candidateId=candidate_id)
    assert (await view(world.http, candidate_id))["cvAttachmentId"] == second

    # uploaded before `second`, assigned after it: it is the newer CV
    assign = await world.http.post(
        "/attachments/temporary/assign",
        json={"attachments": [{"id": temporary, "type": "cv"}], "candidateId": candidate_id},
    )
    assert assign.status_code == 204
    assert (await view(world.http, candidate_id))["cvAttachmentId"] == temporary

    await world.http.delete(f"/attachments/{temporary}")
    assert (await view(world.http, candidate_id))["cvAttachmentId"] == second
    await world.http.delete(f"/attachments/{second}")
    assert (await view(world.http, candidate_id))["cvAttachmentId"] == first


async def test_cvs_assigned_within_one_millisecond_still_have_a_definite_latest(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    candidate_id = await create_candidate(world.http)
    frozen = datetime(2026, 1, 1, tzinfo=UTC)
    monkeypatch.setattr(db_types, "utcnow", lambda: frozen)
    monkeypatch.setattr(attachments_service, "utcnow", lambda: frozen)

    uploads = [
        await uploaded(world.http, minimal_pdf(str(index)), candidateId=candidate_id)
        for index in range(5)
    ]
    assert (await view(world.http, candidate_id))["cvAttachmentId"] == uploads[-1]

    for order in ([uploads[0], uploads[1]], [uploads[1], uploads[0]]):
        response = await world.http.post(
            "/attachments/temporary/assign",
            json={
                "attachments": [{"id": id_, "type": "CV"} for id_ in order],
                "candidateId": candidate_id,
            },
        )
        assert response.status_code == 204
        # the last one listed is the latest
        assert (await view(world.http, candidate_id))["cvAttachmentId"] == order[-1]


async def test_other_candidates_cvs_do_not_show_in_a_view(world: World) -> None:
    jane = await create_candidate(world.http)
    john = await create_candidate(world.http, firstName="John")

    janes_cv = await uploaded(world.http, minimal_pdf(), candidateId=jane)

    assert (await view(world.http, jane))["cvAttachmentId"] == janes_cv
    assert (await view(world.http, john))["cvAttachmentId"] is None
    page = (await world.http.get("/candidates")).json()["items"]
    assert {item["id"]: item["cvAttachmentId"] for item in page} == {jane: janes_cv, john: None}


# ---- temporary upload and assign -------------------------------------------------------------


async def test_temporary_upload_then_assign_links_renames_and_retypes(world: World) -> None:
    candidate_id = await create_candidate(world.http)
    response = await upload(
        world.http, minimal_pdf(), "scan.pdf", path="/attachments/temporary", type="unassigned"
    )
    assert response.status_code == 201
    [item] = response.json()
    assert (item["type"], item["attachmentName"]) == ("unassigned", "scan.pdf")
    before = await view(world.http, candidate_id)

    assign = await world.http.post(
        "/attachments/temporary/assign",
        json={
            "attachments": [
                {"id": item["attachmentId"], "type": "cv", "name": "John_Doe_CV_2026.pdf"}
            ],
            "candidateId": candidate_id,
        },
    )

    assert (assign.status_code, assign.content) == (204, b"")
    after = await view(world.http, candidate_id)
    assert after["cvAttachmentId"] == item["attachmentId"]
    assert after["modifiedAt"] > before["modifiedAt"]
    assert (await listed(world.http, candidateId=candidate_id))["items"] == [
        {
            "attachmentId": item["attachmentId"],
            "attachmentName": "John_Doe_CV_2026.pdf",
            "createdAt": item["createdAt"],
            "extension": "pdf",
            "size": item["size"],
            "type": "CV",
        }
    ]
    download = await world.http.get(f"/attachments/{item['attachmentId']}")
    assert "filename*=UTF-8''John_Doe_CV_2026.pdf" in download.headers["content-disposition"]


async def test_temporary_upload_takes_no_candidate(world: World) -> None:
    candidate_id = await create_candidate(world.http)

    response = await upload(
        world.http, minimal_pdf(), path="/attachments/temporary", candidateId=candidate_id
    )

    assert response.status_code == 400, response.text
    assert [(e["code"], e["path"]) for e in response.json()["errors"]] == [
        ("UNRECOGNIZED_KEYS", "candidateId")
    ]
    assert (await view(world.http, candidate_id))["cvAttachmentId"] is None
    assert (await listed(world.http))["items"] == []


async def test_assigning_again_to_the_same_candidate_is_allowed(world: World) -> None:
    candidate_id = await create_candidate(world.http)
    attachment_id = await uploaded(world.http, minimal_pdf(), candidateId=candidate_id)

    response = await world.http.post(
        "/attachments/temporary/assign",
        json={
            "attachments": [{"id": attachment_id, "type": "unassigned"}],
            "candidateId": candidate_id,
        },
    )

    assert response.status_code == 204
    assert (await view(world.http, candidate_id))["cvAttachmentId"] is None
    [item] = (await listed(world.http))["items"]
    assert (item["type"], item["attachmentName"]) == ("unassigned", "cv.pdf")


async def test_attachment_of_another_candidate_cannot_be_assigned(world: World) -> None:
    jane = await create_candidate(world.http)
    john = await create_candidate(world.http, firstName="John")
    janes_cv = await uploaded(world.http, minimal_pdf(), candidateId=jane)
    john_before = await view(world.http, john)

    response = await world.http.post(
        "/attachments/temporary/assign",
        json={"attachments": [{"id": janes_cv, "type": "CV"}], "candidateId": john},
    )

    assert response.status_code == 409
    assert (
        response.json()["message"] == f"Attachment {janes_cv} already belongs to another candidate"
    )
    assert (await view(world.http, jane))["cvAttachmentId"] == janes_cv
    assert await view(world.http, john) == john_before


async def test_assign_is_all_or_nothing(world: World) -> None:
    candidate_id = await create_candidate(world.http)
    good = await uploaded(world.http, minimal_pdf(), path="/attachments/temporary")
    unknown = str(uuid.uuid4())

    response = await world.http.post(
        "/attachments/temporary/assign",
        json={
            "attachments": [{"id": good, "type": "CV"}, {"id": unknown, "type": "CV"}],
            "candidateId": candidate_id,
        },
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "NOT_FOUND",
            "path": "attachments.1.id",
            "message": f"No attachment {unknown} in this workspace",
            "received": unknown,
        }
    ]
    assert (await view(world.http, candidate_id))["cvAttachmentId"] is None
    assert (await listed(world.http, candidateId=candidate_id))["items"] == []


async def test_assign_refuses_bad_bodies_naming_the_field(world: World) -> None:
    candidate_id = await create_candidate(world.http)
    attachment_id = await uploaded(world.http, minimal_pdf(), path="/attachments/temporary")
    async with world.other_client(await world.new_api_key()) as other:
        foreign_candidate = await create_candidate(other)
        foreign_attachment = await uploaded(other, minimal_pdf(), path="/attachments/temporary")
    item = {"id": attachment_id, "type": "CV"}
    cases: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
        ({"attachments": [item], "candidateId": str(uuid.uuid4())}, [("NOT_FOUND", "candidateId")]),
        ({"attachments": [item], "candidateId": foreign_candidate}, [("NOT_FOUND", "candidateId")]),
        (
            {
                "attachments": [{"id": foreign_attachment, "type": "CV"}],
                "candidateId": candidate_id,
            },
            [("NOT_FOUND", "attachments.0.id")],
        ),
        (
            {"attachments": [item, item], "candidateId": candidate_id},
            [("DUPLICATE", "attachments.1.id")],
        ),
        ({"attachments": [], "candidateId": candidate_id}, [("TOO_SMALL", "attachments")]),
        ({"attachments": [item] * 11, "candidateId": candidate_id}, [("TOO_BIG", "attachments")]),
        ({"attachments": [item]}, [("REQUIRED", "candidateId")]),
        (
            {"attachments": [item], "candidateId": candidate_id, "companyId": str(uuid.uuid4())},
            [("UNRECOGNIZED_KEYS", "companyId")],
        ),
        (
            {"attachments": [{**item, "type": "COVER_LETTER"}], "candidateId": candidate_id},
            [("INVALID_ENUM_VALUE", "attachments.0.type")],
        ),
        (
            {"attachments": [{**item, "name": "a/"}], "candidateId": candidate_id},
            [("INVALID_STRING", "attachments.0.name")],
        ),
        (
            {"attachments": [{**item, "name": None}], "candidateId": candidate_id},
            [("INVALID_TYPE", "attachments.0.name")],
        ),
        (
            {"attachments": [{"id": attachment_id}], "candidateId": candidate_id},
            [("REQUIRED", "attachments.0.type")],
        ),
    ]

    for body, expected in cases:
        response = await world.http.post("/attachments/temporary/assign", json=body)
        assert response.status_code == 400, body
        assert errors_of(response) == expected, body

    assert (await view(world.http, candidate_id))["cvAttachmentId"] is None
    [listed_item] = (await listed(world.http))["items"]
    assert (listed_item["type"], listed_item["attachmentName"]) == ("CV", "cv.pdf")
    assert (await listed(world.http, candidateId=candidate_id))["items"] == []


# ---- list ------------------------------------------------------------------------------------


async def test_list_pages_in_upload_order_with_candidate_and_type_filters(world: World) -> None:
    jane = await create_candidate(world.http)
    john = await create_candidate(world.http, firstName="John")
    janes_cv = await uploaded(world.http, minimal_pdf(), "jane.pdf", candidateId=jane)
    janes_other = await uploaded(
        world.http, minimal_docx(), "jane.docx", type="unassigned", candidateId=jane
    )
    johns_cv = await uploaded(world.http, minimal_pdf(), "john.pdf", candidateId=john)
    loose = await uploaded(world.http, minimal_pdf(), "loose.pdf", path="/attachments/temporary")

    def ids(page: dict[str, Any]) -> list[str]:
        return [item["attachmentId"] for item in page["items"]]

    everything = await listed(world.http)
    first = await listed(world.http, page=0, pageSize=3)
    second = await listed(world.http, page=1, pageSize=3)

    assert set(ids(everything)) == {janes_cv, janes_other, johns_cv, loose}
    assert ids(first) + ids(second) == ids(everything)
    assert first["pagination"] == {"totalItems": 4, "page": 0, "hasNextPage": True}
    assert second["pagination"] == {"totalItems": 4, "page": 1, "hasNextPage": False}
    order = [(item["createdAt"], item["attachmentId"]) for item in everything["items"]]
    assert order == sorted(order)
    assert set(ids(await listed(world.http, candidateId=jane))) == {janes_cv, janes_other}
    assert ids(await listed(world.http, candidateId=jane, type="cv")) == [janes_cv]
    assert set(ids(await listed(world.http, type="CV"))) == {janes_cv, johns_cv, loose}
    assert ids(await listed(world.http, type="unassigned")) == [janes_other]
    assert ids(await listed(world.http, candidateId=str(uuid.uuid4()))) == []
    assert ids(await listed(world.http, candidateId="not-an-id")) == []
    [docx_item] = (await listed(world.http, type="unassigned"))["items"]
    assert docx_item == {
        "attachmentId": janes_other,
        "attachmentName": "jane.docx",
        "createdAt": docx_item["createdAt"],
        "extension": "docx",
        "size": len(minimal_docx()),
        "type": "unassigned",
    }


async def test_list_refuses_bad_query_values(world: World) -> None:
    for params, expected in (
        ({"type": "resume"}, [("INVALID_ENUM_VALUE", "type")]),
        ({"pageSize": 0}, [("TOO_SMALL", "pageSize")]),
        ({"pageSize": 101}, [("TOO_BIG", "pageSize")]),
        ({"page": -1}, [("TOO_SMALL", "page")]),
    ):
        response = await world.http.get("/attachments", params=params)
        assert response.status_code == 400, params
        assert errors_of(response) == expected, params


# ---- other workspaces ------------------------------------------------------------------------


async def test_another_workspace_sees_nothing_and_can_neither_download_nor_delete(
    world: World,
) -> None:
    pdf = minimal_pdf()
    attachment_id = await uploaded(world.http, pdf)

    async with world.other_client(await world.new_api_key()) as other:
        download = await other.get(f"/attachments/{attachment_id}")
        deletion = await other.delete(f"/attachments/{attachment_id}")
        page = await listed(other)

    for response in (download, deletion):
        assert response.status_code == 404
        assert response.json()["message"] == f"Attachment {attachment_id} not found"
    assert page["items"] == []
    assert len(world.stored_files()) == 1
    assert (await world.http.get(f"/attachments/{attachment_id}")).content == pdf


async def test_unknown_ids_are_404(world: World) -> None:
    for attachment_id in (str(uuid.uuid4()), "not-an-id", "temporary"):
        for method in ("GET", "DELETE"):
            response = await world.http.request(method, f"/attachments/{attachment_id}")
            assert response.status_code == 404, (method, attachment_id)


# ---- delete ----------------------------------------------------------------------------------


async def test_delete_removes_the_row_and_the_file_and_touches_the_cvs_candidate(
    world: World,
) -> None:
    candidate_id = await create_candidate(world.http)
    attachment_id = await uploaded(world.http, minimal_pdf(), candidateId=candidate_id)
    before = await view(world.http, candidate_id)
    assert len(world.stored_files()) == 1

    response = await world.http.delete(f"/attachments/{attachment_id}")

    assert (response.status_code, response.content) == (204, b"")
    assert world.stored_files() == []
    assert (await world.http.get(f"/attachments/{attachment_id}")).status_code == 404
    assert (await world.http.delete(f"/attachments/{attachment_id}")).status_code == 404
    assert (await listed(world.http))["items"] == []
    after = await view(world.http, candidate_id)
    assert after["cvAttachmentId"] is None
    assert after["modifiedAt"] > before["modifiedAt"]


async def test_deleting_a_candidate_removes_its_files_and_keeps_the_others(world: World) -> None:
    jane = await create_candidate(world.http)
    janes = [
        await uploaded(world.http, minimal_pdf(), candidateId=jane),
        await uploaded(world.http, minimal_docx(), type="unassigned", candidateId=jane),
    ]
    loose = await uploaded(world.http, minimal_pdf(), path="/attachments/temporary")
    assert len(world.stored_files()) == 3

    response = await world.http.delete(f"/candidates/{jane}")

    assert response.status_code == 204
    assert [path.name for path in world.stored_files()] == [loose]
    for attachment_id in janes:
        assert (await world.http.get(f"/attachments/{attachment_id}")).status_code == 404
    assert [item["attachmentId"] for item in (await listed(world.http))["items"]] == [loose]


async def test_file_gone_from_disk_answers_404_not_500(world: World) -> None:
    attachment_id = await uploaded(world.http, minimal_pdf())
    for path in world.stored_files():
        path.unlink()

    response = await world.http.get(f"/attachments/{attachment_id}")

    assert response.status_code == 404


# ---- a failed request leaves no file and no row ----------------------------------------------


async def test_failure_after_the_file_is_written_removes_it_with_the_row(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    candidate_id = await create_candidate(world.http)
    written: list[Path] = []
    real_write = storage.write

    def spying_write(source: Any, destination: Path) -> None:
        real_write(source, destination)
        written.append(destination)

    async def failing_touch(*_args: Any) -> None:
        raise RuntimeError("simulated failure after the insert")

    monkeypatch.setattr(storage, "write", spying_write)
    monkeypatch.setattr(candidates_repository, "touch", failing_touch)
    transport = httpx.ASGITransport(app=world.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://talentbase.test", headers=world.http.headers
    ) as http:
        response = await upload(http, minimal_pdf(), candidateId=candidate_id)

    assert response.status_code == 500
    assert len(written) == 1  # the file was in place before the failure ...
    assert not written[0].exists()  # ... and went with the rollback
    assert world.stored_files() == []
    assert (await listed(world.http))["items"] == []


async def test_storage_removes_new_files_unless_committed_and_old_files_only_after_commit(
    database: Database, tmp_path: Path
) -> None:
    new_file, old_file = tmp_path / "new", tmp_path / "old"
    old_file.write_bytes(b"old")

    with pytest.raises(RuntimeError):
        async with database.transaction(write=True) as session:
            storage.remove_unless_committed(session, new_file)
            storage.write(io.BytesIO(b"new"), new_file)
            storage.remove_after_commit(session, [old_file])
            raise RuntimeError("roll back")
    assert (new_file.exists(), old_file.exists()) == (False, True)

    async with database.transaction(write=True) as session:
        storage.remove_unless_committed(session, new_file)
        storage.write(io.BytesIO(b"new"), new_file)
        storage.remove_after_commit(session, [old_file])
        assert old_file.exists()  # not before the commit
    assert (new_file.read_bytes(), old_file.exists()) == (b"new", False)
    assert sorted(os.listdir(tmp_path)) == ["new"]  # no temporary file left behind


# ---- documentation ---------------------------------------------------------------------------


async def test_every_attachment_route_is_documented_with_its_statuses(world: World) -> None:
    document = (await world.http.get("/openapi.json")).json()
    expected = {
        ("/attachments", "post"): {
            "201", "400", "401", "409", "413", "415", "422", "429", "500", "503"
        },
        ("/attachments", "get"): {"200", "400", "401", "429", "500", "503"},
        ("/attachments/temporary", "post"): {
            "201", "400", "401", "409", "413", "415", "422", "429", "500", "503"
        },
        ("/attachments/temporary/assign", "post"): {
            "204", "400", "401", "409", "413", "415", "422", "429", "500", "503"
        },
        ("/attachments/{id}", "get"): {"200", "401", "404", "429", "500", "503"},
        ("/attachments/{id}", "delete"): {"204", "400", "401", "404", "429", "500", "503"},
    }  # fmt: skip

    for (path, method), statuses in expected.items():
        operation = document["paths"][path][method]
        assert set(operation["responses"]) == statuses, (path, method)
        assert operation["summary"]
    for path in ("/attachments", "/attachments/temporary"):
        body = document["paths"][path]["post"]["requestBody"]["content"]
        assert list(body) == ["multipart/form-data"]
        assert body["multipart/form-data"]["schema"]["required"] == ["files"]
    download = document["paths"]["/attachments/{id}"]["get"]["responses"]["200"]["content"]
    assert set(download) == {PDF_TYPE, DOCX_TYPE}


# ---- Spott's companyId / vacancyId filters, bidi controls in names, temporary upload errors ----

EMPTY_PAGE = {"items": [], "pagination": {"totalItems": 0, "page": 0, "hasNextPage": False}}


async def test_list_by_company_or_vacancy_answers_an_empty_page(world: World) -> None:
    candidate_id = await create_candidate(world.http)
    await uploaded(world.http, minimal_pdf(), "jane.pdf", candidateId=candidate_id)
    await uploaded(world.http, minimal_pdf(), "loose.pdf", path="/attachments/temporary")
    some_id = str(uuid.uuid4())

    for params in (
        {"companyId": some_id},
        {"vacancyId": some_id},
        {"companyId": some_id, "vacancyId": some_id},
        {"companyId": "not-an-id"},
        {"vacancyId": some_id, "candidateId": candidate_id, "type": "CV"},
        {"companyId": some_id, "page": 0, "pageSize": 1},
    ):
        page = await listed(world.http, **params)
        assert page == {**EMPTY_PAGE, "pagination": {**EMPTY_PAGE["pagination"]}}, params

    # without them every attachment is listed, as before
    assert (await listed(world.http))["pagination"]["totalItems"] == 2
    parameters = {
        parameter["name"]: parameter["description"]
        for parameter in (await world.http.get("/openapi.json")).json()["paths"]["/attachments"][
            "get"
        ]["parameters"]
    }
    for name in ("companyId", "vacancyId"):
        assert "empty page" in parameters[name], parameters[name]


BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
BIDI += ["\u200e", "\u200f"]


@pytest.mark.parametrize("control", BIDI, ids=[f"U+{ord(char):04X}" for char in BIDI])
async def test_bidi_controls_are_dropped_from_an_uploaded_name(world: World, control: str) -> None:
    attachment_id = await uploaded(world.http, minimal_pdf(), f"cv{control}fdp.exe.pdf")

    [item] = (await listed(world.http))["items"]
    download = await world.http.get(f"/attachments/{attachment_id}")

    assert item["attachmentName"] == "cvfdp.exe.pdf"
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"cvfdp.exe.pdf\"; filename*=UTF-8''cvfdp.exe.pdf"
    )


async def test_an_override_cannot_disguise_the_extension(world: World) -> None:
    response = await upload(world.http, minimal_pdf(), "invoice\u202efdp.exe")

    assert response.status_code == 201, response.text
    assert response.json()[0]["attachmentName"] == "invoicefdp.exe"


async def test_bidi_controls_are_dropped_from_an_assigned_name(world: World) -> None:
    candidate_id = await create_candidate(world.http)
    attachment_id = await uploaded(world.http, minimal_pdf(), path="/attachments/temporary")

    response = await world.http.post(
        "/attachments/temporary/assign",
        json={
            "attachments": [{"id": attachment_id, "type": "CV", "name": "\u2067cv\u202efdp.exe"}],
            "candidateId": candidate_id,
        },
    )

    assert response.status_code == 204, response.text
    [item] = (await listed(world.http, candidateId=candidate_id))["items"]
    assert item["attachmentName"] == "cvfdp.exe"


@pytest.mark.parametrize(
    "name",
    [".", "..", "\u202e", "\u200e\u200f", " \u2066\u2069 ", "\u200b", "dir/\u202e."],
    ids=["dot", "dot-dot", "override-only", "marks-only", "isolates-and-spaces", "zwsp", "dir"],
)
async def test_a_name_left_empty_after_cleaning_is_a_400_at_files(world: World, name: str) -> None:
    candidate_id = await create_candidate(world.http)
    before = await view(world.http, candidate_id)

    for path, params in (
        ("/attachments", {"candidateId": candidate_id}),
        ("/attachments/temporary", {}),
    ):
        response = await upload(world.http, minimal_pdf(), name, path=path, **params)

        assert response.status_code == 400, response.text
        assert response.json()["errors"] == [
            {
                "code": "INVALID_STRING",
                "path": "files",
                "message": "The file has no name",
                "received": name,
            }
        ]

    assert world.stored_files() == []
    assert await listed(world.http) == EMPTY_PAGE
    assert await view(world.http, candidate_id) == before


async def test_an_assigned_name_left_empty_after_cleaning_is_a_400(world: World) -> None:
    candidate_id = await create_candidate(world.http)
    attachment_id = await uploaded(world.http, minimal_pdf(), path="/attachments/temporary")

    for name in (".", "\u202e\u200f", ".."):
        response = await world.http.post(
            "/attachments/temporary/assign",
            json={
                "attachments": [{"id": attachment_id, "type": "CV", "name": name}],
                "candidateId": candidate_id,
            },
        )
        assert response.status_code == 400, response.text
        assert errors_of(response) == [("INVALID_STRING", "attachments.0.name")], name

    [item] = (await listed(world.http))["items"]
    assert item["attachmentName"] == "cv.pdf"
    assert (await listed(world.http, candidateId=candidate_id))["items"] == []


async def test_temporary_upload_without_files_is_a_400_naming_files(world: World) -> None:
    body, headers = multipart_body((b'form-data; name="other"; filename="cv.pdf"', b"%PDF-"))

    missing = await world.http.post("/attachments/temporary?type=CV")
    other_field = await world.http.post(
        "/attachments/temporary?type=CV", content=body, headers=headers
    )

    assert missing.status_code == 400, missing.text
    assert missing.json()["errors"] == [
        {
            "code": "REQUIRED",
            "path": "files",
            "message": "Required: a file to upload",
            "received": None,
        }
    ]
    assert other_field.status_code == 400, other_field.text
    assert errors_of(other_field) == [("UNRECOGNIZED_KEYS", "other"), ("REQUIRED", "files")]
    assert world.stored_files() == []
    assert await listed(world.http) == EMPTY_PAGE
