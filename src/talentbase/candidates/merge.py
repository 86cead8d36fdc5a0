"""Merging a duplicate candidate into another (issue 5 §5): ``POST /candidates/{id}/merge``.

The candidate of the path survives; the duplicate named in the body gives it everything it
has and is then deleted, leaving a tombstone that names the survivor (``GET``, ``PATCH``,
``DELETE`` of its id → 404 with ``mergedInto``; the tombstones of candidates merged into the
duplicate earlier now name the survivor too). What moves, and the rules where both have
something:

- Emails, phone numbers and social media links join the survivor's lists, after its own
  items, unless the survivor already has them (emails compared case-insensitively, phone
  numbers by their E.164 form, URLs as PATCH compares them: case and a trailing slash
  aside). The survivor's primary stays primary; when its list was empty, the duplicate's
  items come with their own primary. A merged list longer than a list may be (50 items) is
  refused with a 409 naming the list, and nothing changes: a merge never drops an
  identifier silently; the client trims either candidate first.
- Notes and tasks: their links to the duplicate now point at the survivor (a note or task
  linked to both keeps one link).
- Placements, work experience, education: they become the survivor's.
- Attachments: they become the survivor's, assigned after its own files in their old order;
  when the survivor has a CV it stays the current one (``cvAttachmentId``: it is assigned
  again, last), otherwise the duplicate's current CV becomes the survivor's.
- Client-contact roles: a role at a client where the survivor has none becomes the
  survivor's; where the survivor has one, the survivor's role is kept, the duplicate's
  role's notes and tasks are linked to it, it takes the custom attribute values it lacks,
  and the duplicate's role goes with the duplicate.
- Custom attribute values: those of definitions the survivor has no value for.
- LinkedIn profile: when the survivor has none.

Everything else of the survivor (its names, other fields and lists) stays as it was. The
survivor's ``modifiedAt`` and ``version`` move (a new ETag); each candidate gets a ``merged``
history entry (the duplicate's is its last) naming both ids, the survivor's also what moved;
one ``candidate.merged`` event is emitted for the survivor. Clients where a moved or dropped
role is shown are touched (their view lists their contacts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import NOT_FOUND, TOO_BIG, ApiError, ErrorItem, ValidationFailed
from talentbase.api.schemas import ErrorBody, StrictInput
from talentbase.attachments import repository as attachments
from talentbase.candidates import etags, repository, view
from talentbase.candidates.models import Candidate
from talentbase.candidates.schemas import MAX_LIST_ITEMS, RefId
from talentbase.candidates.service import (
    CandidateAnswer,
    candidate_not_found,
    social_media_key,
)
from talentbase.client_contacts import repository as client_contacts
from talentbase.companies import repository as companies
from talentbase.custom_attributes import repository as custom_attributes
from talentbase.db.types import after, utcnow
from talentbase.history import context as write_context
from talentbase.history import fields as history_fields
from talentbase.history import service as history
from talentbase.linkedin import repository as linkedin
from talentbase.notes import repository as notes
from talentbase.placements import repository as placements
from talentbase.tasks import repository as tasks
from talentbase.work_history import repository as work_history
from talentbase.work_history.models import Education, WorkExperience

CANDIDATE = "candidate"
CLIENT_CONTACT = "clientContact"
MOVED = "moved"
# 400 code: ``duplicateId`` is the candidate of the path
SAME_CANDIDATE = "SAME_CANDIDATE"


class MergeBody(StrictInput):
    """``POST /candidates/{id}/merge``: the candidate to merge into the one of the path."""

    duplicate_id: RefId = Field(
        description="Id of the duplicate: its records move to the candidate of the path, "
        "then it is deleted"
    )


class MergedNotFoundBody(ErrorBody):
    """The 404 body; ``mergedInto`` is present when the id named a candidate that was merged
    into another: the survivor's id."""

    merged_into: str | None = None


NOT_FOUND_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {
        "model": MergedNotFoundBody,
        "description": "Unknown id (or an id of another workspace); for a candidate merged "
        "into another, `mergedInto` names the survivor",
    }
}
CONFLICT_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ErrorBody,
        "description": f"A merged list (emails, phone numbers, social media) would hold more "
        f"than {MAX_LIST_ITEMS} items; nothing was changed",
    }
}


def _email_key(item: dict[str, Any]) -> str:
    return str(item["email"]).casefold()


def _phone_key(item: dict[str, Any]) -> str:
    # items written before E.164 was kept compare by the number as written
    return str(item.get("e164") or item["phoneNumber"])


def _url_key(item: dict[str, Any]) -> str:
    return social_media_key(str(item["url"]))


_LISTS: tuple[tuple[str, str, Callable[[dict[str, Any]], str]], ...] = (
    ("emails", "emails", _email_key),
    ("phone_numbers", "phoneNumbers", _phone_key),
    ("social_media", "socialMedia", _url_key),
)


