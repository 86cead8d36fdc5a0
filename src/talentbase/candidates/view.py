"""The CandidateView (API.md §2.3), built in one place for GET, PATCH answers and list items.

Every section comes from stored data: the candidate row, and the records behind the derived
sections (placements, tasks, notes, work experience, client contacts, custom attributes, LinkedIn
profile, CV attachment), loaded for a whole batch of candidates: one probe for which families
have rows, then one query per family that has any.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.attachments import repository as attachments
from talentbase.candidates import repository as candidates_repository
from talentbase.candidates.models import Candidate
from talentbase.client_contacts import repository as client_contacts
from talentbase.client_contacts.models import ClientContact, ClientContactStage
from talentbase.client_contacts.view import is_active, stage_json
from talentbase.companies.models import Company
from talentbase.custom_attributes import repository as custom_attributes
from talentbase.custom_attributes.models import CustomAttributeDefinition, CustomAttributeValue
from talentbase.custom_attributes.view import attribute_json
from talentbase.db.types import utcnow
from talentbase.linkedin import repository as linkedin
from talentbase.linkedin.models import LinkedInProfile
from talentbase.notes import repository as notes
from talentbase.notes.models import Note
from talentbase.notes.schemas import INTERACTION_SOURCES
from talentbase.placements import repository as placements
from talentbase.placements.models import Placement
from talentbase.tasks import repository as tasks
from talentbase.tasks.repository import NextTasks
from talentbase.users import repository as users
from talentbase.users.models import User
from talentbase.views import iso, iso_date, user_json
from talentbase.work_history import repository as work_history
from talentbase.work_history.models import WorkExperience
from talentbase.work_history.ordering import most_recent_first

CANDIDATE = "candidate"
CLIENT_CONTACT = "clientContact"

_AttributeRows = list[tuple[CustomAttributeValue, CustomAttributeDefinition]]


# each candidate's work experiences with their company, by candidate id
Experiences = dict[str, list[tuple[WorkExperience, Company | None]]]


@dataclass
class Related:
    """The records behind the derived sections, for a batch of candidates."""

    now: datetime
    users: dict[str, User] = field(default_factory=dict)
    placements: dict[str, list[tuple[Placement, Company]]] = field(default_factory=dict)
    next_tasks: dict[str, NextTasks] = field(default_factory=dict)
    last_interaction_notes: dict[str, Note] = field(default_factory=dict)
    experiences: Experiences = field(default_factory=dict)
    contacts: dict[str, list[tuple[ClientContact, Company, ClientContactStage | None]]] = field(
        default_factory=dict
    )
    attributes: dict[str, _AttributeRows] = field(default_factory=dict)
    contact_attributes: dict[str, _AttributeRows] = field(default_factory=dict)
    profiles: dict[str, LinkedInProfile] = field(default_factory=dict)
    cv_ids: dict[str, str] = field(default_factory=dict)


async def load_related(
    session: AsyncSession,
    workspace_id: str,
    candidates: Sequence[Candidate],
    known_users: dict[str, User] | None = None,
    families: set[str] | None = None,
    experiences: Experiences | None = None,
) -> Related:
    """Loads what the views of ``candidates`` derive from: one probe for which record families
    have rows, then one query per family that has any, and one for the users named.
    ``known_users`` are users the caller already loaded (they are not fetched again);
    ``families``, when the caller knows them (``candidates.repository.get_locked``), replaces
    the probe, and ``experiences`` (each candidate's work experiences with their company),
    when the caller read them, replace their query."""
    ids = [candidate.id for candidate in candidates]
    related = Related(now=utcnow())
    present = (
        families
        if families is not None
        else await candidates_repository.related_families(session, workspace_id, ids)
    )
    if candidates_repository.PLACEMENTS in present:
        related.placements = await placements.current_for_candidates(
            session, workspace_id, ids, related.now
        )
    if candidates_repository.TASKS in present:
        related.next_tasks = await tasks.next_for_candidates(
            session, workspace_id, ids, related.now
        )
    if candidates_repository.NOTES in present:
        related.last_interaction_notes = await notes.latest_for_candidates(
            session, workspace_id, ids, INTERACTION_SOURCES
        )
    if experiences is not None:
        related.experiences = experiences
    elif candidates_repository.WORK_EXPERIENCES in present:
        related.experiences = await work_history.experiences_for_candidates(
            session, workspace_id, ids
        )
    if candidates_repository.CLIENT_CONTACTS in present:
        related.contacts = await client_contacts.for_candidates(session, workspace_id, ids)
        contact_ids = [contact.id for rows in related.contacts.values() for contact, _, _ in rows]
        related.contact_attributes = await custom_attributes.values_for(
            session, workspace_id, CLIENT_CONTACT, contact_ids
        )
    if candidates_repository.CUSTOM_ATTRIBUTES in present:
        related.attributes = await custom_attributes.values_for(
            session, workspace_id, CANDIDATE, ids
        )
    if candidates_repository.LINKEDIN_PROFILES in present:
        related.profiles = await linkedin.for_candidates(session, workspace_id, ids)
    if candidates_repository.ATTACHMENTS in present:
        related.cv_ids = await attachments.latest_cv_ids(session, workspace_id, ids)
    user_ids: set[str] = set()
    for candidate in candidates:
        for user_id in (candidate.main_contact_user_id, candidate.last_interaction_with_id):
            if user_id:
                user_ids.add(user_id)
    for next_tasks in related.next_tasks.values():
        if next_tasks.interaction is not None and next_tasks.interaction.assigned_to_user_id:
            user_ids.add(next_tasks.interaction.assigned_to_user_id)
    user_ids.update(
        note.created_by_user_id
        for note in related.last_interaction_notes.values()
        if note.created_by_user_id
    )
    related.users = dict(known_users or {})
    missing = user_ids - related.users.keys()
    if missing:
        related.users.update(await users.by_ids(session, workspace_id, missing))
    return related


async def build_views(
    session: AsyncSession,
    workspace_id: str,
    candidates: Sequence[Candidate],
    known_users: dict[str, User] | None = None,
    families: set[str] | None = None,
) -> list[dict[str, Any]]:
    """The views of ``candidates``, in order (``known_users``, ``families``: see
    ``load_related``)."""
    related = await load_related(session, workspace_id, candidates, known_users, families)
    return [render(candidate, related) for candidate in candidates]


async def build_view(
    session: AsyncSession,
    workspace_id: str,
    candidate: Candidate,
    known_users: dict[str, User] | None = None,
    families: set[str] | None = None,
    experiences: list[tuple[WorkExperience, Company | None]] | None = None,
) -> dict[str, Any]:
    """The view of one candidate (``known_users``, ``families``, and its ``experiences``: see
    ``load_related``)."""
    related = await load_related(
        session,
        workspace_id,
        [candidate],
        known_users,
        families,
        {candidate.id: experiences} if experiences is not None else None,
    )
    return render(candidate, related)


def _number(value: Any) -> Any:
    """Whole floats as integers, so ``100000`` round-trips as ``100000``, not ``100000.0``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _company(company: Company | None) -> dict[str, Any] | None:
    if company is None:
        return None
    return {"id": company.id, "name": company.name, "logoUrl": company.logo_url}


def raw_city_country(location: dict[str, Any]) -> str | None:
    """``"City, Country"`` from the parts present, or None."""
    parts = [location.get("city"), location.get("country")]
    text = ", ".join(part for part in parts if part)
    return text or None


def formatted_address(location: dict[str, Any]) -> str | None:
    """A one-line address: streets, postal code and city, region or state, country."""
    postal_city = " ".join(
        part for part in (location.get("postalCode"), location.get("city")) if part
    )
    parts = [
        location.get("street1"),
        location.get("street2"),
        postal_city,
        location.get("state") or location.get("region"),
        location.get("country"),
    ]
    text = ", ".join(part for part in parts if part)
    return text or None


def location_json(location: dict[str, Any]) -> dict[str, Any]:
    """A stored location as every view shows it: its parts, ``rawCityCountry`` and
    ``formattedAddress`` derived, coordinates as numbers."""
    return {
        "type": location.get("type"),
        "street1": location.get("street1"),
        "street2": location.get("street2"),
        "postalCode": location.get("postalCode"),
        "city": location.get("city"),
        "region": location.get("region"),
        "state": location.get("state"),
        "country": location.get("country"),
        "rawCityCountry": raw_city_country(location),
        "latitude": _number(location.get("latitude")),
        "longitude": _number(location.get("longitude")),
        "formattedAddress": formatted_address(location),
    }


def _emails(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"purpose": item.get("purpose"), "email": item["email"], "isPrimary": item["isPrimary"]}
        for item in items
    ]


