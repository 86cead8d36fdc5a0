"""A client as Spott shows it (``spott-reference/clients-and-contacts.txt``): one section per
field, each with its ``viewType``. Sections with nothing behind them in talentbase (a client
pipeline stage, funding, client custom attributes) are shown empty, never made up."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from talentbase.candidates.models import Candidate
from talentbase.candidates.view import location_json
from talentbase.client_contacts.models import ClientContact, ClientContactStage
from talentbase.client_contacts.view import is_active, stage_json
from talentbase.companies.models import Company
from talentbase.db.types import utcnow
from talentbase.tasks.models import Task
from talentbase.views import iso


def client_item(company: Company, next_task: Task | None) -> dict[str, Any]:
    """A client as ``GET /clients`` lists it."""
    return {
        "id": company.id,
        "status": {"viewType": "clientStatus", "status": company.status},
        "name": {"viewType": "clientName", "name": company.name, "avatarUrl": company.logo_url},
        "description": {"viewType": "clientDescription", "description": company.description},
        "industry": {"viewType": "clientIndustry", "industry": company.industry},
        "domain": {"viewType": "clientDomain", "domain": company.domain},
        "linkedinUrl": {"viewType": "clientLinkedinUrl", "linkedinUrl": company.linkedin_url},
        "size": {"viewType": "clientSize", "size": company.size},
        "stage": {"viewType": "clientStage", "stage": None},
        "nextTaskDue": {
            "viewType": "clientNextTaskDue",
            "nextTaskDue": {
                "id": next_task.id,
                "content": next_task.content,
                "dueDate": iso(next_task.due_date),
            }
            if next_task
            else None,
        },
        "locations": {
            "viewType": "clientLocations",
            "locations": [location_json(location) for location in company.locations],
        },
        "customAttributes": [],
        "createdAt": iso(company.created_at),
        "modifiedAt": iso(company.modified_at),
    }


def _contact(
    contact: ClientContact,
    candidate: Candidate,
    stage: ClientContactStage | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "id": contact.id,
        "candidateId": candidate.id,
        "firstName": candidate.first_name,
        "middleName": candidate.middle_name,
        "lastName": candidate.last_name,
        "avatarUrl": candidate.avatar_url,
        "role": contact.role,
        "department": contact.department,
        "startDate": iso(contact.start_date),
        "endDate": iso(contact.end_date),
        "active": is_active(contact, now),
        # Spott's client view names the address `emailAddress` (the candidate view: `email`)
        "emailAddresses": [
            {
                "purpose": item.get("purpose"),
                "emailAddress": item["email"],
                "isPrimary": item["isPrimary"],
            }
            for item in contact.emails
        ],
        "phoneNumbers": [
            {
                "purpose": item.get("purpose"),
                "phoneNumber": item["phoneNumber"],
                "isPrimary": item["isPrimary"],
            }
            for item in contact.phone_numbers
        ],
        "stage": stage_json(stage),
    }


def client_view(
    company: Company,
    next_task: Task | None,
    contacts: list[tuple[ClientContact, Candidate, ClientContactStage | None]],
) -> dict[str, Any]:
    """A client as ``GET /clients/{id}`` shows it: the list item, ``funding`` and its contacts
    (each ``active`` as at one instant, ``client_contacts.view.is_active``)."""
    now = utcnow()
    return {
        **client_item(company, next_task),
        "funding": {"viewType": "clientFunding", "funding": None},
        "contacts": {
            "viewType": "clientContacts",
            "contacts": [_contact(*row, now) for row in contacts],
        },
    }
