"""Anonymizing a candidate (issue 5 §6): ``POST /candidates/{id}/anonymize``.

Erases the person's data for good (there is no undo, and no copy is kept) while the record
keeps its id, its place in lists and every non-personal fact, so counts and reports stay
right. Erased:

- the candidate's names (first and last name become the fixed ``Anonymized`` /
  ``Candidate``, which the name rules accept; middle and second last name become null),
  avatar, emails, phone numbers, social media, locations, date of birth, gender and
  nationality (personal, and special-category data under the GDPR), AI summary and last
  agent chat id (both about the person);
- the LinkedIn profile, and every attachment of the candidate (CVs and other files): the rows
  now, the files on disk once the change has committed (a rollback keeps them);
- custom attribute values of the free kinds (``text``, ``url``) of the candidate and of its
  client-contact roles; the structured kinds (number, checkbox, select, multi-select, date,
  currency) are facts the workspace defined, and stay;
- the emails and phone numbers of its client-contact roles (role, department, dates and stage
  stay);
- the text of every note (title and content) and task (content) linked to the candidate or
  to one of its roles — also when the note or task is linked to other records too: free text
  cannot be told apart into whose data it is, so erasure errs toward the person who asked.
  The note or task itself stays, with its links, dates, author, assignee and source, so
  interactions and due tasks are still counted; its text becomes ``[anonymized]``;
- the location and description of its work experience and the description of its education
  (free text); company, title, degree, field of study and dates stay;
- the values of those fields in every earlier entry of its history (the entries stay, and
  which fields each changed).

Kept: id, created/modified dates, status, languages, compensation, acquisition source, main
contact and interaction users, placements, tasks and notes (their text aside), client-contact
roles, visibility flag. Anything erased can be written again: an anonymized candidate is an
ordinary record (a PATCH is allowed, and a later anonymize erases again).

A change moves ``modifiedAt`` and ``version``, adds an ``anonymized`` history entry naming
what was erased (never a value) and emits ``candidate.anonymized``; clients showing the person
as a contact or one of the erased tasks, and other candidates linked to an erased task, are
touched. When there is nothing left to erase (a second anonymize), nothing is written: the
answer is the view as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.attachments import repository as attachments
from talentbase.attachments import storage
from talentbase.candidates import etags, repository, view
from talentbase.candidates.models import Candidate
from talentbase.candidates.service import CandidateAnswer, candidate_not_found
from talentbase.client_contacts import repository as client_contacts
from talentbase.companies import repository as companies
from talentbase.custom_attributes import repository as custom_attributes
from talentbase.db.types import after
from talentbase.history import context as write_context
from talentbase.history import fields as history_fields
from talentbase.history import service as history
from talentbase.linkedin import repository as linkedin
from talentbase.notes import repository as notes
from talentbase.tasks import repository as tasks
from talentbase.work_history import repository as work_history
from talentbase.work_history.models import Education, WorkExperience

CANDIDATE = "candidate"
CLIENT_CONTACT = "clientContact"
CLIENT = "client"
ANONYMIZED = "anonymized"
DELETED = "deleted"

# the candidate columns erased, and the value each takes
ERASED_COLUMNS: dict[str, Any] = {
    "first_name": "Anonymized",
    "middle_name": None,
    "last_name": "Candidate",
    "second_last_name": None,
    "avatar_url": None,
    "gender": None,
    "nationality": [],
    "emails": [],
    "phone_numbers": [],
    "locations": [],
    "date_of_birth": None,
    "social_media": [],
    "ai_summary": None,
    "last_agent_chat_id": None,
}
# the fields whose recorded values are erased from the history (API names), each with its
# erased value (recorded, it holds nothing personal and stays)
PERSONAL_FIELDS: dict[str, Any] = {
    **{
        history_fields.API_NAMES[column]: history_fields.api_value(column, value)
        for column, value in ERASED_COLUMNS.items()
    },
    history.CUSTOM_ATTRIBUTES: None,
}
# the text an erased note or task shows
ERASED_TEXT = "[anonymized]"
# custom attribute kinds whose values are free input, erased with the person
FREE_KINDS = frozenset({"text", "url"})


async def anonymize_candidate(
    session: AsyncSession, workspace_id: str, candidate_id: str, *, if_match: str | None = None
) -> CandidateAnswer:
    """Erases the candidate's personal data (module docstring) and answers its CandidateView
    with its ETag (the same ETag when there was nothing to erase).

    Raises ``NotFound`` (404, with ``mergedInto`` for a merged id), ``PreconditionFailed``
    (412) when ``If-Match`` does not match (checked under the row lock), and
    ``ValidationFailed`` (400 ``NOT_FOUND`` at ``x-on-behalf-of``). Nothing is written on
    failure; the files go only once the erasure has committed.
    """
    candidate = await repository.get(session, workspace_id, candidate_id)
    if candidate is None:
        raise await candidate_not_found(session, workspace_id, candidate_id)
    # lock order: clients (their views show the person as a contact, and tasks' text), then
    # candidates (this one and those that show one of its tasks), then their records
    task_links = await tasks.links_of(
        session,
        workspace_id,
        [
            task.id
            for task in await tasks.linked_to_candidate(session, workspace_id, candidate_id)
            if task.content != ERASED_TEXT
        ],
    )
    linked = [link for links in task_links.values() for link in links]
    locked_companies = await companies.lock(
        session,
        workspace_id,
        await client_contacts.company_ids_of(session, workspace_id, candidate_id)
        | {link.entity_id for link in linked if link.entity_type == CLIENT},
    )
    others = {
        link.entity_id
        for link in linked
        if link.entity_type == CANDIDATE and link.entity_id != candidate_id
    }
    locked = await tasks.candidates_by_ids(
        session, workspace_id, [candidate_id, *others], for_update=True
    )
    if candidate_id not in locked:  # deleted or merged away meanwhile
        raise await candidate_not_found(session, workspace_id, candidate_id)
    candidate = locked[candidate_id]
    etags.check_if_match(candidate, if_match)
    await write_context.acting_user(session, workspace_id)  # a 400 before anything is erased

    changes = _erase_columns(candidate)
    erased_tasks = await _erase_records(session, workspace_id, candidate, changes)
    # the history of candidates merged into this one is the same person's: erased too
    erased_entries = 0
    for person_id in [
        candidate_id,
        *await repository.merged_into_survivor(session, workspace_id, candidate_id),
    ]:
        erased_entries += await history.erase_values(
            session, workspace_id, person_id, PERSONAL_FIELDS
        )
    if erased_entries:
        changes["history"] = {"entries": erased_entries, "action": ANONYMIZED}
    if changes:
        repository.advance(candidate)
        await history.record(
            session,
            workspace_id=workspace_id,
            candidate_id=candidate_id,
            version=candidate.version,
            at=candidate.modified_at,
            action=history.ANONYMIZED,
            changes=changes,
        )
        for company in locked_companies.values():
            await companies.touch(session, company)
        shown: dict[str, list[str]] = {}
        for link in linked:
            if link.entity_id in others and link.task_id in erased_tasks:
                shown.setdefault(link.entity_id, []).append(link.task_id)
        for other_id in sorted(shown):
            await repository.touch(
                session,
                workspace_id,
                [other_id],
                {"task": {"ids": sorted(shown[other_id]), "action": ANONYMIZED}},
            )
        await session.flush()
    view_json = await view.build_view(session, workspace_id, candidate)
    return CandidateAnswer(view_json, etags.of(candidate))


def _erase_columns(candidate: Candidate) -> dict[str, Any]:
    """Sets the erased columns that still hold something; ``{field: {before: null, after}}``
    of those (the value erased is not recorded)."""
    changes: dict[str, Any] = {}
    for column, value in ERASED_COLUMNS.items():
        if getattr(candidate, column) != value:
            setattr(candidate, column, value)
            changes[history_fields.API_NAMES[column]] = {
                "before": None,
                "after": history_fields.api_value(column, value),
            }
    return changes


async def _erase_records(
    session: AsyncSession, workspace_id: str, candidate: Candidate, changes: dict[str, Any]
) -> set[str]:
    """Erases the personal data in the candidate's records, adding what was erased to
    ``changes`` (ids and kinds, never values); the ids of the tasks whose text was erased."""
    owned = await attachments.of_candidate(session, workspace_id, candidate.id)
    if owned:
        await attachments.delete_rows(session, workspace_id, [row.id for row in owned])
        storage.remove_after_commit(session, [Path(row.storage_path) for row in owned])
        changes["attachment"] = {"ids": [row.id for row in owned], "action": DELETED}
    if await linkedin.delete_of(session, workspace_id, candidate.id):
        changes["linkedInProfile"] = {"action": DELETED}
    own_values = await _erase_free_values(session, workspace_id, CANDIDATE, [candidate.id])
    if own_values:
        changes[history.CUSTOM_ATTRIBUTES] = {
            "definitionIds": own_values[candidate.id],
            "action": DELETED,
        }

    roles = await client_contacts.of_candidate(session, workspace_id, candidate.id)
    role_values = await _erase_free_values(
        session, workspace_id, CLIENT_CONTACT, [role.id for role in roles]
    )
    erased_roles = []
    for role in roles:
        if role.emails or role.phone_numbers or role.id in role_values:
            role.emails, role.phone_numbers = [], []
            role.modified_at = after(role.modified_at)
            erased_roles.append(role.id)
    _note_erased(changes, "clientContact", erased_roles)

    erased_notes = []
    for note in await notes.linked_to_candidate(session, workspace_id, candidate.id):
        if note.title is not None or note.content != ERASED_TEXT:
            note.title, note.content = None, ERASED_TEXT
            note.modified_at = after(note.modified_at)
            erased_notes.append(note.id)
    _note_erased(changes, "note", erased_notes)
    erased_tasks = []
    for task in await tasks.linked_to_candidate(
        session, workspace_id, candidate.id, for_update=True
    ):
        if task.content != ERASED_TEXT:
            task.content = ERASED_TEXT
            task.modified_at = after(task.modified_at)
            erased_tasks.append(task.id)
    _note_erased(changes, "task", erased_tasks)

    erased_jobs = []
    for job, _ in await work_history.of_candidate(
        session, WorkExperience, workspace_id, candidate.id
    ):
        if job.location is not None or job.description is not None:
            job.location, job.description = None, None
            erased_jobs.append(job.id)
    _note_erased(changes, "workExperiences", sorted(erased_jobs))
    erased_education = []
    for education, _ in await work_history.of_candidate(
        session, Education, workspace_id, candidate.id
    ):
        if education.description is not None:
            education.description = None
            erased_education.append(education.id)
    _note_erased(changes, "education", sorted(erased_education))
    await session.flush()
    return set(erased_tasks)


def _note_erased(changes: dict[str, Any], key: str, ids: list[str]) -> None:
    if ids:
        changes[key] = {"ids": ids, "action": ANONYMIZED}


async def _erase_free_values(
    session: AsyncSession, workspace_id: str, entity_type: str, entity_ids: list[str]
) -> dict[str, list[str]]:
    """Deletes the values of the free kinds (``FREE_KINDS``) set on these records; by record
    that had any, the ids of their definitions in definition order."""
    erased: dict[str, list[str]] = {}
    rows = await custom_attributes.values_for(session, workspace_id, entity_type, entity_ids)
    for entity_id, values in rows.items():
        for value, definition in values:
            if definition.kind in FREE_KINDS:
                await custom_attributes.delete_value(session, value)
                erased.setdefault(entity_id, []).append(definition.id)
    return erased
