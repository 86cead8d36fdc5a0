"""Work experience and education tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from talentbase.db.base import Base, new_id
from talentbase.db.types import JSONDocument, UTCDateTime, utcnow


class WorkExperience(Base):
    """A job a candidate held: ``end_date`` null means current."""

    __tablename__ = "work_experiences"
    __table_args__ = (Index("ix_work_experiences_candidate", "workspace_id", "candidate_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    company_id: Mapped[str | None] = mapped_column(ForeignKey("companies.id"), default=None)
    job_title: Mapped[str | None] = mapped_column(String(300), default=None)
    location: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument(), default=None)
    description: Mapped[str | None] = mapped_column(Text(), default=None)
    start_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    end_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Education(Base):
    """A degree or course of a candidate at a school (a company record). ``degrees`` is a list,
    as Spott's ``GET /candidates/{id}/education`` answers it (empty when none is known)."""

    __tablename__ = "education"
    __table_args__ = (Index("ix_education_candidate", "workspace_id", "candidate_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    company_id: Mapped[str | None] = mapped_column(ForeignKey("companies.id"), default=None)
    degrees: Mapped[list[str]] = mapped_column(JSONDocument(), default=list)
    field_of_study: Mapped[str | None] = mapped_column(String(300), default=None)
    grade: Mapped[str | None] = mapped_column(String(200), default=None)
    description: Mapped[str | None] = mapped_column(Text(), default=None)
    start_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    end_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
