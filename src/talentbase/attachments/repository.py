"""SQL for attachments."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.attachments.models import Attachment

CV = "CV"


async def latest_cv_ids(
    session: AsyncSession, workspace_id: str, candidate_ids: Sequence[str]
) -> dict[str, str]:
    """The id of each candidate's most recent CV attachment (one query)."""
    if not candidate_ids:
        return {}
    rows = await session.execute(
        select(Attachment.candidate_id, Attachment.id)
        .where(
            Attachment.workspace_id == workspace_id,
            Attachment.candidate_id.in_(candidate_ids),
            Attachment.type == CV,
        )
        .order_by(Attachment.created_at, Attachment.id)
    )
    result: dict[str, str] = {}
    for candidate_id, attachment_id in rows:
        if candidate_id is not None:
            result[candidate_id] = attachment_id  # later rows are newer and win
    return result
