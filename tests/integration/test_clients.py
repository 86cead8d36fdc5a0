"""Clients (companies): ``POST /clients``, ``GET /clients/{id}``, ``GET /clients``,
``PATCH /clients/{id}`` in Spott's shapes (``spott-reference/clients-and-contacts.txt``), and a
client's name and logo in the candidates' views that show it."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from talentbase.candidates.models import Candidate
from talentbase.companies.schemas import ClientList, ClientView
from talentbase.db.engine import Database
from talentbase.db.urls import sync_url
from talentbase.tasks.models import Task, TaskLink
from tests.conftest import NewKey, create_candidate, make_client

FULL_BODY: dict[str, Any] = {
    "name": "  Acme Corp ",
    "domain": "acme.example",
    "description": "Makes anvils.\nAnd rockets.",
    "logoUrl": "https://acme.example/logo.png",
    "industry": "Accessible Architecture and Design",
    "size": "1 employee",
    "locations": [
        {"type": "work", "street1": "1 Main St", "postalCode": "1011", "city": "Amsterdam",
         "country": "NL", "latitude": 52.37, "longitude": 4.9}
    ],
    "linkedinUrl": "https://www.linkedin.com/company/acme",
    "status": "lead",
}  # fmt: skip

WORK_LOCATION = {
    "type": "work",
    "street1": "1 Main St",
    "street2": None,
    "postalCode": "1011",
    "city": "Amsterdam",
    "region": None,
    "state": None,
    "country": "NL",
    "rawCityCountry": "Amsterdam, NL",
    "latitude": 52.37,
    "longitude": 4.9,
    "formattedAddress": "1 Main St, 1011 Amsterdam, NL",
}


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


async def create_client(http: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    """POST /clients and return the client."""
    response = await http.post("/clients", json={"name": "Acme", **fields})
    assert response.status_code == 201, response.text
    client: dict[str, Any] = response.json()
    return client


def errors_of(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 400, response.text
    return [(error["code"], error["path"]) for error in response.json()["errors"]]


def client_json(
    id_: str,
    created_at: str,
    modified_at: str,
    *,
    name: str = "Acme",
    contacts: list[dict[str, Any]] | None = None,
    **sections: Any,
) -> dict[str, Any]:
    """The whole expected ``GET /clients/{id}`` answer; ``sections`` override values."""
    value: dict[str, Any] = {
        "status": None,
        "logoUrl": None,
        "description": None,
        "industry": None,
        "domain": None,
        "linkedinUrl": None,
        "size": None,
        "nextTaskDue": None,
        "locations": [],
        **sections,
    }
    return {
        "id": id_,
        "status": {"viewType": "clientStatus", "status": value["status"]},
        "name": {"viewType": "clientName", "name": name, "avatarUrl": value["logoUrl"]},
        "description": {"viewType": "clientDescription", "description": value["description"]},
        "industry": {"viewType": "clientIndustry", "industry": value["industry"]},
        "domain": {"viewType": "clientDomain", "domain": value["domain"]},
        "linkedinUrl": {"viewType": "clientLinkedinUrl", "linkedinUrl": value["linkedinUrl"]},
        "size": {"viewType": "clientSize", "size": value["size"]},
        "stage": {"viewType": "clientStage", "stage": None},
        "nextTaskDue": {"viewType": "clientNextTaskDue", "nextTaskDue": value["nextTaskDue"]},
        "locations": {"viewType": "clientLocations", "locations": value["locations"]},
        "customAttributes": [],
        "createdAt": created_at,
        "modifiedAt": modified_at,
        "funding": {"viewType": "clientFunding", "funding": None},
        "contacts": {"viewType": "clientContacts", "contacts": contacts or []},
    }


def list_item(client: dict[str, Any]) -> dict[str, Any]:
    """A client as ``GET /clients`` lists it: no funding, no contacts (Spott's list item)."""
    return {key: value for key, value in client.items() if key not in ("funding", "contacts")}


# ---- create and read ---------------------------------------------------------------------------


async def test_create_client_answers_the_client_as_get_shows_it(client: httpx.AsyncClient) -> None:
    response = await client.post("/clients", json=FULL_BODY)

    assert response.status_code == 201, response.text
    created = response.json()
    assert created == client_json(
        created["id"],
        created["createdAt"],
        created["createdAt"],
        name="Acme Corp",
        status="lead",
        logoUrl="https://acme.example/logo.png",
        description="Makes anvils.\nAnd rockets.",
        industry="Accessible Architecture and Design",
        domain="acme.example",
        linkedinUrl="https://www.linkedin.com/company/acme",
        size="1 employee",
        locations=[WORK_LOCATION],
    )
    ClientView.model_validate(created)
    assert (await client.get(f"/clients/{created['id']}")).json() == created


async def test_a_client_with_only_a_name_shows_empty_sections(client: httpx.AsyncClient) -> None:
    created = await create_client(client)

    assert created == client_json(created["id"], created["createdAt"], created["createdAt"])


@pytest.mark.parametrize(
    "domain",
    ["acme.com", "sub.acme.co.uk", "ACME.COM", "münchen.de", "xn--mnchen-3ya.de", "a-b.io"],
)
async def test_a_host_name_is_a_valid_domain(client: httpx.AsyncClient, domain: str) -> None:
    created = await create_client(client, domain=domain)

    assert created["domain"] == {"viewType": "clientDomain", "domain": domain}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, [("REQUIRED", "name")]),
        ({"name": "   "}, [("TOO_SMALL", "name")]),
        ({"name": None}, [("INVALID_TYPE", "name")]),
        ({"name": "A" * 201}, [("TOO_BIG", "name")]),
        ({"name": "Acme\u202e"}, [("INVALID_STRING", "name")]),
        ({"domain": "https://acme.com"}, [("INVALID_STRING", "domain")]),
        ({"domain": "acme.com/jobs"}, [("INVALID_STRING", "domain")]),
        ({"domain": "acme"}, [("INVALID_STRING", "domain")]),
        ({"domain": "acme.com."}, [("INVALID_STRING", "domain")]),
        ({"domain": "acme .com"}, [("INVALID_STRING", "domain")]),
        ({"domain": "-acme.com"}, [("INVALID_STRING", "domain")]),
        ({"domain": "10.0.0.1"}, [("INVALID_STRING", "domain")]),
        ({"domain": "acme.com:8080"}, [("INVALID_STRING", "domain")]),
        ({"domain": "a" * 64 + ".com"}, [("INVALID_STRING", "domain")]),
        ({"domain": ".".join(["abcdefghi"] * 26)}, [("TOO_BIG", "domain")]),
        ({"domain": 42}, [("INVALID_TYPE", "domain")]),
        ({"logoUrl": "ftp://acme.com/logo.png"}, [("INVALID_STRING", "logoUrl")]),
        ({"linkedinUrl": "linkedin.com/company/acme"}, [("INVALID_STRING", "linkedinUrl")]),
        ({"description": ""}, [("TOO_SMALL", "description")]),
        ({"industry": " "}, [("TOO_SMALL", "industry")]),
        ({"industry": "I" * 201}, [("TOO_BIG", "industry")]),
        ({"size": "S" * 101}, [("TOO_BIG", "size")]),
        ({"size": "1\nemployee"}, [("INVALID_STRING", "size")]),
        ({"status": "Lead"}, [("INVALID_ENUM_VALUE", "status")]),
        ({"locations": None}, [("INVALID_TYPE", "locations")]),
        ({"locations": [{"country": "Atlantis"}]}, [("INVALID_STRING", "locations.0.country")]),
        ({"locations": [{"latitude": 91}]}, [("TOO_BIG", "locations.0.latitude")]),
        ({"locations": [{"type": "home"}]}, [("INVALID_ENUM_VALUE", "locations.0.type")]),
        ({"website": "https://acme.com"}, [("UNRECOGNIZED_KEYS", "website")]),
        ({"company": {"name": "Acme"}}, [("UNRECOGNIZED_KEYS", "company")]),
    ],
)
async def test_create_client_with_bad_input_fails_and_stores_nothing(
    client: httpx.AsyncClient, database_url: str, body: dict[str, Any], expected: Any
) -> None:
    before = count_rows(database_url, "companies")

    response = await client.post("/clients", json={"name": "Acme", **body} if body else {})

    assert errors_of(response) == expected
    assert count_rows(database_url, "companies") == before
    assert (await client.get("/clients")).json()["items"] == []


