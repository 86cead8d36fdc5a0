"""The seed's PATCH body (placeholders replaced) answers exactly the expected view."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from tests.conftest import create_candidate, create_user

SEED_BODY: dict[str, Any] = {
    "firstName": "John",
    "middleName": "William",
    "lastName": "Doe",
    "secondLastName": "Garcia",
    "compensation": {
        "currency": "USD",
        "id": "<compensation id>",
        "totalCompensation": 100000,
        "baseCompensation": 80000,
    },
    "mainContact": {"userId": "<main contact>"},
    "languages": [
        {
            "language": "English",
            "id": "clxkq1qyr0000t7t6h1g1g1g1",
            "fluency": "Native or bilingual proficiency",
        }
    ],
    "gender": "male",
    "nationality": ["Afghan"],
    "status": ["actively_looking"],
    "acquisitionSource": "manual",
    "locations": [
        {
            "type": "primary_home",
            "street1": "Keizersgracht 123",
            "street2": "Apartment 4",
            "postalCode": "1015 CJ",
            "city": "Amsterdam",
            "region": "Noord-Holland",
            "state": "North Holland",
            "country": "NL",
            "latitude": 52.3731,
            "longitude": 4.8922,
        }
    ],
    "socialMedia": [
        {"url": "https://www.linkedin.com/in/john-doe", "type": "LINKEDIN", "isPrimary": True}
    ],
    "emails": [{"purpose": "personal", "email": "jsmith@example.com", "isPrimary": True}],
    "phoneNumbers": [{"purpose": "personal", "phoneNumber": "+31612345678", "isPrimary": True}],
    "visibleIfClientContact": True,
    "dateOfBirth": "1990-05-15T00:00:00.000Z",
    "lastInteractionAt": "2024-01-15T14:30:00.000Z",
    "lastInteractionWithId": "<last interaction user>",
}


def seed_body(main_contact_id: str, last_interaction_id: str) -> dict[str, Any]:
    """The seed's example body with its placeholders replaced by real ids."""
    body = copy.deepcopy(SEED_BODY)
    body["mainContact"]["userId"] = main_contact_id
    body["lastInteractionWithId"] = last_interaction_id
    return body


def expected_view(
    candidate_id: str, main_contact: dict[str, Any], other: dict[str, Any]
) -> dict[str, Any]:
    """What the seed's PATCH must answer, ids of server-made items and timestamps aside."""
    return {
        "id": candidate_id,
        "name": {
            "viewType": "candidateName",
            "avatarUrl": None,
            "firstName": "John",
            "lastName": "Doe",
            "middleName": "William",
            "secondLastName": "Garcia",
        },
        "gender": {"viewType": "candidateGender", "gender": "male"},
        "nationality": {"viewType": "candidateNationality", "nationality": ["Afghan"]},
        "status": {"viewType": "candidateStatus", "status": ["actively_looking"]},
        "emails": {
            "viewType": "candidateEmails",
            "emails": [{"purpose": "personal", "email": "jsmith@example.com", "isPrimary": True}],
        },
        "phoneNumbers": {
            "viewType": "candidatePhoneNumbers",
            "phoneNumbers": [
                {"purpose": "personal", "phoneNumber": "+31612345678", "isPrimary": True}
            ],
        },
        "locations": {
            "viewType": "candidateLocation",
            "locations": [
                {
                    "type": "primary_home",
                    "street1": "Keizersgracht 123",
                    "street2": "Apartment 4",
                    "postalCode": "1015 CJ",
                    "city": "Amsterdam",
                    "region": "Noord-Holland",
                    "state": "North Holland",
                    "country": "NL",
                    "rawCityCountry": "Amsterdam, NL",
                    "latitude": 52.3731,
                    "longitude": 4.8922,
                    "formattedAddress": (
                        "Keizersgracht 123, Apartment 4, 1015 CJ Amsterdam, North Holland, NL"
                    ),
                }
            ],
        },
        "dateOfBirth": {
            "viewType": "candidateDateOfBirth",
            "dateOfBirth": "1990-05-15T00:00:00.000Z",
        },
        "socialMedia": {
            "viewType": "candidateSocialMedia",
            "socialMedia": [
                {
                    "url": "https://www.linkedin.com/in/john-doe",
                    "type": "LINKEDIN",
                    "isPrimary": True,
                }
            ],
        },
        "lastInteractionDate": {
            "viewType": "candidateLastInteractionDate",
            "lastInteractionDate": "2024-01-15T14:30:00.000Z",
        },
        "lastInteractionWith": {"viewType": "candidateLastInteractionWith", "user": other},
        "nextInteractionDate": {
            "viewType": "candidateNextInteractionDate",
            "nextInteractionDate": None,
        },
        "nextInteractionWith": {"viewType": "candidateNextInteractionWith", "user": None},
        "mainContact": {"viewType": "candidateMainContact", "user": main_contact},
        "languages": {
            "viewType": "candidateLanguages",
            "languages": [
                {
                    "language": "English",
                    "id": "clxkq1qyr0000t7t6h1g1g1g1",
                    "fluency": "Native or bilingual proficiency",
                }
            ],
        },
        "compensation": {
            "viewType": "candidateCompensation",
            "compensation": {
                "currency": "USD",
                "id": "<server-assigned>",
                "totalCompensation": 100000,
                "baseCompensation": 80000,
            },
        },
        "currentPlacements": {
            "viewType": "candidateCurrentPlacements",
            "hasCurrentPlacement": False,
            "placements": [],
        },
        "nextTaskDue": {"viewType": "candidateNextTaskDue", "nextTaskDue": None},
        "createdAt": "<timestamp>",
        "modifiedAt": "<timestamp>",
        "lastActivityDate": "<timestamp>",
        "acquisitionSource": {
            "viewType": "candidateAcquisitionSource",
            "acquisitionSource": "manual",
        },
        "latestWorkExperience": {"title": None, "company": None},
        "lastLinkedinDiffAt": None,
        "isDiffingLinkedin": False,
        "customAttributes": [],
        "aiSummary": None,
        "clientContacts": {"viewType": "candidateClientContacts", "clientContacts": []},
        "isVisibleIfClientContact": True,
        "hasClientContacts": False,
        "hasActiveClientContacts": False,
        "lastAgentChatId": None,
        "cvAttachmentId": None,
        "linkedInProfile": {
            "viewType": "candidateLinkedInProfile",
            "headline": None,
            "about": None,
            "skills": [],
        },
    }


