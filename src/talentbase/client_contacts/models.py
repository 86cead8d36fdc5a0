"""Client contact and client contact stage tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from talentbase.db.base import Base, new_id
from talentbase.db.types import JSONDocument, UTCDateTime, utcnow


class ClientContactStage(Base):
    """A stage of the workspace's client contact pipeline (Spott ``stage {id, order, name,
    colorHex}``). Names are unique per workspace; the service also refuses names that differ
    only in case."""

    __tablename__ = "client_contact_stages"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    # Spott's `order`; not named so in SQL, where ORDER is a reserved word
    position: Mapped[int] = mapped_column(Integer())
    color_hex: Mapped[str | None] = mapped_column(String(9), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ClientContact(Base):
    """A candidate's role as a contact at a company (at most one per candidate and company).

    ``emails`` and ``phone_numbers`` are the role's own, stored like a candidate's
    (``candidates.service.normalize_emails`` / ``normalize_phones``)."""

    __tablename__ = "client_contacts"
    __table_args__ = (
        Index("ix_client_contacts_candidate", "workspace_id", "candidate_id"),
        # also serves the client view's lookup of its contacts
        UniqueConstraint("workspace_id", "company_id", "candidate_id"),
    )

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
    stage_id: Mapped[str | None] = mapped_column(
        ForeignKey("client_contact_stages.id"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
