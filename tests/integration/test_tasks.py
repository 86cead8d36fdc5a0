"""Tasks through the API (issue 3, item 4): ``POST /tasks/_raw``, ``GET /tasks``,
``GET /tasks/{id}``, ``PATCH /tasks/{id}`` in Spott's task shape, links to candidates, clients,
users and client contacts, and bad input on every route (nothing stored on failure).

Companies and client contacts are written straight into their tables (``add_company``,
``add_contact``), so these tests do not depend on the ``/clients`` routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from talentbase.candidates.models import Candidate
from talentbase.client_contacts.models import ClientContact
from talentbase.companies.models import Company
from talentbase.db.engine import Database
from talentbase.tasks.models import Task, TaskLink
from tests.conftest import NewKey, create_candidate, create_user, make_client

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
EMPTY_LINKS = {
    "candidates": [],
    "vacancies": [],
    "clients": [],
    "users": [],
    "teams": [],
    "clientContacts": [],
    "opportunities": [],
}


def ms(moment: datetime) -> str:
    """``moment`` as the API writes it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now_s() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def workspace_of(database: Database, candidate_id: str) -> str:
    async with database.transaction(write=False) as session:
        candidate = await session.get(Candidate, candidate_id)
        assert candidate is not None
        return candidate.workspace_id


async def add_company(
    database: Database, workspace_id: str, name: str, logo_url: str | None = None
) -> str:
    """Inserts a company row (the ``/clients`` routes are another item's work)."""
    async with database.transaction(write=True) as session:
        company = Company(workspace_id=workspace_id, name=name, logo_url=logo_url)
        session.add(company)
        await session.flush()
        return company.id


async def add_contact(
    database: Database, workspace_id: str, candidate_id: str, company_id: str
) -> str:
    """Inserts a client contact row: the candidate is a contact at the company."""
    async with database.transaction(write=True) as session:
        contact = ClientContact(
            workspace_id=workspace_id, candidate_id=candidate_id, company_id=company_id
        )
        session.add(contact)
        await session.flush()
        return contact.id


async def stored_counts(database: Database, workspace_id: str) -> tuple[int, int]:
    """How many tasks and task links the workspace has."""
    async with database.transaction(write=False) as session:
        tasks = await session.scalar(
            select(func.count()).select_from(Task).where(Task.workspace_id == workspace_id)
        )
        links = await session.scalar(
            select(func.count()).select_from(TaskLink).where(TaskLink.workspace_id == workspace_id)
        )
    return int(tasks or 0), int(links or 0)


@pytest.fixture
async def other(app: Any, new_api_key: NewKey) -> AsyncIterator[httpx.AsyncClient]:
    """A client of another workspace."""
    async with make_client(app, await new_api_key()) as http:
        yield http


async def create_task(
    http: httpx.AsyncClient, acting_user: str | None = None, **body: Any
) -> dict[str, Any]:
    headers = {"x-on-behalf-of": acting_user} if acting_user else {}
    response = await http.post("/tasks/_raw", json=body, headers=headers)
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