def _phones(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "purpose": item.get("purpose"),
            "phoneNumber": item["phoneNumber"],
            "isPrimary": item["isPrimary"],
        }
        for item in items
    ]


def _compensation(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "currency": value.get("currency"),
        "id": value["id"],
        "totalCompensation": _number(value.get("totalCompensation")),
        "baseCompensation": _number(value.get("baseCompensation")),
    }


def latest_experience(
    rows: list[tuple[WorkExperience, Company | None]],
) -> tuple[WorkExperience, Company | None] | None:
    """The first experience in ``GET /candidates/{id}/work-experiences`` order: the current one
    (started, not ended) that started last, else the one that ended last, else the one starting
    soonest (``work_history.ordering``)."""
    ordered = most_recent_first(rows, lambda row: row[0])
    return ordered[0] if ordered else None


def _client_contact(
    contact: ClientContact,
    company: Company,
    stage: ClientContactStage | None,
    attributes: _AttributeRows,
    now: datetime,
) -> dict[str, Any]:
    return {
        "id": contact.id,
        "company": _company(company),
        "role": contact.role,
        "department": contact.department,
        "startDate": iso(contact.start_date),
        "endDate": iso(contact.end_date),
        "active": is_active(contact, now),
        "emailAddresses": _emails(contact.emails),
        "phoneNumbers": _phones(contact.phone_numbers),
        "stage": stage_json(stage),
        "customAttributes": [attribute_json(value, definition) for value, definition in attributes],
    }


