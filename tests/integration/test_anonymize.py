"""Anonymizing a candidate (issue 5 §6): ``POST /candidates/{id}/anonymize`` erases the person's
data for good (names, contact details, locations, date of birth, gender, nationality, LinkedIn
profile, attachments and their files on disk, free-text custom values, the text of its notes
and tasks, client-contact emails and phones, the personal values in its history) and keeps the
id and the non-personal facts (placements, tasks, status, languages, compensation, counts). A
second anonymize changes nothing; a failed one changes nothing, files included."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from talentbase.app import create_app
from talentbase.candidates.models import Candidate
from talentbase.custom_attributes.models import CustomAttributeValue
from talentbase.db.engine import Database
from talentbase.events.models import OutboxEvent
from talentbase.history import service as history_service
from talentbase.settings import Settings
from tests.conftest import NewKey, create_candidate, create_user, make_client, workspace_id_of
from tests.integration.test_attachments import PDF_TYPE, minimal_docx, minimal_pdf

UNKNOWN = "7d4f0a9e-3b7c-4f5e-9a1d-2c3b4a5d6e7f"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ERASED = "[anonymized]"
# every personal value written for Jane below; none may be left in any answer about her
PERSONAL = (
    "Jane",
    "Quinn",
    "Roe",
    "Doe",
    "jane@",
    "+31612345678",
    "+44 20 7946 0958",
    "janeroe",
    "Keizersgracht",
    "Amsterdam",
    "1990-05-15",
    "Dutch",
    "female",
    "avatar.example",
    "likes sailing",
    "jane.example",
    "Herengracht",
    "Summer job",
    "Thesis",
    "Sailing club",
    "Called",
    "Shortlist",
    "Rang",
    "Ask Acme",
    "Discreet",
    "summary of Jane",
    "chat-1",
)


@dataclass
class World:
    """A client of a fresh workspace on an app whose files go to ``folder``."""

    app: Any
    http: httpx.AsyncClient
    folder: Path
    database: Database
    workspace_id: str

    def stored_files(self) -> set[str]:
        """The names (attachment ids) of the files under the attachments folder."""
        return {path.name for path in self.folder.rglob("*") if path.is_file()}


@pytest.fixture
async def world(settings: Settings, tmp_path: Path, new_api_key: NewKey) -> AsyncIterator[World]:
    folder = tmp_path / "attachments"
    application = create_app(settings.model_copy(update={"attachments_dir": folder}))
    api_key = await new_api_key()
    async with make_client(application, api_key) as http:
        database: Database = application.state.database
        yield World(application, http, folder, database, await workspace_id_of(database, api_key))
    await application.state.database.dispose()


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def upload(http: httpx.AsyncClient, candidate_id: str, kind: str = "CV") -> str:
    files = (
        {"files": ("Jane Roe cv.pdf", minimal_pdf("Jane Roe"), PDF_TYPE)}
        if kind == "CV"
        else {"files": ("letter.docx", minimal_docx(), DOCX_TYPE)}
    )
    body = await ok(
        await http.post(
            "/attachments", params={"type": kind, "candidateId": candidate_id}, files=files
        ),
        201,
    )
    attachment_id: str = body[0]["attachmentId"]
    return attachment_id


async def history(http: httpx.AsyncClient, candidate_id: str) -> list[dict[str, Any]]:
    """The candidate's history, newest first (tests write fewer than 50 entries)."""
    body = await ok(await http.get(f"/candidates/{candidate_id}/history", params={"limit": 50}))
    assert body["pageInfo"]["hasNextPage"] is False
    items: list[dict[str, Any]] = body["items"]
    return items


async def events_of(database: Database, candidate_id: str) -> list[dict[str, Any]]:
    async with database.transaction(write=False) as session:
        rows = await session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.candidate_id == candidate_id)
            .order_by(OutboxEvent.created_at, OutboxEvent.id)
        )
        return [row.payload for row in rows]


async def anonymize(http: httpx.AsyncClient, candidate_id: str, **kwargs: Any) -> httpx.Response:
    return await http.post(f"/candidates/{candidate_id}/anonymize", **kwargs)


def errors_of(response: httpx.Response) -> list[tuple[str, str]]:
    return [(error["code"], error["path"]) for error in response.json()["errors"]]


def assert_nothing_personal(text: str) -> None:
    left = [value for value in PERSONAL if value in text]
    assert left == [], left


