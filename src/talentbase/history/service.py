"""Recording and reading the history of candidates (issue 5 §3).

Every stored change of a candidate is recorded by ``record`` in the transaction of the change:
a history row (who, when, which route, the field-level before/after) and its outbox event
(``candidate.created``, ``candidate.updated`` with ``changedFields``, ``candidate.deleted``,
``candidate.merged``, ``candidate.anonymized``), so a failed request leaves neither, and a
committed change always has both. ``erase_values`` removes personal values from the recorded
changes of an anonymized candidate (the entries stay).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import NotFound
from talentbase.api.pagination import CursorQuery
from talentbase.db.base import is_id, new_id
from talentbase.db.batch import WriteBatch
from talentbase.events import outbox
from talentbase.history import context, repository
from talentbase.history.fields import changed_fields
from talentbase.history.models import HistoryEntry
from talentbase.users import repository as users
from talentbase.views import iso, user_json

CREATED = "created"
UPDATED = "updated"
DELETED = "deleted"
RELATED = "related"
MERGED = "merged"
ANONYMIZED = "anonymized"
ACTIONS = (CREATED, UPDATED, DELETED, RELATED, MERGED, ANONYMIZED)

CUSTOM_ATTRIBUTES = "customAttributes"

_EVENTS = {
    CREATED: outbox.CANDIDATE_CREATED,
    UPDATED: outbox.CANDIDATE_UPDATED,
    RELATED: outbox.CANDIDATE_UPDATED,
    DELETED: outbox.CANDIDATE_DELETED,
    MERGED: outbox.CANDIDATE_MERGED,
    ANONYMIZED: outbox.CANDIDATE_ANONYMIZED,
}


async def record(
    session: AsyncSession,
    *,
    workspace_id: str,
    candidate_id: str,
    version: int,
    at: datetime,
    action: str,
    changes: Mapping[str, Any],
    event_data: Mapping[str, Any] | None = None,
    emit_event: bool = True,
    batch: WriteBatch | None = None,
) -> None:
    """Stages the history row of one change and its event, in the caller's transaction.

    ``version`` is the candidate's version after the change, ``at`` its new ``modifiedAt``;
    ``action`` is one of ``ACTIONS``; ``changes`` is ``{field: {before, after}}`` in the API's
    terms, plus ``{record: {id, action}}`` for a related record (``history.fields``). The
    request's API key name, acting user and route come from ``history.context``; an acting
    user that is not one of the workspace raises ``ValidationFailed`` (400), so the change
    rolls back. The event's ``data`` is ``{candidateId, version}``, for
    ``candidate.updated`` also ``changedFields``, and ``event_data`` adds keys of its own
    (``candidate.merged``: ``survivorId``, ``mergedIds``). ``emit_event=False`` records the
    row alone (the merged candidate's last entry: the merge is one event, the survivor's).
    No query (but the acting user's, when the request has not loaded it yet): the rows are
    inserted by the caller's next flush, or with ``batch`` staged there, for the caller to
    send with the change itself."""
    request = context.current()
    acting_user = await context.acting_user(session, workspace_id)
    row = {
        "id": new_id(),
        "workspace_id": workspace_id,
        "candidate_id": candidate_id,
        "version": version,
        "at": at,
        "api_key_name": request.api_key_name if request is not None else None,
        "acting_user_id": acting_user.id if acting_user is not None else None,
        "method": request.method if request is not None else None,
        "route": request.route if request is not None else None,
        "action": action,
        "changes": dict(changes),
    }
    if batch is None:
        repository.add(session, HistoryEntry(**row))
    else:
        batch.add(*repository.insert_entry(row))
    event_type = _EVENTS[action]
    data: dict[str, Any] = {"candidateId": candidate_id, "version": version}
    if event_type == outbox.CANDIDATE_UPDATED:
        data["changedFields"] = changed_fields(changes)
    data.update(event_data or {})
    if emit_event:
        outbox.emit(session, workspace_id, event_type, candidate_id, data, batch=batch)


async def erase_values(
    session: AsyncSession, workspace_id: str, candidate_id: str, fields: Mapping[str, Any]
) -> int:
    """Nulls the recorded values of ``fields`` in every history entry of the candidate; the
    entries stay, and so does which fields each one changed. ``fields`` maps each field (API
    name, as in ``changes``) to its erased value: a recorded value equal to it holds nothing
    personal and stays. ``customAttributes`` keeps its definition ids with null values.
    Returns how many entries changed (they are written by the caller's next flush)."""
    changed = 0
    for entry in await repository.entries_of(session, workspace_id, candidate_id):
        erased = {
            key: _erased(key, value, fields[key]) if key in fields else value
            for key, value in entry.changes.items()
        }
        if erased != entry.changes:
            entry.changes = erased  # a new dict: the JSON column sees the change
            changed += 1
    return changed


def _erased(key: str, change: Any, erased_value: Any) -> Any:
    """One recorded change without its values."""
    if not isinstance(change, dict):
        return None
    if key != CUSTOM_ATTRIBUTES:
        return {side: value if value == erased_value else None for side, value in change.items()}
    return {
        side: _without_values(value) if side in ("before", "after") else value
        for side, value in change.items()
    }


def _without_values(side: Any) -> Any:
    """A recorded side of custom attribute values (a map by definition id, or a list of
    ``{attributeDefinitionId, value}``) with the definition ids only."""
    if isinstance(side, dict):
        return dict.fromkeys(side)
    if isinstance(side, list):
        return [{**item, "value": None} for item in side if isinstance(item, dict)]
    return None


async def list_history(
    session: AsyncSession, workspace_id: str, candidate_id: str, query: CursorQuery
) -> dict[str, Any]:
    """``{items, pageInfo}``: one cursor page of the candidate's history, newest first. The
    history of a deleted candidate stays readable (it ends with its ``deleted`` entry); an id
    that never named a candidate of the workspace raises ``NotFound`` (404)."""
    if not is_id(candidate_id):
        raise NotFound("Candidate", candidate_id)
    page = await repository.page(session, workspace_id, candidate_id, query)
    if not page.rows and not await repository.candidate_known(session, workspace_id, candidate_id):
        raise NotFound("Candidate", candidate_id)
    named = await users.by_ids(
        session, workspace_id, {row.acting_user_id for row in page.rows if row.acting_user_id}
    )
    return {"items": [_item(row, named) for row in page.rows], "pageInfo": page.page_info()}


def _item(entry: HistoryEntry, named: Mapping[str, Any]) -> dict[str, Any]:
    acting_user = named.get(entry.acting_user_id) if entry.acting_user_id else None
    return {
        "id": entry.id,
        "at": iso(entry.at),
        "version": entry.version,
        "action": entry.action,
        "route": f"{entry.method} {entry.route}" if entry.method and entry.route else None,
        "apiKeyName": entry.api_key_name,
        "actingUser": user_json(acting_user) if acting_user is not None else None,
        "changes": entry.changes,
    }
