"""Notes (interactions) through the API (issue 3, item 4): ``POST /notes``, ``GET /notes``,
``GET /notes/{id}`` in Spott's note shape, the acting user (``x-on-behalf-of``), and bad input on
every route (nothing stored on failure)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from talentbase.db.engine import Database
from talentbase.notes.models import Note, NoteLink
from tests.conftest import NewKey, create_candidate, create_user, make_client
from tests.integration.test_tasks import (
    UNKNOWN_ID,
    add_company,
    add_contact,
    errors_of,
    in_list_order,
    ms,
    now_s,
    ref,
    workspace_of,
)

SOURCES = ("phone", "phoneInbound", "phoneOutbound", "inPerson", "onlineMeeting", "callAttempted")


async def stored_counts(database: Database, workspace_id: str) -> tuple[int, int]:
    """How many notes and note links the workspace has."""
    async with database.transaction(write=False) as session:
        notes = await session.scalar(
            select(func.count()).select_from(Note).where(Note.workspace_id == workspace_id)
        )
        links = await session.scalar(
            select(func.count()).select_from(NoteLink).where(NoteLink.workspace_id == workspace_id)
        )
    return int(notes or 0), int(links or 0)


@pytest.fixture
async def other(app: Any, new_api_key: NewKey) -> AsyncIterator[httpx.AsyncClient]:
    """A client of another workspace."""
    async with make_client(app, await new_api_key()) as http:
        yield http


async def create_note(
    http: httpx.AsyncClient, acting_user: str | None = None, **body: Any
) -> dict[str, Any]:
    headers = {"x-on-behalf-of": acting_user} if acting_user else {}
    response = await http.post("/notes", json=body, headers=headers)
    assert response.status_code == 201, response.text
    note: dict[str, Any] = response.json()
    return note


def candidate_ref(candidate_id: str, first: str = "Jane", last: str = "Roe") -> dict[str, Any]:
    return {
        "id": candidate_id,
        "firstName": first,
        "lastName": last,
        "middleName": None,
        "secondLastName": None,
        "avatarUrl": None,
    }


# ---- create ------------------------------------------------------------------------------------


async def test_create_note_answers_the_note_with_its_links(
    client: httpx.AsyncClient, database: Database
) -> None:
    ann = await create_user(client, "Ann Recruiter", "ann@agency.example")
    candidate_id = await create_candidate(client)
    workspace_id = await workspace_of(database, candidate_id)
    acme = await add_company(database, workspace_id, "Acme", "https://acme.example/logo.png")

    note = await create_note(
        client,
        acting_user=ann["userId"],
        title="Intro call",
        content="Talked about the role.\nWants a remote position.",
        source="phoneOutbound",
        links=[
            {"entityType": "candidate", "entityId": candidate_id},
            {"entityType": "client", "entityId": acme},
        ],
    )

    note_id, created_at = note["id"], note["createdAt"]
    assert abs(datetime.fromisoformat(created_at) - datetime.now(UTC)) < timedelta(minutes=1)
    links = note["links"]
    assert note == {
        "id": note_id,
        "type": "manual",
        "source": "phoneOutbound",
        "title": "Intro call",
        "content": "Talked about the role.\nWants a remote position.",
        "createdAt": created_at,
        "lastEditedAt": None,
        "createdBy": ref(ann),
        "editors": [],
        "meeting": None,
        "call": None,
        "audioRecording": None,
        "pinned": False,
        "labels": [],
        "links": [
            {
                "entityType": "candidate",
                "candidate": candidate_ref(candidate_id),
                "id": links[0]["id"],
                "noteId": note_id,
            },
            {
                "entityType": "client",
                "client": {"id": acme, "name": "Acme", "logoUrl": "https://acme.example/logo.png"},
                "id": links[1]["id"],
                "noteId": note_id,
            },
        ],
    }
    assert links[0]["id"] != links[1]["id"]
    assert (await client.get(f"/notes/{note_id}")).json() == note


async def test_a_plain_note_has_no_title_source_creator_or_links(
    client: httpx.AsyncClient,
) -> None:
    note = await create_note(client, content="Remember the coffee machine")

    assert (note["title"], note["source"], note["createdBy"], note["links"]) == (
        None,
        None,
        None,
        [],
    )


@pytest.mark.parametrize("source", SOURCES)
async def test_every_spott_source_is_accepted(client: httpx.AsyncClient, source: str) -> None:
    note = await create_note(client, content="x", source=source)

    assert note["source"] == source


async def test_client_contact_link_shows_the_person_and_the_company(
    client: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await create_candidate(client, firstName="Carl", lastName="Contact")
    workspace_id = await workspace_of(database, candidate_id)
    globex = await add_company(database, workspace_id, "Globex")
    contact_id = await add_contact(database, workspace_id, candidate_id, globex)

    note = await create_note(
        client, content="x", links=[{"entityType": "clientContact", "entityId": contact_id}]
    )

    assert note["links"] == [
        {
            "entityType": "clientContact",
            "clientContact": {
                **candidate_ref(contact_id, "Carl", "Contact"),
                "candidateId": candidate_id,
                "companyId": globex,
                "companyName": "Globex",
                "companyLogoUrl": None,
            },
            "id": note["links"][0]["id"],
            "noteId": note["id"],
        }
    ]


async def test_the_same_record_linked_twice_is_linked_once(
    client: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await create_candidate(client)
    workspace_id = await workspace_of(database, candidate_id)
    link = {"entityType": "candidate", "entityId": candidate_id}

    note = await create_note(client, content="x", links=[link, link])

    assert [item["candidate"]["id"] for item in note["links"]] == [candidate_id]
    assert await stored_counts(database, workspace_id) == (1, 1)


async def test_creating_a_note_touches_the_linked_candidate_only(
    client: httpx.AsyncClient,
) -> None:
    linked = await create_candidate(client)
    unlinked = await create_candidate(client)
    before = {cid: (await client.get(f"/candidates/{cid}")).json() for cid in (linked, unlinked)}

    # a plain note too: any note shown about the candidate is a change
    await create_note(client, content="x", links=[{"entityType": "candidate", "entityId": linked}])

    assert (await client.get(f"/candidates/{linked}")).json()["modifiedAt"] > before[linked][
        "modifiedAt"
    ]
    assert (await client.get(f"/candidates/{unlinked}")).json() == before[unlinked]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, [("REQUIRED", "content")]),
        ({"content": ""}, [("TOO_SMALL", "content")]),
        ({"content": " \n "}, [("TOO_SMALL", "content")]),
        ({"content": ["x"]}, [("INVALID_TYPE", "content")]),
        ({"content": "x" * 100_001}, [("TOO_BIG", "content")]),
        ({"content": "x", "title": ""}, [("TOO_SMALL", "title")]),
        ({"content": "x", "title": "two\nlines"}, [("INVALID_STRING", "title")]),
        ({"content": "x", "title": "t" * 501}, [("TOO_BIG", "title")]),
        ({"content": "x", "title": 1}, [("INVALID_TYPE", "title")]),
        ({"content": "x", "source": "email"}, [("INVALID_ENUM_VALUE", "source")]),
        ({"content": "x", "source": "Phone"}, [("INVALID_ENUM_VALUE", "source")]),
        ({"content": "x", "source": "PHONE_INBOUND"}, [("INVALID_ENUM_VALUE", "source")]),
        ({"content": "x", "source": 3}, [("INVALID_TYPE", "source")]),
        ({"content": "x", "links": None}, [("INVALID_TYPE", "links")]),
        (
            {"content": "x", "links": [{"entityType": "user", "entityId": UNKNOWN_ID}]},
            [("INVALID_ENUM_VALUE", "links.0.entityType")],
        ),
        (
            {"content": "x", "links": [{"entityType": "vacancy", "entityId": UNKNOWN_ID}]},
            [("INVALID_ENUM_VALUE", "links.0.entityType")],
        ),
        (
            {"content": "x", "links": [{"entityId": UNKNOWN_ID}]},
            [("REQUIRED", "links.0.entityType")],
        ),
        ({"content": "x", "meetingId": UNKNOWN_ID}, [("UNRECOGNIZED_KEYS", "meetingId")]),
        ({"content": "x", "pinned": True}, [("UNRECOGNIZED_KEYS", "pinned")]),
    ],
)
async def test_create_note_refuses_bad_bodies(
    client: httpx.AsyncClient, body: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    response = await client.post("/notes", json=body)

    assert errors_of(response) == expected
    assert (await client.get("/notes")).json()["items"] == []


async def test_unknown_and_other_workspace_links_are_not_found_and_nothing_is_stored(
    client: httpx.AsyncClient, other: httpx.AsyncClient, database: Database
) -> None:
    mine = await create_candidate(client)
    workspace_id = await workspace_of(database, mine)
    theirs = await create_candidate(other)
    their_company = await add_company(database, await workspace_of(database, theirs), "Theirs")
    before = (await client.get(f"/candidates/{mine}")).json()

    response = await client.post(
        "/notes",
        json={
            "content": "x",
            "source": "phone",
            "links": [
                {"entityType": "candidate", "entityId": mine},
                {"entityType": "candidate", "entityId": theirs},
                {"entityType": "client", "entityId": their_company},
                {"entityType": "clientContact", "entityId": UNKNOWN_ID},
            ],
        },
    )

    assert errors_of(response) == [
        ("NOT_FOUND", "links.1.entityId"),
        ("NOT_FOUND", "links.2.entityId"),
        ("NOT_FOUND", "links.3.entityId"),
    ]
    assert await stored_counts(database, workspace_id) == (0, 0)
    assert (await client.get(f"/candidates/{mine}")).json() == before


async def test_acting_user_must_be_a_user_of_the_workspace(
    client: httpx.AsyncClient, other: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await create_candidate(client)
    workspace_id = await workspace_of(database, candidate_id)
    theirs = await create_user(other, "Their User", "them@other.example")

    for user_id in (theirs["userId"], UNKNOWN_ID, "ann"):
        response = await client.post(
            "/notes",
            json={"content": "x", "links": [{"entityType": "candidate", "entityId": candidate_id}]},
            headers={"x-on-behalf-of": user_id},
        )
        assert response.json()["errors"] == [
            {
                "code": "NOT_FOUND",
                "path": "x-on-behalf-of",
                "message": f"No user {user_id} in this workspace",
                "received": user_id,
            }
        ]
    assert await stored_counts(database, workspace_id) == (0, 0)


async def test_a_deactivated_user_may_still_be_named_as_the_author(
    client: httpx.AsyncClient,
) -> None:
    gone = await create_user(client, "Gone", "gone@agency.example")
    deactivated = (
        await client.patch(f"/users/{gone['userId']}", json={"deactivated": True})
    ).json()

    note = await create_note(client, acting_user=gone["userId"], content="Imported call log")

    assert note["createdBy"] == ref(deactivated)
    assert note["createdBy"]["deactivatedAt"] is not None


# ---- read --------------------------------------------------------------------------------------


async def test_get_note_of_another_workspace_or_unknown_is_404(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    theirs = await create_note(other, content="Private")

    for note_id in (theirs["id"], UNKNOWN_ID, "x"):
        response = await client.get(f"/notes/{note_id}")
        assert response.status_code == 404
        assert response.json()["message"] == f"Note {note_id} not found"
    assert (await client.get("/notes")).json() == {
        "items": [],
        "pageInfo": {"nextCursor": None, "hasNextPage": False},
    }


async def test_list_notes_walks_every_note_once(client: httpx.AsyncClient) -> None:
    created = in_list_order([await create_note(client, content=f"Note {n}") for n in range(5)])

    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/notes", params=params)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["pageInfo"]["nextCursor"]
        if cursor is None:
            break

    assert seen == created


async def test_list_notes_filters_by_candidate_client_contact_source_and_time(
    client: httpx.AsyncClient, database: Database
) -> None:
    jane = await create_candidate(client)
    john = await create_candidate(client, firstName="John")
    workspace_id = await workspace_of(database, jane)
    contact = await add_contact(
        database, workspace_id, john, await add_company(database, workspace_id, "Acme")
    )
    call = await create_note(
        client,
        content="Call",
        source="phone",
        links=[{"entityType": "candidate", "entityId": jane}],
    )
    meeting = await create_note(
        client,
        content="Meeting",
        source="inPerson",
        links=[
            {"entityType": "candidate", "entityId": john},
            {"entityType": "clientContact", "entityId": contact},
        ],
    )
    plain = await create_note(client, content="Plain")

    async def ids(**params: Any) -> list[str]:
        response = await client.get("/notes", params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    everything = [call, meeting, plain]
    assert await ids() == in_list_order(everything)
    assert await ids(candidateId=jane) == [call["id"]]
    assert await ids(candidateId=john) == [meeting["id"]]
    assert await ids(clientContactId=contact) == [meeting["id"]]
    assert await ids(source="inPerson") == [meeting["id"]]
    assert await ids(source="phone", candidateId=john) == []
    assert await ids(candidateId=UNKNOWN_ID) == []
    # both bounds are inclusive (notes are never edited: modifiedAt is createdAt)
    moment = meeting["createdAt"]
    assert await ids(modifiedSince=moment) == in_list_order(
        [note for note in everything if note["createdAt"] >= moment]
    )
    assert await ids(modifiedUntil=moment) == in_list_order(
        [note for note in everything if note["createdAt"] <= moment]
    )
    assert await ids(modifiedSince=ms(now_s() + timedelta(days=1))) == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"source": "email"}, ("INVALID_ENUM_VALUE", "source")),
        ({"source": "PHONE"}, ("INVALID_ENUM_VALUE", "source")),
        ({"limit": 0}, ("TOO_SMALL", "limit")),
        ({"limit": 51}, ("TOO_BIG", "limit")),
        ({"cursor": "eyJ4IjoxfQ"}, ("INVALID_STRING", "cursor")),
        ({"modifiedSince": "2024-01-01T00:00:00"}, ("INVALID_STRING", "modifiedSince")),
        ({"modifiedUntil": "soon"}, ("INVALID_STRING", "modifiedUntil")),
    ],
)
async def test_list_notes_refuses_bad_query_parameters(
    client: httpx.AsyncClient, params: dict[str, Any], expected: tuple[str, str]
) -> None:
    response = await client.get("/notes", params=params)

    assert errors_of(response) == [expected]


async def test_deleting_a_candidate_unlinks_its_notes_and_keeps_them(
    client: httpx.AsyncClient, database: Database
) -> None:
    jane = await create_candidate(client)
    john = await create_candidate(client, firstName="John")
    workspace_id = await workspace_of(database, jane)
    both = await create_note(
        client,
        content="Both",
        source="phone",
        links=[
            {"entityType": "candidate", "entityId": jane},
            {"entityType": "candidate", "entityId": john},
        ],
    )
    later = await create_note(client, content="Later")

    assert (await client.delete(f"/candidates/{jane}")).status_code == 204

    fetched = (await client.get(f"/notes/{both['id']}")).json()
    assert [item["candidate"]["id"] for item in fetched["links"]] == [john]
    assert await stored_counts(database, workspace_id) == (2, 1)
    assert (await client.get("/notes", params={"candidateId": jane})).json()["items"] == []
    # the unlinked note changed, so a sync by modifiedAt sees it again, after the other one
    page = (await client.get("/notes")).json()
    assert [item["id"] for item in page["items"]] == [later["id"], both["id"]]


async def test_deleting_a_candidate_unlinks_notes_from_its_client_contact_roles(
    client: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await create_candidate(client, firstName="Carl")
    workspace_id = await workspace_of(database, candidate_id)
    contact_id = await add_contact(
        database, workspace_id, candidate_id, await add_company(database, workspace_id, "Acme")
    )
    note = await create_note(
        client, content="x", links=[{"entityType": "clientContact", "entityId": contact_id}]
    )

    assert (await client.delete(f"/candidates/{candidate_id}")).status_code == 204

    assert (await client.get(f"/notes/{note['id']}")).json()["links"] == []
    assert await stored_counts(database, workspace_id) == (1, 0)
