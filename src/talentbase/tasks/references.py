"""What tasks and notes point at: the records of their ``links[]`` and the users they name
(assignee, acting user), with the checks and wire shapes both families share.

- A link names a record by ``entityType`` and ``entityId``; the record must exist in the
  caller's workspace, else 400 ``NOT_FOUND`` at ``links.N.entityId`` (an id of another
  workspace answers the same). The same record linked twice is linked once.
- The acting user is named by the header ``x-on-behalf-of`` (a user id of the workspace, else
  400 ``NOT_FOUND`` at ``x-on-behalf-of``); without it the record has no creator (``createdBy``
  null). A deactivated user may be named: records are also written for past work (imports of
  history), and the creator is a fact about the past.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import NOT_FOUND, ErrorItem
from talentbase.candidates.models import Candidate
from talentbase.client_contacts.models import ClientContact
from talentbase.companies.models import Company
from talentbase.history.context import ACTING_USER_HEADER
from talentbase.tasks import repository
from talentbase.users import repository as users
from talentbase.users.models import User
from talentbase.views import iso

CANDIDATE = "candidate"
CLIENT = "client"
USER = "user"
CLIENT_CONTACT = "clientContact"


class LinkInput(Protocol):
    """A ``links[]`` item of a request body."""

    @property
    def entity_type(self) -> str: ...

    @property
    def entity_id(self) -> str: ...


@dataclass
class Targets:
    """Linked records of one workspace, by id, per entity type."""

    candidates: dict[str, Candidate] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    contacts: dict[str, tuple[ClientContact, Candidate, Company]] = field(default_factory=dict)

    def has(self, entity_type: str, entity_id: str) -> bool:
        """Whether the record is among those loaded."""
        tables: dict[str, dict[str, Any]] = {
            CANDIDATE: self.candidates,
            CLIENT: self.companies,
            USER: self.users,
            CLIENT_CONTACT: self.contacts,
        }
        return entity_id in tables.get(entity_type, {})


async def load_targets(
    session: AsyncSession,
    workspace_id: str,
    refs: Iterable[tuple[str, str]],
    known_users: dict[str, User] | None = None,
    *,
    lock: bool = False,
) -> Targets:
    """The records named by ``(entityType, entityId)`` pairs that exist in the workspace: one
    query per entity type named. ``known_users`` are users already loaded (not fetched again).
    ``lock`` (for a write that links them) locks the clients, then the candidates, so one being
    deleted meanwhile is either gone or stays until the link is written."""
    wanted: dict[str, set[str]] = {}
    for entity_type, entity_id in refs:
        wanted.setdefault(entity_type, set()).add(entity_id)
    targets = Targets()
    if CLIENT in wanted:
        targets.companies = await repository.companies_by_ids(
            session, workspace_id, wanted[CLIENT], for_update=lock
        )
    if CANDIDATE in wanted:
        targets.candidates = await repository.candidates_by_ids(
            session, workspace_id, wanted[CANDIDATE], for_update=lock
        )
    if CLIENT_CONTACT in wanted:
        targets.contacts = await repository.client_contacts_by_ids(
            session, workspace_id, wanted[CLIENT_CONTACT]
        )
    if USER in wanted:
        known = known_users or {}
        targets.users = {id_: known[id_] for id_ in wanted[USER] if id_ in known}
        missing = wanted[USER] - targets.users.keys()
        if missing:
            targets.users.update(await users.by_ids(session, workspace_id, missing))
    return targets


def check_links(
    items: Sequence[LinkInput], targets: Targets, errors: list[ErrorItem]
) -> list[tuple[int, str, str]]:
    """The distinct links of a body as ``(index, entityType, entityId)`` in the order sent (a
    repeated record is dropped); a record missing from ``targets`` adds ``NOT_FOUND`` at
    ``links.N.entityId`` to ``errors``."""
    seen: set[tuple[str, str]] = set()
    result: list[tuple[int, str, str]] = []
    for index, item in enumerate(items):
        key = (item.entity_type, item.entity_id)
        if not targets.has(*key):
            errors.append(
                ErrorItem(
                    NOT_FOUND,
                    f"links.{index}.entityId",
                    f"No {item.entity_type} {item.entity_id} in this workspace",
                    item.entity_id,
                )
            )
            continue
        if key in seen:
            continue
        seen.add(key)
        result.append((index, *key))
    return result


async def acting_user(
    session: AsyncSession, workspace_id: str, user_id: str | None, errors: list[ErrorItem]
) -> User | None:
    """The user named by the ``x-on-behalf-of`` header, or None without one; an unknown id adds
    ``NOT_FOUND`` at ``x-on-behalf-of`` to ``errors``."""
    if user_id is None:
        return None
    user = await users.get(session, workspace_id, user_id)
    if user is None:
        errors.append(
            ErrorItem(
                NOT_FOUND,
                ACTING_USER_HEADER,
                f"No user {user_id} in this workspace",
                user_id[:200],
            )
        )
    return user


def user_ref(user: User | None) -> dict[str, Any] | None:
    """A user as tasks and notes show it: ``{id, name, avatarUrl, deactivatedAt}`` (Spott)."""
    if user is None:
        return None
    return {
        "id": user.id,
        "name": user.name,
        "avatarUrl": user.avatar_url,
        "deactivatedAt": iso(user.deactivated_at),
    }


def candidate_ref(candidate: Candidate) -> dict[str, Any]:
    """A linked candidate: ``{id, firstName, lastName, middleName, secondLastName, avatarUrl}``."""
    return {
        "id": candidate.id,
        "firstName": candidate.first_name,
        "lastName": candidate.last_name,
        "middleName": candidate.middle_name,
        "secondLastName": candidate.second_last_name,
        "avatarUrl": candidate.avatar_url,
    }


def company_ref(company: Company) -> dict[str, Any]:
    """A linked client: ``{id, name, logoUrl}``."""
    return {"id": company.id, "name": company.name, "logoUrl": company.logo_url}


def contact_ref(contact: ClientContact, candidate: Candidate, company: Company) -> dict[str, Any]:
    """A linked client contact: the contact's id, the person's names and avatar, and the
    company (Spott: ``..., candidateId, companyId, companyName, companyLogoUrl``)."""
    person = candidate_ref(candidate)
    return {
        **person,
        "id": contact.id,
        "candidateId": candidate.id,
        "companyId": company.id,
        "companyName": company.name,
        "companyLogoUrl": company.logo_url,
    }
