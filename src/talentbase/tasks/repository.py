"""SQL for tasks, and for the records that tasks and notes link to. Every query filters by
workspace (API.md §1)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.pagination import CursorPage, CursorQuery, cursor_page
from talentbase.candidates.models import Candidate
from talentbase.client_contacts.models import ClientContact
from talentbase.companies.models import Company
from talentbase.db import links
from talentbase.db.base import is_id
from talentbase.db.types import after
from talentbase.tasks.models import Task, TaskLink

CANDIDATE = "candidate"
CLIENT_CONTACT = "clientContact"


async def get(
    session: AsyncSession, workspace_id: str, task_id: str, *, for_update: bool = False
) -> Task | None:
    """The task of the workspace with this id. ``for_update`` locks the row (PostgreSQL) and
    re-reads it, so values loaded before the lock are refreshed."""
    if not is_id(task_id):
        return None
    query = select(Task).where(Task.workspace_id == workspace_id, Task.id == task_id)
    if for_update:
        query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
    result: Task | None = await session.scalar(query)
    return result


def add(session: AsyncSession, task: Task) -> None:
    """Stages a new task for insertion."""
    session.add(task)


def add_links(session: AsyncSession, links: Sequence[TaskLink]) -> None:
    """Stages new task links for insertion (after their task is flushed)."""
    session.add_all(links)


async def links_of(
    session: AsyncSession, workspace_id: str, task_ids: Sequence[str]
) -> dict[str, list[TaskLink]]:
    """Each task's links in the order they were sent (one query)."""
    if not task_ids:
        return {}
    rows = await session.scalars(
        select(TaskLink)
        .where(TaskLink.workspace_id == workspace_id, TaskLink.task_id.in_(task_ids))
        .order_by(TaskLink.task_id, TaskLink.position, TaskLink.id)
    )
    result: dict[str, list[TaskLink]] = defaultdict(list)
    for link in rows:
        result[link.task_id].append(link)
    return result


async def remove_links(session: AsyncSession, links: Sequence[TaskLink]) -> None:
    """Deletes these links (a PATCH that replaces a task's links)."""
    for link in links:
        await session.delete(link)


@dataclass(frozen=True)
class TaskFilters:
    """The filters of ``GET /tasks``; None means "any"."""

    candidate_id: str | None = None
    assigned_to_user_id: str | None = None
    is_completed: bool | None = None


async def list_page(
    session: AsyncSession, workspace_id: str, query: CursorQuery, filters: TaskFilters
) -> CursorPage[Task]:
    """One cursor page of the workspace's tasks in ``(modifiedAt, id)`` order, filtered."""
    conditions: list[ColumnElement[bool]] = [Task.workspace_id == workspace_id]
    if filters.candidate_id is not None:
        conditions.append(
            exists().where(
                TaskLink.task_id == Task.id,
                TaskLink.workspace_id == workspace_id,
                TaskLink.entity_type == CANDIDATE,
                TaskLink.entity_id == filters.candidate_id,
            )
        )
    if filters.assigned_to_user_id is not None:
        conditions.append(Task.assigned_to_user_id == filters.assigned_to_user_id)
    if filters.is_completed is not None:
        conditions.append(
            Task.completed_at.is_not(None) if filters.is_completed else Task.completed_at.is_(None)
        )
    return await cursor_page(
        session, select(Task).where(*conditions), Task.modified_at, Task.id, query
    )


@dataclass(frozen=True)
class NextTasks:
    """What a candidate's view shows of its open tasks: the earliest due (``nextTaskDue``)
    and the earliest due in the future with an assignee (``nextInteraction*``)."""

    due: Task | None = None
    interaction: Task | None = None


async def next_for_candidates(
    session: AsyncSession, workspace_id: str, candidate_ids: Sequence[str], now: datetime
) -> dict[str, NextTasks]:
    """For each candidate, its earliest-due open task and its earliest-due open task that is
    assigned and due after ``now``; ties go to the lower task id. Open tasks without a due date
    are not "due" and count for neither. One query (window functions) however many tasks."""
    if not candidate_ids:
        return {}
    upcoming = case((Task.assigned_to_user_id.is_not(None) & (Task.due_date > now), 1), else_=0)
    ranked = (
        select(
            TaskLink.entity_id.label("candidate_id"),
            Task.id.label("task_id"),
            upcoming.label("upcoming"),
            func.row_number()
            .over(partition_by=TaskLink.entity_id, order_by=(Task.due_date, Task.id))
            .label("due_rank"),
            func.row_number()
            .over(partition_by=(TaskLink.entity_id, upcoming), order_by=(Task.due_date, Task.id))
            .label("upcoming_rank"),
        )
        .join(Task, Task.id == TaskLink.task_id)
        .where(
            TaskLink.workspace_id == workspace_id,
            TaskLink.entity_type == CANDIDATE,
            TaskLink.entity_id.in_(candidate_ids),
            Task.completed_at.is_(None),
            Task.due_date.is_not(None),
        )
        .subquery()
    )
    rows = await session.execute(
        select(ranked.c.candidate_id, ranked.c.due_rank, ranked.c.upcoming, Task)
        .join(Task, Task.id == ranked.c.task_id)
        .where(
            (ranked.c.due_rank == 1) | ((ranked.c.upcoming == 1) & (ranked.c.upcoming_rank == 1))
        )
    )
    due: dict[str, Task] = {}
    interaction: dict[str, Task] = {}
    for candidate_id, due_rank, is_upcoming, task in rows:
        if due_rank == 1:
            due[candidate_id] = task
        if is_upcoming == 1:
            interaction[candidate_id] = task
    return {
        candidate_id: NextTasks(due.get(candidate_id), interaction.get(candidate_id))
        for candidate_id in due.keys() | interaction.keys()
    }


