"""The rules of notes (Spott ``POST /notes``, ``GET /notes``).

- ``source`` is one of Spott's six values, exactly, or absent / null for a plain note.
- Links: see ``tasks.references`` (candidates, clients and client contacts of the workspace;
  the same record twice is linked once). The acting user (header ``x-on-behalf-of``) becomes
  ``createdBy``.
- Creating a note touches the candidates it links to: a note of an interaction source moves
  their ``lastInteraction*`` (``INTERACTION_SOURCES``), and any note is a change to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import ErrorItem, NotFound, ValidationFailed
from talentbase.api.pagination import CursorQuery
from talentbase.candidates import repository as candidates
from talentbase.db.base import new_id
from talentbase.db.types import utcnow
from talentbase.notes import repository
from talentbase.notes.models import Note, NoteLink
from talentbase.notes.repository import NoteFilters
from talentbase.notes.schemas import NoteCreate
from talentbase.tasks import references
from talentbase.tasks.references import CANDIDATE, CLIENT, CLIENT_CONTACT, Targets
from talentbase.users import repository as users
from talentbase.users.models import User
from talentbase.views import iso


async def create_note(
    session: AsyncSession, workspace_id: str, body: NoteCreate, acting_user_id: str | None
) -> dict[str, Any]:
    """Creates a note with its links and returns it (Spott's note object). Raises
    ``ValidationFailed`` naming every bad reference; nothing is written then."""
    errors: list[ErrorItem] = []
    creator = await references.acting_user(session, workspace_id, acting_user_id, errors)
    targets = await references.load_targets(
        session,
        workspace_id,
        ((item.entity_type, item.entity_id) for item in body.links),
        lock=True,
    )
    wanted = references.check_links(body.links, targets, errors)
    if errors:
        raise ValidationFailed(errors)

    now = utcnow()
    note = Note(
        id=new_id(),
        workspace_id=workspace_id,
        title=body.title,
        content=body.content,
        source=body.source,
        created_by_user_id=creator.id if creator else None,
        created_at=now,
        modified_at=now,
    )
    repository.add(session, note)
    await session.flush()
    links = [
        NoteLink(
            note_id=note.id,
            workspace_id=workspace_id,
            entity_type=entity_type,
            entity_id=entity_id,
            position=position,
        )
        for position, (_, entity_type, entity_id) in enumerate(wanted)
    ]
    repository.add_links(session, links)
    await session.flush()
    await candidates.touch(
        session,
        workspace_id,
        (entity_id for _, entity_type, entity_id in wanted if entity_type == CANDIDATE),
        {"note": {"id": note.id, "action": "created"}},
    )
    return note_json(note, links, targets, {creator.id: creator} if creator else {})


async def get_note(session: AsyncSession, workspace_id: str, note_id: str) -> dict[str, Any]:
    """The note; ``NotFound`` (404) when the id is unknown in this workspace."""
    note = await repository.get(session, workspace_id, note_id)
    if note is None:
        raise NotFound("Note", note_id)
    return (await _render(session, workspace_id, [note]))[0]


async def list_notes(
    session: AsyncSession, workspace_id: str, query: CursorQuery, filters: NoteFilters
) -> dict[str, Any]:
    """``{items, pageInfo}``: one cursor page of notes in ``(modifiedAt, id)`` order."""
    page = await repository.list_page(session, workspace_id, query, filters)
    return {"items": await _render(session, workspace_id, page.rows), "pageInfo": page.page_info()}


async def _render(
    session: AsyncSession, workspace_id: str, notes: Sequence[Note]
) -> list[dict[str, Any]]:
    """The note objects of ``notes``, in order; links, linked records and creators are loaded
    for all of them together (a fixed number of queries)."""
    links = await repository.links_of(session, workspace_id, [note.id for note in notes])
    creators = await users.by_ids(
        session,
        workspace_id,
        (note.created_by_user_id for note in notes if note.created_by_user_id),
    )
    targets = await references.load_targets(
        session,
        workspace_id,
        (
            (link.entity_type, link.entity_id)
            for note_links in links.values()
            for link in note_links
        ),
    )
    return [note_json(note, links.get(note.id, []), targets, creators) for note in notes]


def note_json(
    note: Note, links: Sequence[NoteLink], targets: Targets, creators: dict[str, User]
) -> dict[str, Any]:
    """Spott's note object; a link whose record is gone is left out."""
    rendered = []
    for link in links:
        record: dict[str, Any] | None = None
        if link.entity_type == CANDIDATE and link.entity_id in targets.candidates:
            record = references.candidate_ref(targets.candidates[link.entity_id])
        elif link.entity_type == CLIENT and link.entity_id in targets.companies:
            record = references.company_ref(targets.companies[link.entity_id])
        elif link.entity_type == CLIENT_CONTACT and link.entity_id in targets.contacts:
            record = references.contact_ref(*targets.contacts[link.entity_id])
        if record is not None:
            rendered.append(
                {
                    "entityType": link.entity_type,
                    link.entity_type: record,
                    "id": link.id,
                    "noteId": note.id,
                }
            )
    return {
        "id": note.id,
        "type": "manual",
        "source": note.source,
        "title": note.title,
        "content": note.content,
        "createdAt": iso(note.created_at),
        # notes cannot be edited (there is no route for it), so none has been
        "lastEditedAt": None,
        "createdBy": references.user_ref(creators.get(note.created_by_user_id or "")),
        "editors": [],
        "meeting": None,
        "call": None,
        "audioRecording": None,
        "pinned": False,
        "labels": [],
        "links": rendered,
    }