# ---- a person with data everywhere ---------------------------------------------------------


@dataclass
class Person:
    """Jane, with one record of every family, and Bob, who shares a note and a task with her."""

    jane: str
    bob: str
    ids: dict[str, str]


async def jane_everywhere(world: World) -> Person:
    http = world.http
    rita = (await create_user(http, "Rita Recruiter", f"rita-{uuid.uuid4().hex}@x.example"))[
        "userId"
    ]
    acme = (await ok(await http.post("/clients", json={"name": "Acme"}), 201))["id"]
    beta = (await ok(await http.post("/clients", json={"name": "Beta"}), 201))["id"]

    async def define(entity: str, label: str, view_type: str) -> str:
        body = {"label": label, "viewType": view_type}
        created = await ok(
            await http.post(f"/custom-attributes/{entity}/definitions", json=body), 201
        )
        definition_id: str = created["id"]
        return definition_id

    hobby = await define("candidate", "Hobby", "customText")
    site = await define("candidate", "Site", "customUrl")
    years = await define("candidate", "Years", "customNumber")
    discretion = await define("clientContact", "Discretion", "customText")
    jane = await create_candidate(
        http,
        firstName="Jane",
        middleName="Quinn",
        lastName="Roe",
        secondLastName="Doe",
        avatarUrl="https://avatar.example/jane.png",
        gender="female",
        nationality=["Dutch"],
        status=["actively_looking"],
        emails=[{"purpose": "personal", "email": "jane@example.com", "isPrimary": True}],
        phoneNumbers=[{"purpose": "personal", "phoneNumber": "+31612345678"}],
        socialMedia=[{"url": "https://github.com/janeroe", "type": "GITHUB"}],
        locations=[{"type": "primary_home", "street1": "Keizersgracht 1", "city": "Amsterdam"}],
        languages=[{"language": "English", "fluency": "Native or bilingual proficiency"}],
        compensation={"currency": "EUR", "totalCompensation": 90000},
        dateOfBirth="1990-05-15",
        mainContact={"userId": rita},
        customAttributes=[
            {"attributeDefinitionId": hobby, "value": "likes sailing"},
            {"attributeDefinitionId": site, "value": "https://jane.example"},
            {"attributeDefinitionId": years, "value": 7},
        ],
        workExperiences=[
            {
                "companyId": acme,
                "jobTitle": "Engineer",
                "description": "Summer job",
                "location": {"type": "work", "street1": "Herengracht 2", "city": "Amsterdam"},
                "startDate": "2015-06-01T00:00:00Z",
            }
        ],
        education=[
            {
                "companyId": beta,
                "degree": "Master",
                "fieldOfStudy": "Physics",
                "grade": "A",
                "description": "Thesis on waves",
            }
        ],
    )
    # a later change: its values are in the history too
    await ok(await http.patch(f"/candidates/{jane}", json={"phoneNumbers": [
        {"purpose": "personal", "phoneNumber": "+31612345678"},
        {"purpose": "work", "phoneNumber": "+44 20 7946 0958"},
    ]}))  # fmt: skip
    bob = await create_candidate(http, firstName="Bob", lastName="Stone")
    role = (
        await ok(
            await http.post(
                f"/clients/contacts/{acme}",
                json={
                    "candidateId": jane,
                    "role": "Recruiter",
                    "department": "HR",
                    "emails": [{"email": "jane@acme.example"}],
                    "phoneNumbers": [{"phoneNumber": "+31612345678"}],
                },
            ),
            201,
        )
    )["clientContacts"][0]["id"]
    async with world.database.transaction(write=True) as session:
        session.add(
            CustomAttributeValue(
                workspace_id=world.workspace_id,
                entity_type="clientContact",
                entity_id=role,
                definition_id=discretion,
                value="Discreet",
            )
        )
        await session.execute(
            update(Candidate)
            .where(Candidate.id == jane)
            .values(ai_summary="A summary of Jane", last_agent_chat_id="chat-1")
        )
    placement = (
        await ok(
            await http.post(
                "/placements",
                json={"candidateId": jane, "companyId": acme, "startDate": "2020-01-01T00:00:00Z"},
            ),
            201,
        )
    )["id"]

    def link(*candidates: str) -> list[dict[str, str]]:
        return [{"entityType": "candidate", "entityId": candidate} for candidate in candidates]

    async def note(body: dict[str, Any]) -> str:
        created = await ok(
            await http.post("/notes", json=body, headers={"x-on-behalf-of": rita}), 201
        )
        note_id: str = created["id"]
        return note_id

    async def task(body: dict[str, Any]) -> str:
        created = await ok(await http.post("/tasks/_raw", json=body), 201)
        task_id: str = created["id"]
        return task_id

    ids = {
        "rita": rita,
        "acme": acme,
        "beta": beta,
        "hobby": hobby,
        "site": site,
        "years": years,
        "role": role,
        "placement": placement,
        "cv": await upload(http, jane),
        "letter": await upload(http, jane, "unassigned"),
        "bobs_cv": await upload(http, bob),
        "call": await note(
            {"title": "Called Jane", "content": "Jane Roe wants more", "source": "phone",
             "links": link(jane)}
        ),
        "shared_note": await note({"content": "Shortlist: Jane and Bob", "links": link(jane, bob)}),
        "role_note": await note(
            {"content": "Rang Jane at Acme",
             "links": [{"entityType": "clientContact", "entityId": role}]}
        ),
        "bobs_note": await note({"content": "Bob only", "links": link(bob)}),
        "follow_up": await task(
            {"content": "Call Jane", "dueDate": "2099-01-01T09:00:00Z", "assignedToUserId": rita,
             "links": link(jane)}
        ),
        "shared_task": await task(
            {"content": "Ask Acme about Jane", "dueDate": "2098-01-01T09:00:00Z",
             "links": [*link(jane, bob), {"entityType": "client", "entityId": beta}]}
        ),
        "bobs_task": await task({"content": "Bob only", "links": link(bob)}),
    }  # fmt: skip
    await ok(
        await http.put(
            f"/candidates/{jane}/linkedin-profile",
            json={"headline": "Jane at Acme", "about": "Sailing club", "skills": ["Go"]},
        )
    )
    return Person(jane, bob, ids)


