"""SQL for webhooks and deliveries: the routes' reads and writes, the fan-out of outbox
events, and the lease-based claims of the worker. Every claim and outcome is one conditional
UPDATE (``... WHERE locked_until <= now``, ``... WHERE locked_by = token``), so it is atomic
on SQLite and PostgreSQL alike without ``SKIP LOCKED``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from talentbase.api.pagination import CursorPage, CursorPosition, encode_cursor
from talentbase.db.base import is_id
from talentbase.events.models import OutboxEvent
from talentbase.webhooks.models import ABANDONED, OPEN_STATUSES, Webhook, WebhookDelivery

_NO_SYNC = {"synchronize_session": False}


def add(session: AsyncSession, row: Webhook | WebhookDelivery) -> None:
    """Stages a new webhook or delivery for insertion."""
    session.add(row)


async def get(session: AsyncSession, workspace_id: str, webhook_id: str) -> Webhook | None:
    """The workspace's webhook with this id, or None."""
    if not is_id(webhook_id):
        return None
    found: Webhook | None = await session.scalar(
        select(Webhook).where(Webhook.workspace_id == workspace_id, Webhook.id == webhook_id)
    )
    return found


async def list_webhooks(session: AsyncSession, workspace_id: str) -> list[Webhook]:
    """The workspace's webhooks, oldest first."""
    rows = await session.scalars(
        select(Webhook)
        .where(Webhook.workspace_id == workspace_id)
        .order_by(Webhook.created_at, Webhook.id)
    )
    return list(rows)


async def delete_webhook(session: AsyncSession, webhook: Webhook) -> None:
    """Deletes the webhook; its delivery log goes with it (ON DELETE CASCADE). A delivery in
    flight then finds no row to record its outcome in, and nothing more is sent."""
    await session.execute(
        delete(Webhook).where(Webhook.id == webhook.id).execution_options(**_NO_SYNC)
    )


async def deliveries_page(
    session: AsyncSession,
    workspace_id: str,
    webhook_id: str,
    limit: int,
    after: CursorPosition | None,
) -> CursorPage[WebhookDelivery]:
    """One page of the webhook's deliveries, newest event first: keyset on
    ``(event_created_at, id)`` descending, strictly after the cursor's row."""
    query = select(WebhookDelivery).where(
        WebhookDelivery.workspace_id == workspace_id, WebhookDelivery.webhook_id == webhook_id
    )
    if after is not None:
        query = query.where(
            or_(
                WebhookDelivery.event_created_at < after.modified_at,
                and_(
                    WebhookDelivery.event_created_at == after.modified_at,
                    WebhookDelivery.id < after.id,
                ),
            )
        )
    rows = list(
        await session.scalars(
            query.order_by(
                WebhookDelivery.event_created_at.desc(), WebhookDelivery.id.desc()
            ).limit(limit + 1)
        )
    )
    if len(rows) <= limit:
        return CursorPage(rows, None)
    rows = rows[:limit]
    return CursorPage(rows, encode_cursor(rows[-1].event_created_at, rows[-1].id))


# ---- fan-out -------------------------------------------------------------------------------


async def events_to_fan_out(session: AsyncSession, limit: int) -> list[OutboxEvent]:
    """Up to ``limit`` events not fanned out yet, oldest first."""
    rows = await session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.fanned_out_at.is_(None))
        .order_by(OutboxEvent.created_at, OutboxEvent.id)
        .limit(limit)
    )
    return list(rows)


async def enabled_webhooks(session: AsyncSession, workspace_ids: Iterable[str]) -> list[Webhook]:
    """The webhooks of these workspaces that are not disabled."""
    wanted = set(workspace_ids)
    if not wanted:
        return []
    rows = await session.scalars(
        select(Webhook).where(Webhook.workspace_id.in_(wanted), Webhook.disabled_at.is_(None))
    )
    return list(rows)


async def claim_fan_out(session: AsyncSession, event_id: str, now: datetime) -> bool:
    """Marks one event fanned out; False when another worker already did (the caller then
    creates no deliveries for it)."""
    result = await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id == event_id, OutboxEvent.fanned_out_at.is_(None))
        .values(fanned_out_at=now)
        .execution_options(**_NO_SYNC)
    )
    return _changed(result) == 1


async def mark_fanned_out(session: AsyncSession, event_ids: Sequence[str], now: datetime) -> None:
    """Marks events that no webhook wants as fanned out."""
    if event_ids:
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_(event_ids), OutboxEvent.fanned_out_at.is_(None))
            .values(fanned_out_at=now)
            .execution_options(**_NO_SYNC)
        )


# ---- claims and outcomes -------------------------------------------------------------------


