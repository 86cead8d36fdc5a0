"""Rate limiting per API key, and per client address for requests without a key (API.md §1).

Spott allows 1000 requests per minute per API key; over it the answer is 429. Every answer
carries ``RateLimit-Limit`` / ``RateLimit-Remaining`` / ``RateLimit-Reset`` (seconds), and a 429
also ``Retry-After``. Counters live in memory (the ``limits`` library, fixed one-minute windows).
Keys are counted by a hash of the header value, so no database lookup is needed here.
"""

from __future__ import annotations

import hashlib
import json
import math
import time

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import FixedWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from talentbase.api.errors import error_body


class RateLimitMiddleware:
    """Counts each request against its API key's budget (``per_key`` a minute) or, without a
    key, its client address's (``per_address`` a minute); refuses with 429 past it."""

    def __init__(self, app: ASGIApp, *, per_key: int, per_address: int) -> None:
        self.app = app
        self.limiter = FixedWindowRateLimiter(MemoryStorage())
        self.per_key = RateLimitItemPerMinute(per_key)
        self.per_address = RateLimitItemPerMinute(per_address)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api_key = next((v for k, v in scope["headers"] if k == b"x-api-key"), None)
        if api_key:
            item = self.per_key
            identity = "key:" + hashlib.sha256(api_key).hexdigest()
        else:
            item = self.per_address
            client = scope.get("client")
            identity = "address:" + (client[0] if client else "unknown")
        allowed = await self.limiter.hit(item, identity)
        stats = await self.limiter.get_window_stats(item, identity)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        headers = [
            (b"ratelimit-limit", str(item.amount).encode()),
            (b"ratelimit-remaining", str(stats.remaining).encode()),
            (b"ratelimit-reset", str(reset).encode()),
        ]
        if not allowed:
            state = scope.get("state") or {}
            body = json.dumps(
                error_body(
                    429,
                    f"Rate limit of {item.amount} requests per minute exceeded; retry in {reset} s",
                    str(state.get("request_id", "")),
                )
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"retry-after", str(max(reset, 1)).encode()),
                        *headers,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
