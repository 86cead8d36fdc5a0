"""Webhook subscriptions and their delivery log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from talentbase.db.base import Base, new_id
from talentbase.db.types import JSONDocument, UTCDateTime, utcnow

# delivery statuses: pending (not yet tried, or its first try is in flight), failed (a try
# failed; retried at next_attempt_at), delivered (a 2xx came back), abandoned (given up)
PENDING = "pending"
FAILED = "failed"
DELIVERED = "delivered"
ABANDONED = "abandoned"
DELIVERY_STATUSES = (PENDING, FAILED, DELIVERED, ABANDONED)
# statuses that still have a try ahead, and so hold back later events of the same candidate
OPEN_STATUSES = (PENDING, FAILED)


class Webhook(Base):
    """A workspace's subscription: events of ``events`` types are POSTed to ``url``, signed
    with ``secret`` (HMAC-SHA256). The secret is kept as is because signing needs it; it is
    shown once, when the webhook is created. A webhook gets the events created after it was;
    once ``disabled_at`` is set (its endpoint kept failing) it gets none."""

    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(JSONDocument())
    secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class WebhookDelivery(Base):
    """One event for one webhook, and how sending it went.

    Created with the event's fan-out (at most one per webhook and event). A worker claims it
    by setting ``locked_until`` (a lease) and ``locked_by`` in one conditional UPDATE, sends
    it, and records the outcome only while it still holds the lease, so a delivery is never
    sent by two workers at once and one whose worker died is sent again once the lease runs
    out. ``candidate_id``, ``candidate_version`` and ``event_created_at`` order the events
    of one candidate: a later one waits while an earlier one is still open."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id", name="uq_webhook_deliveries_webhook_event"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_candidate", "webhook_id", "candidate_id", "status"),
        Index("ix_webhook_deliveries_log", "webhook_id", "event_created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(
        ForeignKey("outbox_events.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(40))
    candidate_id: Mapped[str | None] = mapped_column(String(36), default=None)
    candidate_version: Mapped[int | None] = mapped_column(Integer(), default=None)
    event_created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer(), default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer(), default=None)
    last_error: Mapped[str | None] = mapped_column(String(200), default=None)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    locked_by: Mapped[str | None] = mapped_column(String(36), default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