def merged_list(
    own: list[dict[str, Any]], other: list[dict[str, Any]], key: Callable[[dict[str, Any]], str]
) -> list[dict[str, Any]]:
    """``own`` followed by the items of ``other`` it lacks (by ``key``). The items of
    ``other`` join as non-primary when ``own`` has items (its primary stays); into an empty
    list they come as they are, with their own primary."""
    held = {key(item) for item in own}
    joining = [item for item in other if key(item) not in held]
    if own:
        joining = [{**item, "isPrimary": False} for item in joining]
    return [*own, *joining]


async def merge_candidates(
    session: AsyncSession,
    workspace_id: str,
    survivor_id: str,
    duplicate_id: str,
    *,
    if_match: str | None = None,
) -> CandidateAnswer:
    """Merges candidate ``duplicate_id`` into ``survivor_id`` (module docstring) and answers
    the survivor's CandidateView with its new ETag.

    Raises ``NotFound`` (404, with ``mergedInto`` for a merged id) for the survivor;
    ``ValidationFailed`` (400) with ``NOT_FOUND`` at ``duplicateId`` for an unknown duplicate,
    ``SAME_CANDIDATE`` there when it is the survivor itself, and ``NOT_FOUND`` at
    ``x-on-behalf-of``; ``PreconditionFailed`` (412) when ``If-Match`` does not match the
    survivor, checked under its row lock; ``ApiError`` (409) when a merged list would exceed
    its limit. Nothing is written on failure.
    """
    survivor = await repository.get(session, workspace_id, survivor_id)
    if survivor is None:
        raise await candidate_not_found(session, workspace_id, survivor_id)
    if duplicate_id == survivor_id:
        raise ValidationFailed(
            [
                ErrorItem(
                    SAME_CANDIDATE,
                    "duplicateId",
                    "A candidate cannot be merged into itself",
                    duplicate_id,
                )
            ]
        )
    if await repository.get(session, workspace_id, duplicate_id) is None:
        raise await _duplicate_not_found(session, workspace_id, duplicate_id)
    # lock order: clients (the duplicate's roles move or go), then both candidates
    company_ids = await client_contacts.company_ids_of(session, workspace_id, duplicate_id)
    locked_companies = await companies.lock(session, workspace_id, company_ids)
    locked = await tasks.candidates_by_ids(
        session, workspace_id, [survivor_id, duplicate_id], for_update=True
    )
    if survivor_id not in locked:  # deleted or merged away meanwhile
        raise await candidate_not_found(session, workspace_id, survivor_id)
    if duplicate_id not in locked:
        raise await _duplicate_not_found(session, workspace_id, duplicate_id)
    survivor, duplicate = locked[survivor_id], locked[duplicate_id]
    etags.check_if_match(survivor, if_match)
    await write_context.acting_user(session, workspace_id)  # a 400 before anything moves

    lists = {
        column: merged_list(getattr(survivor, column), getattr(duplicate, column), key)
        for column, _, key in _LISTS
    }
    for column, name, _ in _LISTS:
        if len(lists[column]) > MAX_LIST_ITEMS:
            raise _too_many(name, len(lists[column]), duplicate_id)
    for column, merged in lists.items():
        if merged != getattr(survivor, column):
            setattr(survivor, column, merged)
    changes: dict[str, Any] = {
        "merge": {"survivorId": survivor_id, "duplicateId": duplicate_id},
        **history_fields.pending_changes(survivor),
    }
    changes.update(await _move_records(session, workspace_id, survivor, duplicate))

    duplicate_version, duplicate_at = duplicate.version + 1, after(duplicate.modified_at)
    await repository.delete_candidate(session, duplicate)
    await repository.mark_merged(session, workspace_id, duplicate_id, survivor_id)
    for company in locked_companies.values():
        await companies.touch(session, company)
    repository.advance(survivor)
    await history.record(
        session,
        workspace_id=workspace_id,
        candidate_id=duplicate_id,
        version=duplicate_version,
        at=duplicate_at,
        action=history.MERGED,
        changes={"merge": changes["merge"]},
        emit_event=False,
    )
    await history.record(
        session,
        workspace_id=workspace_id,
        candidate_id=survivor_id,
        version=survivor.version,
        at=survivor.modified_at,
        action=history.MERGED,
        changes=changes,
        event_data={"survivorId": survivor_id, "mergedIds": [duplicate_id]},
    )
    await session.flush()
    view_json = await view.build_view(session, workspace_id, survivor)
    return CandidateAnswer(view_json, etags.of(survivor))


