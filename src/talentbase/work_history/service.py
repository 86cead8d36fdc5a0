"""Rules of the work history routes: a candidate's education and work experiences, read, added,
replaced and deleted one kind at a time.

Items follow the rules of POST /candidates (API.md §2.2; ``candidates.service``
``check_history_items``, ``education_values``, ``work_experience_values``): a company must be
the workspace's, the end not before the start. Lists come most recent first
(``work_history.ordering``). Every change touches the candidate, whose ``latestWorkExperience``
derives from these records; a replacement that changes nothing does not. A failed request
writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic

from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import (
    DUPLICATE,
    NOT_FOUND,
    TOO_BIG,
    ErrorItem,
    NotFound,
    ValidationFailed,
)
from talentbase.candidates import repository as candidates
from talentbase.candidates.models import Candidate
from talentbase.candidates.schemas import EducationIn, WorkExperienceIn
from talentbase.candidates.service import (
    check_history_items,
    education_values,
    work_experience_values,
)
from talentbase.companies.models import Company
from talentbase.work_history import repository
from talentbase.work_history.models import Education, WorkExperience
from talentbase.work_history.ordering import most_recent_first
from talentbase.work_history.repository import Record
from talentbase.work_history.schemas import (
    MAX_RECORDS,
    EducationReplacement,
    WorkExperienceReplacement,
)
from talentbase.work_history.view import education_json, experience_json


@dataclass(frozen=True)
class Kind(Generic[Record]):
    """One kind of work history record and how the API names, stores and shows it."""

    model: type[Record]
    field: str
    """The body key of its list (in POST /candidates and the replacing PUT)."""
    what: str
    values: Callable[[Any], dict[str, Any]]
    render: Callable[[Record, Company | None], dict[str, Any]]


EDUCATION = Kind(Education, "education", "education record", education_values, education_json)
WORK_EXPERIENCES = Kind(
    WorkExperience, "workExperiences", "work experience", work_experience_values, experience_json
)

_Replacement = EducationReplacement | WorkExperienceReplacement


async def _candidate(
    session: AsyncSession, workspace_id: str, candidate_id: str, *, for_update: bool = False
) -> Candidate:
    candidate = await candidates.get(session, workspace_id, candidate_id, for_update=for_update)
    if candidate is None:
        raise NotFound("Candidate", candidate_id)
    return candidate


def _record(row: tuple[Record, Company | None]) -> Record:
    return row[0]


async def _listing(
    session: AsyncSession, workspace_id: str, candidate_id: str, kind: Kind[Record]
) -> list[dict[str, Any]]:
    rows = await repository.of_candidate(session, kind.model, workspace_id, candidate_id)
    return [kind.render(record, company) for record, company in most_recent_first(rows, _record)]


async def list_records(
    session: AsyncSession, workspace_id: str, candidate_id: str, kind: Kind[Record]
) -> list[dict[str, Any]]:
    """The candidate's records of ``kind``, most recent first (a bare list, as Spott's
    ``GET /candidates/{id}/education``). ``NotFound`` for a candidate not of the workspace."""
    await _candidate(session, workspace_id, candidate_id)
    return await _listing(session, workspace_id, candidate_id, kind)


async def add_record(
    session: AsyncSession,
    workspace_id: str,
    candidate_id: str,
    kind: Kind[Record],
    item: EducationIn | WorkExperienceIn,
) -> dict[str, Any]:
    """Adds one record and returns it as the list shows it. Raises ``NotFound`` (404) and
    ``ValidationFailed`` (400: a bad company or dates, with paths ``companyId`` / ``endDate``;
    ``TOO_BIG`` when the candidate already holds ``MAX_RECORDS`` of the kind)."""
    await _candidate(session, workspace_id, candidate_id, for_update=True)
    errors = await check_history_items(session, workspace_id, [("", item)])
    held = await repository.count_of_candidate(session, kind.model, workspace_id, candidate_id)
    if held >= MAX_RECORDS:
        errors.append(
            ErrorItem(TOO_BIG, "", f"A candidate holds at most {MAX_RECORDS} of these records")
        )
    if errors:
        raise ValidationFailed(errors)
    record = kind.model(workspace_id=workspace_id, candidate_id=candidate_id, **kind.values(item))
    repository.add_all(session, [record])
    await session.flush()
    await candidates.touch(
        session, workspace_id, [candidate_id], {kind.field: {"id": record.id, "action": "created"}}
    )
    company = (
        await repository.company(session, workspace_id, record.company_id)
        if record.company_id
        else None
    )
    return kind.render(record, company)


def _reference_errors(
    items: Sequence[_Replacement], stored: dict[str, Any], field: str, what: str
) -> list[ErrorItem]:
    """An ``id`` in a replacement must name one of the candidate's records, once."""
    errors: list[ErrorItem] = []
    first_use: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.id is None:
            continue
        path = f"{field}.{index}.id"
        if item.id in first_use:
            errors.append(ErrorItem(DUPLICATE, path, f"Same id as item {first_use[item.id]}"))
        elif item.id not in stored:
            errors.append(
                ErrorItem(NOT_FOUND, path, f"No {what} {item.id} of this candidate", item.id)
            )
        first_use.setdefault(item.id, index)
    return errors