def errors_of(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 400, response.text
    return [(item["code"], item["path"]) for item in response.json()["errors"]]


def in_list_order(items: list[dict[str, Any]]) -> list[str]:
    """Ids of never-modified tasks or notes in list order: ``(modifiedAt, id)``, which for them
    is ``(createdAt, id)`` (two made in the same millisecond are ordered by id)."""
    return [item["id"] for item in sorted(items, key=lambda item: (item["createdAt"], item["id"]))]


def ref(user: dict[str, Any]) -> dict[str, Any]:
    """A user as a task shows it."""
    return {
        "id": user["userId"],
        "name": user["name"],
        "avatarUrl": user["avatarUrl"],
        "deactivatedAt": user["deactivatedAt"],
    }


# ---- create ------------------------------------------------------------------------------------


async def test_create_task_answers_the_task_with_its_links(
    client: httpx.AsyncClient, database: Database
) -> None:
    ann = await create_user(client, "Ann Recruiter", "ann@agency.example")
    bob = await create_user(client, "Bob Sourcer", "bob@agency.example")
    candidate_id = await create_candidate(
        client, firstName="Jane", middleName="Q", lastName="Roe", secondLastName="Diaz"
    )
    workspace_id = await workspace_of(database, candidate_id)
    acme = await add_company(database, workspace_id, "Acme", "https://acme.example/logo.png")
    due = now_s() + timedelta(days=3)

    task = await create_task(
        client,
        acting_user=bob["userId"],
        content="Follow up with candidate about interview availability",
        dueDate=ms(due),
        assignedToUserId=ann["userId"],
        links=[
            {"taskLinkId": None, "entityType": "candidate", "entityId": candidate_id},
            {"entityType": "client", "entityId": acme},
            {"entityType": "user", "entityId": bob["userId"]},
        ],
    )

    links = task.pop("links")
    task_id, created_at = task.pop("id"), task.pop("createdAt")
    assert task == {
        "content": "Follow up with candidate about interview availability",
        "dueDate": ms(due),
        "isCompleted": False,
        "completedAt": None,
        "createdBy": ref(bob),
        "assignedTo": ref(ann),
        "source": "MANUAL",
        "metadata": {"type": "GENERIC_TASK"},
        "labels": [],
    }
    assert abs(datetime.fromisoformat(created_at) - datetime.now(UTC)) < timedelta(minutes=1)
    link_ids = [
        links["candidates"][0]["taskLinkId"],
        links["clients"][0]["taskLinkId"],
        links["users"][0]["taskLinkId"],
    ]
    assert len(set(link_ids)) == 3
    assert links == {
        **EMPTY_LINKS,
        "candidates": [
            {
                "taskLinkId": link_ids[0],
                "isMention": False,
                "id": candidate_id,
                "firstName": "Jane",
                "lastName": "Roe",
                "middleName": "Q",
                "secondLastName": "Diaz",
                "avatarUrl": None,
            }
        ],
        "clients": [
            {
                "taskLinkId": link_ids[1],
                "isMention": False,
                "id": acme,
                "name": "Acme",
                "logoUrl": "https://acme.example/logo.png",
            }
        ],
        "users": [{"taskLinkId": link_ids[2], "isMention": False, **ref(bob)}],
    }
    # GET answers the same object
    fetched = (await client.get(f"/tasks/{task_id}")).json()
    assert fetched == {**task, "id": task_id, "createdAt": created_at, "links": links}


async def test_create_task_with_content_only_has_no_due_date_assignee_creator_or_links(
    client: httpx.AsyncClient,
) -> None:
    task = await create_task(client, content="Tidy the pipeline")

    assert task["content"] == "Tidy the pipeline"
    assert task["dueDate"] is None
    assert task["assignedTo"] is None
    assert task["createdBy"] is None
    assert task["links"] == EMPTY_LINKS


async def test_due_date_with_an_offset_is_stored_in_utc(client: httpx.AsyncClient) -> None:
    task = await create_task(client, content="Call", dueDate="2031-03-01T10:00:00+02:00")

    assert task["dueDate"] == "2031-03-01T08:00:00.000Z"


async def test_client_contact_link_shows_the_person_and_the_company(
    client: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await create_candidate(client, firstName="Carl", lastName="Contact")
    workspace_id = await workspace_of(database, candidate_id)
    globex = await add_company(database, workspace_id, "Globex")
    contact_id = await add_contact(database, workspace_id, candidate_id, globex)

    task = await create_task(
        client,
        content="Ask for the next role",
        links=[{"entityType": "clientContact", "entityId": contact_id}],
    )

    [linked] = task["links"]["clientContacts"]
    assert linked == {
        "taskLinkId": linked["taskLinkId"],
        "isMention": False,
        "id": contact_id,
        "firstName": "Carl",
        "lastName": "Contact",
        "middleName": None,
        "secondLastName": None,
        "avatarUrl": None,
        "candidateId": candidate_id,
        "companyId": globex,
        "companyName": "Globex",
        "companyLogoUrl": None,
    }
    assert task["links"]["candidates"] == []


async def test_the_same_record_linked_twice_is_linked_once(
    client: httpx.AsyncClient, database: Database
) -> None:
    first = await create_candidate(client, firstName="First")
    second = await create_candidate(client, firstName="Second")
    workspace_id = await workspace_of(database, first)

    task = await create_task(
        client,
        content="Compare",
        links=[
            {"entityType": "candidate", "entityId": second},
            {"entityType": "candidate", "entityId": first},
            {"entityType": "candidate", "entityId": second},
        ],
    )

    # in the order sent, the repeat dropped
    assert [item["id"] for item in task["links"]["candidates"]] == [second, first]
    assert await stored_counts(database, workspace_id) == (1, 2)


async def test_creating_a_task_touches_the_linked_candidate_only(
    client: httpx.AsyncClient,
) -> None:
    linked = await create_candidate(client)
    unlinked = await create_candidate(client)
    before = {cid: (await client.get(f"/candidates/{cid}")).json() for cid in (linked, unlinked)}

    await create_task(
        client, content="Call", links=[{"entityType": "candidate", "entityId": linked}]
    )

    after_linked = (await client.get(f"/candidates/{linked}")).json()
    after_unlinked = (await client.get(f"/candidates/{unlinked}")).json()
    assert after_linked["modifiedAt"] > before[linked]["modifiedAt"]
    assert after_unlinked["modifiedAt"] == before[unlinked]["modifiedAt"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, [("REQUIRED", "content")]),
        ({"content": ""}, [("TOO_SMALL", "content")]),
        ({"content": "  \n\t "}, [("TOO_SMALL", "content")]),
        ({"content": 12}, [("INVALID_TYPE", "content")]),
        ({"content": None}, [("INVALID_TYPE", "content")]),
        ({"content": "x" * 10_001}, [("TOO_BIG", "content")]),
        ({"content": "bell \x07"}, [("INVALID_STRING", "content")]),
        ({"content": "x", "dueDate": "2030-01-01T10:00:00"}, [("INVALID_STRING", "dueDate")]),
        ({"content": "x", "dueDate": "tomorrow"}, [("INVALID_STRING", "dueDate")]),
        ({"content": "x", "dueDate": 1700000000}, [("INVALID_TYPE", "dueDate")]),
        ({"content": "x", "assignedToUserId": 5}, [("INVALID_TYPE", "assignedToUserId")]),
        ({"content": "x", "links": None}, [("INVALID_TYPE", "links")]),
        ({"content": "x", "links": {}}, [("INVALID_TYPE", "links")]),
        (
            {"content": "x", "links": [{"entityType": "candidate"}]},
            [("REQUIRED", "links.0.entityId")],
        ),
        (
            {"content": "x", "links": [{"entityType": "vacancy", "entityId": UNKNOWN_ID}]},
            [("INVALID_ENUM_VALUE", "links.0.entityType")],
        ),
        (
            {"content": "x", "links": [{"entityType": "Candidate", "entityId": UNKNOWN_ID}]},
            [("INVALID_ENUM_VALUE", "links.0.entityType")],
        ),
        (
            {"content": "x", "links": [{"entityType": "candidate", "entityId": "a", "x": 1}]},
            [("UNRECOGNIZED_KEYS", "links.0.x")],
        ),
        ({"content": "x", "labelIds": []}, [("UNRECOGNIZED_KEYS", "labelIds")]),
        ({"content": "x", "isCompleted": True}, [("UNRECOGNIZED_KEYS", "isCompleted")]),
    ],
)
async def test_create_task_refuses_bad_bodies(
    client: httpx.AsyncClient, body: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    response = await client.post("/tasks/_raw", json=body)

    assert errors_of(response) == expected
    assert (await client.get("/tasks")).json()["items"] == []


async def test_too_many_links_are_refused(client: httpx.AsyncClient) -> None:
    links = [{"entityType": "candidate", "entityId": UNKNOWN_ID}] * 101

    response = await client.post("/tasks/_raw", json={"content": "x", "links": links})

    assert errors_of(response) == [("TOO_BIG", "links")]


async def test_unknown_and_other_workspace_links_are_not_found_and_nothing_is_stored(
    client: httpx.AsyncClient, other: httpx.AsyncClient, database: Database
) -> None:
    mine = await create_candidate(client)
    workspace_id = await workspace_of(database, mine)
    theirs = await create_candidate(other)
    their_user = await create_user(other, "Their User", "them@other.example")
    their_company = await add_company(database, await workspace_of(database, theirs), "Theirs")
    before = (await client.get(f"/candidates/{mine}")).json()

    response = await client.post(
        "/tasks/_raw",
        json={
            "content": "x",
            "links": [
                {"entityType": "candidate", "entityId": mine},
                {"entityType": "candidate", "entityId": theirs},
                {"entityType": "user", "entityId": their_user["userId"]},
                {"entityType": "client", "entityId": their_company},
                {"entityType": "clientContact", "entityId": UNKNOWN_ID},
                {"entityType": "candidate", "entityId": "not-an-id"},
            ],
        },
    )

    assert errors_of(response) == [
        ("NOT_FOUND", f"links.{index}.entityId") for index in range(1, 6)
    ]
    assert response.json()["errors"][0]["received"] == theirs
    assert await stored_counts(database, workspace_id) == (0, 0)
    assert (await client.get(f"/candidates/{mine}")).json()["modifiedAt"] == before["modifiedAt"]


async def test_assignee_must_be_a_user_of_the_workspace(
    client: httpx.AsyncClient, other: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await create_candidate(client)
    workspace_id = await workspace_of(database, candidate_id)
    theirs = await create_user(other, "Their User", "them@other.example")

    for user_id in (UNKNOWN_ID, theirs["userId"], "nobody"):
        response = await client.post(
            "/tasks/_raw", json={"content": "x", "assignedToUserId": user_id}
        )
        assert errors_of(response) == [("NOT_FOUND", "assignedToUserId")]
        assert response.json()["errors"][0]["received"] == user_id
    assert await stored_counts(database, workspace_id) == (0, 0)


async def test_a_deactivated_user_cannot_be_assigned_a_task(
    client: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await create_candidate(client)
    workspace_id = await workspace_of(database, candidate_id)
    gone = await create_user(client, "Gone User", "gone@agency.example")
    await client.patch(f"/users/{gone['userId']}", json={"deactivated": True})

    response = await client.post(
        "/tasks/_raw", json={"content": "x", "assignedToUserId": gone["userId"]}
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "USER_DEACTIVATED",
            "path": "assignedToUserId",
            "message": f"User {gone['userId']} is deactivated and cannot be assigned tasks",
            "received": gone["userId"],
        }
    ]
    assert await stored_counts(database, workspace_id) == (0, 0)


async def test_acting_user_header_must_name_a_user_of_the_workspace(
    client: httpx.AsyncClient, other: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await create_candidate(client)
    workspace_id = await workspace_of(database, candidate_id)
    theirs = await create_user(other, "Their User", "them@other.example")

    for user_id in (UNKNOWN_ID, theirs["userId"]):
        response = await client.post(
            "/tasks/_raw",
            json={"content": "x", "links": [{"entityType": "candidate", "entityId": UNKNOWN_ID}]},
            headers={"x-on-behalf-of": user_id},
        )
        # every problem is named in one answer
        assert errors_of(response) == [
            ("NOT_FOUND", "x-on-behalf-of"),
            ("NOT_FOUND", "links.0.entityId"),
        ]
    assert await stored_counts(database, workspace_id) == (0, 0)


async def test_a_new_task_takes_no_task_link_id(
    client: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await create_candidate(client)
    workspace_id = await workspace_of(database, candidate_id)

    response = await client.post(
        "/tasks/_raw",
        json={
            "content": "x",
            "links": [
                {"taskLinkId": UNKNOWN_ID, "entityType": "candidate", "entityId": candidate_id}
            ],
        },
    )

    assert errors_of(response) == [("NOT_FOUND", "links.0.taskLinkId")]
    assert await stored_counts(database, workspace_id) == (0, 0)


# ---- read --------------------------------------------------------------------------------------


async def test_get_task_of_another_workspace_or_unknown_is_404(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    theirs = await create_task(other, content="Private")

    for task_id in (theirs["id"], UNKNOWN_ID, "not-an-id"):
        response = await client.get(f"/tasks/{task_id}")
        assert response.status_code == 404
        assert response.json()["message"] == f"Task {task_id} not found"
    assert (await client.get("/tasks")).json() == {
        "items": [],
        "pageInfo": {"nextCursor": None, "hasNextPage": False},
    }


async def test_list_tasks_walks_every_task_once_in_modified_order(
    client: httpx.AsyncClient,
) -> None:
    created = in_list_order([await create_task(client, content=f"Task {n}") for n in range(5)])

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/tasks", params=params)).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["pageInfo"]["nextCursor"]
        assert page["pageInfo"]["hasNextPage"] is (cursor is not None)
        if cursor is None:
            break

    assert seen == created
    assert pages == 3


async def test_list_tasks_filters_by_candidate_assignee_and_completion(
    client: httpx.AsyncClient,
) -> None:
    ann = await create_user(client, "Ann", "ann@agency.example")
    jane = await create_candidate(client)
    john = await create_candidate(client, firstName="John")
    for_jane = await create_task(
        client, content="Jane's", links=[{"entityType": "candidate", "entityId": jane}]
    )
    for_john = await create_task(
        client,
        content="John's",
        assignedToUserId=ann["userId"],
        links=[{"entityType": "candidate", "entityId": john}],
    )
    done = await create_task(client, content="Done")
    await client.patch(f"/tasks/{done['id']}", json={"isCompleted": True})

    async def ids(**params: Any) -> list[str]:
        response = await client.get("/tasks", params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids(candidateId=jane) == [for_jane["id"]]
    assert await ids(assignedToUserId=ann["userId"]) == [for_john["id"]]
    assert await ids(isCompleted="true") == [done["id"]]
    assert await ids(isCompleted="false") == in_list_order([for_jane, for_john])
    assert await ids(candidateId=john, isCompleted="true") == []
    assert await ids(candidateId=UNKNOWN_ID) == []


async def test_list_tasks_by_modified_since_sees_a_task_changed_later(
    client: httpx.AsyncClient,
) -> None:
    first = await create_task(client, content="First")
    second = await create_task(client, content="Second")
    page = (await client.get("/tasks")).json()
    assert [item["id"] for item in page["items"]] == in_list_order([first, second])

    await client.patch(f"/tasks/{first['id']}", json={"content": "First, edited"})

    # the edited task moves to the end of the (modifiedAt, id) order
    page = (await client.get("/tasks")).json()
    assert [item["id"] for item in page["items"]] == [second["id"], first["id"]]
    future = ms(now_s() + timedelta(days=1))
    assert (await client.get("/tasks", params={"modifiedSince": future})).json()["items"] == []
    assert (await client.get("/tasks", params={"modifiedUntil": future})).json()["items"] != []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"limit": 0}, ("TOO_SMALL", "limit")),
        ({"limit": 51}, ("TOO_BIG", "limit")),
        ({"limit": "ten"}, ("INVALID_TYPE", "limit")),
        ({"cursor": "garbage"}, ("INVALID_STRING", "cursor")),
        ({"modifiedSince": "2024-01-01"}, ("INVALID_STRING", "modifiedSince")),
        ({"modifiedUntil": "yesterday"}, ("INVALID_STRING", "modifiedUntil")),
        ({"isCompleted": "maybe"}, ("INVALID_TYPE", "isCompleted")),
    ],
)
async def test_list_tasks_refuses_bad_query_parameters(
    client: httpx.AsyncClient, params: dict[str, Any], expected: tuple[str, str]
) -> None:
    response = await client.get("/tasks", params=params)

    assert errors_of(response) == [expected]


# ---- update ------------------------------------------------------------------------------------


async def test_patch_completes_and_reopens_a_task(client: httpx.AsyncClient) -> None:
    task = await create_task(client, content="Call back")

    done = (await client.patch(f"/tasks/{task['id']}", json={"isCompleted": True})).json()
    assert done["isCompleted"] is True
    completed_at = datetime.fromisoformat(done["completedAt"])
    assert abs(completed_at - datetime.now(UTC)) < timedelta(minutes=1)

    # completing a completed task keeps its time
    again = (await client.patch(f"/tasks/{task['id']}", json={"isCompleted": True})).json()
    assert again["completedAt"] == done["completedAt"]

    reopened = (await client.patch(f"/tasks/{task['id']}", json={"isCompleted": False})).json()
    assert reopened["isCompleted"] is False
    assert reopened["completedAt"] is None
    assert reopened == {**done, "isCompleted": False, "completedAt": None}


async def test_patch_reassigns_unassigns_reschedules_and_edits(
    client: httpx.AsyncClient,
) -> None:
    ann = await create_user(client, "Ann", "ann@agency.example")
    bob = await create_user(client, "Bob", "bob@agency.example")
    task = await create_task(
        client, content="Call", dueDate="2031-01-01T09:00:00Z", assignedToUserId=ann["userId"]
    )
    url = f"/tasks/{task['id']}"

    reassigned = (await client.patch(url, json={"assignedToUserId": bob["userId"]})).json()
    assert reassigned == {**task, "assignedTo": ref(bob)}

    rescheduled = (await client.patch(url, json={"dueDate": "2031-02-01T09:30:00.123Z"})).json()
    assert rescheduled == {**reassigned, "dueDate": "2031-02-01T09:30:00.123Z"}

    cleared = (await client.patch(url, json={"dueDate": None, "assignedToUserId": None})).json()
    assert cleared == {**rescheduled, "dueDate": None, "assignedTo": None}

    edited = (await client.patch(url, json={"content": "Call about the offer"})).json()
    assert edited == {**cleared, "content": "Call about the offer"}
    assert (await client.get(url)).json() == edited


async def test_patch_that_changes_nothing_keeps_modified_at(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)
    first = await create_task(
        client,
        content="First",
        dueDate="2031-01-01T09:00:00.000Z",
        links=[{"entityType": "candidate", "entityId": candidate_id}],
    )
    second = await create_task(client, content="Second")
    view = (await client.get(f"/candidates/{candidate_id}")).json()

    for body in (
        {},
        {"content": "First", "dueDate": "2031-01-01T10:00:00+01:00", "isCompleted": False},
        {"assignedToUserId": None},
        {"links": [{"entityType": "candidate", "entityId": candidate_id}]},
    ):
        response = await client.patch(f"/tasks/{first['id']}", json=body)
        assert response.status_code == 200, response.text
        assert response.json() == first

    # neither the task nor its candidate moved
    page = (await client.get("/tasks")).json()
    assert [item["id"] for item in page["items"]] == in_list_order([first, second])
    assert (await client.get(f"/candidates/{candidate_id}")).json()["modifiedAt"] == view[
        "modifiedAt"
    ]


async def test_patch_touches_the_candidates_the_task_is_and_was_linked_to(
    client: httpx.AsyncClient,
) -> None:
    old = await create_candidate(client, firstName="Old")
    new = await create_candidate(client, firstName="New")
    task = await create_task(
        client, content="Call", links=[{"entityType": "candidate", "entityId": old}]
    )
    before = {
        cid: (await client.get(f"/candidates/{cid}")).json()["modifiedAt"] for cid in (old, new)
    }

    response = await client.patch(
        f"/tasks/{task['id']}", json={"links": [{"entityType": "candidate", "entityId": new}]}
    )

    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["links"]["candidates"]] == [new]
    for cid in (old, new):
        assert (await client.get(f"/candidates/{cid}")).json()["modifiedAt"] > before[cid]


async def test_patch_links_keep_the_ids_of_links_still_wanted(
    client: httpx.AsyncClient, database: Database
) -> None:
    jane = await create_candidate(client)
    workspace_id = await workspace_of(database, jane)
    acme = await add_company(database, workspace_id, "Acme")
    task = await create_task(
        client,
        content="Call",
        links=[
            {"entityType": "candidate", "entityId": jane},
            {"entityType": "client", "entityId": acme},
        ],
    )
    jane_link = task["links"]["candidates"][0]["taskLinkId"]
    acme_link = task["links"]["clients"][0]["taskLinkId"]
    ann = await create_user(client, "Ann", "ann@agency.example")

    patched = (
        await client.patch(
            f"/tasks/{task['id']}",
            json={
                "links": [
                    {"entityType": "user", "entityId": ann["userId"]},
                    {"taskLinkId": jane_link, "entityType": "candidate", "entityId": jane},
                ]
            },
        )
    ).json()

    assert patched["links"]["candidates"][0]["taskLinkId"] == jane_link
    assert patched["links"]["clients"] == []
    assert patched["links"]["users"][0]["id"] == ann["userId"]
    assert await stored_counts(database, workspace_id) == (1, 2)

    # a taskLinkId must be this task's link to the same record
    for link_id in (acme_link, UNKNOWN_ID):
        response = await client.patch(
            f"/tasks/{task['id']}",
            json={"links": [{"taskLinkId": link_id, "entityType": "candidate", "entityId": jane}]},
        )
        assert errors_of(response) == [("NOT_FOUND", "links.0.taskLinkId")]
    assert (await client.get(f"/tasks/{task['id']}")).json() == patched


async def test_re_sending_a_deactivated_assignee_is_a_no_op_but_a_new_one_is_refused(
    client: httpx.AsyncClient,
) -> None:
    ann = await create_user(client, "Ann", "ann@agency.example")
    bob = await create_user(client, "Bob", "bob@agency.example")
    task = await create_task(client, content="Call", assignedToUserId=ann["userId"])
    for user in (ann, bob):
        await client.patch(f"/users/{user['userId']}", json={"deactivated": True})

    kept = await client.patch(
        f"/tasks/{task['id']}", json={"assignedToUserId": ann["userId"], "content": "Call now"}
    )
    assert kept.status_code == 200, kept.text
    assert kept.json()["assignedTo"]["deactivatedAt"] is not None

    refused = await client.patch(f"/tasks/{task['id']}", json={"assignedToUserId": bob["userId"]})
    assert errors_of(refused) == [("USER_DEACTIVATED", "assignedToUserId")]
    assert (await client.get(f"/tasks/{task['id']}")).json() == kept.json()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"content": None}, [("INVALID_TYPE", "content")]),
        ({"content": " "}, [("TOO_SMALL", "content")]),
        ({"isCompleted": None}, [("INVALID_TYPE", "isCompleted")]),
        ({"isCompleted": "true"}, [("INVALID_TYPE", "isCompleted")]),
        ({"dueDate": "2031-01-01"}, [("INVALID_STRING", "dueDate")]),
        ({"assignedToUserId": UNKNOWN_ID}, [("NOT_FOUND", "assignedToUserId")]),
        ({"links": None}, [("INVALID_TYPE", "links")]),
        (
            {"links": [{"entityType": "team", "entityId": UNKNOWN_ID}]},
            [("INVALID_ENUM_VALUE", "links.0.entityType")],
        ),
        (
            {"links": [{"entityType": "candidate", "entityId": UNKNOWN_ID}]},
            [("NOT_FOUND", "links.0.entityId")],
        ),
        ({"completedAt": "2031-01-01T00:00:00Z"}, [("UNRECOGNIZED_KEYS", "completedAt")]),
        (
            {"content": "New", "assignedToUserId": UNKNOWN_ID},
            [("NOT_FOUND", "assignedToUserId")],
        ),
    ],
)
async def test_patch_refuses_bad_bodies_and_changes_nothing(
    client: httpx.AsyncClient, body: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    candidate_id = await create_candidate(client)
    task = await create_task(
        client, content="Call", links=[{"entityType": "candidate", "entityId": candidate_id}]
    )
    view = (await client.get(f"/candidates/{candidate_id}")).json()

    response = await client.patch(f"/tasks/{task['id']}", json=body)

    assert errors_of(response) == expected
    assert (await client.get(f"/tasks/{task['id']}")).json() == task
    assert (await client.get(f"/candidates/{candidate_id}")).json() == view


async def test_patch_of_unknown_or_other_workspace_task_is_404_and_changes_nothing(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    theirs = await create_task(other, content="Private")

    for task_id in (theirs["id"], UNKNOWN_ID, "nope"):
        response = await client.patch(f"/tasks/{task_id}", json={"isCompleted": True})
        assert response.status_code == 404
    assert (await other.get(f"/tasks/{theirs['id']}")).json() == theirs


async def test_deleting_a_candidate_unlinks_its_tasks_and_moves_them_on(
    client: httpx.AsyncClient, database: Database
) -> None:
    jane = await create_candidate(client)
    john = await create_candidate(client, firstName="John")
    workspace_id = await workspace_of(database, jane)
    task = await create_task(
        client,
        content="Call both",
        links=[
            {"entityType": "candidate", "entityId": jane},
            {"entityType": "candidate", "entityId": john},
        ],
    )
    other_task = await create_task(client, content="Unrelated")

    assert (await client.delete(f"/candidates/{jane}")).status_code == 204

    fetched = (await client.get(f"/tasks/{task['id']}")).json()
    assert [item["id"] for item in fetched["links"]["candidates"]] == [john]
    assert await stored_counts(database, workspace_id) == (2, 1)
    # the unlinked task changed, so a sync by modifiedAt sees it after the other one
    page = (await client.get("/tasks")).json()
    assert [item["id"] for item in page["items"]] == [other_task["id"], task["id"]]


async def test_deleting_a_candidate_unlinks_tasks_from_its_client_contact_roles(
    client: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await create_candidate(client, firstName="Carl")
    workspace_id = await workspace_of(database, candidate_id)
    acme = await add_company(database, workspace_id, "Acme")
    contact_id = await add_contact(database, workspace_id, candidate_id, acme)
    task = await create_task(
        client,
        content="Ask Carl",
        links=[
            {"entityType": "clientContact", "entityId": contact_id},
            {"entityType": "client", "entityId": acme},
        ],
    )

    assert (await client.delete(f"/candidates/{candidate_id}")).status_code == 204

    fetched = (await client.get(f"/tasks/{task['id']}")).json()
    assert fetched["links"]["clientContacts"] == []
    assert [item["id"] for item in fetched["links"]["clients"]] == [acme]
    assert await stored_counts(database, workspace_id) == (1, 1)