# ---- what is erased, what stays -------------------------------------------------------------


async def test_anonymize_erases_the_personal_fields_and_keeps_the_facts(world: World) -> None:
    person = await jane_everywhere(world)
    ids = person.ids
    before = await ok(await world.http.get(f"/candidates/{person.jane}"))

    answer = await anonymize(world.http, person.jane)

    view = await ok(answer)
    assert view == await ok(await world.http.get(f"/candidates/{person.jane}"))
    assert (
        answer.headers["ETag"]
        == (await world.http.get(f"/candidates/{person.jane}")).headers["ETag"]
    )
    assert view["id"] == person.jane
    assert view["name"] == {
        "viewType": "candidateName",
        "avatarUrl": None,
        "firstName": "Anonymized",
        "lastName": "Candidate",
        "middleName": None,
        "secondLastName": None,
    }
    assert view["gender"] == {"viewType": "candidateGender", "gender": None}
    assert view["nationality"]["nationality"] == []
    assert view["emails"]["emails"] == []
    assert view["phoneNumbers"]["phoneNumbers"] == []
    assert view["socialMedia"]["socialMedia"] == []
    assert view["locations"]["locations"] == []
    assert view["dateOfBirth"]["dateOfBirth"] is None
    assert view["aiSummary"] is None
    assert view["lastAgentChatId"] is None
    assert view["linkedInProfile"] == {
        "viewType": "candidateLinkedInProfile",
        "headline": None,
        "about": None,
        "skills": [],
    }
    assert view["lastLinkedinDiffAt"] is None
    assert view["cvAttachmentId"] is None
    assert [item["attributeDefinitionId"] for item in view["customAttributes"]] == [ids["years"]]
    assert view["customAttributes"][0]["value"] == {"viewType": "customNumber", "number": 7}
    # the facts stay
    for section in (
        "status",
        "languages",
        "compensation",
        "mainContact",
        "currentPlacements",
        "acquisitionSource",
        "latestWorkExperience",
        "lastInteractionDate",
        "lastInteractionWith",
        "nextInteractionDate",
        "nextInteractionWith",
        "isVisibleIfClientContact",
        "hasClientContacts",
        "hasActiveClientContacts",
        "createdAt",
    ):
        assert view[section] == before[section], section
    assert view["nextTaskDue"]["nextTaskDue"] == {
        "id": ids["shared_task"],
        "content": ERASED,
        "dueDate": "2098-01-01T09:00:00.000Z",
    }
    [role] = view["clientContacts"]["clientContacts"]
    [role_before] = before["clientContacts"]["clientContacts"]
    assert role == {
        **role_before,
        "emailAddresses": [],
        "phoneNumbers": [],
        "customAttributes": [],
    }
    assert view["modifiedAt"] > before["modifiedAt"]
    assert_nothing_personal(answer.text)


