"""Attachment table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from talentbase.db.base import Base, new_id
from talentbase.db.types import UTCDateTime, utcnow


class Attachment(Base):
    """An uploaded file (PDF or DOCX), optionally linked to a candidate; ``type`` ``CV`` marks a
    CV, ``unassigned`` any other file (Spott attachment types).

    ``storage_path`` is the absolute path of the stored bytes, named by the attachment's id,
    never by ``file_name`` (the client's name, kept for downloads). ``assigned_at`` is when the
    file was last linked to its candidate (upload with ``candidateId`` or assign); the
    candidate's ``cvAttachmentId`` is the CV assigned last.
    """

    __tablename__ = "attachments"
    __table_args__ = (
        Index("ix_attachments_candidate", "workspace_id", "candidate_id"),
        # GET /attachments: the page order
        Index("ix_attachments_workspace_created", "workspace_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    candidate_id: Mapped[str | None] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), default=None
    )
    type: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str | None] = mapped_column(String(200), default=None)
    size_bytes: Mapped[int] = mapped_column(BigInteger(), default=0)
    storage_path: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
