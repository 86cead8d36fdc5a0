"""The rules of tasks (Spott ``POST /tasks/_raw``, ``GET /tasks``, ``PATCH /tasks/{id}``).

- Links: see ``tasks.references`` (records of the workspace, duplicates dropped). A
  ``taskLinkId`` sent must be the id of this task's current link to the same record, else 400
  ``NOT_FOUND`` at ``links.N.taskLinkId``; a new task has no links, so it takes none.
- Assignee: a user of the workspace, else 400 ``NOT_FOUND`` at ``assignedToUserId``. A
  deactivated user cannot be given work: 400 ``USER_DEACTIVATED`` at ``assignedToUserId`` —
  except that re-sending a task's current assignee is a no-op, not a new assignment.
- A PATCH writes only what changes; ``modifiedAt`` moves only then. ``isCompleted: true`` on an
  open task sets ``completedAt`` to now (an already completed task keeps its time); ``false``
  reopens it.
- Every change touches the candidates and clients the task is (or was) linked to, so their
  views' ``modifiedAt`` moves with their ``nextTaskDue`` / ``nextInteraction*``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import NOT_FOUND, ErrorItem, NotFound, ValidationFailed
from talentbase.api.pagination import CursorQuery
from talentbase.candidates import repository as candidates
from talentbase.companies import repository as companies
from talentbase.db.base import new_id
from talentbase.db.types import after, utcnow
from talentbase.tasks import references, repository
from talentbase.tasks.models import Task, TaskLink
from talentbase.tasks.references import CANDIDATE, CLIENT, CLIENT_CONTACT, USER, Targets
from talentbase.tasks.repository import TaskFilters
from talentbase.tasks.schemas import TaskCreate, TaskLinkIn, TaskPatch
from talentbase.users import repository as users
from talentbase.users.models import User
from talentbase.views import iso

USER_DEACTIVATED = "USER_DEACTIVATED"


async def _check_assignee(
    session: AsyncSession,
    workspace_id: str,
    user_id: str | None,
    current: str | None,
    errors: list[ErrorItem],
) -> User | None:
    """The user a task is to be assigned to (None: unassigned); problems go to ``errors``."""
    if user_id is None:
        return None
    user = await users.get(session, workspace_id, user_id)
    if user is None:
        errors.append(
            ErrorItem(
                NOT_FOUND, "assignedToUserId", f"No user {user_id} in this workspace", user_id
            )
        )
    elif user.deactivated_at is not None and user_id != current:
        errors.append(
            ErrorItem(
                USER_DEACTIVATED,
                "assignedToUserId",
                f"User {user_id} is deactivated and cannot be assigned tasks",
                user_id,
            )
        )
    return user


def _check_link_ids(
    items: Sequence[TaskLinkIn], current: Sequence[TaskLink], errors: list[ErrorItem]
) -> None:
    """A ``taskLinkId`` sent must name the task's current link to the same record."""
    existing = {(link.entity_type, link.entity_id): link.id for link in current}
    for index, item in enumerate(items):
        if item.task_link_id is None:
            continue
        if existing.get((item.entity_type, item.entity_id)) != item.task_link_id:
            errors.append(
                ErrorItem(
                    NOT_FOUND,
                    f"links.{index}.taskLinkId",
                    f"This task has no link {item.task_link_id} to {item.entity_type} "
                    f"{item.entity_id}",
                    item.task_link_id,
                )
            )


async def _lock_linked(
    session: AsyncSession, workspace_id: str, pairs: Iterable[tuple[str, str]]
) -> None:
    """Locks the linked clients, then the linked candidates (row locks on PostgreSQL). A task
    PATCH takes them before the task's own row: the order the other writers use (a client's
    routes lock it before its candidates; deleting a candidate locks it before its tasks), so
    none of them waits on another in a cycle."""
    linked = list(pairs)
    await repository.companies_by_ids(
        session,
        workspace_id,
        (entity_id for entity_type, entity_id in linked if entity_type == CLIENT),
        for_update=True,
    )
    await repository.candidates_by_ids(
        session,
        workspace_id,
        (entity_id for entity_type, entity_id in linked if entity_type == CANDIDATE),
        for_update=True,
    )


async def _touch_linked(
    session: AsyncSession,
    workspace_id: str,
    pairs: Iterable[tuple[str, str]],
    related: dict[str, Any],
) -> None:
    """Moves ``modifiedAt`` of the linked clients and candidates, whose views show their next
    task: clients first, as the client routes lock a client before its candidates. ``related``
    describes the change for the candidates' history."""
    linked = list(pairs)
    company_ids = {entity_id for entity_type, entity_id in linked if entity_type == CLIENT}
    if company_ids:
        locked = await repository.companies_by_ids(
            session, workspace_id, company_ids, for_update=True
        )
        for company in locked.values():
            await companies.touch(session, company)
    await candidates.touch(
        session,
        workspace_id,
        (entity_id for entity_type, entity_id in linked if entity_type == CANDIDATE),
        related,
    )