def _links_to_candidate(workspace_id: str, candidate_id: str) -> ColumnElement[bool]:
    """Task links to the candidate or to one of its client-contact roles: the records that
    go with it when it is deleted."""
    return (TaskLink.workspace_id == workspace_id) & (
        ((TaskLink.entity_type == CANDIDATE) & (TaskLink.entity_id == candidate_id))
        | (
            (TaskLink.entity_type == CLIENT_CONTACT)
            & TaskLink.entity_id.in_(
                select(ClientContact.id).where(
                    ClientContact.workspace_id == workspace_id,
                    ClientContact.candidate_id == candidate_id,
                )
            )
        )
    )


async def delete_links_to(session: AsyncSession, workspace_id: str, candidate_id: str) -> None:
    """Removes the task links to a candidate being deleted and to its client-contact roles
    (links are generic, so no foreign key cascades). The tasks stay, and their ``modifiedAt``
    moves: what they show changed."""
    condition = _links_to_candidate(workspace_id, candidate_id)
    linked = await session.scalars(
        select(Task)
        .where(
            Task.workspace_id == workspace_id,
            Task.id.in_(select(TaskLink.task_id).where(condition)),
        )
        .order_by(Task.id)
        .with_for_update(key_share=True)
    )
    for task in linked:
        task.modified_at = after(task.modified_at)
    await session.flush()
    await session.execute(delete(TaskLink).where(condition))


async def move_links(
    session: AsyncSession, workspace_id: str, entity_type: str, from_id: str, to_id: str
) -> list[str]:
    """Re-points the links of tasks to record ``from_id`` at record ``to_id`` (a merge; each
    link keeps its ``taskLinkId`` and position), but for tasks already linked to ``to_id``
    (their link to ``from_id`` stays, for its deletion to remove). The moved tasks'
    ``modifiedAt`` moves: what they show changed. Their ids, in id order."""
    return await links.move_links(
        session,
        Task,
        TaskLink,
        TaskLink.task_id,
        workspace_id=workspace_id,
        entity_type=entity_type,
        from_id=from_id,
        to_id=to_id,
    )


async def linked_to_candidate(
    session: AsyncSession, workspace_id: str, candidate_id: str, *, for_update: bool = False
) -> list[Task]:
    """The tasks linked to the candidate or to one of its client-contact roles, in id order;
    ``for_update`` locks them (PostgreSQL) and re-reads them."""
    query = (
        select(Task)
        .where(
            Task.workspace_id == workspace_id,
            Task.id.in_(
                select(TaskLink.task_id).where(_links_to_candidate(workspace_id, candidate_id))
            ),
        )
        .order_by(Task.id)
    )
    if for_update:
        query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
    return list(await session.scalars(query))


# ---- the records a task or note links to ---------------------------------------------------


async def candidates_by_ids(
    session: AsyncSession, workspace_id: str, ids: Iterable[str], *, for_update: bool = False
) -> dict[str, Candidate]:
    """Candidates of the workspace among ``ids``, by id (one query). ``for_update`` locks the
    rows in id order (PostgreSQL), as ``candidates.repository.touch`` does, and re-reads them."""
    wanted = {id_ for id_ in ids if is_id(id_)}
    if not wanted:
        return {}
    query = select(Candidate).where(
        Candidate.workspace_id == workspace_id, Candidate.id.in_(wanted)
    )
    if for_update:
        query = (
            query.order_by(Candidate.id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
    rows = await session.scalars(query)
    return {candidate.id: candidate for candidate in rows}


async def companies_by_ids(
    session: AsyncSession, workspace_id: str, ids: Iterable[str], *, for_update: bool = False
) -> dict[str, Company]:
    """Companies (clients) of the workspace among ``ids``, by id (one query). ``for_update``
    locks the rows in id order (PostgreSQL) and re-reads them."""
    wanted = {id_ for id_ in ids if is_id(id_)}
    if not wanted:
        return {}
    query = select(Company).where(Company.workspace_id == workspace_id, Company.id.in_(wanted))
    if for_update:
        query = (
            query.order_by(Company.id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
    rows = await session.scalars(query)
    return {company.id: company for company in rows}


async def client_contacts_by_ids(
    session: AsyncSession, workspace_id: str, ids: Iterable[str]
) -> dict[str, tuple[ClientContact, Candidate, Company]]:
    """Client contacts of the workspace among ``ids`` with their candidate and company, by id
    (one query)."""
    wanted = {id_ for id_ in ids if is_id(id_)}
    if not wanted:
        return {}
    rows = await session.execute(
        select(ClientContact, Candidate, Company)
        .join(Candidate, Candidate.id == ClientContact.candidate_id)
        .join(Company, Company.id == ClientContact.company_id)
        .where(ClientContact.workspace_id == workspace_id, ClientContact.id.in_(wanted))
    )
    return {contact.id: (contact, candidate, company) for contact, candidate, company in rows}
