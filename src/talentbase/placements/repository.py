"""SQL for placements. Every query filters by workspace (API.md §1)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from talentbase.api.pagination import Page, PageQuery, offset_page
from talentbase.candidates.models import Candidate
from talentbase.companies.models import Company
from talentbase.db.base import is_id
from talentbase.placements.models import Placement
from talentbase.users import repository as users
from talentbase.users.models import User


async def get(
    session: AsyncSession, workspace_id: str, placement_id: str, *, for_update: bool = False
) -> Placement | None:
    """The placement of the workspace with this id. ``for_update`` locks the row (PostgreSQL)
    and re-reads it, so values loaded before the lock are refreshed."""
    if not is_id(placement_id):
        return None
    query = select(Placement).where(
        Placement.workspace_id == workspace_id, Placement.id == placement_id
    )
    if for_update:
        query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
    result: Placement | None = await session.scalar(query)
    return result


def add(session: AsyncSession, placement: Placement) -> None:
    """Stages a new placement for insertion."""
    session.add(placement)


async def delete_placement(session: AsyncSession, placement: Placement) -> None:
    """Deletes the placement."""
    await session.execute(
        delete(Placement).where(
            Placement.workspace_id == placement.workspace_id, Placement.id == placement.id
        )
    )


@dataclass(frozen=True)
class PlacementFilters:
    """The filters of ``GET /placements``; None means "any". Date bounds are inclusive."""

    company_id: str | None = None
    candidate_id: str | None = None
    modified_since: datetime | None = None
    modified_until: datetime | None = None


async def list_page(
    session: AsyncSession, workspace_id: str, filters: PlacementFilters, query: PageQuery
) -> Page[Placement]:
    """One page of the workspace's placements matching ``filters``, in ``(modifiedAt, id)``
    order. An id filter that is not an id matches nothing."""
    conditions: list[ColumnElement[bool]] = [Placement.workspace_id == workspace_id]
    for column, wanted in (
        (Placement.company_id, filters.company_id),
        (Placement.candidate_id, filters.candidate_id),
    ):
        if wanted is not None:
            conditions.append(column == wanted if is_id(wanted) else false())
    if filters.modified_since is not None:
        conditions.append(Placement.modified_at >= filters.modified_since)
    if filters.modified_until is not None:
        conditions.append(Placement.modified_at <= filters.modified_until)
    return await offset_page(
        session,
        select(Placement).where(*conditions),
        [Placement.modified_at, Placement.id],
        query,
    )


@dataclass(frozen=True)
class Parties:
    """The candidates, companies and users a batch of placements names, by id."""

    candidates: dict[str, Candidate]
    companies: dict[str, Company]
    users: dict[str, User]


async def parties(
    session: AsyncSession, workspace_id: str, placements: Sequence[Placement]
) -> Parties:
    """Loads what the answers for ``placements`` show: three queries for any number of
    placements (none when the batch is empty)."""
    if not placements:
        return Parties({}, {}, {})
    candidate_ids = {placement.candidate_id for placement in placements}
    company_ids = {placement.company_id for placement in placements}
    candidates = await session.scalars(
        select(Candidate)
        .options(
            load_only(
                Candidate.first_name,
                Candidate.last_name,
                Candidate.middle_name,
                Candidate.second_last_name,
                Candidate.avatar_url,
            )
        )
        .where(Candidate.workspace_id == workspace_id, Candidate.id.in_(candidate_ids))
    )
    companies = await companies_by_ids(session, workspace_id, company_ids)
    user_ids = {p.placed_by_user_id for p in placements if p.placed_by_user_id is not None}
    return Parties(
        {candidate.id: candidate for candidate in candidates},
        companies,
        await users.by_ids(session, workspace_id, user_ids),
    )


async def companies_by_ids(
    session: AsyncSession, workspace_id: str, ids: Iterable[str]
) -> dict[str, Company]:
    """Companies of the workspace among ``ids``, by id (one query)."""
    wanted = {id_ for id_ in ids if is_id(id_)}
    if not wanted:
        return {}
    rows = await session.scalars(
        select(Company).where(Company.workspace_id == workspace_id, Company.id.in_(wanted))
    )
    return {company.id: company for company in rows}


async def current_for_candidates(
    session: AsyncSession, workspace_id: str, candidate_ids: Sequence[str], now: datetime
) -> dict[str, list[tuple[Placement, Company]]]:
    """Placements running at ``now`` with their company, per candidate, latest start first
    (ties by id). One query for any number of candidates.

    Running means started (``startDate <= now``) and not ended (``endDate`` null, or
    ``endDate >= now``). A placement without a ``startDate`` is not running: nothing says it
    has begun, and the view shows only what the records state."""
    if not candidate_ids:
        return {}
    rows = await session.execute(
        select(Placement, Company)
        .join(Company, Company.id == Placement.company_id)
        .where(
            Placement.workspace_id == workspace_id,
            Placement.candidate_id.in_(candidate_ids),
            # SQL: a NULL start_date fails this comparison, so undated placements drop out
            Placement.start_date <= now,
            or_(Placement.end_date.is_(None), Placement.end_date >= now),
        )
        .order_by(Placement.start_date.desc(), Placement.id)
    )
    result: dict[str, list[tuple[Placement, Company]]] = defaultdict(list)
    for placement, company in rows:
        result[placement.candidate_id].append((placement, company))
    return result


async def of_candidate(
    session: AsyncSession, workspace_id: str, candidate_id: str
) -> list[Placement]:
    """The candidate's placements in id order, locked (PostgreSQL) and re-read."""
    rows = await session.scalars(
        select(Placement)
        .where(Placement.workspace_id == workspace_id, Placement.candidate_id == candidate_id)
        .order_by(Placement.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return list(rows)
