"""Client contact table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from talentbase.db.base import Base, new_id
from talentbase.db.types import JSONDocument, UTCDateTime, utcnow


class ClientContact(Base):
    """A candidate's role as a contact at a company.

    ``stage`` is ``{id, order, name, colorHex}``."""

    __tablename__ = "client_contacts"
    __table_args__ = (Index("ix_client_contacts_candidate", "workspace_id", "candidate_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id"))
    role: Mapped[str | None] = mapped_column(String(300), default=None)
    department: Mapped[str | None] = mapped_column(String(300), default=None)
    start_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    end_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    active: Mapped[bool] = mapped_column(Boolean(), default=True)
    emails: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument(), default=list)
    phone_numbers: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument(), default=list)
    stage: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
