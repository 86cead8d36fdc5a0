"""SQL for placements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.companies.models import Company
from talentbase.placements.models import Placement


async def current_for_candidates(
    session: AsyncSession, workspace_id: str, candidate_ids: Sequence[str], now: datetime
) -> dict[str, list[tuple[Placement, Company]]]:
    """Placements running at ``now`` (started, not ended) with their company, per candidate,
    latest start first. One query for any number of candidates."""
    if not candidate_ids:
        return {}
    rows = await session.execute(
        select(Placement, Company)
        .join(Company, Company.id == Placement.company_id)
        .where(
            Placement.workspace_id == workspace_id,
            Placement.candidate_id.in_(candidate_ids),
            or_(Placement.start_date.is_(None), Placement.start_date <= now),
            or_(Placement.end_date.is_(None), Placement.end_date >= now),
        )
        .order_by(Placement.start_date.desc(), Placement.id)
    )
    result: dict[str, list[tuple[Placement, Company]]] = defaultdict(list)
    for placement, company in rows:
        result[placement.candidate_id].append((placement, company))
    return result
