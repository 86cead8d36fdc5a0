"""The outbox table: one row per event, inserted in the transaction of the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from talentbase.db.base import Base, new_id
from talentbase.db.types import JSONDocument, UTCDateTime, utcnow


class OutboxEvent(Base):
    """An event (``candidate.created``, ``candidate.updated``, ...) of a workspace. It is
    committed together with the change it describes, or not at all, so a committed change
    always has its event and an event always describes a committed change. ``payload`` is the
    event as webhook receivers get it. Ordered by ``(created_at, id)``; events of one candidate
    also by ``payload.data.version``, as the candidate's row lock serialises its changes."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_created", "created_at", "id"),
        # the events waiting for their fan-out, in order: only those rows are in it, so the
        # worker's scan never walks the versions its own UPDATEs left behind until a vacuum
        # (a 100 ms scan per round on PostgreSQL under a stream of PATCHes, bench/README.md)
        Index(
            "ix_outbox_events_pending",
            "created_at",
            "id",
            postgresql_where=text("fanned_out_at IS NULL"),
            sqlite_where=text("fanned_out_at IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(40))
    # no foreign key: the events of a deleted or merged candidate outlive it
    candidate_id: Mapped[str | None] = mapped_column(String(36), default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # set by the webhook worker in the transaction that creates the event's deliveries
    # (talentbase.webhooks.worker); NULL while the event waits for its fan-out
    fanned_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
