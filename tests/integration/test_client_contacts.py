"""Client contacts (a candidate's role at a client) and their stages: the routes in Spott's
shapes (``spott-reference/clients-and-contacts.txt``) and the candidate view's sections they
drive: ``clientContacts``, ``hasClientContacts``, ``hasActiveClientContacts``,
``isVisibleIfClientContact``."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from talentbase.candidates.schemas import CandidateView
from talentbase.client_contacts.schemas import ContactPerson, StageList
from talentbase.companies.schemas import ClientView
from talentbase.db.urls import sync_url
from tests.conftest import NewKey, create_candidate, create_user, make_client


@pytest.fixture
async def other(app: Any, new_api_key: NewKey) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a second workspace."""
    async with make_client(app, await new_api_key()) as http:
        yield http


def count_rows(database_url: str, table: str) -> int:
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


async def create_client(http: httpx.AsyncClient, name: str = "Acme", **fields: Any) -> str:
    response = await http.post("/clients", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    client_id: str = response.json()["id"]
    return client_id


async def create_stage(http: httpx.AsyncClient, name: str, **fields: Any) -> dict[str, Any]:
    response = await http.post("/clients/contacts/stages", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    stage: dict[str, Any] = response.json()
    return stage


async def create_contact(http: httpx.AsyncClient, client_id: str, **body: Any) -> dict[str, Any]:
    response = await http.post(f"/clients/contacts/{client_id}", json=body)
    assert response.status_code == 201, response.text
    person: dict[str, Any] = response.json()
    return person


def errors_of(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 400, response.text
    return [(error["code"], error["path"]) for error in response.json()["errors"]]


def company(client_id: str, name: str = "Acme", logo_url: str | None = None) -> dict[str, Any]:
    return {"id": client_id, "name": name, "logoUrl": logo_url}


def role(
    contact_id: str, company_ref: dict[str, Any], **fields: Any
) -> dict[str, Any]:  # one clientContacts[] entry of the candidate view
    return {
        "id": contact_id,
        "company": company_ref,
        "role": None,
        "department": None,
        "startDate": None,
        "endDate": None,
        "active": True,
        "emailAddresses": [],
        "phoneNumbers": [],
        "stage": None,
        "customAttributes": [],
        **fields,
    }


def contact_sections(view: dict[str, Any]) -> dict[str, Any]:
    return {
        key: view[key]
        for key in (
            "clientContacts",
            "isVisibleIfClientContact",
            "hasClientContacts",
            "hasActiveClientContacts",
        )
    }


async def view_of(http: httpx.AsyncClient, candidate_id: str) -> dict[str, Any]:
    response = await http.get(f"/candidates/{candidate_id}")
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    CandidateView.model_validate(view)
    return view


# ---- stages ------------------------------------------------------------------------------------


async def test_stages_are_created_and_listed_in_pipeline_order(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    warm = await create_stage(client, " Warm ", colorHex="#ffaa00")
    cold = await create_stage(client, "Cold", order=0, colorHex="#0AF")
    hot = await create_stage(client, "Hot")
    await create_stage(other, "Theirs")

    assert warm == {"id": warm["id"], "order": 0, "name": "Warm", "colorHex": "#ffaa00"}
    assert cold == {"id": cold["id"], "order": 0, "name": "Cold", "colorHex": "#0AF"}
    assert hot == {"id": hot["id"], "order": 1, "name": "Hot", "colorHex": None}
    listed = (await client.get("/clients/contacts/stages")).json()
    StageList.model_validate(listed)
    assert listed == {"stages": [cold, warm, hot]}


async def test_a_workspace_without_stages_lists_none(client: httpx.AsyncClient) -> None:
    assert (await client.get("/clients/contacts/stages")).json() == {"stages": []}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, [("REQUIRED", "name")]),
        ({"name": " "}, [("TOO_SMALL", "name")]),
        ({"name": "N" * 101}, [("TOO_BIG", "name")]),
        ({"name": "Warm", "colorHex": "ffaa00"}, [("INVALID_STRING", "colorHex")]),
        ({"name": "Warm", "colorHex": "#ffaa0"}, [("INVALID_STRING", "colorHex")]),
        ({"name": "Warm", "colorHex": "#gggggg"}, [("INVALID_STRING", "colorHex")]),
        ({"name": "Warm", "order": -1}, [("TOO_SMALL", "order")]),
        ({"name": "Warm", "order": 1.5}, [("INVALID_TYPE", "order")]),
        ({"name": "Warm", "order": None}, [("INVALID_TYPE", "order")]),
        ({"name": "Warm", "color": "#fff"}, [("UNRECOGNIZED_KEYS", "color")]),
    ],
)
async def test_create_stage_with_bad_input_fails_and_stores_nothing(
    client: httpx.AsyncClient, body: dict[str, Any], expected: Any
) -> None:
    assert errors_of(await client.post("/clients/contacts/stages", json=body)) == expected
    assert (await client.get("/clients/contacts/stages")).json() == {"stages": []}


async def test_a_stage_name_is_taken_ignoring_case(client: httpx.AsyncClient) -> None:
    first = await create_stage(client, "Warm")

    response = await client.post("/clients/contacts/stages", json={"name": "WARM"})

    assert response.status_code == 409, response.text
    assert [(e["code"], e["path"]) for e in response.json()["errors"]] == [("DUPLICATE", "name")]
    assert (await client.get("/clients/contacts/stages")).json() == {"stages": [first]}


# ---- create ------------------------------------------------------------------------------------


async def test_create_contact_with_a_new_person_answers_the_contact_document(
    client: httpx.AsyncClient, database_url: str
) -> None:
    client_id = await create_client(client, logoUrl="https://acme.example/logo.png")
    stage = await create_stage(client, "Warm", colorHex="#ff0000")
    before = count_rows(database_url, "candidates")

    response = await client.post(
        f"/clients/contacts/{client_id}",
        json={
            "firstName": "Ann",
            "lastName": "Buyer",
            "gender": "female",
            "locations": [{"city": "Utrecht", "country": "NL"}],
            "role": "Head of Talent",
            "department": "HR",
            "startDate": "2024-01-15T09:00:00+01:00",
            "emails": [
                {"email": "ann@acme.example", "purpose": "work"},
                {"email": "ann@home.example", "purpose": "personal", "isPrimary": True},
            ],
            "phoneNumbers": [{"phoneNumber": "+31 20 123 4567", "purpose": "work"}],
            "stageId": stage["id"],
            "keepShowingAsCandidate": False,
        },
    )

    assert response.status_code == 201, response.text
    person = response.json()
    ContactPerson.model_validate(person)
    candidate_id = person["candidateId"]
    view = await view_of(client, candidate_id)
    contact_id = view["clientContacts"]["clientContacts"][0]["id"]
    expected_role = role(
        contact_id,
        company(client_id, logo_url="https://acme.example/logo.png"),
        role="Head of Talent",
        department="HR",
        startDate="2024-01-15T08:00:00.000Z",
        emailAddresses=[
            {"purpose": "work", "email": "ann@acme.example", "isPrimary": False},
            {"purpose": "personal", "email": "ann@home.example", "isPrimary": True},
        ],
        phoneNumbers=[{"purpose": "work", "phoneNumber": "+31 20 123 4567", "isPrimary": True}],
        stage=stage,
    )
    assert person == {
        "candidateId": candidate_id,
        "firstName": "Ann",
        "lastName": "Buyer",
        "avatarUrl": None,
        "locations": view["locations"]["locations"],
        "lastInteractionDate": None,
        "lastInteractionWith": None,
        "nextInteractionDate": None,
        "nextInteractionWith": None,
        "lastActivityDate": view["lastActivityDate"],
        "nextTaskDue": None,
        "mainContact": None,
        "clientContacts": [expected_role],
    }
    assert view["locations"]["locations"][0]["rawCityCountry"] == "Utrecht, NL"
    assert contact_sections(view) == {
        "clientContacts": {
            "viewType": "candidateClientContacts",
            "clientContacts": [expected_role],
        },
        "isVisibleIfClientContact": False,
        "hasClientContacts": True,
        "hasActiveClientContacts": True,
    }
    # the role's emails and phones are the role's, not the candidate's
    assert view["emails"]["emails"] == []
    assert view["phoneNumbers"]["phoneNumbers"] == []
    assert view["gender"]["gender"] == "female"
    assert view["createdAt"] == view["modifiedAt"]
    assert count_rows(database_url, "candidates") == before + 1
    assert (await client.get(f"/clients/contacts/{candidate_id}")).json() == person


async def test_create_contact_for_an_existing_candidate_touches_it(
    client: httpx.AsyncClient,
) -> None:
    client_id = await create_client(client)
    candidate_id = await create_candidate(client, visibleIfClientContact=False)
    before = await view_of(client, candidate_id)
    client_before = (await client.get(f"/clients/{client_id}")).json()

    person = await create_contact(
        client_id=client_id,
        http=client,
        candidateId=candidate_id,
        role="CTO",
        keepShowingAsCandidate=True,
    )

    view = await view_of(client, candidate_id)
    assert person["candidateId"] == candidate_id
    assert view["modifiedAt"] > before["modifiedAt"]
    assert view["createdAt"] == before["createdAt"]
    contact_id = view["clientContacts"]["clientContacts"][0]["id"]
    assert contact_sections(view) == {
        "clientContacts": {
            "viewType": "candidateClientContacts",
            "clientContacts": [role(contact_id, company(client_id), role="CTO")],
        },
        "isVisibleIfClientContact": True,
        "hasClientContacts": True,
        "hasActiveClientContacts": True,
    }
    assert view["name"] == before["name"]
    client_after = (await client.get(f"/clients/{client_id}")).json()
    assert client_after["modifiedAt"] > client_before["modifiedAt"]


async def test_a_candidate_that_never_was_a_contact_keeps_empty_sections(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)

    assert contact_sections(await view_of(client, candidate_id)) == {
        "clientContacts": {"viewType": "candidateClientContacts", "clientContacts": []},
        "isVisibleIfClientContact": None,
        "hasClientContacts": False,
        "hasActiveClientContacts": False,
    }
    response = await client.get(f"/clients/contacts/{candidate_id}")
    assert response.status_code == 404, response.text
    assert response.json()["message"] == f"Client contact {candidate_id} not found"


async def test_an_inactive_contact_is_a_contact_but_not_an_active_one(
    client: httpx.AsyncClient,
) -> None:
    client_id = await create_client(client)
    person = await create_contact(
        client,
        client_id,
        firstName="Old",
        lastName="Contact",
        active=False,
        startDate="2020-01-01T00:00:00Z",
        endDate="2022-06-30T00:00:00Z",
    )

    view = await view_of(client, person["candidateId"])
    contact_id = view["clientContacts"]["clientContacts"][0]["id"]
    assert contact_sections(view) == {
        "clientContacts": {
            "viewType": "candidateClientContacts",
            "clientContacts": [
                role(
                    contact_id,
                    company(client_id),
                    active=False,
                    startDate="2020-01-01T00:00:00.000Z",
                    endDate="2022-06-30T00:00:00.000Z",
                )
            ],
        },
        "isVisibleIfClientContact": None,
        "hasClientContacts": True,
        "hasActiveClientContacts": False,
    }


async def test_contacts_at_two_clients_show_oldest_first_and_one_active_is_enough(
    client: httpx.AsyncClient,
) -> None:
    acme = await create_client(client)
    globex = await create_client(client, "Globex", logoUrl="https://globex.example/g.png")
    person = await create_contact(client, acme, firstName="Ann", lastName="Both", active=False)
    candidate_id = person["candidateId"]
    await create_contact(client, globex, candidateId=candidate_id, role="Advisor")

    view = await view_of(client, candidate_id)
    roles = view["clientContacts"]["clientContacts"]
    assert contact_sections(view) == {
        "clientContacts": {
            "viewType": "candidateClientContacts",
            "clientContacts": [
                role(roles[0]["id"], company(acme), active=False),
                role(
                    roles[1]["id"],
                    company(globex, "Globex", "https://globex.example/g.png"),
                    role="Advisor",
                ),
            ],
        },
        "isVisibleIfClientContact": None,
        "hasClientContacts": True,
        "hasActiveClientContacts": True,
    }
    person = (await client.get(f"/clients/contacts/{candidate_id}")).json()
    assert person["clientContacts"] == roles
    # each client lists its contact
    acme_view = (await client.get(f"/clients/{acme}")).json()
    assert [c["id"] for c in acme_view["contacts"]["contacts"]] == [roles[0]["id"]]
    globex_view = (await client.get(f"/clients/{globex}")).json()
    assert [c["id"] for c in globex_view["contacts"]["contacts"]] == [roles[1]["id"]]


async def test_the_client_view_lists_its_contacts_with_their_person(
    client: httpx.AsyncClient,
) -> None:
    client_id = await create_client(client)
    stage = await create_stage(client, "Warm")
    first = await create_contact(
        client,
        client_id,
        firstName="Ann",
        middleName="Marie",
        lastName="Buyer",
        avatarUrl="https://cdn.example/ann.png",
        role="CTO",
        emails=[{"email": "ann@acme.example", "purpose": "work"}],
        phoneNumbers=[{"phoneNumber": "+31201234567"}],
        stageId=stage["id"],
        startDate="2024-02-01T00:00:00Z",
    )
    second = await create_contact(client, client_id, firstName="Bob", lastName="Seller")

    view = (await client.get(f"/clients/{client_id}")).json()

    ClientView.model_validate(view)
    first_role = first["clientContacts"][0]
    second_role = second["clientContacts"][0]
    assert view["contacts"] == {
        "viewType": "clientContacts",
        "contacts": [
            {
                "id": first_role["id"],
                "candidateId": first["candidateId"],
                "firstName": "Ann",
                "middleName": "Marie",
                "lastName": "Buyer",
                "avatarUrl": "https://cdn.example/ann.png",
                "role": "CTO",
                "department": None,
                "startDate": "2024-02-01T00:00:00.000Z",
                "endDate": None,
                "active": True,
                "emailAddresses": [
                    {"purpose": "work", "emailAddress": "ann@acme.example", "isPrimary": True}
                ],
                "phoneNumbers": [
                    {"purpose": None, "phoneNumber": "+31201234567", "isPrimary": True}
                ],
                "stage": stage,
            },
            {
                "id": second_role["id"],
                "candidateId": second["candidateId"],
                "firstName": "Bob",
                "middleName": None,
                "lastName": "Seller",
                "avatarUrl": None,
                "role": None,
                "department": None,
                "startDate": None,
                "endDate": None,
                "active": True,
                "emailAddresses": [],
                "phoneNumbers": [],
                "stage": None,
            },
        ],
    }


async def test_a_renamed_client_shows_its_new_name_in_the_candidate_view(
    client: httpx.AsyncClient,
) -> None:
    client_id = await create_client(client)
    person = await create_contact(client, client_id, firstName="Ann", lastName="Buyer")
    before = await view_of(client, person["candidateId"])

    await client.patch(
        f"/clients/{client_id}",
        json={"company": {"name": "Acme Rockets", "logoUrl": "https://acme.example/r.png"}},
    )

    view = await view_of(client, person["candidateId"])
    assert [item["company"] for item in view["clientContacts"]["clientContacts"]] == [
        company(client_id, "Acme Rockets", "https://acme.example/r.png")
    ]
    assert view["modifiedAt"] > before["modifiedAt"]


async def test_the_contact_document_shows_the_candidates_users(
    client: httpx.AsyncClient,
) -> None:
    recruiter = await create_user(client, "Rita Recruiter", "rita@agency.example")
    client_id = await create_client(client)
    person = await create_contact(
        client,
        client_id,
        firstName="Ann",
        lastName="Buyer",
        mainContact={"userId": recruiter["userId"]},
        lastInteractionAt="2024-03-01T10:00:00Z",
        lastInteractionWithId=recruiter["userId"],
    )

    assert person["mainContact"] == recruiter
    assert person["lastInteractionDate"] == "2024-03-01T10:00:00.000Z"
    assert person["lastInteractionWith"] == {
        "id": recruiter["userId"],
        "name": "Rita Recruiter",
        "avatarUrl": None,
        "deactivatedAt": None,
    }


# ---- create: bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, [("REQUIRED", "firstName"), ("REQUIRED", "lastName")]),
        ({"firstName": "Ann"}, [("REQUIRED", "lastName")]),
        ({"firstName": "Ann", "lastName": "B4"}, [("INVALID_STRING", "lastName")]),
        ({"lastName": "Buyer", "gender": "other"}, [("INVALID_ENUM_VALUE", "gender")]),
        (
            {"startDate": "2024-02-01T00:00:00Z", "endDate": "2024-01-31T00:00:00Z"},
            [("TOO_SMALL", "endDate")],
        ),
        ({"startDate": "2024-02-01"}, [("INVALID_STRING", "startDate")]),
        ({"emails": [{"email": "not-an-email"}]}, [("INVALID_STRING", "emails.0.email")]),
        (
            {"emails": [{"email": "a@x.example"}, {"email": "A@x.example"}]},
            [("DUPLICATE", "emails.1.email")],
        ),
        (
            {"emails": [{"email": "a@x.example", "isPrimary": True},
                        {"email": "b@x.example", "isPrimary": True}]},
            [("ONLY_ONE_PRIMARY_ALLOWED", "emails.1.isPrimary")],
        ),
        (
            {"phoneNumbers": [{"phoneNumber": "call me"}]},
            [("INVALID_STRING", "phoneNumbers.0.phoneNumber")],
        ),
        ({"emails": [{"email": "a@x.example", "purpose": "home"}]},
         [("INVALID_ENUM_VALUE", "emails.0.purpose")]),
        ({"active": None}, [("INVALID_TYPE", "active")]),
        ({"active": "true"}, [("INVALID_TYPE", "active")]),
        ({"keepShowingAsCandidate": None}, [("INVALID_TYPE", "keepShowingAsCandidate")]),
        ({"role": "R" * 301}, [("TOO_BIG", "role")]),
        ({"stageId": str(uuid.uuid4())}, [("NOT_FOUND", "stageId")]),
        ({"stageId": "not-an-id"}, [("NOT_FOUND", "stageId")]),
        (
            {"visibleIfClientContact": True},
            [("UNRECOGNIZED_KEYS", "visibleIfClientContact")],
        ),
        ({"position": "CTO"}, [("UNRECOGNIZED_KEYS", "position")]),
        (
            {"workExperiences": [{"companyId": str(uuid.uuid4())}]},
            [("NOT_FOUND", "workExperiences.0.companyId")],
        ),
        (
            {"stageId": str(uuid.uuid4()), "workExperiences": [{"companyId": "x"}]},
            [("NOT_FOUND", "stageId"), ("NOT_FOUND", "workExperiences.0.companyId")],
        ),
    ],
)  # fmt: skip
async def test_create_contact_with_bad_input_fails_and_stores_nothing(
    client: httpx.AsyncClient, database_url: str, body: dict[str, Any], expected: Any
) -> None:
    client_id = await create_client(client)
    before_client = (await client.get(f"/clients/{client_id}")).json()
    counts = (count_rows(database_url, "candidates"), count_rows(database_url, "client_contacts"))
    # the cases about the names send their own
    named = not body or {"firstName", "lastName"} & body.keys()
    names = {} if named else {"firstName": "Ann", "lastName": "Buyer"}

    response = await client.post(f"/clients/contacts/{client_id}", json={**names, **body})

    assert errors_of(response) == expected
    assert (
        count_rows(database_url, "candidates"),
        count_rows(database_url, "client_contacts"),
    ) == counts
    assert (await client.get(f"/clients/{client_id}")).json() == before_client