async def test_an_unknown_or_malformed_client_id_is_not_found(client: httpx.AsyncClient) -> None:
    for id_ in (str(uuid.uuid4()), "not-an-id", "contacts"):
        response = await client.get(f"/clients/{id_}")
        assert response.status_code == 404, response.text
        assert response.json()["message"] == f"Client {id_} not found"


async def test_a_client_of_another_workspace_is_not_found_and_not_changed(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    created = await create_client(client, domain="acme.example")

    read = await other.get(f"/clients/{created['id']}")
    patched = await other.patch(f"/clients/{created['id']}", json={"company": {"name": "Mine"}})

    assert read.status_code == 404
    assert read.json()["message"] == f"Client {created['id']} not found"
    assert patched.status_code == 404
    assert "Acme" not in read.text + patched.text
    assert (await other.get("/clients")).json()["items"] == []
    assert (await client.get(f"/clients/{created['id']}")).json() == created


# ---- the list ----------------------------------------------------------------------------------


async def test_list_clients_walks_oldest_modified_first_in_cursor_pages(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    first = await create_client(client, name="First")
    second = await create_client(client, name="Second")
    third = await create_client(client, name="Third")
    await create_client(other, name="Not mine")
    # a change moves the first to the end
    first = (await client.patch(f"/clients/{first['id']}", json={"status": "active"})).json()

    page_one = await client.get("/clients", params={"limit": 2})
    assert page_one.status_code == 200, page_one.text
    body = page_one.json()
    ClientList.model_validate(body)
    assert body["items"] == [list_item(second), list_item(third)]
    assert body["pageInfo"]["hasNextPage"] is True
    cursor = body["pageInfo"]["nextCursor"]
    assert json.loads(base64.urlsafe_b64decode(cursor + "==")) == {
        "modifiedAt": third["modifiedAt"],
        "id": third["id"],
    }

    page_two = (await client.get("/clients", params={"limit": 2, "cursor": cursor})).json()
    assert page_two == {
        "items": [list_item(first)],
        "pageInfo": {"nextCursor": None, "hasNextPage": False},
    }


async def test_list_clients_filters_by_modified_since_and_until(
    client: httpx.AsyncClient,
) -> None:
    first = await create_client(client, name="First")
    second = await create_client(client, name="Second")
    third = await create_client(client, name="Third")

    since = (await client.get("/clients", params={"modifiedSince": second["modifiedAt"]})).json()
    until = (await client.get("/clients", params={"modifiedUntil": second["modifiedAt"]})).json()

    assert [item["id"] for item in since["items"]] == [second["id"], third["id"]]
    assert [item["id"] for item in until["items"]] == [first["id"], second["id"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"limit": 0}, [("TOO_SMALL", "limit")]),
        ({"limit": 51}, [("TOO_BIG", "limit")]),
        ({"cursor": "not-a-cursor"}, [("INVALID_STRING", "cursor")]),
        ({"modifiedSince": "2024-01-01"}, [("INVALID_STRING", "modifiedSince")]),
        ({"modifiedUntil": "2024-01-01T00:00:00"}, [("INVALID_STRING", "modifiedUntil")]),
    ],
)
async def test_list_clients_rejects_bad_query_parameters(
    client: httpx.AsyncClient, params: dict[str, Any], expected: Any
) -> None:
    assert errors_of(await client.get("/clients", params=params)) == expected


