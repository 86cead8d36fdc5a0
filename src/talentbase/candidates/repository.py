"""SQL for candidates. Every query filters by workspace (API.md §1)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, delete, exists, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.pagination import CursorPage, CursorQuery, cursor_page
from talentbase.attachments import repository as attachments
from talentbase.attachments import storage as attachment_files
from talentbase.attachments.models import Attachment
from talentbase.candidates.models import Candidate, DeletedCandidate
from talentbase.client_contacts.models import ClientContact
from talentbase.custom_attributes import repository as custom_attributes
from talentbase.custom_attributes.models import CustomAttributeValue
from talentbase.db.base import is_id
from talentbase.db.types import after, utcnow
from talentbase.linkedin.models import LinkedInProfile
from talentbase.notes import repository as notes
from talentbase.notes.models import Note, NoteLink
from talentbase.notes.schemas import INTERACTION_SOURCES
from talentbase.placements.models import Placement
from talentbase.tasks import repository as tasks
from talentbase.tasks.models import Task, TaskLink
from talentbase.work_history.models import WorkExperience

CANDIDATE = "candidate"

PLACEMENTS = "placements"
TASKS = "tasks"
WORK_EXPERIENCES = "work_experiences"
CLIENT_CONTACTS = "client_contacts"
CUSTOM_ATTRIBUTES = "custom_attributes"
LINKEDIN_PROFILES = "linkedin_profiles"
ATTACHMENTS = "attachments"
NOTES = "notes"


async def get(
    session: AsyncSession, workspace_id: str, candidate_id: str, *, for_update: bool = False
) -> Candidate | None:
    """The candidate of the workspace with this id. ``for_update`` takes a row lock on
    PostgreSQL (SQLite serialises writers with the app's write lock instead)."""
    if not is_id(candidate_id):
        return None
    query = select(Candidate).where(
        Candidate.workspace_id == workspace_id, Candidate.id == candidate_id
    )
    if for_update:
        query = query.with_for_update(key_share=True)
    result: Candidate | None = await session.scalar(query)
    return result


async def touch(session: AsyncSession, workspace_id: str, candidate_ids: Iterable[str]) -> None:
    """Moves ``modifiedAt`` forward on these candidates (those of the workspace; others are
    ignored): a record shown in their view changed, so a sync by ``modifiedSince`` must see
    them again. Takes the row locks that a PATCH takes, so the two never interleave."""
    ids = sorted({candidate_id for candidate_id in candidate_ids if is_id(candidate_id)})
    if not ids:
        return
    rows = await session.scalars(
        select(Candidate)
        .where(Candidate.workspace_id == workspace_id, Candidate.id.in_(ids))
        .order_by(Candidate.id)
        .with_for_update(key_share=True)
    )
    for candidate in rows:
        candidate.modified_at = after(candidate.modified_at)
    await session.flush()


async def ids_showing_user(session: AsyncSession, workspace_id: str, user_id: str) -> list[str]:
    """The candidates of the workspace whose view may show the user (one query): as main
    contact, as the ``lastInteractionWithId`` set by PATCH, as the author of an interaction
    note linked to them (``lastInteractionWith`` when it is the latest), or as the assignee of
    an open task linked to them (``nextInteractionWith`` when it is the next). A superset of
    the views that show the user now, so a change to the user can touch them all."""
    if not is_id(user_id):
        return []
    named = select(Candidate.id.label("candidate_id")).where(
        Candidate.workspace_id == workspace_id,
        or_(
            Candidate.main_contact_user_id == user_id,
            Candidate.last_interaction_with_id == user_id,
        ),
    )
    noted = (
        select(NoteLink.entity_id.label("candidate_id"))
        .join(Note, Note.id == NoteLink.note_id)
        .where(
            NoteLink.workspace_id == workspace_id,
            NoteLink.entity_type == CANDIDATE,
            Note.workspace_id == workspace_id,
            Note.created_by_user_id == user_id,
            Note.source.in_(INTERACTION_SOURCES),
        )
    )
    assigned = (
        select(TaskLink.entity_id.label("candidate_id"))
        .join(Task, Task.id == TaskLink.task_id)
        .where(
            TaskLink.workspace_id == workspace_id,
            TaskLink.entity_type == CANDIDATE,
            Task.workspace_id == workspace_id,
            Task.assigned_to_user_id == user_id,
            Task.completed_at.is_(None),
        )
    )
    rows = await session.scalars(union(named, noted, assigned))
    return sorted(rows)


async def list_page(
    session: AsyncSession, workspace_id: str, query: CursorQuery
) -> CursorPage[Candidate]:
    """One page of the workspace's candidates in ``(modifiedAt, id)`` order (API.md §4)."""
    return await cursor_page(
        session,
        select(Candidate).where(Candidate.workspace_id == workspace_id),
        Candidate.modified_at,
        Candidate.id,
        query,
    )


def add(session: AsyncSession, candidate: Candidate) -> None:
    """Stages a new candidate for insertion."""
    session.add(candidate)


async def delete_candidate(session: AsyncSession, candidate: Candidate) -> None:
    """Deletes the candidate with its own records (foreign keys cascade; generic task and note
    links and custom values are removed here) and leaves a tombstone for the deleted feed.
    The files of its attachments are removed once the deletion has committed."""
    workspace_id = candidate.workspace_id
    attachment_files.remove_after_commit(
        session, await attachments.storage_paths_of(session, workspace_id, candidate.id)
    )
    await tasks.delete_links_to(session, workspace_id, candidate.id)
    await notes.delete_links_to(session, workspace_id, candidate.id)
    await custom_attributes.delete_values_of(session, workspace_id, CANDIDATE, candidate.id)
    await session.execute(
        delete(Candidate).where(
            Candidate.workspace_id == workspace_id, Candidate.id == candidate.id
        )
    )
    session.add(DeletedCandidate(id=candidate.id, workspace_id=workspace_id, deleted_at=utcnow()))
    await session.flush()


def _exists(conditions: Sequence[ColumnElement[bool]]) -> ColumnElement[bool]:
    return exists().where(*conditions)


async def related_families(
    session: AsyncSession, workspace_id: str, candidate_ids: Sequence[str]
) -> set[str]:
    """Which record families behind the view have any row for these candidates, in one round
    trip (one ``EXISTS`` per family). The view then queries only those: most candidates have
    no placements, tasks, client contacts, ... and each skipped query saves a round trip."""
    if not candidate_ids:
        return set()
    probes = {
        PLACEMENTS: _exists(
            [Placement.workspace_id == workspace_id, Placement.candidate_id.in_(candidate_ids)]
        ),
        TASKS: _exists(
            [
                TaskLink.workspace_id == workspace_id,
                TaskLink.entity_type == CANDIDATE,
                TaskLink.entity_id.in_(candidate_ids),
            ]
        ),
        WORK_EXPERIENCES: _exists(
            [
                WorkExperience.workspace_id == workspace_id,
                WorkExperience.candidate_id.in_(candidate_ids),
            ]
        ),
        CLIENT_CONTACTS: _exists(
            [
                ClientContact.workspace_id == workspace_id,
                ClientContact.candidate_id.in_(candidate_ids),
            ]
        ),
        CUSTOM_ATTRIBUTES: _exists(
            [
                CustomAttributeValue.workspace_id == workspace_id,
                CustomAttributeValue.entity_type == CANDIDATE,
                CustomAttributeValue.entity_id.in_(candidate_ids),
            ]
        ),
        LINKEDIN_PROFILES: _exists(
            [
                LinkedInProfile.workspace_id == workspace_id,
                LinkedInProfile.candidate_id.in_(candidate_ids),
            ]
        ),
        ATTACHMENTS: _exists(
            [Attachment.workspace_id == workspace_id, Attachment.candidate_id.in_(candidate_ids)]
        ),
        NOTES: _exists(
            [
                NoteLink.workspace_id == workspace_id,
                NoteLink.entity_type == CANDIDATE,
                NoteLink.entity_id.in_(candidate_ids),
            ]
        ),
    }
    row = (
        await session.execute(select(*(probe.label(name) for name, probe in probes.items())))
    ).one()
    return {name for name, present in zip(probes, row, strict=True) if present}
