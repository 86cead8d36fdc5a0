"""Rules for placements: references, the date order, and keeping the candidate's view in sync.

Every create, change and delete of a placement touches its candidate
(``candidates.repository.touch``): ``currentPlacements`` may have changed, so a sync by
``modifiedSince`` must see the candidate again. The candidate's row is locked before the
placement's, the order a candidate delete (which cascades to placements) takes them in, so the
two do not deadlock each other on PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import NOT_FOUND, TOO_SMALL, ApiError, ErrorItem, NotFound
from talentbase.api.pagination import PageQuery
from talentbase.candidates import repository as candidates
from talentbase.db.types import after, utcnow
from talentbase.placements import repository
from talentbase.placements.models import Placement
from talentbase.placements.repository import Parties, PlacementFilters
from talentbase.placements.schemas import PlacementCreate, PlacementPatch
from talentbase.users import repository as users
from talentbase.views import iso

# Spott's message for the rule (placements-lists.txt, "Update a placement")
END_BEFORE_START = "End date must be after start date"


def _fail(errors: list[ErrorItem]) -> None:
    """Raises a 400 naming every error. Alone, the date order failure carries Spott's message
    as the answer's message too."""
    if not errors:
        return
    only_dates = all(error.message == END_BEFORE_START for error in errors)
    raise ApiError(400, END_BEFORE_START if only_dates else "Validation failed", errors)


def _check_dates(
    start: datetime | None,
    end: datetime | None,
    errors: list[ErrorItem],
    at: str = "endDate",
) -> None:
    """``endDate`` strictly after ``startDate`` when both are set; the error is reported at
    ``at`` (``endDate`` or ``startDate``: the field the client sent) with that field's value."""
    if start is not None and end is not None and end <= start:
        received = start if at == "startDate" else end
        errors.append(ErrorItem(TOO_SMALL, at, END_BEFORE_START, iso(received)))


def _missing(path: str, what: str, id_: str) -> ErrorItem:
    return ErrorItem(NOT_FOUND, path, f"No {what} {id_} in this workspace", id_)


async def create_placement(
    session: AsyncSession, workspace_id: str, body: PlacementCreate
) -> dict[str, Any]:
    """Creates a placement and returns it as ``GET /placements/{id}`` shows it. 400
    ``NOT_FOUND`` at ``candidateId`` / ``companyId`` / ``placedByUserId`` for ids not of the
    workspace; 400 at ``endDate`` when it is not after ``startDate``."""
    errors: list[ErrorItem] = []
    candidate = await candidates.get(session, workspace_id, body.candidate_id, for_update=True)
    if candidate is None:
        errors.append(_missing("candidateId", "candidate", body.candidate_id))
    if not await repository.companies_by_ids(session, workspace_id, [body.company_id]):
        errors.append(_missing("companyId", "company", body.company_id))
    user_id = body.placed_by_user_id
    if user_id is not None and not await users.get(session, workspace_id, user_id):
        errors.append(_missing("placedByUserId", "user", user_id))
    _check_dates(body.start_date, body.end_date, errors)
    _fail(errors)
    now = utcnow()
    placement = Placement(
        workspace_id=workspace_id,
        candidate_id=body.candidate_id,
        company_id=body.company_id,
        vacancy_name=body.vacancy_name,
        placed_by_user_id=user_id,
        placed_at=body.placed_at_date or now,
        start_date=body.start_date,
        end_date=body.end_date,
        created_at=now,
        modified_at=now,
    )
    repository.add(session, placement)
    await session.flush()
    await candidates.touch(
        session,
        workspace_id,
        [placement.candidate_id],
        {"placement": {"id": placement.id, "action": "created"}},
    )
    return await _one(session, workspace_id, placement)


async def get_placement(
    session: AsyncSession, workspace_id: str, placement_id: str
) -> dict[str, Any]:
    """The placement; ``NotFound`` (404) when the id is not one of the workspace."""
    placement = await repository.get(session, workspace_id, placement_id)
    if placement is None:
        raise NotFound("Placement", placement_id)
    return await _one(session, workspace_id, placement)


async def list_placements(
    session: AsyncSession, workspace_id: str, filters: PlacementFilters, query: PageQuery
) -> dict[str, Any]:
    """``{items, pagination}``: one page of placements in ``(modifiedAt, id)`` order."""
    page = await repository.list_page(session, workspace_id, filters, query)
    found = await repository.parties(session, workspace_id, page.rows)
    return {
        "items": [placement_json(placement, found) for placement in page.rows],
        "pagination": page.pagination(),
    }