def _same(record: Any, values: dict[str, Any]) -> bool:
    return all(getattr(record, column) == value for column, value in values.items())


async def replace_records(
    session: AsyncSession,
    workspace_id: str,
    candidate_id: str,
    kind: Kind[Record],
    items: Sequence[_Replacement],
) -> list[dict[str, Any]]:
    """Replaces the candidate's records of ``kind`` with ``items`` and returns the new list.

    An item with an ``id`` updates that record; one without takes over a stored record with
    exactly its values (so re-sending the list the GET answered, without ids, changes nothing
    and keeps the ids), else it is new; stored records not taken are deleted. Raises
    ``NotFound`` (404) and ``ValidationFailed`` (400, paths like ``education.0.companyId``;
    an unknown or repeated ``id`` is ``NOT_FOUND`` / ``DUPLICATE`` at ``education.0.id``).
    """
    await _candidate(session, workspace_id, candidate_id, for_update=True)
    errors = await check_history_items(
        session, workspace_id, [(f"{kind.field}.{index}", item) for index, item in enumerate(items)]
    )
    rows = await repository.of_candidate(session, kind.model, workspace_id, candidate_id)
    stored = {record.id: record for record, _ in rows}
    errors.extend(_reference_errors(items, stored, kind.field, kind.what))
    if errors:
        raise ValidationFailed(errors)

    named = {item.id for item in items if item.id}
    # id order, so which of two identical stored records is kept does not depend on the database
    free = [stored[record_id] for record_id in sorted(stored) if record_id not in named]
    kept: set[str] = set()
    added: list[Record] = []
    changed = False
    for item in items:
        values = kind.values(item)
        record = (
            stored[item.id]
            if item.id
            else next((entry for entry in free if _same(entry, values)), None)
        )
        if record is None:
            added.append(kind.model(workspace_id=workspace_id, candidate_id=candidate_id, **values))
            continue
        if record in free:
            free.remove(record)
        kept.add(record.id)
        for column, value in values.items():
            if getattr(record, column) != value:
                setattr(record, column, value)
                changed = True
    gone = [record_id for record_id in stored if record_id not in kept]
    if gone or added or changed:
        await repository.delete_records(session, kind.model, workspace_id, gone)
        repository.add_all(session, added)
        await session.flush()
        await candidates.touch(
            session, workspace_id, [candidate_id], {kind.field: {"action": "replaced"}}
        )
    return await _listing(session, workspace_id, candidate_id, kind)


async def delete_record(
    session: AsyncSession,
    workspace_id: str,
    candidate_id: str,
    kind: Kind[Record],
    record_id: str,
) -> None:
    """Deletes one record of the candidate. ``NotFound`` (404) for a candidate not of the
    workspace, or a record that is not this candidate's."""
    await _candidate(session, workspace_id, candidate_id, for_update=True)
    record = await repository.get(session, kind.model, workspace_id, candidate_id, record_id)
    if record is None:
        raise NotFound(kind.what.capitalize(), record_id)
    await repository.delete_records(session, kind.model, workspace_id, [record.id])
    await candidates.touch(
        session, workspace_id, [candidate_id], {kind.field: {"id": record.id, "action": "deleted"}}
    )