async def create_task(
    session: AsyncSession, workspace_id: str, body: TaskCreate, acting_user_id: str | None
) -> dict[str, Any]:
    """Creates a task with its links and returns it (Spott's task object). Raises
    ``ValidationFailed`` naming every bad reference; nothing is written then."""
    errors: list[ErrorItem] = []
    creator = await references.acting_user(session, workspace_id, acting_user_id, errors)
    assignee = await _check_assignee(session, workspace_id, body.assigned_to_user_id, None, errors)
    targets = await references.load_targets(
        session,
        workspace_id,
        ((item.entity_type, item.entity_id) for item in body.links),
        lock=True,
    )
    wanted = references.check_links(body.links, targets, errors)
    _check_link_ids(body.links, [], errors)
    if errors:
        raise ValidationFailed(errors)

    now = utcnow()
    task = Task(
        id=new_id(),
        workspace_id=workspace_id,
        content=body.content,
        due_date=body.due_date,
        assigned_to_user_id=body.assigned_to_user_id,
        created_by_user_id=creator.id if creator else None,
        created_at=now,
        modified_at=now,
    )
    repository.add(session, task)
    await session.flush()
    links = [
        TaskLink(
            task_id=task.id,
            workspace_id=workspace_id,
            entity_type=entity_type,
            entity_id=entity_id,
            position=position,
        )
        for position, (_, entity_type, entity_id) in enumerate(wanted)
    ]
    repository.add_links(session, links)
    await session.flush()
    await _touch_linked(
        session,
        workspace_id,
        ((t, i) for _, t, i in wanted),
        {"task": {"id": task.id, "action": "created"}},
    )
    named = {user.id: user for user in (creator, assignee) if user is not None}
    return task_json(task, links, targets, named)


async def get_task(session: AsyncSession, workspace_id: str, task_id: str) -> dict[str, Any]:
    """The task; ``NotFound`` (404) when the id is unknown in this workspace."""
    task = await repository.get(session, workspace_id, task_id)
    if task is None:
        raise NotFound("Task", task_id)
    return (await _render(session, workspace_id, [task]))[0]


async def list_tasks(
    session: AsyncSession, workspace_id: str, query: CursorQuery, filters: TaskFilters
) -> dict[str, Any]:
    """``{items, pageInfo}``: one cursor page of tasks in ``(modifiedAt, id)`` order."""
    page = await repository.list_page(session, workspace_id, query, filters)
    return {"items": await _render(session, workspace_id, page.rows), "pageInfo": page.page_info()}


async def update_task(
    session: AsyncSession,
    workspace_id: str,
    task_id: str,
    body: TaskPatch,
) -> dict[str, Any]:
    """Applies a PATCH (complete or reopen, reassign, reschedule, edit content, replace links)
    and returns the task. Raises ``NotFound`` (404) and ``ValidationFailed`` (400); nothing is
    written on failure."""
    task = await repository.get(session, workspace_id, task_id)
    if task is None:
        raise NotFound("Task", task_id)
    sent = body.model_fields_set
    linked = (await repository.links_of(session, workspace_id, [task.id])).get(task.id, [])
    sent_links = body.links if "links" in sent else []
    await _lock_linked(
        session,
        workspace_id,
        [
            *((link.entity_type, link.entity_id) for link in linked),
            *((item.entity_type, item.entity_id) for item in sent_links),
        ],
    )
    # read again under the task's lock: a PATCH running meanwhile has committed by now
    task = await repository.get(session, workspace_id, task_id, for_update=True)
    if task is None:
        raise NotFound("Task", task_id)
    current = (await repository.links_of(session, workspace_id, [task.id])).get(task.id, [])
    errors: list[ErrorItem] = []
    if "assigned_to_user_id" in sent:
        await _check_assignee(
            session, workspace_id, body.assigned_to_user_id, task.assigned_to_user_id, errors
        )
    wanted: list[tuple[str, str]] | None = None
    if "links" in sent:
        targets = await references.load_targets(
            session,
            workspace_id,
            ((item.entity_type, item.entity_id) for item in sent_links),
            lock=True,
        )
        wanted = [(t, i) for _, t, i in references.check_links(sent_links, targets, errors)]
        _check_link_ids(sent_links, current, errors)
    if errors:
        raise ValidationFailed(errors)

    changed = False
    for name in ("content", "due_date", "assigned_to_user_id"):
        if name in sent and getattr(body, name) != getattr(task, name):
            setattr(task, name, getattr(body, name))
            changed = True
    if "is_completed" in sent and body.is_completed != (task.completed_at is not None):
        task.completed_at = utcnow() if body.is_completed else None
        changed = True
    before = [(link.entity_type, link.entity_id) for link in current]
    if wanted is not None and wanted != before:
        await _replace_links(session, task, current, wanted)
        changed = True
    if changed:
        task.modified_at = after(task.modified_at)
        await session.flush()
        await _touch_linked(
            session,
            workspace_id,
            [*before, *(wanted or [])],
            {"task": {"id": task.id, "action": "updated"}},
        )
    return (await _render(session, workspace_id, [task]))[0]


