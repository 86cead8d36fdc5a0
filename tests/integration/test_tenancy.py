"""Workspaces are sealed from each other (API.md §1): an id of another workspace answers exactly
like an id that does not exist (404, never 403), and nothing of one workspace is read, changed,
deleted or referenced through another workspace's key."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from talentbase.companies.models import Company
from talentbase.custom_attributes.models import CustomAttributeDefinition
from talentbase.db.urls import sync_url
from tests.conftest import NewKey, create_candidate, create_user, make_client

ReadRow = Callable[[str], dict[str, Any] | None]


@pytest.fixture
async def other(app: Any, new_api_key: NewKey) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a second workspace."""
    async with make_client(app, await new_api_key()) as http:
        yield http


def candidate_count(database_url: str) -> int:
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM candidates")).scalar_one())
    finally:
        engine.dispose()


def shape(response: httpx.Response, id_: str) -> dict[str, Any]:
    """The error answer with the id and the request id taken out, for comparing two answers."""
    body = response.json()
    assert body["requestId"] == response.headers["x-request-id"]
    return {
        "httpStatus": response.status_code,
        **{key: value for key, value in body.items() if key != "requestId"},
        "message": body["message"].replace(id_, "<id>"),
        "keys": sorted(body),
    }


async def assert_like_a_missing_id(
    http: httpx.AsyncClient, method: str, template: str, foreign_id: str, **kwargs: Any
) -> None:
    """``method template`` with the foreign id answers what a never-existing id answers."""
    missing_id = str(uuid.uuid4())
    foreign = await http.request(method, template.format(id=foreign_id), **kwargs)
    missing = await http.request(method, template.format(id=missing_id), **kwargs)

    assert foreign.status_code == 404, foreign.text
    assert missing.status_code == 404, missing.text
    assert shape(foreign, foreign_id) == shape(missing, missing_id)
    assert foreign.json()["status"] == 404