async def _move_records(
    session: AsyncSession, workspace_id: str, survivor: Candidate, duplicate: Candidate
) -> dict[str, Any]:
    """Moves the duplicate's records to the survivor; what moved, as history ``changes``
    (only the kinds of which something moved)."""
    moved: dict[str, Any] = {}

    def record(key: str, ids: list[str]) -> None:
        if ids:
            moved[key] = {"ids": ids, "action": MOVED}

    source, target = duplicate.id, survivor.id
    record("note", await notes.move_links(session, workspace_id, CANDIDATE, source, target))
    record("task", await tasks.move_links(session, workspace_id, CANDIDATE, source, target))
    placed = await placements.of_candidate(session, workspace_id, duplicate.id)
    for placement in placed:
        placement.candidate_id = survivor.id
        placement.modified_at = after(placement.modified_at)
    record("placement", [placement.id for placement in placed])
    record(
        "workExperiences",
        await work_history.move_to_candidate(session, WorkExperience, workspace_id, source, target),
    )
    record(
        "education",
        await work_history.move_to_candidate(session, Education, workspace_id, source, target),
    )
    record("attachment", await _move_attachments(session, workspace_id, survivor, duplicate))
    roles = await _move_roles(session, workspace_id, survivor, duplicate)
    if roles:
        moved["clientContact"] = roles
    values = await custom_attributes.move_values(session, workspace_id, CANDIDATE, source, target)
    if values:
        moved["customAttributes"] = {
            "before": dict.fromkeys(value.definition_id for value in values),
            "after": {value.definition_id: value.value for value in values},
        }
    if await linkedin.move(session, workspace_id, source, target):
        moved["linkedInProfile"] = {"action": MOVED}
    await session.flush()
    return moved


async def _move_attachments(
    session: AsyncSession, workspace_id: str, survivor: Candidate, duplicate: Candidate
) -> list[str]:
    """Assigns the duplicate's files to the survivor after its own, in their order; when a CV
    joins and the survivor has a CV, the survivor's current CV is assigned again last, so it
    stays current. The moved ids."""
    own = await attachments.of_candidate(session, workspace_id, survivor.id)
    joining = await attachments.of_candidate(session, workspace_id, duplicate.id)
    if not joining:
        return []
    current_cv = next(
        (attachment for attachment in reversed(own) if attachment.type == attachments.CV), None
    )
    previous = max(
        (attachment.assigned_at or attachment.created_at for attachment in own), default=None
    )
    cv_joins = any(attachment.type == attachments.CV for attachment in joining)
    again = [current_cv] if current_cv is not None and cv_joins else []
    # each assignment strictly after the last, so the latest is never a tie
    for attachment in [*joining, *again]:
        attachment.candidate_id = survivor.id
        attachment.assigned_at = previous = after(previous) if previous is not None else utcnow()
    await session.flush()
    return [attachment.id for attachment in joining]


async def _move_roles(
    session: AsyncSession, workspace_id: str, survivor: Candidate, duplicate: Candidate
) -> dict[str, Any]:
    """Moves the duplicate's client-contact roles at clients where the survivor has none;
    at the others the survivor's role stays and takes the duplicate role's note and task
    links and the custom attribute values it lacks (the rest goes with the duplicate).
    ``{ids, action, keptIds}`` for the history, or ``{}``."""
    kept = {
        role.company_id: role
        for role in await client_contacts.of_candidate(session, workspace_id, survivor.id)
    }
    moved_ids: list[str] = []
    kept_ids: list[str] = []
    for role in await client_contacts.of_candidate(session, workspace_id, duplicate.id):
        survivor_role = kept.get(role.company_id)
        if survivor_role is None:
            role.candidate_id = survivor.id
            role.modified_at = after(role.modified_at)
            moved_ids.append(role.id)
            continue
        await notes.move_links(session, workspace_id, CLIENT_CONTACT, role.id, survivor_role.id)
        await tasks.move_links(session, workspace_id, CLIENT_CONTACT, role.id, survivor_role.id)
        await custom_attributes.move_values(
            session, workspace_id, CLIENT_CONTACT, role.id, survivor_role.id
        )
        await custom_attributes.delete_values_of(session, workspace_id, CLIENT_CONTACT, role.id)
        survivor_role.modified_at = after(survivor_role.modified_at)
        kept_ids.append(survivor_role.id)
    await session.flush()
    if not moved_ids and not kept_ids:
        return {}
    return {"ids": moved_ids, "action": MOVED, "keptIds": kept_ids}


async def _duplicate_not_found(
    session: AsyncSession, workspace_id: str, duplicate_id: str
) -> ValidationFailed:
    """400 ``NOT_FOUND`` at ``duplicateId``; the message names the survivor of a candidate
    merged already."""
    survivor_id = await repository.merged_into(session, workspace_id, duplicate_id)
    message = (
        f"No candidate {duplicate_id[:200]} in this workspace"
        if survivor_id is None
        else f"Candidate {duplicate_id} was merged into candidate {survivor_id} already"
    )
    return ValidationFailed([ErrorItem(NOT_FOUND, "duplicateId", message, duplicate_id)])


def _too_many(name: str, count: int, duplicate_id: str) -> ApiError:
    message = (
        f"Merged, {name} would hold {count} items; at most {MAX_LIST_ITEMS} are allowed. "
        f"Nothing was changed: remove some from either candidate, then merge"
    )
    return ApiError(409, message, [ErrorItem(TOO_BIG, "duplicateId", message, duplicate_id)])
