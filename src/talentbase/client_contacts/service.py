"""The rules of client contacts (a candidate's role at a client) and their stages.

The person is a candidate: ``POST /clients/contacts/{clientId}`` either names one
(``candidateId``) or creates one through ``candidates.service.create_candidate`` (so every
candidate rule applies). The role's emails and phone numbers follow the candidate's rules
(``normalize_emails`` / ``normalize_phones``). Every create or real change touches the candidate
(its view shows the role) and the client (its view lists the contact). Locks are taken on the
clients first (in id order), then on the candidate, as ``PATCH /clients/{id}`` does, so
concurrent writes never deadlock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import (
    DUPLICATE,
    NOT_FOUND,
    REQUIRED,
    TOO_SMALL,
    UNRECOGNIZED_KEYS,
    ApiError,
    ErrorItem,
    NotFound,
    ValidationFailed,
)
from talentbase.candidates import repository as candidates
from talentbase.candidates import view as candidate_view
from talentbase.candidates.models import Candidate
from talentbase.candidates.schemas import CandidateCreate
from talentbase.candidates.service import (
    FieldErrors,
    create_candidate,
    normalize_emails,
    normalize_phones,
)
from talentbase.client_contacts import repository
from talentbase.client_contacts.models import ClientContact, ClientContactStage
from talentbase.client_contacts.schemas import (
    ROLE_FIELDS,
    ClientContactCreate,
    ClientContactPatch,
    StageCreate,
)
from talentbase.client_contacts.view import stage_json
from talentbase.companies import repository as companies
from talentbase.db.types import after, utcnow
from talentbase.users import repository as users


def _conflict(message: str, error: ErrorItem) -> ApiError:
    return ApiError(409, message, [error])


def _check_dates(
    start: datetime | None, end: datetime | None, path: str, errors: FieldErrors
) -> None:
    if start is not None and end is not None and end < start:
        errors.add(TOO_SMALL, path, "endDate must not be before startDate")


async def _check_stage(
    session: AsyncSession, workspace_id: str, stage_id: str, errors: FieldErrors
) -> None:
    if await repository.get_stage(session, workspace_id, stage_id) is None:
        errors.add(NOT_FOUND, "stageId", f"No client contact stage {stage_id}", stage_id)


def _alias(name: str) -> str:
    return ClientContactCreate.model_fields[name].alias or name


async def _person(session: AsyncSession, workspace_id: str, candidate: Candidate) -> dict[str, Any]:
    """The candidate with its client-contact roles (``GET /clients/contacts/{candidateId}``),
    read from the CandidateView so every derived value is the same as there."""
    view = await candidate_view.build_view(session, workspace_id, candidate)

    def partner(user: dict[str, Any] | None) -> dict[str, Any] | None:
        if user is None:
            return None
        return {
            "id": user["userId"],
            "name": user["name"],
            "avatarUrl": user["avatarUrl"],
            "deactivatedAt": user["deactivatedAt"],
        }

    return {
        "candidateId": view["id"],
        "firstName": view["name"]["firstName"],
        "lastName": view["name"]["lastName"],
        "avatarUrl": view["name"]["avatarUrl"],
        "locations": view["locations"]["locations"],
        "lastInteractionDate": view["lastInteractionDate"]["lastInteractionDate"],
        "lastInteractionWith": partner(view["lastInteractionWith"]["user"]),
        "nextInteractionDate": view["nextInteractionDate"]["nextInteractionDate"],
        "nextInteractionWith": partner(view["nextInteractionWith"]["user"]),
        "lastActivityDate": view["lastActivityDate"],
        "nextTaskDue": view["nextTaskDue"]["nextTaskDue"],
        "mainContact": view["mainContact"]["user"],
        "clientContacts": view["clientContacts"]["clientContacts"],
    }


async def _new_candidate(
    session: AsyncSession,
    workspace_id: str,
    body: ClientContactCreate,
    errors: FieldErrors,
    phone_region: str | None,
) -> str | None:
    """Creates the person from the body's candidate fields (``POST /candidates`` rules); None
    when a field is missing or bad (the problems are in ``errors``)."""
    sent = body.model_fields_set
    for name in ("first_name", "last_name"):
        if name not in sent:
            errors.add(REQUIRED, _alias(name), "Required when no candidateId is given")
    if "first_name" not in sent or "last_name" not in sent:
        return None
    fields = (
        sent - ROLE_FIELDS - {"visible_if_client_contact"}
    ) & CandidateCreate.model_fields.keys()
    values = {name: getattr(body, name) for name in fields}
    if "keep_showing_as_candidate" in sent:
        values["visible_if_client_contact"] = body.keep_showing_as_candidate
        fields.add("visible_if_client_contact")
    candidate_body = CandidateCreate.model_construct(_fields_set=fields, **values)
    try:
        return await create_candidate(
            session, workspace_id, candidate_body, phone_region=phone_region
        )
    except ValidationFailed as failure:
        errors.items.extend(failure.errors or [])
        return None


async def create_contact(
    session: AsyncSession,
    workspace_id: str,
    client_id: str,
    body: ClientContactCreate,
    *,
    phone_region: str | None,
) -> dict[str, Any]:
    """Makes a candidate a contact at the client and answers the person as
    ``GET /clients/contacts/{candidateId}`` shows it. ``NotFound`` (404) for an unknown client;
    ``ValidationFailed`` (400) for bad fields and unknown ``candidateId`` / ``stageId``
    (``NOT_FOUND``), candidate fields sent with ``candidateId`` (``UNRECOGNIZED_KEYS``); 409
    when the candidate is already a contact at this client. Nothing is written on failure."""
    company = await companies.get(session, workspace_id, client_id, for_update=True)
    if company is None:
        raise NotFound("Client", client_id)
    sent = body.model_fields_set
    errors = FieldErrors()
    if "visible_if_client_contact" in sent:
        errors.add(
            UNRECOGNIZED_KEYS,
            "visibleIfClientContact",
            "Unrecognized key 'visibleIfClientContact' here: use keepShowingAsCandidate",
            "visibleIfClientContact",
        )
    emails = normalize_emails(body.emails, errors) if "emails" in sent else []
    phones = (
        normalize_phones(body.phone_numbers, phone_region, errors)
        if "phone_numbers" in sent
        else []
    )
    _check_dates(body.start_date, body.end_date, "endDate", errors)
    if body.stage_id is not None:
        await _check_stage(session, workspace_id, body.stage_id, errors)

    candidate: Candidate | None = None
    if "candidate_id" in sent:
        for name in sorted(sent - ROLE_FIELDS - {"visible_if_client_contact"}):
            errors.add(
                UNRECOGNIZED_KEYS,
                _alias(name),
                f"{_alias(name)} is a field of a new candidate; with candidateId the candidate "
                "exists already",
                _alias(name),
            )
        candidate = await candidates.get(session, workspace_id, body.candidate_id, for_update=True)
        if candidate is None:
            errors.add(
                NOT_FOUND, "candidateId", f"No candidate {body.candidate_id}", body.candidate_id
            )
        errors.raise_if_any()
        assert candidate is not None
        if await repository.find(session, workspace_id, company.id, candidate.id) is not None:
            raise _conflict(
                "The candidate is already a contact at this client",
                ErrorItem(
                    DUPLICATE,
                    "candidateId",
                    f"Candidate {candidate.id} is already a contact at client {company.id}; "
                    "change that contact with PATCH /clients/contacts/{id}",
                    candidate.id,
                ),
            )
        if "keep_showing_as_candidate" in sent:
            candidate.visible_if_client_contact = body.keep_showing_as_candidate
        await candidates.touch(
            session,
            workspace_id,
            [candidate.id],
            {"clientContact": {"clientId": company.id, "action": "created"}},
        )
    else:
        candidate_id = await _new_candidate(session, workspace_id, body, errors, phone_region)
        errors.raise_if_any()
        assert candidate_id is not None
        candidate = await candidates.get(session, workspace_id, candidate_id)
        assert candidate is not None

    now = utcnow()
    repository.add(
        session,
        ClientContact(
            workspace_id=workspace_id,
            candidate_id=candidate.id,
            company_id=company.id,
            role=body.role,
            department=body.department,
            start_date=body.start_date,
            end_date=body.end_date,
            active=body.active,
            emails=emails,
            phone_numbers=phones,
            stage_id=body.stage_id,
            created_at=now,
            modified_at=now,
        ),
    )
    await session.flush()
    await companies.touch(session, company)
    return await _person(session, workspace_id, candidate)


async def get_contact_person(
    session: AsyncSession, workspace_id: str, candidate_id: str
) -> dict[str, Any]:
    """The candidate with its client-contact roles; ``NotFound`` when the candidate is unknown
    in this workspace or is no contact anywhere."""
    candidate = await candidates.get(session, workspace_id, candidate_id)
    if candidate is None:
        raise NotFound("Client contact", candidate_id)
    person = await _person(session, workspace_id, candidate)
    if not person["clientContacts"]:
        raise NotFound("Client contact", candidate_id)
    return person


async def update_contact(
    session: AsyncSession,
    workspace_id: str,
    contact_id: str,
    body: ClientContactPatch,
    *,
    phone_region: str | None,
) -> dict[str, Any]:
    """Applies a PATCH (Spott's body): absent keys are left unchanged, ``null`` clears ``role``,
    ``department``, ``endDate``, ``stageId`` and ``mainContactId``. ``firstName``, ``lastName``
    and ``mainContactId`` change the candidate, the rest the role. Only real changes are
    written; they touch the candidate and the client (every client the candidate is a contact
    at when its name changes). Answers the person as
    ``GET /clients/contacts/{candidateId}`` shows it. ``NotFound`` (404) for an unknown
    contact; ``ValidationFailed`` (400) for bad fields, unknown ``stageId`` / ``mainContactId``
    (``NOT_FOUND``) or an end before the start."""
    found = await repository.get(session, workspace_id, contact_id)
    if found is None:
        raise NotFound("Client contact", contact_id)
    # the candidate's name shows in every client it is a contact at: lock them all first
    locked = await companies.lock(
        session,
        workspace_id,
        await repository.company_ids_of(session, workspace_id, found.candidate_id),
    )
    company = locked.get(found.company_id)
    candidate = await candidates.get(session, workspace_id, found.candidate_id, for_update=True)
    contact = await repository.get(session, workspace_id, contact_id, for_update=True)
    if company is None or candidate is None or contact is None:
        # removed meanwhile (a candidate's deletion removes its roles)
        raise NotFound("Client contact", contact_id)

    sent = body.model_fields_set
    errors = FieldErrors()
    role_values: dict[str, Any] = {
        name: getattr(body, name)
        for name in ("role", "department", "start_date", "end_date", "active", "stage_id")
        if name in sent
    }
    if "emails" in sent:
        role_values["emails"] = normalize_emails(body.emails, errors)
    if "phone_numbers" in sent:
        role_values["phone_numbers"] = normalize_phones(body.phone_numbers, phone_region, errors)
    if body.stage_id is not None:
        await _check_stage(session, workspace_id, body.stage_id, errors)
    _check_dates(
        role_values.get("start_date", contact.start_date),
        role_values.get("end_date", contact.end_date),
        "endDate" if "end_date" in sent else "startDate",
        errors,
    )
    candidate_values: dict[str, Any] = {
        name: getattr(body, name) for name in ("first_name", "last_name") if name in sent
    }
    if "main_contact_id" in sent:
        candidate_values["main_contact_user_id"] = body.main_contact_id
        if body.main_contact_id is not None and not await users.by_ids(
            session, workspace_id, [body.main_contact_id]
        ):
            errors.add(
                NOT_FOUND,
                "mainContactId",
                f"No user {body.main_contact_id} in this workspace",
                body.main_contact_id,
            )
    errors.raise_if_any()

    role_changes = {
        name: value for name, value in role_values.items() if getattr(contact, name) != value
    }
    candidate_changes = {
        name: value for name, value in candidate_values.items() if getattr(candidate, name) != value
    }
    for name, value in role_changes.items():
        setattr(contact, name, value)
    if role_changes:
        contact.modified_at = after(contact.modified_at)
    for name, value in candidate_changes.items():
        setattr(candidate, name, value)
    if role_changes or candidate_changes:
        # the candidate's own fields set above are recorded field by field by ``touch``
        related = {"clientContact": {"id": contact.id, "action": "updated"}} if role_changes else {}
        await candidates.touch(session, workspace_id, [candidate.id], related)
        renamed = candidate_changes.keys() & {"first_name", "last_name"}
        for shown_at in locked.values() if renamed else [company]:
            await companies.touch(session, shown_at)
    return await _person(session, workspace_id, candidate)


async def create_stage(
    session: AsyncSession, workspace_id: str, body: StageCreate
) -> dict[str, Any]:
    """Creates a client contact stage; ``order`` defaults to one after the last stage (0 for
    the first). 409 (``DUPLICATE`` at ``name``) when the name is taken, ignoring case."""
    stages = await repository.list_stages(session, workspace_id)
    conflict = _conflict(
        "A stage with this name already exists",
        ErrorItem(
            DUPLICATE, "name", f"A stage is already named {body.name!r} (ignoring case)", body.name
        ),
    )
    if any(stage.name.casefold() == body.name.casefold() for stage in stages):
        raise conflict
    if "order" in body.model_fields_set:
        position = body.order
    else:
        position = max((stage.position for stage in stages), default=-1) + 1
    stage = ClientContactStage(
        workspace_id=workspace_id,
        name=body.name,
        position=position,
        color_hex=body.color_hex,
        created_at=utcnow(),
    )
    repository.add_stage(session, stage)
    try:
        await session.flush()
    except IntegrityError:
        # a concurrent request created the same name first
        raise conflict from None
    result = stage_json(stage)
    assert result is not None
    return result


async def list_stages(session: AsyncSession, workspace_id: str) -> dict[str, Any]:
    """``{"stages": [...]}`` in pipeline order."""
    stages = await repository.list_stages(session, workspace_id)
    return {"stages": [stage_json(stage) for stage in stages]}