async def _locked(session: AsyncSession, workspace_id: str, placement_id: str) -> Placement:
    """The placement, its candidate's row locked first and then its own (the lock order of
    every candidate write); ``NotFound`` when it does not exist (or vanished meanwhile)."""
    placement = await repository.get(session, workspace_id, placement_id)
    if placement is None:
        raise NotFound("Placement", placement_id)
    await candidates.get(session, workspace_id, placement.candidate_id, for_update=True)
    locked = await repository.get(session, workspace_id, placement_id, for_update=True)
    if locked is None:
        raise NotFound("Placement", placement_id)
    return locked


async def update_placement(
    session: AsyncSession, workspace_id: str, placement_id: str, body: PlacementPatch
) -> dict[str, Any]:
    """Applies the keys present in ``body``; absent keys are left unchanged and ``null`` clears
    a nullable one. The date order rule applies to the merged result (400 at ``startDate``
    when only the start was sent, else at ``endDate``); a ``placedByUserId`` not of the
    workspace → 400 ``NOT_FOUND``. ``modifiedAt`` moves, and the
    candidate is touched, only when a value really changes."""
    placement = await _locked(session, workspace_id, placement_id)
    sent = body.model_fields_set
    values: dict[str, Any] = {
        column: getattr(body, field)
        for field, column in (
            ("placed_by_user_id", "placed_by_user_id"),
            ("placed_at_date", "placed_at"),
            ("start_date", "start_date"),
            ("end_date", "end_date"),
            ("vacancy_name", "vacancy_name"),
        )
        if field in sent
    }
    errors: list[ErrorItem] = []
    user_id = values.get("placed_by_user_id")
    if user_id is not None and not await users.get(session, workspace_id, user_id):
        errors.append(_missing("placedByUserId", "user", user_id))
    _check_dates(
        values.get("start_date", placement.start_date),
        values.get("end_date", placement.end_date),
        errors,
        "startDate" if "start_date" in sent and "end_date" not in sent else "endDate",
    )
    _fail(errors)
    changed = {
        column: value for column, value in values.items() if getattr(placement, column) != value
    }
    if changed:
        for column, value in changed.items():
            setattr(placement, column, value)
        placement.modified_at = after(placement.modified_at)
        await session.flush()
        await candidates.touch(
            session,
            workspace_id,
            [placement.candidate_id],
            {"placement": {"id": placement.id, "action": "updated"}},
        )
    return await _one(session, workspace_id, placement)


async def delete_placement(session: AsyncSession, workspace_id: str, placement_id: str) -> None:
    """Deletes the placement and touches its candidate; ``NotFound`` (404) when unknown."""
    placement = await _locked(session, workspace_id, placement_id)
    candidate_id = placement.candidate_id
    await repository.delete_placement(session, placement)
    await candidates.touch(
        session,
        workspace_id,
        [candidate_id],
        {"placement": {"id": placement.id, "action": "deleted"}},
    )


async def _one(session: AsyncSession, workspace_id: str, placement: Placement) -> dict[str, Any]:
    found = await repository.parties(session, workspace_id, [placement])
    return placement_json(placement, found)


def placement_json(placement: Placement, found: Parties) -> dict[str, Any]:
    """A placement in Spott's list-item shape (``schemas.PlacementDetail``): the placing user,
    the candidate and the company as they are now, the vacancy by name."""
    user = found.users.get(placement.placed_by_user_id) if placement.placed_by_user_id else None
    candidate = found.candidates[placement.candidate_id]
    company = found.companies[placement.company_id]
    return {
        "id": placement.id,
        "placedByUser": {
            "id": user.id,
            "name": user.name,
            "avatarUrl": user.avatar_url,
            "deactivatedAt": iso(user.deactivated_at),
        }
        if user is not None
        else None,
        "placedAt": iso(placement.placed_at),
        "startDate": iso(placement.start_date),
        "endDate": iso(placement.end_date),
        "candidate": {
            "id": candidate.id,
            "firstName": candidate.first_name,
            "lastName": candidate.last_name,
            "middleName": candidate.middle_name,
            "secondLastName": candidate.second_last_name,
            "avatarUrl": candidate.avatar_url,
        },
        "company": {"id": company.id, "name": company.name, "logoCdnUrl": company.logo_url},
        "vacancy": {"id": None, "name": placement.vacancy_name}
        if placement.vacancy_name is not None
        else None,
        "createdAt": iso(placement.created_at),
        "modifiedAt": iso(placement.modified_at),
    }
