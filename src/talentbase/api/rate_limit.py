"""Rate limiting per API key, and per client address for requests without a key (API.md §1).

Spott allows 1000 requests per minute per API key; over it the answer is 429. Every answer
carries ``RateLimit-Limit`` / ``RateLimit-Remaining`` / ``RateLimit-Reset`` (seconds), and a 429
also ``Retry-After``. Counters live in memory (the ``limits`` library, fixed one-minute windows).
Keys are counted by a hash of the header value, so no database lookup is needed here.
``/healthz`` is never refused (liveness probes), but shows its address's budget.
"""

from __future__ import annotations

import hashlib
import math
import time

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import FixedWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from talentbase.api.middleware import RESPONSE_HEADERS, send_error, state_of

UNLIMITED_PATHS = frozenset({"/healthz"})


class RateLimitMiddleware:
    """Counts each request against its API key's budget (``per_key`` a minute) or, without a
    key, its client address's (``per_address`` a minute); refuses with 429 past it. The headers
    go to ``state["response_headers"]``, which the request-context middleware adds to whatever
    answer the request gets (2xx, 4xx or 500)."""

    def __init__(self, app: ASGIApp, *, per_key: int, per_address: int) -> None:
        self.app = app
        self.limiter = FixedWindowRateLimiter(MemoryStorage())
        self.per_key = RateLimitItemPerMinute(per_key)
        self.per_address = RateLimitItemPerMinute(per_address)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api_key = next((v.strip() for k, v in scope["headers"] if k == b"x-api-key"), None)
        if api_key:
            item = self.per_key
            identity = "key:" + hashlib.sha256(api_key).hexdigest()
        else:
            item = self.per_address
            client = scope.get("client")
            identity = "address:" + (client[0] if client else "unknown")
        counted = scope["path"] not in UNLIMITED_PATHS
        allowed = await self.limiter.hit(item, identity) if counted else True
        stats = await self.limiter.get_window_stats(item, identity)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        headers = [
            (b"ratelimit-limit", str(item.amount).encode()),
            (b"ratelimit-remaining", str(stats.remaining).encode()),
            (b"ratelimit-reset", str(reset).encode()),
        ]
        if not allowed:
            headers.append((b"retry-after", str(max(reset, 1)).encode()))
        state_of(scope)[RESPONSE_HEADERS] = headers
        if not allowed:
            await send_error(
                send,
                scope,
                429,
                f"Rate limit of {item.amount} requests per minute exceeded; retry in {reset} s",
            )
            return
        await self.app(scope, receive, send)