async def test_anonymize_deletes_the_attachments_and_their_files_and_keeps_others(
    world: World,
) -> None:
    person = await jane_everywhere(world)
    ids = person.ids
    assert world.stored_files() == {ids["cv"], ids["letter"], ids["bobs_cv"]}

    await ok(await anonymize(world.http, person.jane))

    assert world.stored_files() == {ids["bobs_cv"]}
    for attachment_id in (ids["cv"], ids["letter"]):
        assert (await world.http.get(f"/attachments/{attachment_id}")).status_code == 404
    listed = await ok(await world.http.get("/attachments"))
    assert [item["attachmentId"] for item in listed["items"]] == [ids["bobs_cv"]]
    bob = await ok(await world.http.get(f"/candidates/{person.bob}"))
    assert bob["cvAttachmentId"] == ids["bobs_cv"]


async def test_anonymize_erases_the_text_of_every_linked_note_and_task(world: World) -> None:
    person = await jane_everywhere(world)
    ids = person.ids
    bob_before = await ok(await world.http.get(f"/candidates/{person.bob}"))
    beta_before = await ok(await world.http.get(f"/clients/{ids['beta']}"))
    bobs_note = await ok(await world.http.get(f"/notes/{ids['bobs_note']}"))
    bobs_task = await ok(await world.http.get(f"/tasks/{ids['bobs_task']}"))

    await ok(await anonymize(world.http, person.jane))

    for name in ("call", "shared_note", "role_note"):
        note = await ok(await world.http.get(f"/notes/{ids[name]}"))
        assert (note["title"], note["content"]) == (None, ERASED), name
        assert note["createdBy"]["id"] == ids["rita"]
    call = await ok(await world.http.get(f"/notes/{ids['call']}"))
    assert call["source"] == "phone"
    shared = await ok(await world.http.get(f"/notes/{ids['shared_note']}"))
    assert sorted(link["candidate"]["id"] for link in shared["links"]) == sorted(
        [person.jane, person.bob]
    )
    for name in ("follow_up", "shared_task"):
        task = await ok(await world.http.get(f"/tasks/{ids[name]}"))
        assert task["content"] == ERASED, name
    follow_up = await ok(await world.http.get(f"/tasks/{ids['follow_up']}"))
    assert follow_up["assignedTo"]["id"] == ids["rita"]
    assert follow_up["dueDate"] == "2099-01-01T09:00:00.000Z"
    assert await ok(await world.http.get(f"/notes/{ids['bobs_note']}")) == bobs_note
    assert await ok(await world.http.get(f"/tasks/{ids['bobs_task']}")) == bobs_task
    # Bob's and Beta's views show the erased task: they moved for sync clients
    bob = await ok(await world.http.get(f"/candidates/{person.bob}"))
    assert bob["nextTaskDue"]["nextTaskDue"]["content"] == ERASED
    assert bob["modifiedAt"] > bob_before["modifiedAt"]
    assert bob["name"]["firstName"] == "Bob"
    beta = await ok(await world.http.get(f"/clients/{ids['beta']}"))
    assert beta["nextTaskDue"]["nextTaskDue"]["content"] == ERASED
    assert beta["modifiedAt"] > beta_before["modifiedAt"]
    [bobs_entry, *_] = await history(world.http, person.bob)
    assert bobs_entry["action"] == "related"
    assert bobs_entry["changes"] == {"task": {"ids": [ids["shared_task"]], "action": "anonymized"}}


