"""Company (client) table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from talentbase.db.base import Base, new_id
from talentbase.db.types import JSONDocument, UTCDateTime, utcnow


class Company(Base):
    """A company: a client of the agency, an employer in work history, a placement's company.

    ``locations`` items are stored like a candidate's (``candidates.service.normalize_location``);
    ``status`` is the client-level status (``companies.schemas.CLIENT_STATUSES``), null when
    never set."""

    __tablename__ = "companies"
    __table_args__ = (
        Index("ix_companies_workspace_modified", "workspace_id", "modified_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    domain: Mapped[str | None] = mapped_column(String(253), default=None)
    description: Mapped[str | None] = mapped_column(Text(), default=None)
    logo_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    industry: Mapped[str | None] = mapped_column(String(200), default=None)
    size: Mapped[str | None] = mapped_column(String(100), default=None)
    locations: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument(), default=list)
    linkedin_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    status: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
