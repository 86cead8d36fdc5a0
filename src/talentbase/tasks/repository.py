"""SQL for tasks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.tasks.models import Task, TaskLink

CANDIDATE = "candidate"


async def open_dated_for_candidates(
    session: AsyncSession, workspace_id: str, candidate_ids: Sequence[str]
) -> dict[str, list[Task]]:
    """Open tasks with a due date linked to each candidate, earliest due first (one query)."""
    if not candidate_ids:
        return {}
    rows = await session.execute(
        select(TaskLink.entity_id, Task)
        .join(Task, Task.id == TaskLink.task_id)
        .where(
            TaskLink.workspace_id == workspace_id,
            TaskLink.entity_type == CANDIDATE,
            TaskLink.entity_id.in_(candidate_ids),
            Task.completed_at.is_(None),
            Task.due_date.is_not(None),
        )
        .order_by(Task.due_date, Task.id)
    )
    result: dict[str, list[Task]] = defaultdict(list)
    for candidate_id, task in rows:
        result[candidate_id].append(task)
    return result


async def delete_links_to(session: AsyncSession, workspace_id: str, candidate_id: str) -> None:
    """Removes a deleted candidate's task links (links are generic, so no foreign key cascades)."""
    await session.execute(
        delete(TaskLink).where(
            TaskLink.workspace_id == workspace_id,
            TaskLink.entity_type == CANDIDATE,
            TaskLink.entity_id == candidate_id,
        )
    )