async def test_anonymize_erases_client_contact_details_and_work_history_texts(
    world: World,
) -> None:
    person = await jane_everywhere(world)
    ids = person.ids
    acme_before = await ok(await world.http.get(f"/clients/{ids['acme']}"))

    await ok(await anonymize(world.http, person.jane))

    acme = await ok(await world.http.get(f"/clients/{ids['acme']}"))
    [contact] = acme["contacts"]["contacts"]
    assert (contact["firstName"], contact["lastName"], contact["middleName"]) == (
        "Anonymized",
        "Candidate",
        None,
    )
    assert (contact["role"], contact["emailAddresses"], contact["phoneNumbers"]) == (
        "Recruiter",
        [],
        [],
    )
    assert acme["modifiedAt"] > acme_before["modifiedAt"]
    async with world.database.transaction(write=False) as session:
        left = await session.scalars(
            select(CustomAttributeValue).where(CustomAttributeValue.entity_id == ids["role"])
        )
        assert list(left) == []
    [job] = await ok(await world.http.get(f"/candidates/{person.jane}/work-experiences"))
    assert (job["jobTitle"], job["companyId"], job["location"], job["description"]) == (
        "Engineer",
        ids["acme"],
        None,
        None,
    )
    assert job["startDate"] == "2015-06-01T00:00:00.000Z"
    [education] = await ok(await world.http.get(f"/candidates/{person.jane}/education"))
    assert (
        education["degree"],
        education["fieldOfStudy"],
        education["grade"],
        education["description"],
    ) == (["Master"], "Physics", "A", None)
    placement = await ok(await world.http.get(f"/placements/{ids['placement']}"))
    assert placement["candidate"]["id"] == person.jane
    assert placement["startDate"] == "2020-01-01T00:00:00.000Z"


async def test_anonymize_erases_the_values_in_the_history_and_keeps_its_entries(
    world: World,
) -> None:
    person = await jane_everywhere(world)
    before = await history(world.http, person.jane)

    await ok(
        await anonymize(world.http, person.jane, headers={"x-on-behalf-of": person.ids["rita"]})
    )

    entries = await history(world.http, person.jane)
    [entry, *earlier] = entries
    assert [(item["id"], item["version"], item["action"]) for item in earlier] == [
        (item["id"], item["version"], item["action"]) for item in before
    ]
    assert [set(item["changes"]) for item in earlier] == [set(item["changes"]) for item in before]
    created = earlier[-1]["changes"]
    assert created["firstName"] == {"before": None, "after": None}
    assert created["emails"] == {"before": None, "after": None}
    assert created["dateOfBirth"] == {"before": None, "after": None}
    assert [item["value"] for item in created["customAttributes"]["after"]] == [None, None, None]
    # what is not personal stays recorded
    assert created["languages"] == before[-1]["changes"]["languages"]
    assert created["status"] == {"before": None, "after": ["actively_looking"]}
    assert entry["action"] == "anonymized"
    assert entry["route"] == "POST /candidates/{id}/anonymize"
    assert entry["actingUser"]["userId"] == person.ids["rita"]
    changes = entry["changes"]
    assert changes["firstName"] == {"before": None, "after": "Anonymized"}
    assert changes["lastName"] == {"before": None, "after": "Candidate"}
    assert changes["middleName"] == {"before": None, "after": None}
    assert changes["emails"] == {"before": None, "after": []}
    assert changes["attachment"] == {
        "ids": [person.ids["cv"], person.ids["letter"]],
        "action": "deleted",
    }
    assert changes["linkedInProfile"] == {"action": "deleted"}
    assert changes["customAttributes"] == {
        "definitionIds": [person.ids["hobby"], person.ids["site"]],
        "action": "deleted",
    }
    assert changes["clientContact"] == {"ids": [person.ids["role"]], "action": "anonymized"}
    assert changes["note"]["action"] == "anonymized"
    assert sorted(changes["note"]["ids"]) == sorted(
        person.ids[name] for name in ("call", "shared_note", "role_note")
    )
    assert sorted(changes["task"]["ids"]) == sorted(
        person.ids[name] for name in ("follow_up", "shared_task")
    )
    # the creation and the phone number change held personal values
    assert changes["history"] == {"entries": 2, "action": "anonymized"}
    assert_nothing_personal(json.dumps(entries))


