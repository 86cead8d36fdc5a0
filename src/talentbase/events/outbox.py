"""Writing events: ``emit`` stages an outbox row in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.db.base import new_id
from talentbase.db.batch import WriteBatch, bound, prefixed
from talentbase.db.types import utcnow
from talentbase.events.models import OutboxEvent
from talentbase.views import iso

CANDIDATE_CREATED = "candidate.created"
CANDIDATE_UPDATED = "candidate.updated"
CANDIDATE_DELETED = "candidate.deleted"
CANDIDATE_MERGED = "candidate.merged"
CANDIDATE_ANONYMIZED = "candidate.anonymized"
EVENT_TYPES = (
    CANDIDATE_CREATED,
    CANDIDATE_UPDATED,
    CANDIDATE_DELETED,
    CANDIDATE_MERGED,
    CANDIDATE_ANONYMIZED,
)


_INSERT_EVENT = insert(OutboxEvent).values(
    bound("o_", OutboxEvent.__table__, OutboxEvent.__table__.c.keys())
)


def emit(
    session: AsyncSession,
    workspace_id: str,
    event_type: str,
    candidate_id: str | None,
    data: dict[str, Any],
    *,
    batch: WriteBatch | None = None,
) -> str:
    """Stages the event ``{id, type, createdAt, data}`` in the session's transaction (it
    commits or rolls back with the change) and returns its id. ``event_type`` is one of
    ``EVENT_TYPES``; ``data`` is the event's JSON body (for candidate events:
    ``candidateId``, the candidate's ``version`` after the change, and per type
    ``changedFields``, ``mergedIds``, ...).
    With ``batch`` the row's ``INSERT`` is staged there instead, for the caller to send with
    the change. Raises ``ValueError`` for an unknown type."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    event_id = new_id()
    now = utcnow()
    row = {
        "id": event_id,
        "workspace_id": workspace_id,
        "event_type": event_type,
        "candidate_id": candidate_id,
        "payload": {"id": event_id, "type": event_type, "createdAt": iso(now), "data": data},
        "created_at": now,
        "fanned_out_at": None,  # until the webhook worker fans it out
    }
    if batch is None:
        session.add(OutboxEvent(**row))
    else:
        batch.add(_INSERT_EVENT, prefixed("o_", row))
    return event_id
