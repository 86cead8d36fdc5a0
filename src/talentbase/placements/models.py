"""Placement table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from talentbase.db.base import Base, new_id
from talentbase.db.types import UTCDateTime, utcnow


class Placement(Base):
    """A candidate placed at a company (optionally for a named vacancy) by a user."""

    __tablename__ = "placements"
    __table_args__ = (
        Index("ix_placements_candidate", "workspace_id", "candidate_id"),
        # GET /placements: the page order, and its companyId filter
        Index("ix_placements_workspace_modified", "workspace_id", "modified_at", "id"),
        Index("ix_placements_company", "workspace_id", "company_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id"))
    vacancy_name: Mapped[str | None] = mapped_column(String(300), default=None)
    placed_by_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    start_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    end_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
