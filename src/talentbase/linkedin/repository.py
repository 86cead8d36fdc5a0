"""SQL for LinkedIn profiles."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.linkedin.models import LinkedInProfile


async def for_candidates(
    session: AsyncSession, workspace_id: str, candidate_ids: Sequence[str]
) -> dict[str, LinkedInProfile]:
    """The LinkedIn profile of each candidate that has one (one query)."""
    if not candidate_ids:
        return {}
    rows = await session.scalars(
        select(LinkedInProfile).where(
            LinkedInProfile.workspace_id == workspace_id,
            LinkedInProfile.candidate_id.in_(candidate_ids),
        )
    )
    return {profile.candidate_id: profile for profile in rows}


async def get(
    session: AsyncSession, workspace_id: str, candidate_id: str
) -> LinkedInProfile | None:
    """The candidate's LinkedIn profile, if one is stored."""
    result: LinkedInProfile | None = await session.scalar(
        select(LinkedInProfile).where(
            LinkedInProfile.workspace_id == workspace_id,
            LinkedInProfile.candidate_id == candidate_id,
        )
    )
    return result


def add(session: AsyncSession, profile: LinkedInProfile) -> None:
    """Stages a new LinkedIn profile."""
    session.add(profile)


async def move(session: AsyncSession, workspace_id: str, from_id: str, to_id: str) -> bool:
    """Gives candidate ``from_id``'s profile to ``to_id``, unless ``to_id`` has one (a merge:
    the target's own profile wins). Whether a profile moved."""
    if await get(session, workspace_id, to_id) is not None:
        return False
    result = await session.execute(
        update(LinkedInProfile)
        .where(
            LinkedInProfile.workspace_id == workspace_id, LinkedInProfile.candidate_id == from_id
        )
        .values(candidate_id=to_id)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def delete_of(session: AsyncSession, workspace_id: str, candidate_id: str) -> bool:
    """Deletes the candidate's profile; whether it had one."""
    result = await session.execute(
        delete(LinkedInProfile)
        .where(
            LinkedInProfile.workspace_id == workspace_id,
            LinkedInProfile.candidate_id == candidate_id,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))
