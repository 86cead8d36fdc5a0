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
from talentbase.workspaces.service import KeyHasher, normalize_api_key

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
    ``auth_failures`` failed authentications a minute per address.

    Keys are counted by their keyed hash (``hasher``), never by the key or a plain hash of it,
    so counters in Redis say nothing about keys. A key that authenticated in the last
    ``GOOD_KEY_SECONDS`` (in this process) is "known good": it spends only its own budget. Any
    other key may be made up, so it also spends its address's budget, and an address past its
    failed-authentication budget is refused before its key is even looked at."""

    GOOD_KEY_SECONDS = 600.0
    MAX_GOOD_KEYS = 50_000

    def __init__(
        self,
        *,
        per_key: int,
        per_address: int,
        auth_failures: int,
        redis_url: str | None,
        hasher: KeyHasher,
    ) -> None:
        self.limiter = FixedWindowRateLimiter(_storage(redis_url))
        self.per_key = RateLimitItemPerMinute(per_key)
        self.per_address = RateLimitItemPerMinute(per_address)
        self.auth_failures = RateLimitItemPerMinute(auth_failures)
        self.hasher = hasher
        self._good: dict[str, float] = {}

    def identity(self, api_key: str) -> str:
        """The counter name of a key: its keyed hash."""
        return "key:" + self.hasher.digest(api_key)

    def is_known_good(self, identity: str) -> bool:
        expiry = self._good.get(identity)
        return expiry is not None and expiry > time.monotonic()

    def mark_good(self, identity: str) -> None:
        """Records that the key behind ``identity`` just authenticated."""
        now = time.monotonic()
        if len(self._good) >= self.MAX_GOOD_KEYS:
            self._good = {name: until for name, until in self._good.items() if until > now}
            if len(self._good) >= self.MAX_GOOD_KEYS:
                self._good.clear()
        self._good[identity] = now + self.GOOD_KEY_SECONDS

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

    async def authentication_budget(self, address: str) -> Verdict:
        """The failed-authentication budget of ``address``, without counting anything: not
        allowed once it is spent."""
        verdict = await self.hit(self.auth_failures, "auth-failure:" + address, count=False)
        return Verdict(verdict.remaining > 0, verdict.limit, verdict.remaining, verdict.reset)


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
        counted = scope["path"] not in UNLIMITED_PATHS
        raw = next((value for name, value in scope["headers"] if name == b"x-api-key"), None)
        api_key = normalize_api_key(raw.decode("latin-1")) if raw is not None else ""
        address = "address:" + client_address(scope)
        if api_key:
            identity = self.limits.identity(api_key)
            if counted and not self.limits.is_known_good(identity):
                # possibly made up: the address pays too, and one that keeps failing to
                # authenticate is refused before its body is read or its key looked up
                failures = await self.limits.authentication_budget(client_address(scope))
                if not failures.allowed:
                    await self._refuse(scope, send, failures, "failed_auth")
                    return
                by_address = await self.limits.hit(self.limits.per_address, address)
                if not by_address.allowed:
                    await self._refuse(scope, send, by_address, "address")
                    return
            verdict = await self.limits.hit(self.limits.per_key, identity, count=counted)
            budget = "api_key"
        else:
            verdict = await self.limits.hit(self.limits.per_address, address, count=counted)
            budget = "address"
        state_of(scope)[RESPONSE_HEADERS] = verdict.headers()
        if not verdict.allowed:
            await self._refuse(scope, send, verdict, budget)
            return
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, send: Send, verdict: Verdict, budget: str) -> None:
        state = state_of(scope)
        state[RESPONSE_HEADERS] = verdict.headers()
        state[RATE_LIMITED] = budget  # for metrics
        if budget == "failed_auth":
            message = (
                "Too many failed authentications from this address; "
                f"retry in {max(verdict.reset, 1)} s"
            )
        else:
            message = (
                f"Rate limit of {verdict.limit} requests per minute exceeded; "
                f"retry in {verdict.reset} s"
            )
        await send_error(send, scope, 429, message)
