"""The webhook worker: fans outbox events out to subscribed webhooks and delivers them.

Each round, in short transactions of its own:

1. Fan-out: events not fanned out yet (oldest first) get one delivery per enabled webhook of
   their workspace that subscribed to their type and existed when they were written. The
   deliveries are inserted in the transaction that marks the event fanned out, and that mark
   is a conditional UPDATE, so two workers never fan one event out twice.
2. Claim: due deliveries are leased (``locked_until``, ``locked_by``) by one conditional UPDATE
   each, so of several workers exactly one sends a delivery; a later event of a candidate
   waits while an earlier one to the same webhook is still open (pending or failed).
3. Send, outside any transaction (``delivery.send``), and record the outcome under the lease:
   a 2xx marks it delivered, only after the answer came (at least once: a worker killed
   mid-delivery leaves the lease to run out, and another try follows). A failure is retried
   after ``base * 2^(attempts-1)`` seconds, capped; once the retry window since the delivery
   was created has passed, the delivery is abandoned and its webhook disabled.

Runs inside ``talentbase serve`` (``running``, unless ``TALENTBASE_WEBHOOK_WORKER=false``) or
alone (``talentbase worker``, ``run_until_signalled``); any number may run at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import structlog

# every table, so the foreign keys of the rows the worker reads resolve in a worker-only process
import talentbase.db.models  # noqa: F401
from talentbase.db.base import new_id
from talentbase.db.engine import Database
from talentbase.db.types import utcnow
from talentbase.settings import Settings
from talentbase.webhooks import delivery, repository
from talentbase.webhooks.models import ABANDONED, DELIVERED, FAILED, Webhook, WebhookDelivery

FAN_OUT_BATCH = 200
DISABLED_REASON = "Webhook disabled: its endpoint kept failing"
# 2 ** 60 times any base is beyond every cap
_MAX_DOUBLINGS = 60

log = structlog.get_logger("talentbase.webhooks")


def retry_delay(attempts: int, base: float, cap: float) -> float:
    """Seconds before the next try after ``attempts`` failed ones: ``base`` doubling per
    attempt (30 s, 1 min, 2 min, ... by default), at most ``cap``."""
    return float(min(base * 2 ** min(max(attempts - 1, 0), _MAX_DOUBLINGS), cap))


def _version(payload: object) -> int | None:
    """``payload.data.version`` when it is an integer: the order of a candidate's events."""
    if isinstance(payload, dict):
        data = payload.get("data")
        if isinstance(data, dict):
            version = data.get("version")
            if isinstance(version, int) and not isinstance(version, bool):
                return version
    return None


