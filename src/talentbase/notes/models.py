"""Note and note link tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from talentbase.db.base import Base, new_id
from talentbase.db.types import UTCDateTime, utcnow


class Note(Base):
    """A note about records; with an interaction ``source`` (a call, a meeting) it records an
    interaction. ``created_by_user_id`` is the acting user (header ``x-on-behalf-of``)."""

    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_workspace_modified", "workspace_id", "modified_at", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    title: Mapped[str | None] = mapped_column(String(500), default=None)
    content: Mapped[str] = mapped_column(Text())
    source: Mapped[str | None] = mapped_column(String(32), default=None)
    created_by_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NoteLink(Base):
    """Links a note to a record (Spott ``links[]``); ``position`` keeps the order sent."""

    __tablename__ = "note_links"
    __table_args__ = (
        UniqueConstraint("note_id", "entity_type", "entity_id"),
        Index("ix_note_links_entity", "workspace_id", "entity_type", "entity_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    note_id: Mapped[str] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(36))
    position: Mapped[int] = mapped_column(Integer(), default=0)
