"""SQL for candidates. Every query filters by workspace (API.md §1)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Label,
    Select,
    Update,
    and_,
    bindparam,
    delete,
    exists,
    or_,
    select,
    union,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from talentbase.api.pagination import CursorPage, CursorQuery, cursor_page
from talentbase.attachments import repository as attachments
from talentbase.attachments import storage as attachment_files
from talentbase.attachments.models import Attachment
from talentbase.candidates.models import Candidate, DeletedCandidate
from talentbase.client_contacts.models import ClientContact
from talentbase.companies.models import Company
from talentbase.custom_attributes import repository as custom_attributes
from talentbase.custom_attributes.models import CustomAttributeValue
from talentbase.db.base import is_id
from talentbase.db.batch import WriteBatch, bound, prefixed
from talentbase.db.engine import begin_writing, commit_lock
from talentbase.db.types import after, utcnow
from talentbase.duplicates import models as duplicates
from talentbase.history import fields as history_fields
from talentbase.history import service as history
from talentbase.linkedin.models import LinkedInProfile
from talentbase.notes import repository as notes
from talentbase.notes.models import Note, NoteLink
from talentbase.notes.schemas import INTERACTION_SOURCES
from talentbase.placements.models import Placement
from talentbase.search import models as search
from talentbase.tasks import repository as tasks
from talentbase.tasks.models import Task, TaskLink
from talentbase.users import repository as users
from talentbase.users.models import User
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


# the statements of ``get``, built once: every GET and PATCH of a candidate runs one
_GET = select(Candidate).where(
    Candidate.workspace_id == bindparam("workspace_id"), Candidate.id == bindparam("candidate_id")
)
_GET_FOR_UPDATE = _GET.with_for_update(key_share=True)


async def get(
    session: AsyncSession, workspace_id: str, candidate_id: str, *, for_update: bool = False
) -> Candidate | None:
    """The candidate of the workspace with this id. ``for_update`` takes a row lock on
    PostgreSQL (SQLite serialises writers with the app's write lock instead)."""
    if not is_id(candidate_id):
        return None
    result: Candidate | None = await session.scalar(
        _GET_FOR_UPDATE if for_update else _GET,
        {"workspace_id": workspace_id, "candidate_id": candidate_id},
    )
    return result


@dataclass(frozen=True)
class Locked:
    """A candidate read under its row lock for a PATCH, with what the PATCH needs besides:
    the users it names that exist in the workspace (by id) and the record families that have
    rows for it (``FAMILY_NAMES``), which its view then reads without probing again, and its
    work experiences (most candidates have some: one query fewer for the view)."""

    candidate: Candidate
    users: dict[str, User]
    families: set[str]
    # its work experiences with their company, read with it; None when they were not
    experiences: list[tuple[WorkExperience, Company | None]] | None


# the candidate's version as the locking statement's snapshot saw it (see ``get_locked``)
_SNAPSHOT = aliased(Candidate, name="snapshot")
_SNAPSHOT_VERSION = "snapshot_version"
# the work experiences read with it, aliased: the family probes' subqueries must not
# correlate to them
_EXPERIENCE = aliased(WorkExperience, name="experience")
_EXPERIENCE_COMPANY = aliased(Company, name="experience_company")
# the statements of ``get_locked``, one per number of users named, built once
_LOCKED_READS: dict[int, Select[*tuple[Any, ...]]] = {}


def _locked_read(user_count: int) -> Select[*tuple[Any, ...]]:
    cached = _LOCKED_READS.get(user_count)
    if cached is None:
        named = [aliased(User, name=f"named_user_{index}") for index in range(user_count)]
        columns: list[Any] = [
            Candidate,
            *named,
            *_family_probes(Candidate.workspace_id, lambda column: column == Candidate.id),
            select(_SNAPSHOT.version)
            .where(_SNAPSHOT.id == Candidate.id)
            .scalar_subquery()
            .label(_SNAPSHOT_VERSION),
            _EXPERIENCE,
            _EXPERIENCE_COMPANY,
        ]
        # one row per work experience (one row without): the view's experiences come along
        statement = select(*columns).outerjoin(
            _EXPERIENCE,
            and_(
                _EXPERIENCE.workspace_id == Candidate.workspace_id,
                _EXPERIENCE.candidate_id == Candidate.id,
            ),
        )
        statement = statement.outerjoin(
            _EXPERIENCE_COMPANY, _EXPERIENCE_COMPANY.id == _EXPERIENCE.company_id
        )
        for index, user in enumerate(named):
            statement = statement.outerjoin(
                user,
                and_(
                    user.workspace_id == Candidate.workspace_id,
                    user.id == bindparam(f"user_id_{index}"),
                ),
            )
        statement = statement.where(
            Candidate.workspace_id == bindparam("workspace_id"),
            Candidate.id == bindparam("candidate_id"),
        ).with_for_update(key_share=True, of=Candidate)
        cached = _LOCKED_READS[user_count] = statement
    return cached


async def get_locked(
    session: AsyncSession, workspace_id: str, candidate_id: str, user_ids: Iterable[str]
) -> Locked | None:
    """The candidate of the workspace with this id under its row lock (as ``get`` with
    ``for_update``), the users among ``user_ids`` that exist in the workspace, and which
    families behind its view have rows: one round trip where a PATCH used to make three
    (bench/README.md). None when there is no such candidate.

    On PostgreSQL (READ COMMITTED) a statement that waits for a row lock returns the row as
    the lock holder committed it, but reads every other table as of its own start: a holder
    that added a placement and moved the candidate's version would be missing from the
    families. The statement also reads the candidate's version as of its start; when that is
    not the version it locked, the users and the families are read again, after the lock, and
    the work experiences are left for the view to read."""
    if not is_id(candidate_id):
        return None
    wanted = sorted({user_id for user_id in user_ids if is_id(user_id)})
    parameters = {"workspace_id": workspace_id, "candidate_id": candidate_id}
    parameters.update({f"user_id_{index}": user_id for index, user_id in enumerate(wanted)})
    rows = (await session.execute(_locked_read(len(wanted)), parameters)).all()
    if not rows:
        return None
    row = rows[0]
    candidate: Candidate = row[0]
    named: list[User | None] = list(row[1 : 1 + len(wanted)])
    if row._mapping[_SNAPSHOT_VERSION] != candidate.version:
        for user in named:
            if user is not None:
                session.expire(user)  # so that reading it again refreshes it
        return Locked(
            candidate,
            await users.by_ids(session, workspace_id, wanted),
            await related_families(session, workspace_id, [candidate_id]),
            None,
        )
    found = {user.id: user for user in named if user is not None}
    families = {name for name in FAMILY_NAMES if row._mapping[name]}
    experiences = [(each[-2], each[-1]) for each in rows if each[-2] is not None]
    return Locked(candidate, found, families, experiences)


async def loaded(session: AsyncSession, candidate_id: str) -> Candidate | None:
    """The candidate as this session holds it (no query when it was read or written in this
    transaction, which is the only use)."""
    return await session.get(Candidate, candidate_id)


def advance(candidate: Candidate) -> None:
    """Marks a stored change: ``version`` up by one (a new ETag) and ``modifiedAt`` strictly
    later. The caller holds the row lock."""
    candidate.version, candidate.modified_at = next_stamp(candidate)


def next_stamp(candidate: Candidate) -> tuple[int, datetime]:
    """The ``version`` and ``modified_at`` of the candidate's next stored change: one up, and
    strictly later than its current ``modifiedAt``."""
    return candidate.version + 1, after(candidate.modified_at)


class StaleRead(Exception):
    """The candidate changed between its read and the write of a change computed from it:
    possible only when it was read before the write lock (``db.engine.reads_unlocked``). The
    caller rolls back and does the change again, reading under the lock."""


@dataclass
class StagedChange:
    """A change of one candidate staged in a ``WriteBatch`` (``stage_change``), for
    ``store_change`` to send."""

    candidate: Candidate
    batch: WriteBatch
    updated: int
    entry: dict[str, str] | None
    reindexed: int | None


def stage_change(
    candidate: Candidate, values: Mapping[str, Any], batch: WriteBatch
) -> StagedChange:
    """Stages the writes of ``values`` (column -> new value, with the new ``version`` and
    ``modified_at``) to a candidate as it was read: its row (at the version read), its search
    row and identifier rows in step, beside the writes already in ``batch`` (the history entry
    and event of the change). Then sets the values on the candidate as stored, so that its
    view can be built before the writes are sent (``store_change``)."""
    updated = batch.add(
        _update_of(tuple(values)),
        {
            "c_workspace_id": candidate.workspace_id,
            "c_id": candidate.id,
            "c_read_version": candidate.version,
            **prefixed("c_", values),
        },
    )
    entry = search.changed_entry(candidate, values)
    reindexed = batch.add(*search.reindex(candidate.id, entry)) if entry is not None else None
    for write, params in duplicates.identifier_writes(candidate, values):
        batch.add(write, params)
    for name, value in values.items():
        set_committed_value(candidate, name, value)
    return StagedChange(candidate, batch, updated, entry, reindexed)


async def store_change(session: AsyncSession, staged: StagedChange) -> None:
    """Sends a staged change (``stage_change``) in one round trip where the database takes it
    (``db.batch``).

    The ORM's flush would send each of these rows as its own statement; this is the PATCH's
    write path (issue 7, bench/README.md). Where the candidate was read before the write lock
    (a ``locks_late`` PATCH on SQLite, ``db.engine.commit_lock``) the writes are committed on
    their own, in one call under the lock (``WriteBatch.send_committing``): nothing may be
    written after them in the request. Raises ``StaleRead`` when that candidate has changed
    since it was read (nothing is written), or a write then broke a constraint (another
    change of it took the same history version or identifiers); ``RuntimeError`` when a
    candidate read under its row lock was not updated (a bug)."""
    candidate = staged.candidate
    lock = commit_lock(session)
    if lock is not None:
        # read before the write lock: the writes commit alone, only at the version read, and
        # only where the candidate has its search row (else the general path below adds it)
        required = (
            [staged.updated] if staged.reindexed is None else [staged.updated, staged.reindexed]
        )
        try:
            counts = await staged.batch.send_committing(session, lock, required)
        except IntegrityError as error:
            raise StaleRead(candidate.id) from error
        if counts is None:
            raise StaleRead(candidate.id)
        return
    await begin_writing(session)
    counts = await staged.batch.send(session)
    if counts[staged.updated] != 1:
        raise RuntimeError(f"candidate {candidate.id} was not updated under its lock")
    if staged.entry is not None and staged.reindexed is not None and not counts[staged.reindexed]:
        await (await session.connection()).execute(
            search.index(candidate.id, candidate.workspace_id, staged.entry)
        )


@lru_cache(maxsize=512)
def _update_of(columns: tuple[str, ...]) -> Update:
    """The ``UPDATE`` of these columns of one candidate (parameters ``c_<column>``, the row by
    ``c_workspace_id`` and ``c_id`` at version ``c_read_version``), built once per set of
    columns a PATCH changes."""
    return (
        update(Candidate)
        .where(
            Candidate.workspace_id == bindparam("c_workspace_id"),
            Candidate.id == bindparam("c_id"),
            Candidate.version == bindparam("c_read_version"),
        )
        .values(bound("c_", Candidate.__table__, columns))
    )


async def touch(
    session: AsyncSession,
    workspace_id: str,
    candidate_ids: Iterable[str],
    related: Mapping[str, Any] | None = None,
) -> None:
    """Records a change of these candidates (those of the workspace; others are ignored) made
    through a related record shown in their view: ``modifiedAt`` and ``version`` move forward
    (a sync by ``modifiedSince`` sees them again, their ETag changes), and each gets a
    ``related`` history entry and a ``candidate.updated`` event. ``related`` describes what
    changed, e.g. ``{"placement": {"id": …, "action": "created"}}`` (keys: see
    ``history.fields.RELATED_SECTIONS``); candidate columns the caller set and has not
    flushed are recorded field by field too. Takes the row locks that a PATCH takes, so the
    two never interleave."""
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
        changes: dict[str, Any] = history_fields.pending_changes(candidate)
        changes.update(related or {})
        advance(candidate)
        await history.record(
            session,
            workspace_id=workspace_id,
            candidate_id=candidate.id,
            version=candidate.version,
            at=candidate.modified_at,
            action=history.RELATED,
            changes=changes,
        )
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


async def merged_into(session: AsyncSession, workspace_id: str, candidate_id: str) -> str | None:
    """The survivor a deleted candidate was merged into (its tombstone says), else None."""
    if not is_id(candidate_id):
        return None
    result: str | None = await session.scalar(
        select(DeletedCandidate.merged_into_id).where(
            DeletedCandidate.workspace_id == workspace_id, DeletedCandidate.id == candidate_id
        )
    )
    return result


async def merged_into_survivor(
    session: AsyncSession, workspace_id: str, survivor_id: str
) -> list[str]:
    """The ids of every candidate merged into ``survivor_id`` (directly or through a chain:
    tombstones are re-pointed to the living survivor), in id order."""
    rows = await session.scalars(
        select(DeletedCandidate.id)
        .where(
            DeletedCandidate.workspace_id == workspace_id,
            DeletedCandidate.merged_into_id == survivor_id,
        )
        .order_by(DeletedCandidate.id)
    )
    return list(rows)


async def mark_merged(
    session: AsyncSession, workspace_id: str, candidate_id: str, survivor_id: str
) -> None:
    """Marks the tombstone of a candidate just deleted by a merge with its survivor, and
    re-points the tombstones of candidates merged into it earlier, so every merged id leads
    to a living candidate in one step."""
    await session.execute(
        update(DeletedCandidate)
        .where(
            DeletedCandidate.workspace_id == workspace_id,
            or_(
                DeletedCandidate.id == candidate_id,
                DeletedCandidate.merged_into_id == candidate_id,
            ),
        )
        .values(merged_into_id=survivor_id)
        .execution_options(synchronize_session=False)
    )


# The record families behind the view: (name, model, its candidate column, extra condition).
# A family "has rows" for a candidate when a row of its model with the candidate's workspace
# points at it.
_FAMILIES: tuple[tuple[str, Any, Any, Any], ...] = (
    (PLACEMENTS, Placement, Placement.candidate_id, None),
    (TASKS, TaskLink, TaskLink.entity_id, TaskLink.entity_type == CANDIDATE),
    (WORK_EXPERIENCES, WorkExperience, WorkExperience.candidate_id, None),
    (CLIENT_CONTACTS, ClientContact, ClientContact.candidate_id, None),
    (
        CUSTOM_ATTRIBUTES,
        CustomAttributeValue,
        CustomAttributeValue.entity_id,
        CustomAttributeValue.entity_type == CANDIDATE,
    ),
    (LINKEDIN_PROFILES, LinkedInProfile, LinkedInProfile.candidate_id, None),
    (ATTACHMENTS, Attachment, Attachment.candidate_id, None),
    (NOTES, NoteLink, NoteLink.entity_id, NoteLink.entity_type == CANDIDATE),
)
FAMILY_NAMES = tuple(name for name, *_ in _FAMILIES)


def _family_probes(
    workspace_id: Any, candidate_ids: Callable[[Any], ColumnElement[bool]]
) -> list[Label[bool]]:
    """One labelled ``EXISTS`` per family: a row of the workspace ``workspace_id`` (a bound
    parameter or a column) whose candidate column satisfies ``candidate_ids(column)``."""
    probes = []
    for name, model, candidate_column, condition in _FAMILIES:
        where = [model.workspace_id == workspace_id, candidate_ids(candidate_column)]
        if condition is not None:
            where.append(condition)
        probes.append(exists().where(*where).label(name))
    return probes


# The probe of ``related_families``, built once with bound parameters: building its eight
# ``EXISTS`` anew for every view cost more than running them (bench/README.md, "Profile of the
# PATCH path").
_CANDIDATE_IDS: BindParameter[list[str]] = bindparam("candidate_ids", expanding=True)
_RELATED_FAMILIES = select(
    *_family_probes(bindparam("workspace_id"), lambda column: column.in_(_CANDIDATE_IDS))
)


async def related_families(
    session: AsyncSession, workspace_id: str, candidate_ids: Sequence[str]
) -> set[str]:
    """Which record families behind the view have any row for these candidates, in one round
    trip (one ``EXISTS`` per family). The view then queries only those: most candidates have
    no placements, tasks, client contacts, ... and each skipped query saves a round trip."""
    if not candidate_ids:
        return set()
    row = (
        await session.execute(
            _RELATED_FAMILIES,
            {"workspace_id": workspace_id, "candidate_ids": list(candidate_ids)},
        )
    ).one()
    return {name for name, present in row._mapping.items() if present}
