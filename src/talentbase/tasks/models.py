"""Task and task link tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from talentbase.db.base import Base, new_id
from talentbase.db.types import UTCDateTime, utcnow


class Task(Base):
    """A task; open while ``completed_at`` is null. ``created_by_user_id`` is the acting user
    of the request that created it (header ``x-on-behalf-of``), null when none was named."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_workspace_modified", "workspace_id", "modified_at", "id"),
        Index("ix_tasks_workspace_assignee", "workspace_id", "assigned_to_user_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    content: Mapped[str] = mapped_column(Text())
    due_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    assigned_to_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_by_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TaskLink(Base):
    """Links a task to a record (Spott ``links[]``: entityType candidate, client, ...).

    ``id`` is Spott's ``taskLinkId``; ``position`` keeps the order the links were sent in."""

    __tablename__ = "task_links"
    __table_args__ = (Index("ix_task_links_entity", "workspace_id", "entity_type", "entity_id"),)

    task_id: Mapped[str] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    entity_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    id: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    position: Mapped[int] = mapped_column(Integer(), default=0)