class WebhookWorker:
    """One worker over ``database`` with the ``webhook_*`` settings."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self.allowed_hosts = delivery.allowed_hosts(settings.webhook_allowed_hosts)

    async def run(self, stop: asyncio.Event) -> None:
        """Works until ``stop`` is set, then lets the deliveries in flight finish (each is
        bounded by the timeout) and returns."""
        # httpx logs every request with its URL at INFO; a webhook URL may carry a token
        logging.getLogger("httpx").setLevel(logging.WARNING)
        in_flight: set[asyncio.Task[None]] = set()
        async with httpx.AsyncClient(follow_redirects=False) as http:
            try:
                while not stop.is_set():
                    if await self._round(http, in_flight):
                        await asyncio.sleep(0)
                    else:
                        await self._idle(stop, in_flight)
            finally:
                await self._drain(in_flight)

    async def _round(self, http: httpx.AsyncClient, in_flight: set[asyncio.Task[None]]) -> bool:
        """One fan-out and one claim; whether a batch came back full (more work is waiting:
        the next round follows at once). A part-full round waits for the poll interval or a
        finished delivery, so that under a steady stream of writes the worker takes events in
        batches rather than spending two transactions on every one or two (bench/README.md).
        A database error is logged and the round is tried again after a pause."""
        try:
            fanned = await self.fan_out()
            free = self.settings.webhook_concurrency - len(in_flight)
            token, batch = (await self.claim(free)) if free > 0 else ("", [])
        except Exception as exc:
            log.warning("webhook_worker_round_failed", error=type(exc).__name__)
            return False
        for claimed in batch:
            task = asyncio.create_task(self._deliver(http, claimed, token))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        return fanned >= FAN_OUT_BATCH or (free > 0 and len(batch) >= free)

    async def _idle(self, stop: asyncio.Event, in_flight: set[asyncio.Task[None]]) -> None:
        """Waits for the poll interval, a delivery to finish (it may free the next event of
        its candidate) or the stop signal, whichever comes first."""
        stopping = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait(
                {stopping, *in_flight},
                timeout=self.settings.webhook_poll_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            stopping.cancel()

    async def _drain(self, in_flight: set[asyncio.Task[None]]) -> None:
        """Lets the deliveries in flight finish; any still running past the timeout is
        cancelled (its lease runs out, and it is sent again)."""
        if not in_flight:
            return
        _done, pending = await asyncio.wait(
            set(in_flight), timeout=self.settings.webhook_timeout_seconds + 1
        )
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def fan_out(self) -> int:
        """Fans out up to one batch of events; how many events it looked at."""
        # an idle poll reads only: on SQLite a write transaction holds up the API's writers
        async with self.database.transaction(write=False) as session:
            if not await repository.events_to_fan_out(session, 1):
                return 0
        now = utcnow()
        async with self.database.transaction(write=True) as session:
            events = await repository.events_to_fan_out(session, FAN_OUT_BATCH)
            if not events:
                return 0
            hooks: dict[str, list[Webhook]] = defaultdict(list)
            for hook in await repository.enabled_webhooks(
                session, {event.workspace_id for event in events}
            ):
                hooks[hook.workspace_id].append(hook)
            unwanted: list[str] = []
            for event in events:
                targets = [
                    hook
                    for hook in hooks[event.workspace_id]
                    if event.event_type in hook.events and hook.created_at <= event.created_at
                ]
                if not targets:
                    unwanted.append(event.id)
                    continue
                if not await repository.claim_fan_out(session, event.id, now):
                    continue
                for hook in targets:
                    repository.add(
                        session,
                        WebhookDelivery(
                            id=new_id(),
                            workspace_id=event.workspace_id,
                            webhook_id=hook.id,
                            event_id=event.id,
                            event_type=event.event_type,
                            candidate_id=event.candidate_id,
                            candidate_version=_version(event.payload),
                            event_created_at=event.created_at,
                            next_attempt_at=now,
                            created_at=now,
                        ),
                    )
            await repository.mark_fanned_out(session, unwanted, now)
            return len(events)

    async def claim(self, limit: int) -> tuple[str, list[repository.Claimed]]:
        """Leases up to ``limit`` due deliveries to a new token; the token and what was won."""
        async with self.database.transaction(write=False) as session:
            if not await repository.due_deliveries(session, utcnow(), 1):
                return "", []
        now = utcnow()
        until = now + timedelta(seconds=self.settings.webhook_lease_seconds)
        token = new_id()
        async with self.database.transaction(write=True) as session:
            due = await repository.due_deliveries(session, now, limit)
            # one lock order for every worker, so concurrent claims never deadlock
            won = [
                delivery_id
                for delivery_id in sorted(due)
                if await repository.claim(session, delivery_id, token, now, until)
            ]
            return token, await repository.claimed(session, won)

    async def _deliver(
        self, http: httpx.AsyncClient, claimed: repository.Claimed, token: str
    ) -> None:
        outcome = await delivery.send(
            http, claimed, self.settings.webhook_timeout_seconds, self.allowed_hosts
        )
        try:
            status = await self._record(claimed, token, outcome)
        except Exception as exc:
            # the lease runs out and the delivery is sent again: at least once
            log.warning(
                "webhook_outcome_not_recorded",
                delivery_id=claimed.delivery_id,
                error=type(exc).__name__,
            )
            return
        log.info(
            "webhook_delivery",
            webhook_id=claimed.webhook_id,
            delivery_id=claimed.delivery_id,
            event_id=claimed.event_id,
            attempt=claimed.attempts,
            status=status,
            status_code=outcome.status_code,
        )

    async def _record(
        self, claimed: repository.Claimed, token: str, outcome: delivery.Outcome
    ) -> str | None:
        """Stores the outcome of a try while ``token`` still holds the lease; the status it
        stored (None when the lease was lost or the webhook deleted)."""
        settings = self.settings
        now = utcnow()
        async with self.database.transaction(write=True) as session:
            if outcome.ok:
                values: dict[str, object] = {
                    "status": DELIVERED,
                    "delivered_at": now,
                    "last_status_code": outcome.status_code,
                    "last_error": None,
                    "next_attempt_at": None,
                }
                stored = await repository.record(session, claimed.delivery_id, token, values)
                return DELIVERED if stored else None
            window_ends = claimed.created_at + timedelta(
                seconds=settings.webhook_retry_window_seconds
            )
            give_up = now >= window_ends or await repository.is_disabled(
                session, claimed.webhook_id
            )
            delay = retry_delay(
                claimed.attempts,
                settings.webhook_backoff_base_seconds,
                settings.webhook_backoff_max_seconds,
            )
            values = {
                "status": ABANDONED if give_up else FAILED,
                "last_status_code": outcome.status_code,
                "last_error": outcome.error,
                "next_attempt_at": None if give_up else now + timedelta(seconds=delay),
            }
            if not await repository.record(session, claimed.delivery_id, token, values):
                return None
            if give_up:
                await repository.disable(session, claimed.webhook_id, now, DISABLED_REASON)
                log.warning("webhook_disabled", webhook_id=claimed.webhook_id)
            return str(values["status"])


@contextlib.asynccontextmanager
async def running(database: Database, settings: Settings) -> AsyncIterator[None]:
    """Runs a worker in the background for the block when ``settings.webhook_worker`` is on
    (``serve``'s lifespan); stops it, letting deliveries in flight finish, at the end."""
    if not settings.webhook_worker:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(WebhookWorker(database, settings).run(stop))
    try:
        yield
    finally:
        stop.set()
        await task


async def run_until_signalled(settings: Settings) -> None:
    """``talentbase worker``: runs a worker until SIGTERM or SIGINT."""
    pool_size = min(settings.db_pool_size, settings.webhook_concurrency + 2)
    database = Database(settings.database_url, pool_size=pool_size)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stop.set)
    log.info("webhook_worker_started")
    try:
        await WebhookWorker(database, settings).run(stop)
    finally:
        await database.dispose()
        log.info("webhook_worker_stopped")
