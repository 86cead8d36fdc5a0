"""Plain ASGI middleware around the app, outermost first:

- ``RequestContextMiddleware``: request id, HEAD as GET without a body, extra answer headers
  set by inner layers (rate limits), access log and metrics, and any unhandled exception as a
  500;
- ``BodyGuardMiddleware`` (innermost): 413 for bodies over the limit, 415 for bodies that are
  not JSON (API.md §1); the file upload routes take multipart bodies instead.

Written as plain ASGI so they see every answer, including errors raised anywhere below them.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

import structlog
import uuid_utils
from fastapi import HTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from talentbase.api.errors import error_body
from talentbase.api.metrics import method_label, metrics_of

# any visible ASCII (trace ids, base64, ...); no spaces or control characters, which could
# forge log lines
_REQUEST_ID_RE = re.compile(r"^[\x21-\x7e]{1,200}$")
RESPONSE_HEADERS = "response_headers"
# set by the rate limiter on its 429s: the budget exceeded (a ``metrics.RATE_LIMITS`` value)
RATE_LIMITED = "rate_limited"

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
    turns any unhandled exception into a 500 that gives only the request id (API.md §1), counts
    the request in the app's metrics and logs one JSON access line.

    The access line's keys: ``request_id``, ``workspace_id`` (``null`` before authentication),
    ``method``, ``route`` (the route template, ``unmatched`` for an unknown path), ``status``,
    ``latency_ms``. Never the raw path, query string, body or a header: they can hold personal
    data (ids in paths are not, but the template is what aggregates well)."""

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
            client_id if client_id and _REQUEST_ID_RE.match(client_id) else uuid_utils.uuid4().hex
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
            log.exception("unhandled_error", request_id=request_id, route=_route_of(scope))
            if not status_holder["started"]:
                await send_error(send_with_context, scope, 500, "Internal server error")
        finally:
            self._record(
                scope,
                method_label("HEAD" if is_head else scope["method"]),
                int(status_holder["status"]),
                time.perf_counter() - started,
            )

    def _record(self, scope: Scope, method: str, status: int, seconds: float) -> None:
        """Counts the answered request in the app's metrics and writes its access line."""
        state = state_of(scope)
        route = _route_of(scope)
        metrics = metrics_of(scope)
        if metrics is not None:
            metrics.observe_request(method, route, status, seconds)
            if status == 429:
                # the rate limiter and the failed-authentication slow-down (api/deps.py) both
                # mark which budget refused
                metrics.observe_rate_limit_rejection(state.get(RATE_LIMITED, "unknown"))
        if self.access_log:
            log.info(
                "request",
                request_id=state.get("request_id"),
                workspace_id=state.get("workspace_id"),
                method=method,
                route=route,
                status=status,
                latency_ms=round(seconds * 1000, 2),
            )


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


# The file upload routes (talentbase.attachments.router): the only bodies that are
# multipart/form-data instead of JSON, and may be larger than ``max_body_bytes``.
UPLOAD_PATHS = frozenset({"/attachments", "/attachments/temporary"})
# room for the multipart framing around the file: boundaries, part headers, the file name
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def _is_upload(scope: Scope) -> bool:
    return scope["method"] == "POST" and scope["path"] in UPLOAD_PATHS


def _upload_limit(scope: Scope) -> int:
    """The body limit of an upload: the app's ``max_attachment_bytes`` (read from the app's
    settings, as the route reads it) plus the multipart framing."""
    return int(scope["app"].state.settings.max_attachment_bytes) + MULTIPART_OVERHEAD_BYTES


def _replaying(first: Message, receive: Receive) -> Receive:
    """``receive`` that hands out ``first`` (already read) before the rest."""
    pending = [first]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


class BodyGuardMiddleware:
    """Refuses bodies over ``max_body_bytes`` (413, by header or while streaming) and bodies
    that are not ``application/json`` (415) on routes that exist for the request's method (any
    other request gets the router's 404 or 405, whatever it carries); a bodiless request is
    never refused for its Content-Type (API.md §1). The upload routes (``UPLOAD_PATHS``, POST)
    take only ``multipart/form-data`` instead, up to the attachment limit plus the framing."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if b"%2f" in scope.get("raw_path", b"").lower():
            # an encoded slash is part of a path segment, never a separator: no route has one
            await send_error(send, scope, 404, "Not found")
            return
        upload = _is_upload(scope)
        limit = _upload_limit(scope) if upload else self.max_body_bytes
        refusal = self._refusal(scope, limit, upload)
        if refusal is not None and refusal[0] == 415 and _header(scope, b"content-length") is None:
            # chunked: the body may turn out to be empty, and a bodiless request is never
            # refused for its Content-Type
            first = await receive()
            if first.get("body") or first.get("more_body"):
                await send_error(send, scope, *refusal)
                return
            refusal, receive = None, _replaying(first, receive)
        if refusal is not None:
            await send_error(send, scope, *refusal)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, self._limited(receive, limit), tracking_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await send_error(send, scope, 413, str(exc.detail))

    def _refusal(self, scope: Scope, limit: int, upload: bool) -> tuple[int, str] | None:
        length_header = _header(scope, b"content-length")
        chunked = _header(scope, b"transfer-encoding") is not None
        try:
            length = int(length_header) if length_header is not None else 0
        except ValueError:
            return (400, "Malformed Content-Length header")
        if length > limit:
            return (413, f"Request body is larger than {limit} bytes")
        if (length > 0 or chunked) and _served(scope):
            expected = "multipart/form-data" if upload else "application/json"
            content_type = _header(scope, b"content-type")
            if content_type is None or _media_type(content_type) != expected:
                return (415, f"Content-Type must be {expected}")
        return None

    def _limited(self, receive: Receive, limit: int) -> Receive:
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        return limited_receive


def _route_of(scope: Scope) -> str:
    """The template of the route serving ``scope`` (``/candidates/{id}``), never the raw path;
    ``unmatched`` when no route has the path.

    The router records the route it chose in the scope; a request answered before routing
    (429, 413, 415) has its path matched against the app's route templates here, in the
    router's order, so it is labelled the same way.
    """
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    router = getattr(scope.get("app"), "router", None)
    for template in _templates(getattr(router, "routes", ())):
        if _template_regex(template).match(scope["path"]):
            return template
    return "unmatched"


def _leaves(routes: Iterable[Any]) -> Iterator[Any]:
    for route in routes:
        # FastAPI keeps included routers nested; each lists its routes with their full paths
        nested = getattr(route, "effective_route_contexts", None)
        yield from nested() if callable(nested) else (route,)


def _templates(routes: Iterable[Any]) -> Iterator[str]:
    for leaf in _leaves(routes):
        path = getattr(leaf, "path", None)
        if isinstance(path, str):
            yield path


def _served(scope: Scope) -> bool:
    """Whether a route of the app serves this method at this path (HEAD where GET is)."""
    method = "GET" if scope["method"] == "HEAD" else scope["method"]
    router = getattr(scope.get("app"), "router", None)
    for leaf in _leaves(getattr(router, "routes", ())):
        path = getattr(leaf, "path", None)
        methods = getattr(leaf, "methods", None) or ()
        if (
            isinstance(path, str)
            and method in methods
            and _template_regex(path).match(scope["path"])
        ):
            return True
    return False


@functools.cache
def _template_regex(template: str) -> re.Pattern[str]:
    regex, _format, _convertors = compile_path(template)
    return regex