async def test_candidate_fields_with_a_candidate_id_are_refused(
    client: httpx.AsyncClient,
) -> None:
    client_id = await create_client(client)
    candidate_id = await create_candidate(client)
    before = await view_of(client, candidate_id)

    response = await client.post(
        f"/clients/contacts/{client_id}",
        json={"candidateId": candidate_id, "firstName": "Other", "gender": "x", "role": "CTO"},
    )

    assert errors_of(response) == [
        ("UNRECOGNIZED_KEYS", "firstName"),
        ("UNRECOGNIZED_KEYS", "gender"),
    ]
    assert await view_of(client, candidate_id) == before


async def test_an_unknown_or_foreign_candidate_id_is_not_found_in_the_body(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    client_id = await create_client(client)
    theirs = await create_candidate(other)
    before = await view_of(other, theirs)

    for candidate_id in (theirs, str(uuid.uuid4()), "nope"):
        response = await client.post(
            f"/clients/contacts/{client_id}",
            json={"candidateId": candidate_id, "endDate": "2024-01-01T00:00:00Z"},
        )
        assert errors_of(response) == [("NOT_FOUND", "candidateId")]
    assert await view_of(other, theirs) == before
    assert (await client.get(f"/clients/{client_id}")).json()["contacts"]["contacts"] == []


async def test_a_foreign_stage_is_not_found_in_the_body(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    client_id = await create_client(client)
    theirs = await create_stage(other, "Secret stage")

    response = await client.post(
        f"/clients/contacts/{client_id}",
        json={"firstName": "Ann", "lastName": "Buyer", "stageId": theirs["id"]},
    )

    assert errors_of(response) == [("NOT_FOUND", "stageId")]
    assert "Secret" not in response.text


async def test_an_unknown_or_foreign_client_is_not_found(
    client: httpx.AsyncClient, other: httpx.AsyncClient, database_url: str
) -> None:
    theirs = await create_client(other, "Secret Corp")
    before = count_rows(database_url, "candidates")

    for client_id in (theirs, str(uuid.uuid4()), "not-an-id"):
        response = await client.post(
            f"/clients/contacts/{client_id}", json={"firstName": "Ann", "lastName": "Buyer"}
        )
        assert response.status_code == 404, response.text
        assert response.json()["message"] == f"Client {client_id} not found"
    assert count_rows(database_url, "candidates") == before
    assert (await other.get(f"/clients/{theirs}")).json()["contacts"]["contacts"] == []


async def test_a_candidate_is_a_contact_at_a_client_once(client: httpx.AsyncClient) -> None:
    client_id = await create_client(client)
    person = await create_contact(client, client_id, firstName="Ann", lastName="Buyer")
    before = await view_of(client, person["candidateId"])

    response = await client.post(
        f"/clients/contacts/{client_id}",
        json={"candidateId": person["candidateId"], "role": "Again"},
    )

    assert response.status_code == 409, response.text
    assert [(e["code"], e["path"]) for e in response.json()["errors"]] == [
        ("DUPLICATE", "candidateId")
    ]
    assert await view_of(client, person["candidateId"]) == before


# ---- read --------------------------------------------------------------------------------------


async def test_get_contact_of_an_unknown_or_foreign_candidate_is_not_found(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    client_id = await create_client(client)
    person = await create_contact(client, client_id, firstName="Ann", lastName="Secret")

    for candidate_id in (person["candidateId"], str(uuid.uuid4()), "stagesX"):
        response = await other.get(f"/clients/contacts/{candidate_id}")
        assert response.status_code == 404, response.text
        assert "Secret" not in response.text


# ---- update ------------------------------------------------------------------------------------


async def test_patch_changes_the_role_and_the_candidate(client: httpx.AsyncClient) -> None:
    recruiter = await create_user(client, "Rita Recruiter", "rita@agency.example")
    client_id = await create_client(client)
    warm = await create_stage(client, "Warm")
    hot = await create_stage(client, "Hot", colorHex="#f00")
    person = await create_contact(
        client,
        client_id,
        firstName="Ann",
        lastName="Buyer",
        role="CTO",
        department="Tech",
        stageId=warm["id"],
        startDate="2024-01-01T00:00:00Z",
        emails=[{"email": "ann@acme.example"}],
    )
    candidate_id = person["candidateId"]
    contact_id = person["clientContacts"][0]["id"]
    before = await view_of(client, candidate_id)
    client_before = (await client.get(f"/clients/{client_id}")).json()

    response = await client.patch(
        f"/clients/contacts/{contact_id}",
        json={
            "role": "CEO",
            "department": None,
            "firstName": " Anna ",
            "emails": [{"email": "anna@acme.example", "purpose": "work"}],
            "phoneNumbers": [{"phoneNumber": "+442071234567", "purpose": "work"}],
            "mainContactId": recruiter["userId"],
            "stageId": hot["id"],
            "endDate": "2024-12-31T00:00:00Z",
            "active": False,
        },
    )

    assert response.status_code == 200, response.text
    updated = response.json()
    view = await view_of(client, candidate_id)
    assert view["modifiedAt"] > before["modifiedAt"]
    assert view["name"]["firstName"] == "Anna"
    assert view["mainContact"]["user"] == recruiter
    expected_role = role(
        contact_id,
        company(client_id),
        role="CEO",
        startDate="2024-01-01T00:00:00.000Z",
        endDate="2024-12-31T00:00:00.000Z",
        active=False,
        emailAddresses=[{"purpose": "work", "email": "anna@acme.example", "isPrimary": True}],
        phoneNumbers=[{"purpose": "work", "phoneNumber": "+442071234567", "isPrimary": True}],
        stage=hot,
    )
    assert contact_sections(view) == {
        "clientContacts": {
            "viewType": "candidateClientContacts",
            "clientContacts": [expected_role],
        },
        "isVisibleIfClientContact": None,
        "hasClientContacts": True,
        "hasActiveClientContacts": False,
    }
    assert updated["firstName"] == "Anna"
    assert updated["mainContact"] == recruiter
    assert updated["clientContacts"] == [expected_role]
    client_after = (await client.get(f"/clients/{client_id}")).json()
    assert client_after["modifiedAt"] > client_before["modifiedAt"]
    assert client_after["contacts"]["contacts"][0]["firstName"] == "Anna"


async def test_patch_null_clears_the_stage_end_date_and_main_contact(
    client: httpx.AsyncClient,
) -> None:
    recruiter = await create_user(client, "Rita Recruiter", "rita@agency.example")
    client_id = await create_client(client)
    stage = await create_stage(client, "Warm")
    person = await create_contact(
        client,
        client_id,
        firstName="Ann",
        lastName="Buyer",
        mainContact={"userId": recruiter["userId"]},
        stageId=stage["id"],
        role="CTO",
        endDate="2030-01-01T00:00:00Z",
    )
    contact_id = person["clientContacts"][0]["id"]

    updated = (
        await client.patch(
            f"/clients/contacts/{contact_id}",
            json={"stageId": None, "endDate": None, "mainContactId": None, "role": None},
        )
    ).json()

    assert updated["mainContact"] is None
    assert updated["clientContacts"] == [role(contact_id, company(client_id))]


async def test_an_empty_or_same_value_patch_touches_nothing(client: httpx.AsyncClient) -> None:
    client_id = await create_client(client)
    person = await create_contact(
        client, client_id, firstName="Ann", lastName="Buyer", role="CTO", active=True
    )
    contact_id = person["clientContacts"][0]["id"]
    view = await view_of(client, person["candidateId"])
    client_view = (await client.get(f"/clients/{client_id}")).json()

    for body in ({}, {"role": "CTO", "firstName": "Ann", "active": True, "emails": []}):
        response = await client.patch(f"/clients/contacts/{contact_id}", json=body)
        assert response.status_code == 200, response.text
        assert response.json() == person

    assert await view_of(client, person["candidateId"]) == view
    assert (await client.get(f"/clients/{client_id}")).json() == client_view


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"endDate": "2023-12-31T23:59:59Z"}, [("TOO_SMALL", "endDate")]),
        ({"startDate": "2025-01-01T00:00:00Z"}, [("TOO_SMALL", "startDate")]),
        ({"startDate": None}, [("INVALID_TYPE", "startDate")]),
        ({"firstName": None}, [("INVALID_TYPE", "firstName")]),
        ({"lastName": ""}, [("TOO_SMALL", "lastName")]),
        ({"emails": None}, [("INVALID_TYPE", "emails")]),
        ({"emails": [{"email": "nope"}]}, [("INVALID_STRING", "emails.0.email")]),
        (
            {"phoneNumbers": [{"phoneNumber": "12"}]},
            [("INVALID_STRING", "phoneNumbers.0.phoneNumber")],
        ),
        ({"active": None}, [("INVALID_TYPE", "active")]),
        ({"stageId": str(uuid.uuid4())}, [("NOT_FOUND", "stageId")]),
        ({"mainContactId": str(uuid.uuid4())}, [("NOT_FOUND", "mainContactId")]),
        ({"companyId": str(uuid.uuid4())}, [("UNRECOGNIZED_KEYS", "companyId")]),
        ({"gender": "x"}, [("UNRECOGNIZED_KEYS", "gender")]),
        (
            {"role": "CEO", "stageId": str(uuid.uuid4()), "endDate": "2000-01-01T00:00:00Z"},
            [("NOT_FOUND", "stageId"), ("TOO_SMALL", "endDate")],
        ),
    ],
)
async def test_patch_contact_with_bad_input_fails_and_changes_nothing(
    client: httpx.AsyncClient, body: dict[str, Any], expected: Any
) -> None:
    client_id = await create_client(client)
    person = await create_contact(
        client,
        client_id,
        firstName="Ann",
        lastName="Buyer",
        startDate="2024-01-01T00:00:00Z",
        endDate="2024-06-30T00:00:00Z",
    )
    contact_id = person["clientContacts"][0]["id"]
    view = await view_of(client, person["candidateId"])

    response = await client.patch(f"/clients/contacts/{contact_id}", json=body)

    assert errors_of(response) == expected
    assert await view_of(client, person["candidateId"]) == view


