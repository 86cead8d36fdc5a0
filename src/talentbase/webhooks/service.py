"""Rules of the webhook routes: subscribe (the secret shown once), list, delete, and read a
webhook's delivery log."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import INVALID_STRING, ErrorItem, NotFound, ValidationFailed
from talentbase.api.pagination import CursorPosition
from talentbase.db.types import utcnow
from talentbase.views import iso
from talentbase.webhooks import delivery, repository, signing
from talentbase.webhooks.models import OPEN_STATUSES, Webhook, WebhookDelivery
from talentbase.webhooks.schemas import WebhookCreate


def webhook_json(webhook: Webhook, *, with_secret: bool = False) -> dict[str, Any]:
    """``{id, url, events, createdAt, disabledAt}``; the ``secret`` after ``events`` only
    ``with_secret`` (the answer of the create, the one time it is shown)."""
    shown: dict[str, Any] = {"id": webhook.id, "url": webhook.url, "events": list(webhook.events)}
    if with_secret:
        shown["secret"] = webhook.secret
    shown["createdAt"] = iso(webhook.created_at)
    shown["disabledAt"] = iso(webhook.disabled_at)
    return shown


def delivery_json(delivery: WebhookDelivery) -> dict[str, Any]:
    """A delivery as the log shows it; ``nextAttemptAt`` only while a try is ahead. The last
    error is a short description (``HTTP 503``, a timeout, a connection error), never a body."""
    return {
        "id": delivery.id,
        "eventId": delivery.event_id,
        "eventType": delivery.event_type,
        "candidateId": delivery.candidate_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "lastStatusCode": delivery.last_status_code,
        "lastError": delivery.last_error,
        "nextAttemptAt": (
            iso(delivery.next_attempt_at) if delivery.status in OPEN_STATUSES else None
        ),
        "deliveredAt": iso(delivery.delivered_at),
        "createdAt": iso(delivery.created_at),
    }


async def create_webhook(
    session: AsyncSession,
    workspace_id: str,
    body: WebhookCreate,
    allowed_hosts: frozenset[str] | None = None,
) -> dict[str, Any]:
    """Subscribes ``body.url`` to ``body.events`` and answers the webhook with its new signing
    secret (``whsec_`` and 256 random bits), which no other answer shows. The webhook gets
    the events created from now on. A URL whose host is not in ``allowed_hosts`` (when the
    server restricts them) → 400 ``INVALID_STRING`` at ``url``."""
    if not delivery.host_allowed(body.url, allowed_hosts):
        raise ValidationFailed(
            [
                ErrorItem(
                    INVALID_STRING,
                    "url",
                    "Invalid URL: this server sends webhooks only to the hosts it allows",
                    body.url[:200],
                )
            ]
        )
    webhook = Webhook(
        workspace_id=workspace_id,
        url=body.url,
        events=body.events,
        secret=signing.new_secret(),
        created_at=utcnow(),
    )
    repository.add(session, webhook)
    await session.flush()
    return webhook_json(webhook, with_secret=True)


async def list_webhooks(session: AsyncSession, workspace_id: str) -> dict[str, Any]:
    """``{"items": [...]}``, oldest first, without secrets."""
    webhooks = await repository.list_webhooks(session, workspace_id)
    return {"items": [webhook_json(webhook) for webhook in webhooks]}


async def delete_webhook(session: AsyncSession, workspace_id: str, webhook_id: str) -> None:
    """Deletes the webhook and its delivery log; nothing more is sent to it. 404 when unknown
    (or of another workspace)."""
    webhook = await repository.get(session, workspace_id, webhook_id)
    if webhook is None:
        raise NotFound("Webhook", webhook_id)
    await repository.delete_webhook(session, webhook)


async def list_deliveries(
    session: AsyncSession,
    workspace_id: str,
    webhook_id: str,
    limit: int,
    after: CursorPosition | None,
) -> dict[str, Any]:
    """``{items, pageInfo}``: the webhook's deliveries, newest event first. 404 when the
    webhook is unknown (or of another workspace)."""
    webhook = await repository.get(session, workspace_id, webhook_id)
    if webhook is None:
        raise NotFound("Webhook", webhook_id)
    page = await repository.deliveries_page(session, workspace_id, webhook.id, limit, after)
    return {"items": [delivery_json(row) for row in page.rows], "pageInfo": page.page_info()}
