"""SQL for work experience and education. Every query filters by workspace (API.md §1)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TypeVar

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.companies.models import Company
from talentbase.db.base import is_id
from talentbase.work_history.models import Education, WorkExperience

Record = TypeVar("Record", Education, WorkExperience)


# built once: every view of a candidate with work experience runs it, and building it cost a
# third as much as running it (bench/README.md)
_EXPERIENCES_FOR_CANDIDATES = (
    select(WorkExperience, Company)
    .outerjoin(Company, Company.id == WorkExperience.company_id)
    .where(
        WorkExperience.workspace_id == bindparam("workspace_id"),
        WorkExperience.candidate_id.in_(bindparam("candidate_ids", expanding=True)),
    )
)


async def experiences_for_candidates(
    session: AsyncSession, workspace_id: str, candidate_ids: Sequence[str]
) -> dict[str, list[tuple[WorkExperience, Company | None]]]:
    """Each candidate's work experiences with their company (one query)."""
    if not candidate_ids:
        return {}
    rows = await session.execute(
        _EXPERIENCES_FOR_CANDIDATES,
        {"workspace_id": workspace_id, "candidate_ids": list(candidate_ids)},
    )
    result: dict[str, list[tuple[WorkExperience, Company | None]]] = defaultdict(list)
    for experience, company in rows:
        result[experience.candidate_id].append((experience, company))
    return result


async def of_candidate(
    session: AsyncSession, model: type[Record], workspace_id: str, candidate_id: str
) -> list[tuple[Record, Company | None]]:
    """The candidate's records of one kind with their company (one query, unordered)."""
    rows = await session.execute(
        select(model, Company)
        .outerjoin(Company, Company.id == model.company_id)
        .where(model.workspace_id == workspace_id, model.candidate_id == candidate_id)
    )
    return [(record, company) for record, company in rows]


async def count_of_candidate(
    session: AsyncSession, model: type[Record], workspace_id: str, candidate_id: str
) -> int:
    """How many records of one kind the candidate has."""
    count = await session.scalar(
        select(func.count())
        .select_from(model)
        .where(model.workspace_id == workspace_id, model.candidate_id == candidate_id)
    )
    return int(count or 0)


async def get(
    session: AsyncSession,
    model: type[Record],
    workspace_id: str,
    candidate_id: str,
    record_id: str,
) -> Record | None:
    """The candidate's record of one kind with this id (None for anyone else's)."""
    if not is_id(record_id):
        return None
    result: Record | None = await session.scalar(
        select(model).where(
            model.workspace_id == workspace_id,
            model.candidate_id == candidate_id,
            model.id == record_id,
        )
    )
    return result


async def company(session: AsyncSession, workspace_id: str, company_id: str) -> Company | None:
    """The company of the workspace with this id."""
    result: Company | None = await session.scalar(
        select(Company).where(Company.workspace_id == workspace_id, Company.id == company_id)
    )
    return result


async def delete_records(
    session: AsyncSession, model: type[Record], workspace_id: str, record_ids: Iterable[str]
) -> None:
    """Deletes the records of one kind with these ids."""
    ids = list(record_ids)
    if ids:
        await session.execute(
            delete(model).where(model.workspace_id == workspace_id, model.id.in_(ids))
        )


def add_all(session: AsyncSession, rows: Sequence[WorkExperience | Education]) -> None:
    """Stages new work experience and education rows."""
    session.add_all(rows)


async def move_to_candidate(
    session: AsyncSession, model: type[Record], workspace_id: str, from_id: str, to_id: str
) -> list[str]:
    """Gives candidate ``from_id``'s records of one kind to ``to_id``; their ids, in order."""
    ids = sorted(
        await session.scalars(
            select(model.id).where(
                model.workspace_id == workspace_id, model.candidate_id == from_id
            )
        )
    )
    if ids:
        await session.execute(
            update(model)
            .where(model.workspace_id == workspace_id, model.id.in_(ids))
            .values(candidate_id=to_id)
            .execution_options(synchronize_session=False)
        )
    return ids