async def test_patch_a_foreign_or_unknown_contact_is_not_found(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    client_id = await create_client(client)
    person = await create_contact(client, client_id, firstName="Ann", lastName="Secret")
    contact_id = person["clientContacts"][0]["id"]
    view = await view_of(client, person["candidateId"])
    other_user = await create_user(other, "Theirs", "t@other.example")

    for id_ in (contact_id, str(uuid.uuid4()), "stages"):
        response = await other.patch(
            f"/clients/contacts/{id_}", json={"mainContactId": other_user["userId"]}
        )
        assert response.status_code == 404, response.text
        assert response.json()["message"] == f"Client contact {id_} not found"
    # a user of another workspace is not found either
    response = await client.patch(
        f"/clients/contacts/{contact_id}", json={"mainContactId": other_user["userId"]}
    )
    assert errors_of(response) == [("NOT_FOUND", "mainContactId")]
    assert await view_of(client, person["candidateId"]) == view


async def test_renaming_the_person_touches_every_client_it_is_a_contact_at(
    client: httpx.AsyncClient,
) -> None:
    acme = await create_client(client)
    globex = await create_client(client, "Globex")
    bystander = await create_client(client, "Initech")
    person = await create_contact(client, acme, firstName="Ann", lastName="Buyer")
    await create_contact(client, globex, candidateId=person["candidateId"])
    before = {id_: (await client.get(f"/clients/{id_}")).json() for id_ in (acme, globex)}
    unrelated = (await client.get(f"/clients/{bystander}")).json()

    # a change of the role alone shows only at its own client
    contact_id = person["clientContacts"][0]["id"]
    await client.patch(f"/clients/contacts/{contact_id}", json={"role": "CTO"})
    globex_view = (await client.get(f"/clients/{globex}")).json()
    assert globex_view == before[globex]
    acme_view = (await client.get(f"/clients/{acme}")).json()
    assert acme_view["modifiedAt"] > before[acme]["modifiedAt"]

    await client.patch(f"/clients/contacts/{contact_id}", json={"lastName": "Seller"})

    for id_, previous in ((acme, acme_view), (globex, globex_view)):
        view = (await client.get(f"/clients/{id_}")).json()
        assert view["modifiedAt"] > previous["modifiedAt"]
        assert [c["lastName"] for c in view["contacts"]["contacts"]] == ["Seller"]
    assert (await client.get(f"/clients/{bystander}")).json() == unrelated


async def test_a_deleted_candidate_is_no_contact_anymore(client: httpx.AsyncClient) -> None:
    client_id = await create_client(client)
    gone = await create_contact(client, client_id, firstName="Ann", lastName="Gone")
    kept = await create_contact(client, client_id, firstName="Bob", lastName="Kept")

    assert (await client.delete(f"/candidates/{gone['candidateId']}")).status_code == 204

    contacts = (await client.get(f"/clients/{client_id}")).json()["contacts"]["contacts"]
    assert [c["candidateId"] for c in contacts] == [kept["candidateId"]]
    assert (await client.get(f"/clients/contacts/{gone['candidateId']}")).status_code == 404
    response = await client.patch(
        f"/clients/contacts/{gone['clientContacts'][0]['id']}", json={"role": "CTO"}
    )
    assert response.status_code == 404, response.text


# ---- a role is active while its flag is set and it has not ended --------------------------------


def activity(view: dict[str, Any]) -> tuple[list[bool], bool]:
    """Each role's ``active`` and ``hasActiveClientContacts`` of a candidate view."""
    roles = view["clientContacts"]["clientContacts"]
    return [item["active"] for item in roles], view["hasActiveClientContacts"]


async def client_contact_activity(http: httpx.AsyncClient, client_id: str) -> list[bool]:
    view = (await http.get(f"/clients/{client_id}")).json()
    return [contact["active"] for contact in view["contacts"]["contacts"]]


async def test_a_role_flagged_active_whose_end_date_has_passed_is_not_active(
    client: httpx.AsyncClient,
) -> None:
    client_id = await create_client(client)
    person = await create_contact(
        client,
        client_id,
        firstName="Ann",
        lastName="Former",
        active=True,
        startDate="2020-01-01T00:00:00Z",
        endDate="2022-06-30T00:00:00Z",
    )
    candidate_id = person["candidateId"]
    contact_id = person["clientContacts"][0]["id"]

    view = await view_of(client, candidate_id)

    assert contact_sections(view) == {
        "clientContacts": {
            "viewType": "candidateClientContacts",
            "clientContacts": [
                role(
                    contact_id,
                    company(client_id),
                    active=False,
                    startDate="2020-01-01T00:00:00.000Z",
                    endDate="2022-06-30T00:00:00.000Z",
                )
            ],
        },
        "isVisibleIfClientContact": None,
        "hasClientContacts": True,
        "hasActiveClientContacts": False,
    }
    assert person["clientContacts"] == view["clientContacts"]["clientContacts"]
    document = (await client.get(f"/clients/contacts/{candidate_id}")).json()
    assert document["clientContacts"] == view["clientContacts"]["clientContacts"]
    assert await client_contact_activity(client, client_id) == [False]

    # clearing the end date makes the flagged role active again
    patched = await client.patch(f"/clients/contacts/{contact_id}", json={"endDate": None})
    assert patched.status_code == 200, patched.text
    assert [item["active"] for item in patched.json()["clientContacts"]] == [True]
    assert activity(await view_of(client, candidate_id)) == ([True], True)
    assert await client_contact_activity(client, client_id) == [True]


async def test_a_role_ending_in_the_future_is_active_and_one_unflagged_never_is(
    client: httpx.AsyncClient,
) -> None:
    future = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    acme = await create_client(client)
    globex = await create_client(client, "Globex")
    person = await create_contact(
        client, acme, firstName="Ann", lastName="Leaving", active=True, endDate=future
    )
    candidate_id = person["candidateId"]
    await create_contact(client, globex, candidateId=candidate_id, active=False, endDate=future)

    assert activity(await view_of(client, candidate_id)) == ([True, False], True)
    assert await client_contact_activity(client, acme) == [True]
    assert await client_contact_activity(client, globex) == [False]


async def test_a_role_is_still_active_at_the_instant_it_ends(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    end = datetime(2030, 1, 1, tzinfo=UTC)
    client_id = await create_client(client)
    person = await create_contact(
        client, client_id, firstName="Ann", lastName="Ending", endDate="2030-01-01T00:00:00Z"
    )
    candidate_id = person["candidateId"]

    for now, expected in (
        (end, True),
        (end + timedelta(milliseconds=1), False),
    ):
        monkeypatch.setattr("talentbase.candidates.view.utcnow", lambda now=now: now)
        monkeypatch.setattr("talentbase.companies.view.utcnow", lambda now=now: now)
        assert activity(await view_of(client, candidate_id)) == ([expected], expected)
        assert await client_contact_activity(client, client_id) == [expected]
