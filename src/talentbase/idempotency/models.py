"""The idempotency key table: one claim per workspace and key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from talentbase.db.base import Base
from talentbase.db.types import JSONDocument, UTCDateTime

IN_FLIGHT = "in_flight"
COMMITTED = "committed"
DONE = "done"


class IdempotencyKey(Base):
    """A POST made with an ``Idempotency-Key``, keyed by workspace and key.

    ``state`` walks ``in_flight`` (claimed by the attempt ``token`` until ``lease_expires_at``)
    → ``committed`` (set inside the request's own transaction, so it is true exactly when the
    change is) → ``done`` (the answer is stored: ``response_status``, ``response_headers`` as
    ``[[name, value], ...]``, ``response_body``). ``fingerprint`` is the SHA-256 of the request
    (``service.fingerprint``); ``created_at`` starts the 24-hour window in which the key
    answers for that request. Rows older than the window are ignored and purged.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index("ix_idempotency_keys_created", "created_at"),)

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    token: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    response_status: Mapped[int | None] = mapped_column(Integer(), default=None)
    response_headers: Mapped[list[Any] | None] = mapped_column(JSONDocument(), default=None)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary(), default=None)