async def test_nothing_personal_is_left_in_any_answer_about_the_person(world: World) -> None:
    person = await jane_everywhere(world)
    ids = person.ids

    await ok(await anonymize(world.http, person.jane))

    reads = [
        f"/candidates/{person.jane}",
        f"/candidates/{person.jane}/history?limit=50",
        f"/candidates/{person.jane}/work-experiences",
        f"/candidates/{person.jane}/education",
        f"/clients/contacts/{person.jane}",
        f"/clients/{ids['acme']}",
        f"/notes?candidateId={person.jane}",
        f"/tasks?candidateId={person.jane}",
        f"/placements/{ids['placement']}",
        f"/attachments?candidateId={person.jane}",
        "/candidates?limit=50",
    ]
    for url in reads:
        response = await world.http.get(url)
        assert response.status_code == 200, (url, response.text)
        assert_nothing_personal(response.text)
    for query in ("Jane", "jane@example.com", "Roe"):
        found = await ok(await world.http.get("/search/people", params={"query": query}))
        assert found["items"] == [], query
        search = await ok(
            await world.http.post(
                "/candidates/_search",
                json={"filters": [{"type": "text", "operator": "contains",
                                   "path": "candidate.any", "value": query}]},
            )
        )  # fmt: skip
        assert search["items"] == [], query


async def test_anonymize_emits_one_event_and_moves_the_etag(world: World) -> None:
    person = await jane_everywhere(world)
    before = await world.http.get(f"/candidates/{person.jane}")
    events_before = await events_of(world.database, person.jane)

    answer = await anonymize(world.http, person.jane)

    assert answer.headers["ETag"] != before.headers["ETag"]
    [entry, *_] = await history(world.http, person.jane)
    new_events = (await events_of(world.database, person.jane))[len(events_before) :]
    assert [(event["type"], event["data"]) for event in new_events] == [
        ("candidate.anonymized", {"candidateId": person.jane, "version": entry["version"]})
    ]
    synced = await ok(
        await world.http.get("/candidates", params={"modifiedSince": answer.json()["modifiedAt"]})
    )
    assert person.jane in [item["id"] for item in synced["items"]]


async def test_a_second_anonymize_changes_nothing(world: World) -> None:
    person = await jane_everywhere(world)
    first = await anonymize(world.http, person.jane)
    entries = await history(world.http, person.jane)
    events = await events_of(world.database, person.jane)

    second = await anonymize(world.http, person.jane)

    assert second.status_code == 200
    assert second.json() == first.json()
    assert second.headers["ETag"] == first.headers["ETag"]
    assert await history(world.http, person.jane) == entries
    assert await events_of(world.database, person.jane) == events


async def test_an_anonymized_candidate_is_an_ordinary_record_and_can_be_anonymized_again(
    world: World,
) -> None:
    candidate_id = await create_candidate(world.http, firstName="Jane", lastName="Roe")
    await ok(await anonymize(world.http, candidate_id))

    patched = await ok(
        await world.http.patch(
            f"/candidates/{candidate_id}",
            json={"firstName": "Janet", "emails": [{"email": "janet@example.com"}]},
        )
    )
    assert patched["name"]["firstName"] == "Janet"
    again = await ok(await anonymize(world.http, candidate_id))

    assert again["name"]["firstName"] == "Anonymized"
    assert again["emails"]["emails"] == []
    entries = await history(world.http, candidate_id)
    assert [entry["action"] for entry in entries] == [
        "anonymized",
        "updated",
        "anonymized",
        "created",
    ]
    # the anonymized name is no personal value: it stays recorded
    assert entries[1]["changes"]["firstName"] == {"before": "Anonymized", "after": None}
    assert "Janet" not in json.dumps(entries) and "Jane" not in json.dumps(entries)


async def test_a_candidate_with_nothing_personal_left_is_not_changed(world: World) -> None:
    candidate_id = await create_candidate(world.http, firstName="Anonymized", lastName="Candidate")
    before = await world.http.get(f"/candidates/{candidate_id}")

    answer = await anonymize(world.http, candidate_id)

    assert answer.status_code == 200
    assert answer.json() == before.json()
    assert answer.headers["ETag"] == before.headers["ETag"]
    assert [entry["action"] for entry in await history(world.http, candidate_id)] == ["created"]


# ---- conditions and failures: nothing changes, files included -------------------------------


async def snapshot(world: World, person: Person) -> list[Any]:
    reads = [
        f"/candidates/{person.jane}",
        f"/candidates/{person.jane}/history?limit=50",
        f"/candidates/{person.bob}",
        f"/candidates/{person.jane}/work-experiences",
        f"/candidates/{person.jane}/education",
        f"/clients/{person.ids['acme']}",
        f"/clients/{person.ids['beta']}",
        "/notes",
        "/tasks",
        "/attachments",
    ]
    return [await ok(await world.http.get(url)) for url in reads] + [world.stored_files()]


