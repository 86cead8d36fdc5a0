"""SQL for work experience and education."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.companies.models import Company
from talentbase.work_history.models import Education, WorkExperience


async def experiences_for_candidates(
    session: AsyncSession, workspace_id: str, candidate_ids: Sequence[str]
) -> dict[str, list[tuple[WorkExperience, Company | None]]]:
    """Each candidate's work experiences with their company (one query)."""
    if not candidate_ids:
        return {}
    rows = await session.execute(
        select(WorkExperience, Company)
        .outerjoin(Company, Company.id == WorkExperience.company_id)
        .where(
            WorkExperience.workspace_id == workspace_id,
            WorkExperience.candidate_id.in_(candidate_ids),
        )
    )
    result: dict[str, list[tuple[WorkExperience, Company | None]]] = defaultdict(list)
    for experience, company in rows:
        result[experience.candidate_id].append((experience, company))
    return result


def add_all(session: AsyncSession, rows: Sequence[WorkExperience | Education]) -> None:
    """Stages new work experience and education rows."""
    session.add_all(rows)
