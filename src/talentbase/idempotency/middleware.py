"""``IdempotencyMiddleware``: idempotent POSTs (rules in ``idempotency.service``).

Plain ASGI, inside the request-context and rate-limit middleware (so a replay still gets its
own ``x-request-id`` and rate-limit headers) and inside the body guard (so the body it reads
whole to fingerprint is already limited in size and type). It needs the caller's workspace,
so it authenticates the API key itself; a request it cannot authenticate passes through to
get the route's 401.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from talentbase.api.deps import before_commit
from talentbase.api.errors import DATABASE_UNAVAILABLE, ApiError, ErrorItem, error_body
from talentbase.api.middleware import state_of
from talentbase.db import types as db_types
from talentbase.db.base import new_id
from talentbase.db.engine import Database
from talentbase.idempotency import repository, service
from talentbase.idempotency.models import IdempotencyKey
from talentbase.idempotency.service import Decision, Policy
from talentbase.workspaces import service as workspaces

log = structlog.get_logger("talentbase.idempotency")

_HEADER = service.HEADER.lower().encode("ascii")
IN_PROGRESS = (
    f"A request with this {service.HEADER} is still in progress; retry shortly to get its answer"
)
ANSWER_LOST = (
    f"The request with this {service.HEADER} was carried out, but its answer was lost; it is "
    "not carried out again. Look the outcome up instead, or use a new key for a new request"
)


@dataclass(frozen=True)
class PostRoute:
    """A POST route by its template (``path``, as Starlette routes name it) and its regex."""

    path: str
    pattern: re.Pattern[str]

    def matches(self, path: str) -> bool:
        return self.pattern.match(path) is not None


@dataclass(frozen=True)
class _Request:
    """The idempotent request being served: whose key, which key, and its fingerprint."""

    workspace_id: str
    key: str
    fingerprint: str
    token: str


class IdempotencyMiddleware:
    """Serves POSTs that carry ``Idempotency-Key`` on the routes the OpenAPI document lists
    as POST: claims the key, runs the route, stores its answer (not a 5xx), and answers
    retries from the store. ``policy`` sets the timings (``service.Policy``)."""

    def __init__(self, app: ASGIApp, *, policy: Policy | None = None) -> None:
        self.app = app
        self.policy = policy or Policy()
        self._last_purge: datetime | None = None
        self._post_routes: tuple[PostRoute, ...] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        keys = [value.decode("latin-1") for name, value in scope["headers"] if name == _HEADER]
        api_key = next(
            (
                value.decode("latin-1").strip()
                for name, value in scope["headers"]
                if name == b"x-api-key"
            ),
            "",
        )
        route = self._post_route(scope) if keys and api_key else None
        if route is None:
            await self.app(scope, receive, send)
            return
        # answers given here never reach the router; the access log and metrics label them
        # with this route (``scope["route"].path``), which the router sets again when it runs
        scope["route"] = route
        database: Database = scope["app"].state.database
        try:
            workspace_id = await _workspace_of(scope, database, api_key)
        except DATABASE_UNAVAILABLE:
            await _send_error(send, scope, _unavailable(scope))
            return
        if workspace_id is None:  # the route answers 401
            await self.app(scope, receive, send)
            return
        try:
            key = service.check_key(keys)
        except service.InvalidKey as invalid:
            await _send_error(send, scope, ApiError(400, "Validation failed", [invalid.error]))
            return
        body = await _read_body(receive)
        if body is None:  # the client went away
            return
        request = _Request(workspace_id, key, _fingerprint(scope, body), new_id())
        try:
            decision, claim = await self._acquire(database, request)
        except DATABASE_UNAVAILABLE:
            await _send_error(send, scope, _unavailable(scope))
            return
        if decision is Decision.CLAIM:
            await self._run(scope, _replaying(body, receive), send, database, request)
            await self._purge_now_and_then(database)
        elif decision is Decision.REPLAY:
            assert claim is not None
            await _replay(send, claim)
        else:
            await _send_error(send, scope, _refusal(decision, key))

    def _post_route(self, scope: Scope) -> PostRoute | None:
        """The POST route of the app's OpenAPI document that serves this path (the first that
        matches, as the router picks), None when there is none: the request gets the router's
        404 or 405, whatever it carries."""
        if self._post_routes is None:
            self._post_routes = _post_routes(scope["app"])
        return next((route for route in self._post_routes if route.matches(scope["path"])), None)

    async def _acquire(
        self, database: Database, request: _Request
    ) -> tuple[Decision, IdempotencyKey | None]:
        """Claims the key, or waits (up to ``wait_seconds``) while another attempt holds it;
        the decision and the stored claim (what a replay sends)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.policy.wait_seconds
        decision, claim = await self._claim(database, request)
        while decision is Decision.BUSY and loop.time() < deadline:
            await asyncio.sleep(self.policy.poll_seconds)
            # reading is enough to watch the holder; only claiming needs the write transaction
            async with database.transaction(write=False) as session:
                claim = await repository.get(session, request.workspace_id, request.key)
            decision = service.decide(claim, request.fingerprint, db_types.utcnow(), self.policy)
            if decision is Decision.CLAIM:  # released, or its holder died
                decision, claim = await self._claim(database, request)
        return decision, claim

    async def _claim(
        self, database: Database, request: _Request
    ) -> tuple[Decision, IdempotencyKey | None]:
        """One short committed transaction: reads the key's claim (locked) and, when no live
        attempt holds it, claims it for this one."""
        try:
            return await self._claim_once(database, request)
        except IntegrityError:
            # another attempt inserted the first claim of this key meanwhile: read it
            return await self._claim_once(database, request)

    async def _claim_once(
        self, database: Database, request: _Request
    ) -> tuple[Decision, IdempotencyKey | None]:
        async with database.transaction(write=True) as session:
            now = db_types.utcnow()
            claim = await repository.get(
                session, request.workspace_id, request.key, for_update=True
            )
            decision = service.decide(claim, request.fingerprint, now, self.policy)
            if decision is Decision.CLAIM:
                await repository.claim(
                    session,
                    claim,
                    workspace_id=request.workspace_id,
                    key=request.key,
                    fingerprint=request.fingerprint,
                    token=request.token,
                    now=now,
                    lease_expires_at=now + self.policy.lease,
                )
        return decision, claim

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, database: Database, request: _Request
    ) -> None:
        """Runs the route holding the claim: its transaction marks the claim committed; its
        answer is stored (unless a 5xx) before it is sent, so a client that got the answer
        finds it stored when it retries."""
        lease = self.policy.lease

        async def mark_committed(session: AsyncSession) -> None:
            now = db_types.utcnow()
            if not await repository.mark_committed(
                session, request.workspace_id, request.key, request.token, now + lease
            ):
                # our lease ran out and another attempt took the key over: it does the work
                raise ApiError(409, IN_PROGRESS, headers=_RETRY)

        before_commit(scope).append(mark_committed)
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        try:
            await self.app(scope, receive, capture)
        except Exception:
            await self._release(database, request)
            raise
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        if start is None or start["status"] >= 500:
            await self._release(database, request)
        else:
            await self._store(scope, database, request, start, messages)
        for message in messages:
            await send(message)

    async def _store(
        self,
        scope: Scope,
        database: Database,
        request: _Request,
        start: Message,
        messages: list[Message],
    ) -> None:
        headers = [
            [name.decode("latin-1"), value.decode("latin-1")]
            for name, value in start.get("headers", [])
            if name.lower() in service.STORED_HEADERS
        ]
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        try:
            async with database.transaction(write=True) as session:
                await repository.store_answer(
                    session,
                    request.workspace_id,
                    request.key,
                    request.token,
                    status=int(start["status"]),
                    headers=headers,
                    body=body,
                )
        except DATABASE_UNAVAILABLE:
            # the answer still goes out; a retry finds the claim and its lease decides
            log.warning(
                "idempotency_answer_not_stored", request_id=state_of(scope).get("request_id")
            )

    async def _release(self, database: Database, request: _Request) -> None:
        try:
            async with database.transaction(write=True) as session:
                await repository.release(
                    session, request.workspace_id, request.key, request.token, db_types.utcnow()
                )
        except DATABASE_UNAVAILABLE:
            log.warning("idempotency_key_not_released")

    async def _purge_now_and_then(self, database: Database) -> None:
        """Deletes expired keys, at most once per ``purge_every`` per process (or at once when
        the clock went back): one indexed delete, so the table holds about a window's keys."""
        now = db_types.utcnow()
        last = self._last_purge
        if last is not None and last <= now < last + self.policy.purge_every:
            return
        self._last_purge = now
        try:
            async with database.transaction(write=True) as session:
                await repository.purge(session, now - self.policy.window)
        except DATABASE_UNAVAILABLE:
            log.warning("idempotency_purge_failed")


