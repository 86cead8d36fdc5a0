"""LinkedIn profile table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from talentbase.db.base import Base
from talentbase.db.types import JSONDocument, UTCDateTime


class LinkedInProfile(Base):
    """What is known of a candidate's LinkedIn profile, and the state of its diffing."""

    __tablename__ = "linkedin_profiles"
    # (workspace, candidate) rather than workspace alone: a page of views asks for 50
    # candidates' profiles, which the workspace-only index would answer by a workspace scan
    __table_args__ = (Index("ix_linkedin_profiles_candidate", "workspace_id", "candidate_id"),)

    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    headline: Mapped[str | None] = mapped_column(String(500), default=None)
    about: Mapped[str | None] = mapped_column(Text(), default=None)
    skills: Mapped[list[str]] = mapped_column(JSONDocument(), default=list)
    last_diff_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    is_diffing: Mapped[bool] = mapped_column(Boolean(), default=False)
