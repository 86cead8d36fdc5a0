"""Custom attribute definition and value tables."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from talentbase.db.base import Base, new_id
from talentbase.db.types import JSONDocument, UTCDateTime, utcnow

KINDS = ("text", "number", "checkbox", "select", "multiSelect", "date", "currency", "url")


SELECT_KINDS = frozenset({"select", "multiSelect"})

ENTITY_TYPES = ("candidate", "clientContact")


def label_key(label: str) -> str:
    """The form in which labels are compared: NFC-normalised, trimmed and case-folded, so
    ``Seniority`` and ``SENIORITY`` are the same label."""
    return unicodedata.normalize("NFC", label.strip()).casefold()


class CustomAttributeDefinition(Base):
    """A custom field of one entity type (one of ``ENTITY_TYPES``) and ``kind`` (one of
    ``KINDS``); ``options`` lists the choices of the select kinds. Labels are unique per
    workspace and entity type, compared by ``label_key`` (a constraint, so two concurrent
    creates cannot both win)."""

    __tablename__ = "custom_attribute_definitions"
    __table_args__ = (
        UniqueConstraint("workspace_id", "entity_type", "label_key"),
        # the definition list's order (created, then id)
        Index(
            "ix_custom_attribute_definitions_listing",
            "workspace_id",
            "entity_type",
            "created_at",
            "id",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    entity_type: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(200))
    # case folding can lengthen a text up to three times (ß -> ss, ΐ -> three code points)
    label_key: Mapped[str] = mapped_column(String(600))
    description: Mapped[str | None] = mapped_column(Text(), default=None)
    kind: Mapped[str] = mapped_column(String(32))
    options: Mapped[list[str]] = mapped_column(JSONDocument(), default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @validates("label")
    def _keep_label_key(self, _name: str, label: str) -> str:
        self.label_key = label_key(label)
        return label


class CustomAttributeValue(Base):
    """The value of one definition on one record (``entity_type`` + ``entity_id``)."""

    __tablename__ = "custom_attribute_values"
    __table_args__ = (
        UniqueConstraint("entity_type", "entity_id", "definition_id"),
        Index("ix_custom_attribute_values_entity", "workspace_id", "entity_type", "entity_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(36))
    definition_id: Mapped[str] = mapped_column(
        ForeignKey("custom_attribute_definitions.id", ondelete="CASCADE")
    )
    value: Mapped[Any] = mapped_column(JSONDocument())
    is_filled_by_ai: Mapped[bool] = mapped_column(Boolean(), default=False)
    ai_overridden: Mapped[bool] = mapped_column(Boolean(), default=False)
    ai_fill_ongoing: Mapped[bool] = mapped_column(Boolean(), default=False)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