_RETRY = {"Retry-After": "1"}


def _fingerprint(scope: Scope, body: bytes) -> str:
    return service.fingerprint(
        scope["method"],
        scope.get("raw_path") or scope["path"].encode("utf-8"),
        scope.get("query_string", b""),
        scope["headers"],
        body,
    )


def _unavailable(scope: Scope) -> ApiError:
    """503 as ``api.errors`` answers it when the database cannot serve: nothing was done."""
    log.warning("database_unavailable", request_id=state_of(scope).get("request_id"))
    return ApiError(
        503, "The database is unavailable; nothing was changed. Retry shortly.", headers=_RETRY
    )


def _refusal(decision: Decision, key: str) -> ApiError:
    """The answer to a request whose key is taken: by another request, or by an attempt of
    this one still running or whose answer was lost."""
    if decision is Decision.REUSED:
        return _reused(key)
    if decision is Decision.BUSY:
        return ApiError(409, IN_PROGRESS, headers=_RETRY)
    return ApiError(409, ANSWER_LOST)


def _reused(key: str) -> ApiError:
    return ApiError(
        422,
        f"{service.HEADER} was already used for a different request",
        [
            ErrorItem(
                service.IDEMPOTENCY_KEY_REUSED,
                service.HEADER,
                "This key was used within the last 24 hours for a request with another method, "
                "path, query or body; use a new key for a new request",
                key,
            )
        ],
    )