async def test_a_key_never_reads_a_candidate_of_another_workspace(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    candidate_id = await create_candidate(client, firstName="Secret", lastName="Candidate")

    await assert_like_a_missing_id(other, "GET", "/candidates/{id}", candidate_id)

    response = await other.get(f"/candidates/{candidate_id}")
    assert "Secret" not in response.text


async def test_a_key_never_changes_a_candidate_of_another_workspace(
    client: httpx.AsyncClient, other: httpx.AsyncClient, read_row: ReadRow
) -> None:
    candidate_id = await create_candidate(client, firstName="Secret", lastName="Candidate")
    before = read_row(candidate_id)
    view_before = (await client.get(f"/candidates/{candidate_id}")).json()

    await assert_like_a_missing_id(
        other,
        "PATCH",
        "/candidates/{id}",
        candidate_id,
        json={"firstName": "Hijacked", "gender": "x", "emails": [{"email": "evil@x.example"}]},
    )

    assert read_row(candidate_id) == before
    assert (await client.get(f"/candidates/{candidate_id}")).json() == view_before


async def test_a_key_never_deletes_a_candidate_of_another_workspace(
    client: httpx.AsyncClient, other: httpx.AsyncClient, read_row: ReadRow
) -> None:
    candidate_id = await create_candidate(client, firstName="Secret", lastName="Candidate")
    before = read_row(candidate_id)

    await assert_like_a_missing_id(other, "DELETE", "/candidates/{id}", candidate_id)

    assert read_row(candidate_id) == before
    still_there = await client.get(f"/candidates/{candidate_id}")
    assert still_there.status_code == 200
    assert still_there.json()["id"] == candidate_id


async def test_invalid_patch_on_a_foreign_id_answers_exactly_like_on_a_missing_id(
    client: httpx.AsyncClient, other: httpx.AsyncClient, read_row: ReadRow
) -> None:
    """Whether an id exists elsewhere must not show through a validation answer either."""
    candidate_id = await create_candidate(client)
    missing_id = str(uuid.uuid4())
    before = read_row(candidate_id)
    body = {"gender": "robot", "firstName": "Hijacked"}

    foreign = await other.patch(f"/candidates/{candidate_id}", json=body)
    missing = await other.patch(f"/candidates/{missing_id}", json=body)

    assert foreign.status_code in (400, 404), foreign.text
    assert shape(foreign, candidate_id) == shape(missing, missing_id)
    assert read_row(candidate_id) == before


async def test_users_of_one_workspace_are_not_listed_in_another(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    mine = await create_user(client, "Ann Mine", f"ann-{uuid.uuid4().hex}@a.example")
    theirs = await create_user(other, "Bob Theirs", f"bob-{uuid.uuid4().hex}@b.example")

    for path in ("/users", "/users/_list", "/users?includeDeactivated=true"):
        listed_mine = (await client.get(path)).json()["users"]
        listed_theirs = (await other.get(path)).json()["users"]
        assert listed_mine == [mine], path
        assert listed_theirs == [theirs], path


async def test_deactivated_users_of_another_workspace_are_not_listed_either(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    mine = await create_user(client, "Ann Mine", f"ann-{uuid.uuid4().hex}@a.example")
    deactivated = await client.patch(f"/users/{mine['userId']}", json={"deactivated": True})
    assert deactivated.status_code == 200

    listed = (await other.get("/users?includeDeactivated=true")).json()

    assert listed == {"users": []}


async def test_get_user_of_another_workspace_is_404_like_an_unknown_id(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    mine = await create_user(client, "Ann Mine", f"ann-{uuid.uuid4().hex}@a.example")

    await assert_like_a_missing_id(other, "GET", "/users/{id}", mine["userId"])

    response = await other.get(f"/users/{mine['userId']}")
    assert mine["email"] not in response.text


async def test_patch_user_of_another_workspace_is_404_and_changes_nothing(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    mine = await create_user(client, "Ann Mine", f"ann-{uuid.uuid4().hex}@a.example")

    await assert_like_a_missing_id(
        other,
        "PATCH",
        "/users/{id}",
        mine["userId"],
        json={"name": "Hijacked", "deactivated": True},
    )

    assert (await client.get(f"/users/{mine['userId']}")).json() == mine


async def test_a_user_of_another_workspace_cannot_be_main_contact_on_patch(
    client: httpx.AsyncClient, other: httpx.AsyncClient, read_row: ReadRow
) -> None:
    foreign_user = await create_user(client, "Ann Mine", f"ann-{uuid.uuid4().hex}@a.example")
    candidate_id = await create_candidate(other)
    before = read_row(candidate_id)

    response = await other.patch(
        f"/candidates/{candidate_id}", json={"mainContact": {"userId": foreign_user["userId"]}}
    )

    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert [(item["code"], item["path"]) for item in errors] == [
        ("NOT_FOUND", "mainContact.userId")
    ]
    assert read_row(candidate_id) == before


async def test_a_user_of_another_workspace_cannot_be_last_interaction_with(
    client: httpx.AsyncClient, other: httpx.AsyncClient, read_row: ReadRow
) -> None:
    foreign_user = await create_user(client, "Ann Mine", f"ann-{uuid.uuid4().hex}@a.example")
    candidate_id = await create_candidate(other)
    before = read_row(candidate_id)

    response = await other.patch(
        f"/candidates/{candidate_id}", json={"lastInteractionWithId": foreign_user["userId"]}
    )

    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert [(item["code"], item["path"]) for item in errors] == [
        ("NOT_FOUND", "lastInteractionWithId")
    ]
    assert read_row(candidate_id) == before


async def test_foreign_main_contact_answers_like_an_unknown_user(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    foreign_user = await create_user(client, "Ann Mine", f"ann-{uuid.uuid4().hex}@a.example")
    missing_user_id = str(uuid.uuid4())
    candidate_id = await create_candidate(other)

    foreign = await other.patch(
        f"/candidates/{candidate_id}", json={"mainContact": {"userId": foreign_user["userId"]}}
    )
    missing = await other.patch(
        f"/candidates/{candidate_id}", json={"mainContact": {"userId": missing_user_id}}
    )

    assert foreign.status_code == missing.status_code == 400
    foreign_error = foreign.json()["errors"][0]
    missing_error = missing.json()["errors"][0]
    assert foreign_error["code"] == missing_error["code"] == "NOT_FOUND"
    assert foreign_error["message"].replace(foreign_user["userId"], "<id>") == missing_error[
        "message"
    ].replace(missing_user_id, "<id>")


async def test_a_user_of_another_workspace_cannot_be_main_contact_on_create(
    client: httpx.AsyncClient, other: httpx.AsyncClient, database_url: str
) -> None:
    foreign_user = await create_user(client, "Ann Mine", f"ann-{uuid.uuid4().hex}@a.example")
    listed_before = candidate_count(database_url)

    response = await other.post(
        "/candidates",
        json={
            "firstName": "Jane",
            "lastName": "Roe",
            "mainContact": {"userId": foreign_user["userId"]},
        },
    )

    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert [(item["code"], item["path"]) for item in errors] == [
        ("NOT_FOUND", "mainContact.userId")
    ]
    assert candidate_count(database_url) == listed_before


async def test_the_same_email_may_be_a_user_in_two_workspaces(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    """A DUPLICATE across workspaces would tell one tenant what another one stores."""
    email = f"shared-{uuid.uuid4().hex}@x.example"
    mine = await create_user(client, "Ann Mine", email)

    response = await other.post("/users", json={"name": "Ann Theirs", "email": email})

    assert response.status_code == 201, response.text
    assert response.json()["userId"] != mine["userId"]
    assert (await client.get("/users")).json()["users"] == [mine]


# ---- records referenced by POST /candidates ----------------------------------------------------


def insert_rows(database_url: str, *records: Any) -> None:
    """Stores records the API has no create route for (companies, attribute definitions)."""
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine, expire_on_commit=False) as session:
            session.add_all(records)
            session.commit()
    finally:
        engine.dispose()


async def workspace_of(http: httpx.AsyncClient, read_row: ReadRow) -> str:
    row = read_row(await create_candidate(http))
    assert row is not None
    workspace_id: str = row["workspace_id"]
    return workspace_id


@pytest.mark.parametrize("field", ["workExperiences", "education"])
async def test_a_company_of_another_workspace_is_not_found_in_work_history(
    client: httpx.AsyncClient,
    other: httpx.AsyncClient,
    read_row: ReadRow,
    database_url: str,
    field: str,
) -> None:
    company = Company(workspace_id=await workspace_of(client, read_row), name="Acme Corp")
    insert_rows(database_url, company)
    before = candidate_count(database_url)

    foreign = await other.post(
        "/candidates",
        json={"firstName": "Jane", "lastName": "Roe", field: [{"companyId": company.id}]},
    )
    own = await client.post(
        "/candidates",
        json={"firstName": "Jane", "lastName": "Roe", field: [{"companyId": company.id}]},
    )

    assert foreign.status_code == 400, foreign.text
    assert [(e["code"], e["path"]) for e in foreign.json()["errors"]] == [
        ("NOT_FOUND", f"{field}.0.companyId")
    ]
    assert "Acme" not in foreign.text
    assert own.status_code == 201, own.text
    assert candidate_count(database_url) == before + 1


async def test_a_company_of_another_workspace_never_shows_in_a_view(
    client: httpx.AsyncClient, read_row: ReadRow, database_url: str
) -> None:
    company = Company(workspace_id=await workspace_of(client, read_row), name="Acme Corp")
    insert_rows(database_url, company)

    candidate_id = await create_candidate(
        client, workExperiences=[{"companyId": company.id, "jobTitle": "Engineer"}]
    )

    view = (await client.get(f"/candidates/{candidate_id}")).json()
    assert view["latestWorkExperience"]["company"]["id"] == company.id
    assert view["latestWorkExperience"]["company"]["name"] == "Acme Corp"


async def test_a_custom_attribute_definition_of_another_workspace_is_not_found(
    client: httpx.AsyncClient, other: httpx.AsyncClient, read_row: ReadRow, database_url: str
) -> None:
    definition = CustomAttributeDefinition(
        workspace_id=await workspace_of(client, read_row),
        entity_type="candidate",
        label="Secret label",
        kind="text",
        options=[],
    )
    insert_rows(database_url, definition)
    body = {
        "firstName": "Jane",
        "lastName": "Roe",
        "customAttributes": [{"attributeDefinitionId": definition.id, "value": "Senior"}],
    }

    foreign = await other.post("/candidates", json=body)
    own = await client.post("/candidates", json=body)

    assert foreign.status_code == 400, foreign.text
    assert [(e["code"], e["path"]) for e in foreign.json()["errors"]] == [
        ("NOT_FOUND", "customAttributes.0.attributeDefinitionId")
    ]
    assert "Secret label" not in foreign.text
    assert own.status_code == 201, own.text
    view = (await client.get(f"/candidates/{own.json()}")).json()
    assert [item["attributeDefinitionId"] for item in view["customAttributes"]] == [definition.id]
