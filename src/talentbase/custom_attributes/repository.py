"""SQL for custom attribute definitions and values."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.custom_attributes.models import CustomAttributeDefinition, CustomAttributeValue
from talentbase.db.base import is_id


async def values_for(
    session: AsyncSession, workspace_id: str, entity_type: str, entity_ids: Sequence[str]
) -> dict[str, list[tuple[CustomAttributeValue, CustomAttributeDefinition]]]:
    """Values set on each record with their definition, ordered by definition label (one
    query)."""
    if not entity_ids:
        return {}
    rows = await session.execute(
        select(CustomAttributeValue, CustomAttributeDefinition)
        .join(
            CustomAttributeDefinition,
            CustomAttributeDefinition.id == CustomAttributeValue.definition_id,
        )
        .where(
            CustomAttributeValue.workspace_id == workspace_id,
            CustomAttributeValue.entity_type == entity_type,
            CustomAttributeValue.entity_id.in_(entity_ids),
        )
        .order_by(CustomAttributeDefinition.label, CustomAttributeDefinition.id)
    )
    result: dict[str, list[tuple[CustomAttributeValue, CustomAttributeDefinition]]] = defaultdict(
        list
    )
    for value, definition in rows:
        result[value.entity_id].append((value, definition))
    return result


async def definitions_by_ids(
    session: AsyncSession, workspace_id: str, entity_type: str, ids: Iterable[str]
) -> dict[str, CustomAttributeDefinition]:
    """Definitions of the workspace for ``entity_type`` among ``ids``."""
    wanted = {id_ for id_ in ids if is_id(id_)}
    if not wanted:
        return {}
    rows = await session.scalars(
        select(CustomAttributeDefinition).where(
            CustomAttributeDefinition.workspace_id == workspace_id,
            CustomAttributeDefinition.entity_type == entity_type,
            CustomAttributeDefinition.id.in_(wanted),
        )
    )
    return {definition.id: definition for definition in rows}


async def delete_values_of(
    session: AsyncSession, workspace_id: str, entity_type: str, entity_id: str
) -> None:
    """Removes the values of a deleted record (values are generic, so no foreign key cascades)."""
    await session.execute(
        delete(CustomAttributeValue).where(
            CustomAttributeValue.workspace_id == workspace_id,
            CustomAttributeValue.entity_type == entity_type,
            CustomAttributeValue.entity_id == entity_id,
        )
    )


def add_all(session: AsyncSession, rows: Sequence[CustomAttributeValue]) -> None:
    """Stages new values."""
    session.add_all(rows)
