"""SQL for notes. Every query filters by workspace (API.md §1)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.pagination import CursorPage, CursorQuery, cursor_page
from talentbase.client_contacts.models import ClientContact
from talentbase.db import links
from talentbase.db.base import is_id
from talentbase.db.types import after
from talentbase.notes.models import Note, NoteLink

CANDIDATE = "candidate"
CLIENT_CONTACT = "clientContact"


async def get(session: AsyncSession, workspace_id: str, note_id: str) -> Note | None:
    """The note of the workspace with this id."""
    if not is_id(note_id):
        return None
    result: Note | None = await session.scalar(
        select(Note).where(Note.workspace_id == workspace_id, Note.id == note_id)
    )
    return result


def add(session: AsyncSession, note: Note) -> None:
    """Stages a new note for insertion."""
    session.add(note)


def add_links(session: AsyncSession, links: Sequence[NoteLink]) -> None:
    """Stages new note links for insertion (after their note is flushed)."""
    session.add_all(links)


async def links_of(
    session: AsyncSession, workspace_id: str, note_ids: Sequence[str]
) -> dict[str, list[NoteLink]]:
    """Each note's links in the order they were sent (one query)."""
    if not note_ids:
        return {}
    rows = await session.scalars(
        select(NoteLink)
        .where(NoteLink.workspace_id == workspace_id, NoteLink.note_id.in_(note_ids))
        .order_by(NoteLink.note_id, NoteLink.position, NoteLink.id)
    )
    result: dict[str, list[NoteLink]] = defaultdict(list)
    for link in rows:
        result[link.note_id].append(link)
    return result


@dataclass(frozen=True)
class NoteFilters:
    """The filters of ``GET /notes``; None means "any"."""

    candidate_id: str | None = None
    client_contact_id: str | None = None
    source: str | None = None


def _linked_to(workspace_id: str, entity_type: str, entity_id: str) -> ColumnElement[bool]:
    return exists().where(
        NoteLink.note_id == Note.id,
        NoteLink.workspace_id == workspace_id,
        NoteLink.entity_type == entity_type,
        NoteLink.entity_id == entity_id,
    )


async def list_page(
    session: AsyncSession, workspace_id: str, query: CursorQuery, filters: NoteFilters
) -> CursorPage[Note]:
    """One cursor page of the workspace's notes in ``(modifiedAt, id)`` order, filtered."""
    conditions: list[ColumnElement[bool]] = [Note.workspace_id == workspace_id]
    if filters.candidate_id is not None:
        conditions.append(_linked_to(workspace_id, CANDIDATE, filters.candidate_id))
    if filters.client_contact_id is not None:
        conditions.append(_linked_to(workspace_id, CLIENT_CONTACT, filters.client_contact_id))
    if filters.source is not None:
        conditions.append(Note.source == filters.source)
    return await cursor_page(
        session, select(Note).where(*conditions), Note.modified_at, Note.id, query
    )


async def latest_for_candidates(
    session: AsyncSession,
    workspace_id: str,
    candidate_ids: Sequence[str],
    sources: Sequence[str],
) -> dict[str, Note]:
    """Each candidate's latest note with one of ``sources``: the latest ``createdAt``, and of
    notes created at the same instant the one with the higher id. One query (a window
    function) however many notes."""
    if not candidate_ids:
        return {}
    ranked = (
        select(
            NoteLink.entity_id.label("candidate_id"),
            Note.id.label("note_id"),
            func.row_number()
            .over(
                partition_by=NoteLink.entity_id,
                order_by=(Note.created_at.desc(), Note.id.desc()),
            )
            .label("rank"),
        )
        .join(Note, Note.id == NoteLink.note_id)
        .where(
            NoteLink.workspace_id == workspace_id,
            NoteLink.entity_type == CANDIDATE,
            NoteLink.entity_id.in_(candidate_ids),
            Note.source.in_(sources),
        )
        .subquery()
    )
    rows = await session.execute(
        select(ranked.c.candidate_id, Note)
        .join(Note, Note.id == ranked.c.note_id)
        .where(ranked.c.rank == 1)
    )
    return {candidate_id: note for candidate_id, note in rows}


def _links_to_candidate(workspace_id: str, candidate_id: str) -> ColumnElement[bool]:
    """Note links to the candidate or to one of its client-contact roles."""
    return (NoteLink.workspace_id == workspace_id) & (
        ((NoteLink.entity_type == CANDIDATE) & (NoteLink.entity_id == candidate_id))
        | (
            (NoteLink.entity_type == CLIENT_CONTACT)
            & NoteLink.entity_id.in_(
                select(ClientContact.id).where(
                    ClientContact.workspace_id == workspace_id,
                    ClientContact.candidate_id == candidate_id,
                )
            )
        )
    )


async def delete_links_to(session: AsyncSession, workspace_id: str, candidate_id: str) -> None:
    """Removes the note links to a candidate being deleted and to its client-contact roles
    (links are generic, so no foreign key cascades). The notes stay, with their other links,
    and their ``modifiedAt`` moves: what they show changed."""
    condition = _links_to_candidate(workspace_id, candidate_id)
    linked = await session.scalars(
        select(Note)
        .where(
            Note.workspace_id == workspace_id,
            Note.id.in_(select(NoteLink.note_id).where(condition)),
        )
        .order_by(Note.id)
        .with_for_update(key_share=True)
    )
    for note in linked:
        note.modified_at = after(note.modified_at)
    await session.flush()
    await session.execute(delete(NoteLink).where(condition))


async def move_links(
    session: AsyncSession, workspace_id: str, entity_type: str, from_id: str, to_id: str
) -> list[str]:
    """Re-points the links of notes to record ``from_id`` at record ``to_id`` (a merge), but
    for notes already linked to ``to_id`` (their link to ``from_id`` stays, for its deletion
    to remove). The moved notes' ``modifiedAt`` moves: what they show changed. Their ids, in
    id order."""
    return await links.move_links(
        session,
        Note,
        NoteLink,
        NoteLink.note_id,
        workspace_id=workspace_id,
        entity_type=entity_type,
        from_id=from_id,
        to_id=to_id,
    )


async def linked_to_candidate(
    session: AsyncSession, workspace_id: str, candidate_id: str
) -> list[Note]:
    """The notes linked to the candidate or to one of its client-contact roles, in id order,
    locked (PostgreSQL) and re-read."""
    rows = await session.scalars(
        select(Note)
        .where(
            Note.workspace_id == workspace_id,
            Note.id.in_(
                select(NoteLink.note_id).where(_links_to_candidate(workspace_id, candidate_id))
            ),
        )
        .order_by(Note.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return list(rows)
