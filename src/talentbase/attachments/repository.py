"""SQL for attachments. Every query filters by workspace (API.md §1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy import delete as sql_delete
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.pagination import Page, PageQuery, offset_page
from talentbase.attachments.models import Attachment
from talentbase.db.base import is_id

CV = "CV"
UNASSIGNED = "unassigned"


async def get(
    session: AsyncSession, workspace_id: str, attachment_id: str, *, for_update: bool = False
) -> Attachment | None:
    """The attachment of the workspace with this id; ``for_update`` locks the row
    (PostgreSQL)."""
    if not is_id(attachment_id):
        return None
    query = select(Attachment).where(
        Attachment.workspace_id == workspace_id, Attachment.id == attachment_id
    )
    if for_update:
        # re-read the locked row: another transaction may have changed it since it was loaded
        query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
    result: Attachment | None = await session.scalar(query)
    return result


async def by_ids(
    session: AsyncSession, workspace_id: str, ids: Sequence[str], *, for_update: bool = False
) -> dict[str, Attachment]:
    """Attachments of the workspace among ``ids``, by id (one query; rows locked in id order
    with ``for_update``)."""
    wanted = sorted({id_ for id_ in ids if is_id(id_)})
    if not wanted:
        return {}
    query = (
        select(Attachment)
        .where(Attachment.workspace_id == workspace_id, Attachment.id.in_(wanted))
        .order_by(Attachment.id)
    )
    if for_update:
        query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
    return {attachment.id: attachment for attachment in await session.scalars(query)}


def add(session: AsyncSession, attachment: Attachment) -> None:
    """Stages a new attachment for insertion."""
    session.add(attachment)


async def delete(session: AsyncSession, attachment: Attachment) -> None:
    """Deletes the attachment's row (its file is the caller's: ``storage``)."""
    await session.delete(attachment)
    await session.flush()


@dataclass(frozen=True)
class AttachmentFilters:
    """Filters of ``GET /attachments``; None means "any". ``company_id`` and ``vacancy_id``
    are Spott's filters by client and vacancy: talentbase links files to candidates only, so
    either one matches nothing."""

    candidate_id: str | None = None
    type: str | None = None
    company_id: str | None = None
    vacancy_id: str | None = None


async def list_page(
    session: AsyncSession, workspace_id: str, filters: AttachmentFilters, query: PageQuery
) -> Page[Attachment]:
    """One page of the workspace's attachments in ``(createdAt, id)`` order. A
    ``candidate_id`` that is not an id matches nothing, and so does any ``company_id`` or
    ``vacancy_id`` (no attachment belongs to a client or a vacancy)."""
    statement = select(Attachment).where(Attachment.workspace_id == workspace_id)
    if filters.company_id is not None or filters.vacancy_id is not None:
        statement = statement.where(false())
    if filters.candidate_id is not None:
        matches = (
            Attachment.candidate_id == filters.candidate_id
            if is_id(filters.candidate_id)
            else false()
        )
        statement = statement.where(matches)
    if filters.type is not None:
        statement = statement.where(Attachment.type == filters.type)
    return await offset_page(session, statement, [Attachment.created_at, Attachment.id], query)


async def storage_paths_of(
    session: AsyncSession, workspace_id: str, candidate_id: str
) -> list[Path]:
    """Where the files of the candidate's attachments are stored (the rows go with the
    candidate by ``ON DELETE CASCADE``; the files are removed after the commit)."""
    paths = await session.scalars(
        select(Attachment.storage_path).where(
            Attachment.workspace_id == workspace_id, Attachment.candidate_id == candidate_id
        )
    )
    return [Path(path) for path in paths]


def _assigned_or_uploaded() -> ColumnElement[datetime]:
    """``assigned_at``, or the upload time for a row written without it (outside the
    service), so such rows never sort differently on SQLite and PostgreSQL (NULLs)."""
    return func.coalesce(Attachment.assigned_at, Attachment.created_at)


async def last_assigned_at(
    session: AsyncSession, workspace_id: str, candidate_id: str
) -> datetime | None:
    """When an attachment was last assigned to the candidate (counted as ``latest_cv_ids``
    counts), or None."""
    result: datetime | None = await session.scalar(
        select(func.max(_assigned_or_uploaded())).where(
            Attachment.workspace_id == workspace_id, Attachment.candidate_id == candidate_id
        )
    )
    return result


async def latest_cv_ids(
    session: AsyncSession, workspace_id: str, candidate_ids: Sequence[str]
) -> dict[str, str]:
    """The id of each candidate's CV attachment assigned last (one query). Assignment times
    are distinct per candidate (``attachments.service``), so "last" is never a tie."""
    if not candidate_ids:
        return {}
    rows = await session.execute(
        select(Attachment.candidate_id, Attachment.id)
        .where(
            Attachment.workspace_id == workspace_id,
            Attachment.candidate_id.in_(candidate_ids),
            Attachment.type == CV,
        )
        .order_by(_assigned_or_uploaded(), Attachment.id)
    )
    result: dict[str, str] = {}
    for candidate_id, attachment_id in rows:
        if candidate_id is not None:
            result[candidate_id] = attachment_id  # later rows are newer and win
    return result


async def of_candidate(
    session: AsyncSession, workspace_id: str, candidate_id: str
) -> list[Attachment]:
    """The candidate's attachments in the order they were assigned to it (the last is the
    latest), locked (PostgreSQL) and re-read."""
    rows = await session.scalars(
        select(Attachment)
        .where(Attachment.workspace_id == workspace_id, Attachment.candidate_id == candidate_id)
        .order_by(_assigned_or_uploaded(), Attachment.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def delete_rows(session: AsyncSession, workspace_id: str, ids: Sequence[str]) -> None:
    """Deletes the rows of these attachments (their files are the caller's: ``storage``)."""
    if ids:
        await session.execute(
            sql_delete(Attachment).where(
                Attachment.workspace_id == workspace_id, Attachment.id.in_(ids)
            )
        )
