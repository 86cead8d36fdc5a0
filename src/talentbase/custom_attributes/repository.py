"""SQL for custom attribute definitions and values."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.pagination import Page, PageQuery, offset_page
from talentbase.custom_attributes.models import CustomAttributeDefinition, CustomAttributeValue
from talentbase.db.base import is_id


async def values_for(
    session: AsyncSession, workspace_id: str, entity_type: str, entity_ids: Sequence[str]
) -> dict[str, list[tuple[CustomAttributeValue, CustomAttributeDefinition]]]:
    """Values set on each record with their definition, in the definition list's order
    (created, then id) (one query)."""
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
        .order_by(CustomAttributeDefinition.created_at, CustomAttributeDefinition.id)
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


def add(session: AsyncSession, row: CustomAttributeDefinition | CustomAttributeValue) -> None:
    """Stages a new definition or value."""
    session.add(row)


async def delete_value(session: AsyncSession, value: CustomAttributeValue) -> None:
    """Removes one stored value."""
    await session.delete(value)


async def get_definition(
    session: AsyncSession, workspace_id: str, entity_type: str, definition_id: str
) -> CustomAttributeDefinition | None:
    """The workspace's definition for ``entity_type`` with this id."""
    found = await definitions_by_ids(session, workspace_id, entity_type, [definition_id])
    return found.get(definition_id)


async def label_taken(
    session: AsyncSession, workspace_id: str, entity_type: str, label_key: str
) -> bool:
    """Whether a definition of the workspace for ``entity_type`` has this ``label_key``."""
    taken = await session.scalar(
        select(
            exists().where(
                CustomAttributeDefinition.workspace_id == workspace_id,
                CustomAttributeDefinition.entity_type == entity_type,
                CustomAttributeDefinition.label_key == label_key,
            )
        )
    )
    return bool(taken)


async def definitions_page(
    session: AsyncSession, workspace_id: str, entity_type: str, query: PageQuery
) -> Page[CustomAttributeDefinition]:
    """One page of the workspace's definitions for ``entity_type``, oldest first (ties by
    id)."""
    return await offset_page(
        session,
        select(CustomAttributeDefinition).where(
            CustomAttributeDefinition.workspace_id == workspace_id,
            CustomAttributeDefinition.entity_type == entity_type,
        ),
        [CustomAttributeDefinition.created_at, CustomAttributeDefinition.id],
        query,
    )


async def values_of(
    session: AsyncSession,
    workspace_id: str,
    entity_type: str,
    entity_id: str,
    definition_ids: Iterable[str],
) -> dict[str, CustomAttributeValue]:
    """The values stored on one record for these definitions, by definition id."""
    wanted = set(definition_ids)
    if not wanted:
        return {}
    rows = await session.scalars(
        select(CustomAttributeValue).where(
            CustomAttributeValue.workspace_id == workspace_id,
            CustomAttributeValue.entity_type == entity_type,
            CustomAttributeValue.entity_id == entity_id,
            CustomAttributeValue.definition_id.in_(wanted),
        )
    )
    return {value.definition_id: value for value in rows}


async def move_values(
    session: AsyncSession, workspace_id: str, entity_type: str, from_id: str, to_id: str
) -> list[CustomAttributeValue]:
    """Moves the values of record ``from_id`` whose definition record ``to_id`` has no value
    for over to ``to_id`` (a merge: the target's own values win) and returns them, by
    definition id. The others stay with ``from_id``."""
    held = select(CustomAttributeValue.definition_id).where(
        CustomAttributeValue.workspace_id == workspace_id,
        CustomAttributeValue.entity_type == entity_type,
        CustomAttributeValue.entity_id == to_id,
    )
    rows = await session.scalars(
        select(CustomAttributeValue)
        .where(
            CustomAttributeValue.workspace_id == workspace_id,
            CustomAttributeValue.entity_type == entity_type,
            CustomAttributeValue.entity_id == from_id,
            CustomAttributeValue.definition_id.not_in(held),
        )
        .order_by(CustomAttributeValue.definition_id)
    )
    moved = list(rows)
    for value in moved:
        value.entity_id = to_id
    await session.flush()
    return moved
