"""SQL for candidates. Every query filters by workspace (API.md §1)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.candidates.models import Candidate, DeletedCandidate
from talentbase.custom_attributes import repository as custom_attributes
from talentbase.db.base import is_id
from talentbase.db.types import utcnow
from talentbase.tasks import repository as tasks

CANDIDATE = "candidate"


async def get(
    session: AsyncSession, workspace_id: str, candidate_id: str, *, for_update: bool = False
) -> Candidate | None:
    """The candidate of the workspace with this id. ``for_update`` takes a row lock on
    PostgreSQL (SQLite serialises writers with the app's write lock instead)."""
    if not is_id(candidate_id):
        return None
    query = select(Candidate).where(
        Candidate.workspace_id == workspace_id, Candidate.id == candidate_id
    )
    if for_update:
        query = query.with_for_update()
    result: Candidate | None = await session.scalar(query)
    return result


def add(session: AsyncSession, candidate: Candidate) -> None:
    """Stages a new candidate for insertion."""
    session.add(candidate)


async def delete_candidate(session: AsyncSession, candidate: Candidate) -> None:
    """Deletes the candidate with its own records (foreign keys cascade; generic task links and
    custom values are removed here) and leaves a tombstone for the deleted feed."""
    workspace_id = candidate.workspace_id
    await tasks.delete_links_to(session, workspace_id, candidate.id)
    await custom_attributes.delete_values_of(session, workspace_id, CANDIDATE, candidate.id)
    await session.execute(
        delete(Candidate).where(
            Candidate.workspace_id == workspace_id, Candidate.id == candidate.id
        )
    )
    session.add(DeletedCandidate(id=candidate.id, workspace_id=workspace_id, deleted_at=utcnow()))
    await session.flush()
