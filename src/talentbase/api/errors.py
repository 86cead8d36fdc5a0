"""Spott's error body and the exceptions that render into it (API.md §1).

Body: ``{"status", "message", "requestId", "errors"?: [{"code", "path", "message", "received"}]}``.
``path`` is the dot-joined JSON path into the body, or a query parameter's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sqlalchemy_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

REQUIRED = "REQUIRED"
INVALID_TYPE = "INVALID_TYPE"
INVALID_ENUM_VALUE = "INVALID_ENUM_VALUE"
INVALID_STRING = "INVALID_STRING"
TOO_SMALL = "TOO_SMALL"
TOO_BIG = "TOO_BIG"
UNRECOGNIZED_KEYS = "UNRECOGNIZED_KEYS"
NOT_FOUND = "NOT_FOUND"
ONLY_ONE_PRIMARY_ALLOWED = "ONLY_ONE_PRIMARY_ALLOWED"
DUPLICATE = "DUPLICATE"

log = structlog.get_logger("talentbase.errors")

_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")

# Pydantic error types -> Spott codes. Our own validators raise errors whose type is already a code.
_PYDANTIC_CODES = {
    "missing": REQUIRED,
    "extra_forbidden": UNRECOGNIZED_KEYS,
    "literal_error": INVALID_ENUM_VALUE,
    "enum": INVALID_ENUM_VALUE,
    "string_too_short": TOO_SMALL,
    "too_short": TOO_SMALL,
    "greater_than": TOO_SMALL,
    "greater_than_equal": TOO_SMALL,
    "string_too_long": TOO_BIG,
    "too_long": TOO_BIG,
    "less_than": TOO_BIG,
    "less_than_equal": TOO_BIG,
    "string_pattern_mismatch": INVALID_STRING,
    "value_error": INVALID_STRING,
    "finite_number": TOO_BIG,
}


@dataclass(frozen=True)
class ErrorItem:
    """One validation failure: ``code`` (upper snake case), ``path``, ``message``, ``received``."""

    code: str
    path: str
    message: str
    received: Any = None

    def as_json(self) -> dict[str, Any]:
        received = self.received
        if isinstance(received, str):
            received = _clip(received)
        return {
            "code": self.code,
            "path": _clip(self.path),
            "message": _clip(self.message),
            "received": received,
        }


class ApiError(StarletteHTTPException):
    """An error answer: HTTP ``status``, a ``message``, optional field ``errors``, and optional
    extra top-level keys (``extra``) for callers that need more than the message. An
    ``HTTPException``, so one raised while FastAPI reads the body keeps its status."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: list[ErrorItem] | None = None,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=status, detail=message, headers=headers)
        self.status = status
        self.message = message
        self.errors = errors
        self.extra = extra or {}
        self.headers = headers


# an answer names at most this many failures, and echoes at most this much of any string:
# a hostile body must not make the answer far larger than itself
MAX_ERRORS = 50
MAX_ECHO = 200


def _clip(text: str) -> str:
    return text if len(text) <= MAX_ECHO else text[: MAX_ECHO - 1] + "…"


class ValidationFailed(ApiError):
    """400 with one or more field errors (the first ``MAX_ERRORS`` of them)."""

    def __init__(self, errors: list[ErrorItem]) -> None:
        message = "Validation failed"
        if len(errors) > MAX_ERRORS:
            message = f"Validation failed ({len(errors)} errors; the first {MAX_ERRORS} shown)"
        super().__init__(400, message, errors[:MAX_ERRORS])


class NotFound(ApiError):
    """404: the id does not exist in the caller's workspace (API.md §1: never 403)."""

    def __init__(self, what: str, id_: str) -> None:
        super().__init__(404, f"{what} {id_} not found")


class Unauthorized(ApiError):
    """401: missing or unknown ``x-api-key``."""

    def __init__(self, message: str) -> None:
        super().__init__(401, message)


def request_id_of(request: Request) -> str:
    """The request id the request-context middleware assigned."""
    state = request.scope.get("state") or {}
    return str(state.get("request_id", ""))


