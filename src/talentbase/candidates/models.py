"""Candidate table and the deleted-candidate tombstones.

The candidate's lists (emails, phone numbers, social media, locations, languages, nationality,
status) and its compensation are JSON documents in the candidate row: a full-body PATCH is then a
single ``UPDATE`` (performance-facts.md: each statement costs about 0.6 ms of Python time).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from talentbase.db.base import Base, new_id
from talentbase.db.types import JSONDocument, UTCDateTime, utcnow


class Candidate(Base):
    """A candidate of one workspace. JSON list items are stored in their API (camelCase) shape,
    normalised by ``candidates.rules``; phone items also keep their E.164 form under ``e164``."""

    __tablename__ = "candidates"
    __table_args__ = (
        Index("ix_candidates_workspace_modified", "workspace_id", "modified_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100), default=None)
    last_name: Mapped[str] = mapped_column(String(100))
    second_last_name: Mapped[str | None] = mapped_column(String(100), default=None)
    avatar_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    gender: Mapped[str | None] = mapped_column(String(16), default=None)
    date_of_birth: Mapped[date | None] = mapped_column(Date(), default=None)
    visible_if_client_contact: Mapped[bool | None] = mapped_column(Boolean(), default=None)
    acquisition_source: Mapped[str] = mapped_column(String(64), default="manual")
    main_contact_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id"), default=None, index=True
    )
    last_interaction_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_interaction_with_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id"), default=None, index=True
    )
    compensation: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument(), default=None)
    emails: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument(), default=list)
    phone_numbers: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument(), default=list)
    social_media: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument(), default=list)
    locations: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument(), default=list)
    languages: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument(), default=list)
    nationality: Mapped[list[str]] = mapped_column(JSONDocument(), default=list)
    status: Mapped[list[str]] = mapped_column(JSONDocument(), default=list)
    ai_summary: Mapped[str | None] = mapped_column(Text(), default=None)
    last_agent_chat_id: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # moves forward by one with every stored change (the candidate's own fields and every
    # related record its view shows), under the row lock: the ETag is derived from it
    version: Mapped[int] = mapped_column(Integer(), default=1, server_default="1")


class DeletedCandidate(Base):
    """A tombstone left by ``DELETE /candidates/{id}`` for the deleted feed (API.md §2).
    ``merged_into_id`` names the survivor when the candidate was merged into another
    (``POST /candidates/{id}/merge``); no foreign key: the tombstone outlives the survivor."""

    __tablename__ = "deleted_candidates"
    __table_args__ = (
        Index("ix_deleted_candidates_workspace_deleted", "workspace_id", "deleted_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    merged_into_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