TIMESTAMP_KEYS = ("createdAt", "modifiedAt", "lastActivityDate")


def _without_volatile(view: dict[str, Any]) -> dict[str, Any]:
    view = copy.deepcopy(view)
    for key in TIMESTAMP_KEYS:
        view[key] = "<timestamp>"
    if view["compensation"]["compensation"] is not None:
        view["compensation"]["compensation"]["id"] = "<server-assigned>"
    return view


async def test_seed_patch_answers_the_expected_view_field_by_field(
    client: httpx.AsyncClient,
) -> None:
    main_contact = await create_user(client, "Ann Recruiter", "ann@agency.example")
    other = await create_user(client, "Bob Recruiter", "bob@agency.example")
    candidate_id = await create_candidate(client)

    response = await client.patch(
        f"/candidates/{candidate_id}", json=seed_body(main_contact["userId"], other["userId"])
    )

    assert response.status_code == 200, response.text
    view = response.json()
    expected = expected_view(candidate_id, main_contact, other)
    assert list(view) == list(expected), "sections must come in the seed's order"
    actual = _without_volatile(view)
    for key, value in expected.items():
        assert actual[key] == value, f"section {key}"
    assert view["compensation"]["compensation"]["id"] != "<compensation id>"
    assert view["modifiedAt"] >= view["createdAt"]
    assert view["lastActivityDate"] == max(view["modifiedAt"], "2024-01-15T14:30:00.000Z")

    fetched = await client.get(f"/candidates/{candidate_id}")
    assert fetched.status_code == 200
    assert fetched.json() == view


async def test_seed_patch_sent_twice_is_a_no_op_the_second_time(client: httpx.AsyncClient) -> None:
    user = await create_user(client, "Ann Recruiter", "ann@agency.example")
    candidate_id = await create_candidate(client)
    body = seed_body(user["userId"], user["userId"])

    first = (await client.patch(f"/candidates/{candidate_id}", json=body)).json()
    body["compensation"]["id"] = first["compensation"]["compensation"]["id"]
    second = await client.patch(f"/candidates/{candidate_id}", json=body)

    assert second.status_code == 200
    assert second.json() == first


async def test_seed_timestamps_have_millisecond_utc_format(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)
    view = (await client.get(f"/candidates/{candidate_id}")).json()
    for key in TIMESTAMP_KEYS:
        assert len(view[key]) == len("2024-01-15T14:30:00.000Z"), view[key]
        assert view[key].endswith("Z") and view[key][19] == "."
