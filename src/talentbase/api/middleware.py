"""Plain ASGI middleware around the app, outermost first:

- ``RequestContextMiddleware``: request id, HEAD as GET without a body, extra answer headers
  set by inner layers (rate limits), access log, and any unhandled exception as a 500;
- ``BodyGuardMiddleware`` (innermost): 413 for bodies over the limit, 415 for bodies that are
  not JSON (API.md §1).

Written as plain ASGI so they see every answer, including errors raised anywhere below them.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

import structlog
from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from talentbase.api.errors import error_body

# any visible ASCII (trace ids, base64, ...); no spaces or control characters, which could
# forge log lines
_REQUEST_ID_RE = re.compile(r"^[\x21-\x7e]{1,200}$")
RESPONSE_HEADERS = "response_headers"

log = structlog.get_logger("talentbase.access")


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit; an ``HTTPException`` so
    FastAPI's body reader passes it on as a 413 instead of a generic parse error."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body is larger than {limit} bytes")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def state_of(scope: Scope) -> dict[str, Any]:
    """The request's state dict (``request.state`` in Starlette terms)."""
    state: dict[str, Any] = scope.setdefault("state", {})
    return state


async def send_error(send: Send, scope: Scope, status: int, message: str) -> None:
    """Sends a Spott error body (API.md §1) with the request's id."""
    body = json.dumps(error_body(status, message, str(state_of(scope).get("request_id", ""))))
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body.encode())).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


class RequestContextMiddleware:
    """Per request: assigns ``x-request-id`` (echoes a well-formed client one), answers HEAD as
    GET without the body, adds the headers inner layers left in ``state["response_headers"]``,
    logs one JSON access line without personal data, and turns any unhandled exception into a
    500 that gives only the request id (API.md §1)."""

    def __init__(self, app: ASGIApp, *, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        client_id = _header(scope, b"x-request-id")
        request_id = (
            client_id if client_id and _REQUEST_ID_RE.match(client_id) else uuid.uuid4().hex
        )
        state = state_of(scope)
        state["request_id"] = request_id
        is_head = scope["method"] == "HEAD"
        if is_head:
            scope = {**scope, "method": "GET"}
        status_holder = {"status": 0, "started": False}

        async def send_with_context(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                headers.extend(state.get(RESPONSE_HEADERS, []))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and is_head:
                message = {**message, "body": b""}
            await send(message)

        try:
            await self.app(scope, receive, send_with_context)
        except Exception:
            log.exception("unhandled_error", request_id=request_id)
            if not status_holder["started"]:
                await send_error(send_with_context, scope, 500, "Internal server error")
        finally:
            if self.access_log:
                log.info(
                    "request",
                    request_id=request_id,
                    method=scope["method"] if not is_head else "HEAD",
                    route=_route_of(scope),
                    status=status_holder["status"],
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                    workspace_id=state.get("workspace_id"),
                )


def _is_json_media_type(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json"


class BodyGuardMiddleware:
    """Refuses bodies over ``max_body_bytes`` (413, by header or while streaming) and bodies
    that are not ``application/json`` (415); a bodiless request is never refused for its
    Content-Type (API.md §1)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await send_error(send, scope, *refusal)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, self._limited(receive), tracking_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await send_error(send, scope, 413, str(exc.detail))

    def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        length_header = _header(scope, b"content-length")
        chunked = _header(scope, b"transfer-encoding") is not None
        try:
            length = int(length_header) if length_header is not None else 0
        except ValueError:
            return (400, "Malformed Content-Length header")
        if length > self.max_body_bytes:
            return (413, f"Request body is larger than {self.max_body_bytes} bytes")
        if length > 0 or chunked:
            content_type = _header(scope, b"content-type")
            if content_type is None or not _is_json_media_type(content_type):
                return (415, "Content-Type must be application/json")
        return None

    def _limited(self, receive: Receive) -> Receive:
        received = 0
        limit = self.max_body_bytes

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        return limited_receive


def _route_of(scope: Scope) -> Any:
    route = scope.get("route")
    return getattr(route, "path", None) or "unmatched"