def last_interaction(candidate: Candidate, note: Note | None) -> tuple[datetime | None, str | None]:
    """``lastInteractionDate`` and the id of ``lastInteractionWith``: the latest note of an
    interaction source linked to the candidate (its ``createdAt`` and ``createdBy``), or the
    values PATCH set (``lastInteractionAt`` / ``lastInteractionWithId``), whichever is later.
    On a tie PATCH's values win: they were set on purpose, naming the interaction."""
    patched = (candidate.last_interaction_at, candidate.last_interaction_with_id)
    if note is None:
        return patched
    patched_at = candidate.last_interaction_at
    if patched_at is not None and patched_at >= note.created_at:
        return patched
    return note.created_at, note.created_by_user_id


def render(candidate: Candidate, related: Related) -> dict[str, Any]:
    """The CandidateView of one candidate, keys in the seed's order."""
    cid = candidate.id
    running = related.placements.get(cid, [])
    next_tasks = related.next_tasks.get(cid, NextTasks())
    next_task = next_tasks.due
    next_interaction = next_tasks.interaction
    last_interaction_at, last_interaction_with_id = last_interaction(
        candidate, related.last_interaction_notes.get(cid)
    )
    latest = latest_experience(related.experiences.get(cid, []))
    contacts = related.contacts.get(cid, [])
    profile = related.profiles.get(cid)
    last_activity = max(
        moment for moment in (candidate.modified_at, last_interaction_at) if moment is not None
    )
    return {
        "id": cid,
        "name": {
            "viewType": "candidateName",
            "avatarUrl": candidate.avatar_url,
            "firstName": candidate.first_name,
            "lastName": candidate.last_name,
            "middleName": candidate.middle_name,
            "secondLastName": candidate.second_last_name,
        },
        "gender": {"viewType": "candidateGender", "gender": candidate.gender},
        "nationality": {
            "viewType": "candidateNationality",
            "nationality": list(candidate.nationality),
        },
        "status": {"viewType": "candidateStatus", "status": list(candidate.status)},
        "emails": {"viewType": "candidateEmails", "emails": _emails(candidate.emails)},
        "phoneNumbers": {
            "viewType": "candidatePhoneNumbers",
            "phoneNumbers": _phones(candidate.phone_numbers),
        },
        "locations": {
            "viewType": "candidateLocation",
            "locations": [location_json(location) for location in candidate.locations],
        },
        "dateOfBirth": {
            "viewType": "candidateDateOfBirth",
            "dateOfBirth": iso_date(candidate.date_of_birth),
        },
        "socialMedia": {
            "viewType": "candidateSocialMedia",
            "socialMedia": [
                {"url": item["url"], "type": item["type"], "isPrimary": item["isPrimary"]}
                for item in candidate.social_media
            ],
        },
        "lastInteractionDate": {
            "viewType": "candidateLastInteractionDate",
            "lastInteractionDate": iso(last_interaction_at),
        },
        "lastInteractionWith": {
            "viewType": "candidateLastInteractionWith",
            "user": _user(related, last_interaction_with_id),
        },
        "nextInteractionDate": {
            "viewType": "candidateNextInteractionDate",
            "nextInteractionDate": iso(next_interaction.due_date) if next_interaction else None,
        },
        "nextInteractionWith": {
            "viewType": "candidateNextInteractionWith",
            "user": _user(related, next_interaction.assigned_to_user_id)
            if next_interaction
            else None,
        },
        "mainContact": {
            "viewType": "candidateMainContact",
            "user": _user(related, candidate.main_contact_user_id),
        },
        "languages": {
            "viewType": "candidateLanguages",
            "languages": [
                {"language": item["language"], "id": item["id"], "fluency": item.get("fluency")}
                for item in candidate.languages
            ],
        },
        "compensation": {
            "viewType": "candidateCompensation",
            "compensation": _compensation(candidate.compensation),
        },
        "currentPlacements": {
            "viewType": "candidateCurrentPlacements",
            "hasCurrentPlacement": bool(running),
            "placements": [
                {
                    "id": placement.id,
                    "company": _company(company),
                    "startDate": iso(placement.start_date),
                    "endDate": iso(placement.end_date),
                }
                for placement, company in running
            ],
        },
        "nextTaskDue": {
            "viewType": "candidateNextTaskDue",
            "nextTaskDue": {
                "id": next_task.id,
                "content": next_task.content,
                "dueDate": iso(next_task.due_date),
            }
            if next_task
            else None,
        },
        "createdAt": iso(candidate.created_at),
        "modifiedAt": iso(candidate.modified_at),
        "lastActivityDate": iso(last_activity),
        "acquisitionSource": {
            "viewType": "candidateAcquisitionSource",
            "acquisitionSource": candidate.acquisition_source,
        },
        # an object, never null (the seed: "latestWorkExperience object required")
        "latestWorkExperience": {
            "title": latest[0].job_title if latest else None,
            "company": _company(latest[1]) if latest else None,
        },
        "lastLinkedinDiffAt": iso(profile.last_diff_at) if profile else None,
        "isDiffingLinkedin": profile.is_diffing if profile else False,
        "customAttributes": [
            attribute_json(value, definition)
            for value, definition in related.attributes.get(cid, [])
        ],
        "aiSummary": candidate.ai_summary,
        "clientContacts": {
            "viewType": "candidateClientContacts",
            "clientContacts": [
                _client_contact(
                    contact,
                    company,
                    stage,
                    related.contact_attributes.get(contact.id, []),
                    related.now,
                )
                for contact, company, stage in contacts
            ],
        },
        "isVisibleIfClientContact": candidate.visible_if_client_contact,
        "hasClientContacts": bool(contacts),
        "hasActiveClientContacts": any(
            is_active(contact, related.now) for contact, _, _ in contacts
        ),
        "lastAgentChatId": candidate.last_agent_chat_id,
        "cvAttachmentId": related.cv_ids.get(cid),
        "linkedInProfile": {
            "viewType": "candidateLinkedInProfile",
            "headline": profile.headline if profile else None,
            "about": profile.about if profile else None,
            "skills": list(profile.skills) if profile else [],
        },
    }


def _user(related: Related, user_id: str | None) -> dict[str, Any] | None:
    user = related.users.get(user_id) if user_id is not None else None
    return user_json(user) if user is not None else None
