"""The rules of client (company) writes and reads.

Field formats are checked by ``companies.schemas``; locations follow the candidate's rules
(``candidates.service.normalize_location``). Only columns whose stored value differs are written,
so re-sending stored values is a no-op that keeps ``modifiedAt``. A company's name and logo show
in candidates' views (placements, work experience, client contacts), so changing them touches
those candidates.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import NotFound
from talentbase.api.pagination import CursorQuery
from talentbase.candidates import repository as candidates
from talentbase.candidates.service import normalize_location
from talentbase.client_contacts import repository as client_contacts
from talentbase.companies import repository
from talentbase.companies.models import Company
from talentbase.companies.schemas import ClientCreate, ClientPatch, CompanyFields
from talentbase.companies.view import client_item, client_view
from talentbase.db.types import after, utcnow

_PLAIN_FIELDS = ("name", "domain", "description", "logo_url", "industry", "size", "linkedin_url")
# what candidates' views show of a company (candidates.view._company)
_SHOWN_IN_CANDIDATE_VIEWS = frozenset({"name", "logo_url"})


def _company_values(body: CompanyFields) -> dict[str, Any]:
    """The company columns ``body`` sets, normalised."""
    sent = body.model_fields_set
    values = {name: getattr(body, name) for name in _PLAIN_FIELDS if name in sent}
    if "locations" in sent:
        values["locations"] = [normalize_location(item) for item in body.locations]
    return values


async def _view(session: AsyncSession, workspace_id: str, company: Company) -> dict[str, Any]:
    next_task = (await repository.next_tasks_due(session, workspace_id, [company.id])).get(
        company.id
    )
    contacts = await client_contacts.for_company(session, workspace_id, company.id)
    return client_view(company, next_task, contacts)


async def create_client(
    session: AsyncSession, workspace_id: str, body: ClientCreate
) -> dict[str, Any]:
    """Creates a client and returns it as ``GET /clients/{id}`` shows it."""
    now = utcnow()
    company = Company(
        workspace_id=workspace_id,
        status=body.status,
        created_at=now,
        modified_at=now,
        **_company_values(body),
    )
    repository.add(session, company)
    await session.flush()
    return client_view(company, None, [])


async def get_client(session: AsyncSession, workspace_id: str, client_id: str) -> dict[str, Any]:
    """The client with its contacts; ``NotFound`` when the id is unknown in this workspace."""
    company = await repository.get(session, workspace_id, client_id)
    if company is None:
        raise NotFound("Client", client_id)
    return await _view(session, workspace_id, company)


async def update_client(
    session: AsyncSession, workspace_id: str, client_id: str, body: ClientPatch
) -> dict[str, Any]:
    """Applies a PATCH: ``company`` keys and ``status`` that are absent stay unchanged, ``null``
    clears a nullable field. ``modifiedAt`` moves only when a value really changed; a changed
    name or logo also touches the candidates whose views show the company. Answers the client
    as ``GET /clients/{id}`` shows it; ``NotFound`` (404) when unknown."""
    company = await repository.get(session, workspace_id, client_id, for_update=True)
    if company is None:
        raise NotFound("Client", client_id)
    values = _company_values(body.company) if "company" in body.model_fields_set else {}
    if "status" in body.model_fields_set:
        values["status"] = body.status
    changed = {name: value for name, value in values.items() if getattr(company, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(company, name, value)
        company.modified_at = after(company.modified_at)
        await session.flush()
    if changed.keys() & _SHOWN_IN_CANDIDATE_VIEWS:
        showing = await repository.candidates_showing(session, workspace_id, company.id)
        await candidates.touch(
            session, workspace_id, showing, {"client": {"id": company.id, "action": "updated"}}
        )
    return await _view(session, workspace_id, company)


async def list_clients(
    session: AsyncSession, workspace_id: str, query: CursorQuery
) -> dict[str, Any]:
    """``{items, pageInfo}``: one cursor page of clients, oldest modification first."""
    page = await repository.list_page(session, workspace_id, query)
    next_tasks = await repository.next_tasks_due(
        session, workspace_id, [company.id for company in page.rows]
    )
    return {
        "items": [client_item(company, next_tasks.get(company.id)) for company in page.rows],
        "pageInfo": page.page_info(),
    }
