"""SQL for client contacts and their stages. Every query filters by workspace (API.md §1)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.candidates.models import Candidate
from talentbase.client_contacts.models import ClientContact, ClientContactStage
from talentbase.companies.models import Company
from talentbase.db.base import is_id

CandidateContactRow = tuple[ClientContact, Company, ClientContactStage | None]
CompanyContactRow = tuple[ClientContact, Candidate, ClientContactStage | None]


async def for_candidates(
    session: AsyncSession, workspace_id: str, candidate_ids: Sequence[str]
) -> dict[str, list[CandidateContactRow]]:
    """Each candidate's client-contact roles with their company and stage, oldest first (one
    query)."""
    if not candidate_ids:
        return {}
    rows = await session.execute(
        select(ClientContact, Company, ClientContactStage)
        .join(Company, Company.id == ClientContact.company_id)
        .outerjoin(ClientContactStage, ClientContactStage.id == ClientContact.stage_id)
        .where(
            ClientContact.workspace_id == workspace_id,
            ClientContact.candidate_id.in_(candidate_ids),
        )
        .order_by(ClientContact.created_at, ClientContact.id)
    )
    result: dict[str, list[CandidateContactRow]] = defaultdict(list)
    for contact, company, stage in rows:
        result[contact.candidate_id].append((contact, company, stage))
    return result


async def for_company(
    session: AsyncSession, workspace_id: str, company_id: str
) -> list[CompanyContactRow]:
    """The contacts at a company with their candidate and stage, oldest first (one query)."""
    rows = await session.execute(
        select(ClientContact, Candidate, ClientContactStage)
        .join(Candidate, Candidate.id == ClientContact.candidate_id)
        .outerjoin(ClientContactStage, ClientContactStage.id == ClientContact.stage_id)
        .where(ClientContact.workspace_id == workspace_id, ClientContact.company_id == company_id)
        .order_by(ClientContact.created_at, ClientContact.id)
    )
    return [(contact, candidate, stage) for contact, candidate, stage in rows]


async def get(
    session: AsyncSession, workspace_id: str, contact_id: str, *, for_update: bool = False
) -> ClientContact | None:
    """The client contact of the workspace with this id. ``for_update`` locks the row
    (PostgreSQL) and re-reads it, so values loaded before the lock are refreshed."""
    if not is_id(contact_id):
        return None
    query = select(ClientContact).where(
        ClientContact.workspace_id == workspace_id, ClientContact.id == contact_id
    )
    if for_update:
        query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
    result: ClientContact | None = await session.scalar(query)
    return result


async def find(
    session: AsyncSession, workspace_id: str, company_id: str, candidate_id: str
) -> ClientContact | None:
    """The candidate's contact role at the company, if any."""
    result: ClientContact | None = await session.scalar(
        select(ClientContact).where(
            ClientContact.workspace_id == workspace_id,
            ClientContact.company_id == company_id,
            ClientContact.candidate_id == candidate_id,
        )
    )
    return result


async def company_ids_of(session: AsyncSession, workspace_id: str, candidate_id: str) -> set[str]:
    """The companies at which the candidate is a contact."""
    rows = await session.scalars(
        select(ClientContact.company_id).where(
            ClientContact.workspace_id == workspace_id, ClientContact.candidate_id == candidate_id
        )
    )
    return set(rows)


def add(session: AsyncSession, contact: ClientContact) -> None:
    """Stages a new client contact for insertion."""
    session.add(contact)


async def get_stage(
    session: AsyncSession, workspace_id: str, stage_id: str
) -> ClientContactStage | None:
    """The stage of the workspace with this id."""
    if not is_id(stage_id):
        return None
    result: ClientContactStage | None = await session.scalar(
        select(ClientContactStage).where(
            ClientContactStage.workspace_id == workspace_id, ClientContactStage.id == stage_id
        )
    )
    return result


async def list_stages(session: AsyncSession, workspace_id: str) -> list[ClientContactStage]:
    """The workspace's stages in pipeline order (``order``, then name, then id)."""
    rows = await session.scalars(
        select(ClientContactStage)
        .where(ClientContactStage.workspace_id == workspace_id)
        .order_by(ClientContactStage.position, ClientContactStage.name, ClientContactStage.id)
    )
    return list(rows)


def add_stage(session: AsyncSession, stage: ClientContactStage) -> None:
    """Stages a new client contact stage for insertion."""
    session.add(stage)


async def of_candidate(
    session: AsyncSession, workspace_id: str, candidate_id: str
) -> list[ClientContact]:
    """The candidate's client-contact roles, oldest first, locked (PostgreSQL) and re-read."""
    rows = await session.scalars(
        select(ClientContact)
        .where(
            ClientContact.workspace_id == workspace_id, ClientContact.candidate_id == candidate_id
        )
        .order_by(ClientContact.created_at, ClientContact.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return list(rows)