# ---- update ------------------------------------------------------------------------------------


async def test_patch_changes_nested_company_fields_and_top_level_status(
    client: httpx.AsyncClient,
) -> None:
    created = (await client.post("/clients", json=FULL_BODY)).json()

    response = await client.patch(
        f"/clients/{created['id']}",
        json={
            "company": {
                "name": "Acme Rockets",
                "domain": None,
                "size": "2-10 employees",
                "locations": [],
            },
            "status": "active",
        },
    )

    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["modifiedAt"] > created["modifiedAt"]
    assert updated == client_json(
        created["id"],
        created["createdAt"],
        updated["modifiedAt"],
        name="Acme Rockets",
        status="active",
        logoUrl="https://acme.example/logo.png",
        description="Makes anvils.\nAnd rockets.",
        industry="Accessible Architecture and Design",
        domain=None,
        linkedinUrl="https://www.linkedin.com/company/acme",
        size="2-10 employees",
        locations=[],
    )
    assert (await client.get(f"/clients/{created['id']}")).json() == updated


async def test_null_clears_every_nullable_client_field(client: httpx.AsyncClient) -> None:
    created = (await client.post("/clients", json=FULL_BODY)).json()
    nullable = ("domain", "description", "logoUrl", "industry", "size", "linkedinUrl")

    updated = (
        await client.patch(
            f"/clients/{created['id']}",
            json={"company": dict.fromkeys(nullable), "status": None},
        )
    ).json()

    assert updated == client_json(
        created["id"],
        created["createdAt"],
        updated["modifiedAt"],
        name="Acme Corp",
        locations=[WORK_LOCATION],
    )


