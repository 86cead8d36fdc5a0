"""The history table: one row per stored change of a candidate, written in its transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from talentbase.db.base import Base, new_id
from talentbase.db.types import JSONDocument, UTCDateTime


class HistoryEntry(Base):
    """One change of one candidate: the candidate's ``version`` after it, when (``at``, the
    candidate's new ``modifiedAt``, so entries sort in version order), who (the API key's name,
    the acting user of ``x-on-behalf-of``), the route, the ``action`` (created, updated,
    deleted, related, merged, anonymized) and the field-level ``changes`` in the API's
    camelCase terms."""

    __tablename__ = "candidate_history"
    __table_args__ = (
        # one entry per version: two writers can never both record the same change
        UniqueConstraint("candidate_id", "version", name="uq_candidate_history_version"),
        Index("ix_candidate_history_candidate_at", "candidate_id", "at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # no foreign key: the history of a deleted candidate outlives it (an audit trail)
    candidate_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer())
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    api_key_name: Mapped[str | None] = mapped_column(String(200), default=None)
    acting_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    method: Mapped[str | None] = mapped_column(String(10), default=None)
    route: Mapped[str | None] = mapped_column(String(200), default=None)
    action: Mapped[str] = mapped_column(String(16))
    changes: Mapped[dict[str, Any]] = mapped_column(JSONDocument())