async def test_if_match_of_another_version_is_412_and_nothing_is_erased(world: World) -> None:
    person = await jane_everywhere(world)
    stale = (await world.http.get(f"/candidates/{person.jane}")).headers["ETag"]
    await ok(await world.http.patch(f"/candidates/{person.jane}", json={"gender": "x"}))
    current = (await world.http.get(f"/candidates/{person.jane}")).headers["ETag"]
    before = await snapshot(world, person)

    refused = await anonymize(world.http, person.jane, headers={"If-Match": stale})

    assert refused.status_code == 412
    assert refused.headers["ETag"] == current
    assert errors_of(refused) == [("PRECONDITION_FAILED", "If-Match")]
    assert await snapshot(world, person) == before
    accepted = await anonymize(world.http, person.jane, headers={"If-Match": current})
    assert accepted.status_code == 200, accepted.text


async def test_an_unknown_acting_user_is_400_and_nothing_is_erased(world: World) -> None:
    person = await jane_everywhere(world)
    before = await snapshot(world, person)

    response = await anonymize(world.http, person.jane, headers={"x-on-behalf-of": UNKNOWN})

    assert response.status_code == 400
    assert errors_of(response) == [("NOT_FOUND", "x-on-behalf-of")]
    assert await snapshot(world, person) == before


async def test_a_failure_after_the_erasure_keeps_every_file_and_value(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = await jane_everywhere(world)
    before = await snapshot(world, person)

    async def failing_record(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("simulated failure after the erasure")

    monkeypatch.setattr(history_service, "record", failing_record)
    transport = httpx.ASGITransport(app=world.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://talentbase.test", headers=world.http.headers
    ) as http:
        response = await anonymize(http, person.jane)
    monkeypatch.undo()

    assert response.status_code == 500
    assert await snapshot(world, person) == before


async def test_unknown_merged_and_foreign_ids_are_404(
    world: World, app: Any, new_api_key: NewKey
) -> None:
    survivor, merged = await create_candidate(world.http), await create_candidate(world.http)
    await ok(await world.http.post(f"/candidates/{survivor}/merge", json={"duplicateId": merged}))
    async with make_client(app, await new_api_key()) as other:
        foreign = await create_candidate(other, firstName="Bravo")
        foreign_before = await ok(await other.get(f"/candidates/{foreign}"))

        for candidate_id in (UNKNOWN, "not-an-id", foreign):
            response = await anonymize(world.http, candidate_id)
            assert response.status_code == 404, candidate_id
            assert response.json()["message"] == f"Candidate {candidate_id} not found"
        response = await anonymize(world.http, merged)
        assert response.status_code == 404
        assert response.json()["mergedInto"] == survivor

        assert await ok(await other.get(f"/candidates/{foreign}")) == foreign_before


async def test_anonymizing_a_survivor_erases_the_history_of_who_was_merged_into_it(
    client: httpx.AsyncClient,
) -> None:
    survivor = (
        await client.post("/candidates", json={"firstName": "Sur", "lastName": "Vivor"})
    ).json()
    duplicate = (
        await client.post(
            "/candidates",
            json={
                "firstName": "Dup",
                "lastName": "Licate",
                "emails": [{"email": "dup.licate@example.com", "isPrimary": True}],
            },
        )
    ).json()
    merged = await client.post(f"/candidates/{survivor}/merge", json={"duplicateId": duplicate})
    assert merged.status_code == 200, merged.text
    assert (await client.post(f"/candidates/{survivor}/anonymize")).status_code == 200
    history = await client.get(f"/candidates/{duplicate}/history")
    assert history.status_code == 200
    assert "Licate" not in history.text
    assert "dup.licate@example.com" not in history.text


async def test_anonymize_refuses_unknown_keys_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    candidate = (
        await client.post("/candidates", json={"firstName": "Keep", "lastName": "Me"})
    ).json()
    refused = await client.post(f"/candidates/{candidate}/anonymize", json={"x": 1})
    assert refused.status_code == 400
    assert [(e["code"], e["path"]) for e in refused.json()["errors"]] == [
        ("UNRECOGNIZED_KEYS", "x")
    ]
    assert (await client.get(f"/candidates/{candidate}")).json()["name"]["lastName"] == "Me"
    assert (await client.post(f"/candidates/{candidate}/anonymize", json={})).status_code == 200