async def test_an_empty_patch_or_resent_values_keep_modified_at(
    client: httpx.AsyncClient,
) -> None:
    created = (await client.post("/clients", json=FULL_BODY)).json()
    resent = {key: value for key, value in FULL_BODY.items() if key != "status"}

    for body in ({}, {"company": {}}, {"company": resent, "status": "lead"}):
        response = await client.patch(f"/clients/{created['id']}", json=body)
        assert response.status_code == 200, response.text
        assert response.json() == created


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"company": None}, [("INVALID_TYPE", "company")]),
        ({"company": {"name": None}}, [("INVALID_TYPE", "company.name")]),
        ({"company": {"locations": None}}, [("INVALID_TYPE", "company.locations")]),
        ({"company": {"domain": "acme"}}, [("INVALID_STRING", "company.domain")]),
        ({"company": {"logoUrl": "acme.png"}}, [("INVALID_STRING", "company.logoUrl")]),
        ({"company": {"status": "lead"}}, [("UNRECOGNIZED_KEYS", "company.status")]),
        ({"name": "Acme"}, [("UNRECOGNIZED_KEYS", "name")]),
        ({"stageId": str(uuid.uuid4())}, [("UNRECOGNIZED_KEYS", "stageId")]),
        ({"status": "won"}, [("INVALID_ENUM_VALUE", "status")]),
        (
            {"company": {"name": "", "size": 3}},
            [("TOO_SMALL", "company.name"), ("INVALID_TYPE", "company.size")],
        ),
    ],
)
async def test_patch_client_with_bad_input_fails_and_changes_nothing(
    client: httpx.AsyncClient, body: dict[str, Any], expected: Any
) -> None:
    created = (await client.post("/clients", json=FULL_BODY)).json()

    response = await client.patch(f"/clients/{created['id']}", json=body)

    assert errors_of(response) == expected
    assert (await client.get(f"/clients/{created['id']}")).json() == created


async def test_patch_an_unknown_client_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.patch(f"/clients/{uuid.uuid4()}", json={"status": "lead"})

    assert response.status_code == 404, response.text


# ---- the company in candidates' views ----------------------------------------------------------


