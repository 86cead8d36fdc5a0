"""LinkedIn profile table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from talentbase.db.base import Base
from talentbase.db.types import JSONDocument, UTCDateTime


class LinkedInProfile(Base):
    """What is known of a candidate's LinkedIn profile, and the state of its diffing."""

    __tablename__ = "linkedin_profiles"

    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    headline: Mapped[str | None] = mapped_column(String(500), default=None)
    about: Mapped[str | None] = mapped_column(Text(), default=None)
    skills: Mapped[list[str]] = mapped_column(JSONDocument(), default=list)
    last_diff_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    is_diffing: Mapped[bool] = mapped_column(Boolean(), default=False)
