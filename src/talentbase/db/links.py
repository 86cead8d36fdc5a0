"""Generic links (a record linked to candidates, clients, ... by ``entity_type`` +
``entity_id``), shared by notes and tasks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from talentbase.db.types import after


async def move_links(
    session: AsyncSession,
    record: Any,
    link: Any,
    link_record_id: InstrumentedAttribute[str],
    *,
    workspace_id: str,
    entity_type: str,
    from_id: str,
    to_id: str,
) -> list[str]:
    """Re-points the links of ``record`` rows (a model with ``id``, ``workspace_id``,
    ``modified_at``) to entity ``from_id`` at entity ``to_id`` (a merge), through ``link`` rows
    (a model with ``workspace_id``, ``entity_type``, ``entity_id`` and ``link_record_id``
    naming the record), but for records already linked to ``to_id`` (their link to ``from_id``
    stays, for its deletion to remove). The moved records' ``modifiedAt`` moves: what they
    show changed. Returns their ids, in id order."""
    already = select(link_record_id).where(
        link.workspace_id == workspace_id,
        link.entity_type == entity_type,
        link.entity_id == to_id,
    )
    moving = list(
        await session.scalars(
            select(record)
            .where(
                record.workspace_id == workspace_id,
                record.id.in_(
                    select(link_record_id).where(
                        link.workspace_id == workspace_id,
                        link.entity_type == entity_type,
                        link.entity_id == from_id,
                        link_record_id.not_in(already),
                    )
                ),
            )
            .order_by(record.id)
            .with_for_update(key_share=True)
        )
    )
    if not moving:
        return []
    for row in moving:
        row.modified_at = after(row.modified_at)
    await session.flush()
    ids = [row.id for row in moving]
    await session.execute(
        update(link)
        .where(
            link.workspace_id == workspace_id,
            link.entity_type == entity_type,
            link.entity_id == from_id,
            link_record_id.in_(ids),
        )
        .values(entity_id=to_id)
        .execution_options(synchronize_session=False)
    )
    return ids