def error_body(
    status: int,
    message: str,
    request_id: str,
    errors: list[ErrorItem] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The Spott error body as a dict."""
    body: dict[str, Any] = {"status": status, "message": message, "requestId": request_id}
    if errors is not None:
        body["errors"] = [item.as_json() for item in errors]
    if extra:
        body.update(extra)
    return body


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _printable(text: str) -> str:
    # a lone surrogate cannot be encoded in the answer
    return text.encode("utf-8", "replace").decode("utf-8")


def _received(value: Any) -> Any:
    if isinstance(value, str):
        return _printable(value if len(value) <= 200 else value[:200] + "…")
    if value is None or isinstance(value, bool | int | float):
        return value
    return _json_type(value)


def _path(loc: tuple[int | str, ...]) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(str(part) for part in parts)


def translate_pydantic_errors(raw_errors: Any) -> list[ErrorItem]:
    """Pydantic / FastAPI validation errors as Spott error items (codes per API.md §1)."""
    items: list[ErrorItem] = []
    for error in raw_errors:
        kind = str(error.get("type", ""))
        loc = tuple(error.get("loc", ()))
        value = error.get("input")
        path = _path(loc)
        message = _printable(str(error.get("msg", "Invalid value")))
        code = kind if _CODE_RE.match(kind) else _PYDANTIC_CODES.get(kind, INVALID_TYPE)
        if code == UNRECOGNIZED_KEYS:
            key = _printable(str(loc[-1])) if loc else ""
            items.append(ErrorItem(code, _printable(path), f"Unrecognized key {key!r}", key))
            continue
        if code == REQUIRED:
            message = "Required" if path else "Request body is required"
            items.append(ErrorItem(code, path, message, None))
            continue
        if code == INVALID_TYPE:
            received = _json_type(value)
            if value is None and kind != "model_type":
                message = "Must not be null"
            else:
                message = f"{message}; received {received}"
            items.append(ErrorItem(code, path, message, received))
            continue
        items.append(ErrorItem(code, path, message, _received(value)))
    return items


def _response(request: Request, error: ApiError) -> JSONResponse:
    body = error_body(
        error.status, error.message, request_id_of(request), error.errors, error.extra
    )
    return JSONResponse(body, status_code=error.status, headers=error.headers)


async def handle_api_error(request: Request, exc: Exception) -> JSONResponse:
    """Renders an ``ApiError``."""
    assert isinstance(exc, ApiError)
    return _response(request, exc)


async def handle_request_validation(request: Request, exc: Exception) -> JSONResponse:
    """Renders FastAPI's validation errors as a Spott 400; malformed JSON gets its own message."""
    assert isinstance(exc, RequestValidationError)
    raw = list(exc.errors())
    for error in raw:
        if error.get("type") == "json_invalid":
            detail = (error.get("ctx") or {}).get("error", "malformed JSON")
            return _response(request, ApiError(400, f"Request body is not valid JSON: {detail}"))
    return _response(request, ValidationFailed(translate_pydantic_errors(raw)))


_HTTP_MESSAGES = {
    404: "Not found",
    405: "Method not allowed",
}


def _allowed_methods(request: Request) -> str:
    """The methods the OpenAPI document lists for the path this URL reaches (Starlette names
    only the first matching route's); HEAD wherever GET is served. Where several templates
    match (``/tasks/_raw`` and ``/tasks/{id}``), the most specific one (fewest parameters) is
    the resource the URL names."""
    matches: list[tuple[int, set[str]]] = []
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern, _, _ = compile_path(template)
        if pattern.match(request.url.path):
            matches.append((template.count("{"), {method.upper() for method in operations}))
    if not matches:
        return ""
    fewest = min(parameters for parameters, _ in matches)
    methods = set().union(*(found for parameters, found in matches if parameters == fewest))
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


async def handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    """Renders Starlette's own errors (unknown route 404, 405, body parse 400) in Spott's shape;
    a 405 lists in ``Allow`` every method the path supports."""
    assert isinstance(exc, StarletteHTTPException)
    message = _HTTP_MESSAGES.get(exc.status_code, str(exc.detail))
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    return _response(request, ApiError(exc.status_code, message, headers=headers or None))


# Errors that mean "the database cannot serve now" rather than "this request is wrong":
# connection refused or dropped, pool exhausted, SQLite busy past its timeout or its file
# unreachable. The pool invalidates dead connections, so the next request reconnects.
DATABASE_UNAVAILABLE = (
    sqlalchemy_exc.OperationalError,
    sqlalchemy_exc.InterfaceError,
    sqlalchemy_exc.TimeoutError,
    sqlalchemy_exc.ProgrammingError,
    TimeoutError,
)


# PostgreSQL's deadlock_detected and serialization_failure: the database cancelled this
# transaction in favour of a concurrent one; retrying it is safe
_CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})
# undefined table / column: the schema is behind the code (not migrated)
_SCHEMA_SQLSTATES = frozenset({"42P01", "42703"})
_SQLITE_SCHEMA_MESSAGES = ("no such table", "no such column")


def _database_problem(exc: Exception) -> str | None:
    """What a database failure means for the client, or None when it is a bug (a 500)."""
    if isinstance(exc, TimeoutError):
        return "The database did not answer in time; nothing was changed. Retry shortly."
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    if sqlstate in _CONFLICT_SQLSTATES:
        return (
            "The database cancelled this change in favour of a concurrent one; nothing was "
            "changed. Retry."
        )
    if sqlstate in _SCHEMA_SQLSTATES or any(
        text in str(getattr(exc, "orig", "")) for text in _SQLITE_SCHEMA_MESSAGES
    ):
        return (
            "The database schema is not migrated (run `talentbase migrate`); nothing was changed."
        )
    if isinstance(exc, sqlalchemy_exc.ProgrammingError):
        return None
    return "The database is unavailable; nothing was changed. Retry shortly."


async def handle_database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """503 in Spott's body with ``Retry-After: 1`` when the database is unreachable, busy,
    too slow (``TimeoutError``), not migrated, or cancelled this transaction for a concurrent
    one (a deadlock); nothing was written (the transaction did not commit). Any other
    programming error is a bug, re-raised to become the 500. Logged without SQL parameters."""
    message = _database_problem(exc)
    if message is None:
        # a bug: the request-context middleware logs it and answers the 500
        raise exc
    log.warning(
        "database_unavailable",
        error=type(exc).__name__,
        sqlstate=getattr(getattr(exc, "orig", None), "sqlstate", None),
        request_id=request_id_of(request),
    )
    return _response(request, ApiError(503, message, headers={"Retry-After": "1"}))