async def due_deliveries(session: AsyncSession, now: datetime, limit: int) -> list[str]:
    """Ids of up to ``limit`` deliveries that may be sent now: open, due, not leased, of an
    enabled webhook, and with no earlier open delivery of the same webhook and candidate
    (earlier: a lower ``candidate_version`` when both have one, else an earlier
    ``(event_created_at, event_id)``). Oldest due first."""
    delivery = WebhookDelivery
    earlier = aliased(WebhookDelivery)
    both_versioned = and_(
        earlier.candidate_version.is_not(None), delivery.candidate_version.is_not(None)
    )
    precedes = or_(
        and_(both_versioned, earlier.candidate_version < delivery.candidate_version),
        and_(
            ~both_versioned,
            or_(
                earlier.event_created_at < delivery.event_created_at,
                and_(
                    earlier.event_created_at == delivery.event_created_at,
                    earlier.event_id < delivery.event_id,
                ),
            ),
        ),
    )
    blocked = exists().where(
        earlier.webhook_id == delivery.webhook_id,
        earlier.candidate_id == delivery.candidate_id,
        earlier.status.in_(OPEN_STATUSES),
        earlier.id != delivery.id,
        precedes,
    )
    rows = await session.scalars(
        select(delivery.id)
        .join(Webhook, Webhook.id == delivery.webhook_id)
        .where(
            delivery.status.in_(OPEN_STATUSES),
            delivery.next_attempt_at <= now,
            or_(delivery.locked_until.is_(None), delivery.locked_until <= now),
            Webhook.disabled_at.is_(None),
            ~blocked,
        )
        .order_by(delivery.next_attempt_at, delivery.event_created_at, delivery.id)
        .limit(limit)
    )
    return list(rows)


async def claim(
    session: AsyncSession, delivery_id: str, token: str, now: datetime, until: datetime
) -> bool:
    """Leases the delivery to ``token`` until ``until`` and counts the attempt, unless it is
    no longer open or another worker holds a live lease on it."""
    result = await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status.in_(OPEN_STATUSES),
            or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until <= now),
        )
        .values(locked_until=until, locked_by=token, attempts=WebhookDelivery.attempts + 1)
        .execution_options(**_NO_SYNC)
    )
    return _changed(result) == 1


@dataclass(frozen=True)
class Claimed:
    """A leased delivery with what sending it needs."""

    delivery_id: str
    webhook_id: str
    url: str
    secret: str
    event_id: str
    event_type: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


async def claimed(session: AsyncSession, delivery_ids: Sequence[str]) -> list[Claimed]:
    """The claimed deliveries with their webhook's URL and secret and the event's payload."""
    if not delivery_ids:
        return []
    rows = await session.execute(
        select(WebhookDelivery, Webhook.url, Webhook.secret, OutboxEvent.payload)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.id.in_(delivery_ids))
        .order_by(WebhookDelivery.event_created_at, WebhookDelivery.id)
    )
    return [
        Claimed(
            delivery_id=delivery.id,
            webhook_id=delivery.webhook_id,
            url=url,
            secret=secret,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            payload=payload,
            attempts=delivery.attempts,
            created_at=delivery.created_at,
        )
        for delivery, url, secret, payload in rows
    ]


async def is_disabled(session: AsyncSession, webhook_id: str) -> bool:
    """Whether the webhook is disabled (or gone)."""
    disabled = await session.scalar(
        select(Webhook.disabled_at.is_not(None)).where(Webhook.id == webhook_id)
    )
    return disabled is not False


async def record(
    session: AsyncSession, delivery_id: str, token: str, values: dict[str, Any]
) -> bool:
    """Writes an attempt's outcome and releases the lease, only if ``token`` still holds it
    (a worker whose lease ran out and was taken over records nothing)."""
    result = await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.locked_by == token)
        .values(**values, locked_until=None, locked_by=None)
        .execution_options(**_NO_SYNC)
    )
    return _changed(result) == 1


async def disable(session: AsyncSession, webhook_id: str, now: datetime, reason: str) -> None:
    """Disables the webhook and abandons its open deliveries with ``reason`` as last error.
    A delivery in flight keeps its lease, so its own outcome is still recorded."""
    await session.execute(
        update(Webhook)
        .where(Webhook.id == webhook_id, Webhook.disabled_at.is_(None))
        .values(disabled_at=now)
        .execution_options(**_NO_SYNC)
    )
    await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.webhook_id == webhook_id,
            WebhookDelivery.status.in_(OPEN_STATUSES),
        )
        .values(status=ABANDONED, next_attempt_at=None, last_error=reason)
        .execution_options(**_NO_SYNC)
    )


def _changed(result: Any) -> int:
    return int(cast("CursorResult[Any]", result).rowcount)