async def _workspace_of(scope: Scope, database: Database, api_key: str) -> str | None:
    """The workspace of the request's unrevoked API key, None for an unknown key."""
    async with database.transaction(write=False) as session:
        found = await workspaces.authenticate(session, scope["app"].state.key_hasher, api_key)
    if found is None:
        return None
    state_of(scope)["workspace_id"] = found.workspace_id  # for the access line of a replay
    return found.workspace_id


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body (the body guard outside limits its size); None when the client
    disconnected first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the route the body already read, then whatever comes next."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _replay(send: Send, claim: IdempotencyKey) -> None:
    """Sends the stored answer again, marked as a replay."""
    body = claim.response_body or b""
    headers = [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, value in claim.response_headers or []
    ]
    headers.append((b"content-length", str(len(body)).encode()))
    headers.append((service.REPLAYED_HEADER.lower().encode("ascii"), b"true"))
    status = claim.response_status or 200
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_error(send: Send, scope: Scope, error: ApiError) -> None:
    """Sends ``error`` in Spott's body (API.md §1) with the request's id."""
    request_id = str(state_of(scope).get("request_id", ""))
    body = json.dumps(
        error_body(error.status, error.message, request_id, error.errors, error.extra)
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    headers.extend(
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in (error.headers or {}).items()
    )
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _post_routes(app: Any) -> tuple[PostRoute, ...]:
    """The routes the OpenAPI document of ``app`` lists with a POST, in the router's order."""
    paths = app.openapi().get("paths", {})
    return tuple(
        PostRoute(path, compile_path(path)[0]) for path, item in paths.items() if "post" in item
    )
