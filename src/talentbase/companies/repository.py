"""SQL for companies (clients). Every query filters by workspace (API.md §1)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.pagination import CursorPage, CursorQuery, cursor_page
from talentbase.client_contacts.models import ClientContact
from talentbase.companies.models import Company
from talentbase.db.base import is_id
from talentbase.db.types import after
from talentbase.placements.models import Placement
from talentbase.tasks.models import Task, TaskLink
from talentbase.work_history.models import WorkExperience

# the entity type of a task link to a client (Spott `links[].entityType`)
CLIENT = "client"


async def existing_ids(session: AsyncSession, workspace_id: str, ids: Iterable[str]) -> set[str]:
    """The subset of ``ids`` that are companies of the workspace."""
    wanted = {id_ for id_ in ids if is_id(id_)}
    if not wanted:
        return set()
    rows = await session.scalars(
        select(Company.id).where(Company.workspace_id == workspace_id, Company.id.in_(wanted))
    )
    return set(rows)


async def get(
    session: AsyncSession, workspace_id: str, company_id: str, *, for_update: bool = False
) -> Company | None:
    """The company of the workspace with this id. ``for_update`` locks the row (PostgreSQL)
    and re-reads it, so values loaded before the lock are refreshed."""
    if not is_id(company_id):
        return None
    query = select(Company).where(Company.workspace_id == workspace_id, Company.id == company_id)
    if for_update:
        query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
    result: Company | None = await session.scalar(query)
    return result


def add(session: AsyncSession, company: Company) -> None:
    """Stages a new company for insertion."""
    session.add(company)


async def list_page(
    session: AsyncSession, workspace_id: str, query: CursorQuery
) -> CursorPage[Company]:
    """One page of the workspace's companies in ``(modifiedAt, id)`` order (oldest first)."""
    return await cursor_page(
        session,
        select(Company).where(Company.workspace_id == workspace_id),
        Company.modified_at,
        Company.id,
        query,
    )


async def lock(
    session: AsyncSession, workspace_id: str, company_ids: Iterable[str]
) -> dict[str, Company]:
    """Locks these companies of the workspace (PostgreSQL; in id order, so two requests
    locking overlapping sets never deadlock) and re-reads them, by id."""
    ids = sorted({company_id for company_id in company_ids if is_id(company_id)})
    if not ids:
        return {}
    rows = await session.scalars(
        select(Company)
        .where(Company.workspace_id == workspace_id, Company.id.in_(ids))
        .order_by(Company.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return {company.id: company for company in rows}


async def touch(session: AsyncSession, company: Company) -> None:
    """Moves the company's ``modifiedAt`` forward: a record its view shows (a contact, a task)
    changed. The caller holds the row lock (``get(..., for_update=True)`` or ``lock``)."""
    company.modified_at = after(company.modified_at)
    await session.flush()


async def candidates_showing(session: AsyncSession, workspace_id: str, company_id: str) -> set[str]:
    """Candidates whose view can show this company's name and logo: those with a placement,
    a work experience or a client-contact role at it (one query). It is a superset of the views
    that show it today (an ended placement is not shown): touching a few more candidates than
    needed costs a resync, missing one would hide a change."""
    rows = await session.scalars(
        union(
            select(Placement.candidate_id).where(
                Placement.workspace_id == workspace_id, Placement.company_id == company_id
            ),
            select(WorkExperience.candidate_id).where(
                WorkExperience.workspace_id == workspace_id,
                WorkExperience.company_id == company_id,
            ),
            select(ClientContact.candidate_id).where(
                ClientContact.workspace_id == workspace_id, ClientContact.company_id == company_id
            ),
        )
    )
    return set(rows)


async def next_tasks_due(
    session: AsyncSession, workspace_id: str, company_ids: Sequence[str]
) -> dict[str, Task]:
    """Each company's open task with the earliest due date among the tasks linked to it (ties
    by task id), one query."""
    if not company_ids:
        return {}
    rows = await session.execute(
        select(TaskLink.entity_id, Task)
        .join(Task, Task.id == TaskLink.task_id)
        .where(
            TaskLink.workspace_id == workspace_id,
            TaskLink.entity_type == CLIENT,
            TaskLink.entity_id.in_(company_ids),
            Task.completed_at.is_(None),
            Task.due_date.is_not(None),
        )
        .order_by(Task.due_date, Task.id)
    )
    result: dict[str, Task] = {}
    for company_id, task in rows:
        result.setdefault(company_id, task)
    return result
