"""SQL for client contacts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.client_contacts.models import ClientContact
from talentbase.companies.models import Company


async def for_candidates(
    session: AsyncSession, workspace_id: str, candidate_ids: Sequence[str]
) -> dict[str, list[tuple[ClientContact, Company]]]:
    """Each candidate's client-contact roles with their company, oldest first (one query)."""
    if not candidate_ids:
        return {}
    rows = await session.execute(
        select(ClientContact, Company)
        .join(Company, Company.id == ClientContact.company_id)
        .where(
            ClientContact.workspace_id == workspace_id,
            ClientContact.candidate_id.in_(candidate_ids),
        )
        .order_by(ClientContact.created_at, ClientContact.id)
    )
    result: dict[str, list[tuple[ClientContact, Company]]] = defaultdict(list)
    for contact, company in rows:
        result[contact.candidate_id].append((contact, company))
    return result