async def _replace_links(
    session: AsyncSession, task: Task, current: Sequence[TaskLink], wanted: list[tuple[str, str]]
) -> None:
    """Makes the task's links ``wanted``, in that order: links to records still wanted keep
    their id (``taskLinkId``), the others are removed, new ones are added."""
    kept = {(link.entity_type, link.entity_id): link for link in current}
    await repository.remove_links(
        session, [link for key, link in kept.items() if key not in set(wanted)]
    )
    added = []
    for position, (entity_type, entity_id) in enumerate(wanted):
        link = kept.get((entity_type, entity_id))
        if link is not None:
            link.position = position
        else:
            added.append(
                TaskLink(
                    task_id=task.id,
                    workspace_id=task.workspace_id,
                    entity_type=entity_type,
                    entity_id=entity_id,
                    position=position,
                )
            )
    repository.add_links(session, added)
    await session.flush()


async def _render(
    session: AsyncSession, workspace_id: str, tasks: Sequence[Task]
) -> list[dict[str, Any]]:
    """The task objects of ``tasks``, in order: their links, linked records and users are
    loaded for all of them together (a fixed number of queries)."""
    links = await repository.links_of(session, workspace_id, [task.id for task in tasks])
    all_links = [link for task_links in links.values() for link in task_links]
    user_ids = {link.entity_id for link in all_links if link.entity_type == USER}
    for task in tasks:
        user_ids.update(
            user_id for user_id in (task.assigned_to_user_id, task.created_by_user_id) if user_id
        )
    named = await users.by_ids(session, workspace_id, user_ids)
    targets = await references.load_targets(
        session, workspace_id, ((link.entity_type, link.entity_id) for link in all_links), named
    )
    return [task_json(task, links.get(task.id, []), targets, named) for task in tasks]


def task_json(
    task: Task, links: Sequence[TaskLink], targets: Targets, named: dict[str, User]
) -> dict[str, Any]:
    """Spott's task object. ``named`` holds the assignee and creator; a link whose record is
    gone is left out."""
    grouped: dict[str, list[dict[str, Any]]] = {
        CANDIDATE: [],
        CLIENT: [],
        USER: [],
        CLIENT_CONTACT: [],
    }
    for link in links:
        head = {"taskLinkId": link.id, "isMention": False}
        record: dict[str, Any] | None = None
        if link.entity_type == CANDIDATE and link.entity_id in targets.candidates:
            record = references.candidate_ref(targets.candidates[link.entity_id])
        elif link.entity_type == CLIENT and link.entity_id in targets.companies:
            record = references.company_ref(targets.companies[link.entity_id])
        elif link.entity_type == USER and link.entity_id in targets.users:
            record = references.user_ref(targets.users[link.entity_id])
        elif link.entity_type == CLIENT_CONTACT and link.entity_id in targets.contacts:
            record = references.contact_ref(*targets.contacts[link.entity_id])
        if record is not None:
            grouped[link.entity_type].append({**head, **record})
    return {
        "id": task.id,
        "content": task.content,
        "dueDate": iso(task.due_date),
        "isCompleted": task.completed_at is not None,
        "completedAt": iso(task.completed_at),
        "createdAt": iso(task.created_at),
        "createdBy": references.user_ref(named.get(task.created_by_user_id or "")),
        "assignedTo": references.user_ref(named.get(task.assigned_to_user_id or "")),
        "source": "MANUAL",
        "metadata": {"type": "GENERIC_TASK"},
        "labels": [],
        "links": {
            "candidates": grouped[CANDIDATE],
            "vacancies": [],
            "clients": grouped[CLIENT],
            "users": grouped[USER],
            "teams": [],
            "clientContacts": grouped[CLIENT_CONTACT],
            "opportunities": [],
        },
    }