async def test_renaming_a_client_touches_the_candidates_that_show_it(
    client: httpx.AsyncClient,
) -> None:
    acme = await create_client(client, logoUrl="https://acme.example/a.png")
    employee = await create_candidate(
        client, workExperiences=[{"companyId": acme["id"], "jobTitle": "Engineer"}]
    )
    contact = (
        await client.post(
            f"/clients/contacts/{acme['id']}", json={"firstName": "Ann", "lastName": "Contact"}
        )
    ).json()["candidateId"]
    stranger = await create_candidate(client)
    before = {
        id_: (await client.get(f"/candidates/{id_}")).json()
        for id_ in (employee, contact, stranger)
    }

    # a change candidates do not show touches none of them
    await client.patch(f"/clients/{acme['id']}", json={"company": {"industry": "Anvils"}})
    for id_, view in before.items():
        assert (await client.get(f"/candidates/{id_}")).json() == view

    await client.patch(
        f"/clients/{acme['id']}",
        json={"company": {"name": "Acme Rockets", "logoUrl": "https://acme.example/b.png"}},
    )

    renamed = {"id": acme["id"], "name": "Acme Rockets", "logoUrl": "https://acme.example/b.png"}
    employee_view = (await client.get(f"/candidates/{employee}")).json()
    assert employee_view["latestWorkExperience"] == {"title": "Engineer", "company": renamed}
    assert employee_view["modifiedAt"] > before[employee]["modifiedAt"]
    contact_view = (await client.get(f"/candidates/{contact}")).json()
    assert [item["company"] for item in contact_view["clientContacts"]["clientContacts"]] == [
        renamed
    ]
    assert contact_view["modifiedAt"] > before[contact]["modifiedAt"]
    assert (await client.get(f"/candidates/{stranger}")).json() == before[stranger]


# ---- the next task due -------------------------------------------------------------------------


async def test_next_task_due_is_the_earliest_open_task_linked_to_the_client(
    client: httpx.AsyncClient, database: Database
) -> None:
    acme = await create_client(client)
    globex = await create_client(client, name="Globex")
    candidate_id = await create_candidate(client)
    now = datetime.now(UTC).replace(microsecond=0)
    async with database.transaction(write=True) as session:
        candidate = await session.get(Candidate, candidate_id)
        assert candidate is not None
        workspace_id = candidate.workspace_id
        done = Task(
            workspace_id=workspace_id,
            content="Done",
            due_date=now - timedelta(days=9),
            completed_at=now,
        )
        later = Task(workspace_id=workspace_id, content="Later", due_date=now + timedelta(days=3))
        overdue = Task(workspace_id=workspace_id, content="Call", due_date=now - timedelta(days=1))
        undated = Task(workspace_id=workspace_id, content="Someday")
        elsewhere = Task(
            workspace_id=workspace_id, content="Globex", due_date=now - timedelta(days=5)
        )
        session.add_all([done, later, overdue, undated, elsewhere])
        await session.flush()
        session.add_all(
            [
                TaskLink(
                    task_id=task.id,
                    entity_type="client",
                    entity_id=acme["id"],
                    workspace_id=workspace_id,
                )
                for task in (done, later, overdue, undated)
            ]
            + [
                TaskLink(
                    task_id=elsewhere.id,
                    entity_type="client",
                    entity_id=globex["id"],
                    workspace_id=workspace_id,
                ),
                # a link to a candidate with the client's id is not a link to the client
                TaskLink(
                    task_id=elsewhere.id,
                    entity_type="candidate",
                    entity_id=acme["id"],
                    workspace_id=workspace_id,
                ),
            ]
        )
        overdue_id = overdue.id

    expected = {
        "viewType": "clientNextTaskDue",
        "nextTaskDue": {
            "id": overdue_id,
            "content": "Call",
            "dueDate": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        },
    }
    assert (await client.get(f"/clients/{acme['id']}")).json()["nextTaskDue"] == expected
    listed = (await client.get("/clients")).json()["items"]
    assert [item["nextTaskDue"] for item in listed if item["id"] == acme["id"]] == [expected]
