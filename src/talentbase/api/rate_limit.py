"""Rate limiting per API key, and per client address for requests without a key (API.md §1).

Spott allows 1000 requests per minute per API key; over it the answer is 429. Every answer
carries ``RateLimit-Limit`` / ``RateLimit-Remaining`` / ``RateLimit-Reset`` (seconds), and a 429
also ``Retry-After``. Counters (the ``limits`` library, fixed one-minute windows) live in memory,
or in Redis when ``TALENTBASE_REDIS_URL`` is set so that several server processes share one
budget. Keys are counted by a hash of the header value, so no database lookup is needed here.
Failed authentications are counted per client address too: past ``auth_failures_per_minute``
they answer 429, so guessing keys (or rotating made-up keys to dodge the per-address budget)
is slowed to a crawl. ``UNLIMITED_PATHS`` (probes, metrics) are never refused, but show
the budget.
If Redis is unreachable the request is let through and a warning logged: the limiter protects
the service, it must not take it down.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

import structlog
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.errors import StorageError
from starlette.types import ASGIApp, Receive, Scope, Send

from talentbase.api.middleware import RATE_LIMITED, RESPONSE_HEADERS, send_error, state_of

log = structlog.get_logger("talentbase.rate_limit")

# probes and the metrics scraper poll on a schedule; refusing them would hide an outage
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def _storage(redis_url: str | None) -> Storage:
    if redis_url is None:
        return MemoryStorage()
    # limits names its asyncio Redis storages async+redis://; redis-py is the client
    return RedisStorage(
        "async+" + redis_url,
        implementation="redispy",
        wrap_exceptions=True,
        key_prefix="talentbase",
        socket_timeout=1.0,
        socket_connect_timeout=1.0,
    )


@dataclass(frozen=True)
class Verdict:
    """The outcome of counting one hit: allowed or not, the budget, what is left, and the
    seconds until the window resets."""

    allowed: bool
    limit: int
    remaining: int
    reset: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        """``RateLimit-*`` headers, and ``Retry-After`` when refused."""
        headers = [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(self.reset).encode()),
        ]
        if not self.allowed:
            headers.append((b"retry-after", str(max(self.reset, 1)).encode()))
        return headers


class RateLimits:
    """The budgets of one app and where their counters live (memory, or Redis at
    ``redis_url``): ``per_key`` and ``per_address`` requests a minute, and
    ``auth_failures`` failed authentications a minute per address."""

    def __init__(
        self, *, per_key: int, per_address: int, auth_failures: int, redis_url: str | None
    ) -> None:
        self.limiter = FixedWindowRateLimiter(_storage(redis_url))
        self.per_key = RateLimitItemPerMinute(per_key)
        self.per_address = RateLimitItemPerMinute(per_address)
        self.auth_failures = RateLimitItemPerMinute(auth_failures)

    async def hit(self, item: RateLimitItem, identity: str, *, count: bool = True) -> Verdict:
        """Counts one hit of ``identity`` against ``item`` (only reads the budget when
        ``count`` is false). A storage failure lets the hit through and is logged."""
        try:
            allowed = await self.limiter.hit(item, identity) if count else True
            stats = await self.limiter.get_window_stats(item, identity)
        except StorageError as error:
            log.warning("rate_limit_storage_unavailable", error=type(error.storage_error).__name__)
            return Verdict(True, item.amount, item.amount, 60)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        return Verdict(allowed, item.amount, stats.remaining, reset)

    async def failed_authentication(self, address: str) -> Verdict:
        """Counts a failed authentication from ``address``; not allowed once past the budget."""
        return await self.hit(self.auth_failures, "auth-failure:" + address)


def client_address(scope: Scope) -> str:
    """The client's address as the server saw it (``unknown`` without one)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RateLimitMiddleware:
    """Counts each request against its API key's budget (``per_key`` a minute) or, without a
    key, its client address's (``per_address`` a minute); refuses with 429 past it. The headers
    go to ``state["response_headers"]``, which the request-context middleware adds to whatever
    answer the request gets (2xx, 4xx or 500)."""

    def __init__(self, app: ASGIApp, *, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api_key = next((v.strip() for k, v in scope["headers"] if k == b"x-api-key"), None)
        if api_key:
            item = self.limits.per_key
            identity = "key:" + hashlib.sha256(api_key).hexdigest()
        else:
            item = self.limits.per_address
            identity = "address:" + client_address(scope)
        verdict = await self.limits.hit(item, identity, count=scope["path"] not in UNLIMITED_PATHS)
        state_of(scope)[RESPONSE_HEADERS] = verdict.headers()
        if not verdict.allowed:
            state_of(scope)[RATE_LIMITED] = "api_key" if api_key else "address"  # for metrics
            reset = verdict.reset
            await send_error(
                send,
                scope,
                429,
                f"Rate limit of {item.amount} requests per minute exceeded; retry in {reset} s",
            )
            return
        await self.app(scope, receive, send)
