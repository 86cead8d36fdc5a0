"""Merging duplicates (issue 5 §5): ``POST /candidates/{id}/merge`` with ``{duplicateId}`` moves
everything of the duplicate to the survivor (contact identifiers without repeats, notes, tasks,
placements, work history, attachments with their files, client-contact roles, custom attribute
values, LinkedIn profile), deletes the duplicate leaving a tombstone that names the survivor,
records both ids in the history and one ``candidate.merged`` event, and moves the survivor's
``modifiedAt`` and ETag. A failed merge changes nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from talentbase.app import create_app
from talentbase.custom_attributes.models import CustomAttributeValue
from talentbase.db.engine import Database
from talentbase.events.models import OutboxEvent
from talentbase.settings import Settings
from tests.conftest import NewKey, create_candidate, create_user, make_client, workspace_id_of
from tests.integration.test_attachments import PDF_TYPE, minimal_docx, minimal_pdf

UNKNOWN = "7d4f0a9e-3b7c-4f5e-9a1d-2c3b4a5d6e7f"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# ---- an app with its own attachments folder, so the files on disk can be checked -----------


@dataclass
class World:
    """A client of a fresh workspace on an app whose files go to ``folder``."""

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
        yield World(http, folder, database, await workspace_id_of(database, api_key))
    await application.state.database.dispose()


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def upload(http: httpx.AsyncClient, candidate_id: str, kind: str = "CV") -> str:
    files = (
        {"files": ("cv.pdf", minimal_pdf(), PDF_TYPE)}
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


async def view(http: httpx.AsyncClient, candidate_id: str) -> dict[str, Any]:
    result: dict[str, Any] = await ok(await http.get(f"/candidates/{candidate_id}"))
    return result


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


async def merge(
    http: httpx.AsyncClient, survivor: str, duplicate: str, **kwargs: Any
) -> httpx.Response:
    return await http.post(
        f"/candidates/{survivor}/merge", json={"duplicateId": duplicate}, **kwargs
    )


def errors_of(response: httpx.Response) -> list[tuple[str, str]]:
    return [(error["code"], error["path"]) for error in response.json()["errors"]]


# ---- two people who are one -------------------------------------------------------------------


@dataclass
class Pair:
    """A survivor and its duplicate, each with one record of every family; the ids."""

    survivor: str
    duplicate: str
    ids: dict[str, str]


async def two_records_of_one_person(world: World) -> Pair:
    http = world.http
    rita = (await create_user(http, "Rita Recruiter", f"rita-{uuid.uuid4().hex}@x.example"))[
        "userId"
    ]
    acme = (await ok(await http.post("/clients", json={"name": "Acme"}), 201))["id"]
    beta = (await ok(await http.post("/clients", json={"name": "Beta"}), 201))["id"]
    level = (
        await ok(
            await http.post(
                "/custom-attributes/candidate/definitions",
                json={"label": "Level", "viewType": "customText"},
            ),
            201,
        )
    )["id"]
    team = (
        await ok(
            await http.post(
                "/custom-attributes/candidate/definitions",
                json={"label": "Team", "viewType": "customText"},
            ),
            201,
        )
    )["id"]
    survivor = await create_candidate(
        http,
        firstName="Ann",
        lastName="Smith",
        emails=[{"purpose": "personal", "email": "ann@example.com", "isPrimary": True}],
        phoneNumbers=[{"purpose": "personal", "phoneNumber": "+31612345678"}],
        socialMedia=[{"url": "https://www.linkedin.com/in/ann", "type": "LINKEDIN"}],
        customAttributes=[{"attributeDefinitionId": level, "value": "Senior"}],
    )
    duplicate = await create_candidate(
        http,
        firstName="Anne",
        lastName="Smith",
        gender="female",
        emails=[
            {"purpose": "work", "email": "ANN@Example.com"},
            {"purpose": "personal", "email": "ann.smith@mail.example", "isPrimary": True},
        ],
        phoneNumbers=[
            {"purpose": "work", "phoneNumber": "+31 6 12345678"},
            {"purpose": "work", "phoneNumber": "+44 20 7946 0958", "isPrimary": True},
        ],
        socialMedia=[
            {"url": "https://WWW.linkedin.com/in/ann/", "type": "LINKEDIN"},
            {"url": "https://github.com/ann", "type": "GITHUB"},
        ],
        customAttributes=[
            {"attributeDefinitionId": level, "value": "Junior"},
            {"attributeDefinitionId": team, "value": "Platform"},
        ],
        workExperiences=[
            {"companyId": acme, "jobTitle": "Engineer", "startDate": "2020-01-01T00:00:00Z"}
        ],
        education=[{"companyId": beta, "degree": "Master", "fieldOfStudy": "Physics"}],
    )
    survivor_cv = await upload(http, survivor)
    survivor_role = (
        await ok(
            await http.post(
                f"/clients/contacts/{acme}", json={"candidateId": survivor, "role": "CTO"}
            ),
            201,
        )
    )["clientContacts"][0]["id"]
    duplicate_cv = await upload(http, duplicate)
    duplicate_letter = await upload(http, duplicate, "unassigned")
    acme_role = (
        await ok(
            await http.post(
                f"/clients/contacts/{acme}",
                json={
                    "candidateId": duplicate,
                    "role": "Engineer",
                    "emails": [{"email": "anne@acme.example"}],
                },
            ),
            201,
        )
    )["clientContacts"][0]["id"]
    beta_contact = await ok(
        await http.post(
            f"/clients/contacts/{beta}", json={"candidateId": duplicate, "role": "Advisor"}
        ),
        201,
    )
    beta_role = next(
        role["id"] for role in beta_contact["clientContacts"] if role["company"]["id"] == beta
    )
    placement = (
        await ok(
            await http.post(
                "/placements",
                json={
                    "candidateId": duplicate,
                    "companyId": acme,
                    "startDate": "2021-01-01T00:00:00Z",
                },
            ),
            201,
        )
    )["id"]

    def link(*candidates: str) -> list[dict[str, str]]:
        return [{"entityType": "candidate", "entityId": candidate} for candidate in candidates]

    call = (
        await ok(
            await http.post(
                "/notes",
                json={"content": "Called Anne", "source": "phone", "links": link(duplicate)},
                headers={"x-on-behalf-of": rita},
            ),
            201,
        )
    )["id"]
    shared_note = (
        await ok(
            await http.post(
                "/notes", json={"content": "Same person?", "links": link(survivor, duplicate)}
            ),
            201,
        )
    )["id"]
    role_note = (
        await ok(
            await http.post(
                "/notes",
                json={
                    "content": "Met at Acme",
                    "links": [{"entityType": "clientContact", "entityId": acme_role}],
                },
            ),
            201,
        )
    )["id"]
    follow_up = (
        await ok(
            await http.post(
                "/tasks/_raw",
                json={
                    "content": "Follow up with Anne",
                    "dueDate": "2099-01-01T09:00:00Z",
                    "assignedToUserId": rita,
                    "links": link(duplicate),
                },
            ),
            201,
        )
    )["id"]
    shared_task = (
        await ok(
            await http.post(
                "/tasks/_raw", json={"content": "Check both", "links": link(duplicate, survivor)}
            ),
            201,
        )
    )["id"]
    await ok(
        await http.put(
            f"/candidates/{duplicate}/linkedin-profile",
            json={"headline": "Engineer at Acme", "about": "Builds things", "skills": ["Go"]},
        )
    )
    return Pair(
        survivor,
        duplicate,
        {
            "rita": rita,
            "acme": acme,
            "beta": beta,
            "level": level,
            "team": team,
            "survivor_cv": survivor_cv,
            "survivor_role": survivor_role,
            "duplicate_cv": duplicate_cv,
            "duplicate_letter": duplicate_letter,
            "acme_role": acme_role,
            "beta_role": beta_role,
            "placement": placement,
            "call": call,
            "shared_note": shared_note,
            "role_note": role_note,
            "follow_up": follow_up,
            "shared_task": shared_task,
        },
    )


# ---- what moves ---------------------------------------------------------------------------


async def test_merge_joins_the_contact_identifiers_without_repeats_keeping_the_primary(
    world: World,
) -> None:
    pair = await two_records_of_one_person(world)

    answer = await merge(world.http, pair.survivor, pair.duplicate)

    merged = await ok(answer)
    assert merged["emails"]["emails"] == [
        {"purpose": "personal", "email": "ann@example.com", "isPrimary": True},
        {"purpose": "personal", "email": "ann.smith@mail.example", "isPrimary": False},
    ]
    assert merged["phoneNumbers"]["phoneNumbers"] == [
        {"purpose": "personal", "phoneNumber": "+31612345678", "isPrimary": True},
        {"purpose": "work", "phoneNumber": "+44 20 7946 0958", "isPrimary": False},
    ]
    assert merged["socialMedia"]["socialMedia"] == [
        {"url": "https://www.linkedin.com/in/ann", "type": "LINKEDIN", "isPrimary": True},
        {"url": "https://github.com/ann", "type": "GITHUB", "isPrimary": False},
    ]
    # the survivor's own fields stay
    assert merged["name"]["firstName"] == "Ann"
    assert merged["gender"]["gender"] is None
    assert merged == await view(world.http, pair.survivor)


async def test_merge_moves_notes_tasks_placements_and_work_history(world: World) -> None:
    pair = await two_records_of_one_person(world)
    ids = pair.ids

    merged = await ok(await merge(world.http, pair.survivor, pair.duplicate))

    notes = await ok(await world.http.get("/notes", params={"candidateId": pair.survivor}))
    assert sorted(note["id"] for note in notes["items"]) == sorted(
        [ids["call"], ids["shared_note"]]
    )
    for note in notes["items"]:
        linked = [link["candidate"]["id"] for link in note["links"]]
        assert linked == [pair.survivor], note  # the shared note keeps one link
    tasks = await ok(await world.http.get("/tasks", params={"candidateId": pair.survivor}))
    assert sorted(task["id"] for task in tasks["items"]) == sorted(
        [ids["follow_up"], ids["shared_task"]]
    )
    for task in tasks["items"]:
        assert [link["id"] for link in task["links"]["candidates"]] == [pair.survivor], task
    assert merged["nextTaskDue"]["nextTaskDue"] == {
        "id": ids["follow_up"],
        "content": "Follow up with Anne",
        "dueDate": "2099-01-01T09:00:00.000Z",
    }
    assert merged["nextInteractionWith"]["user"]["userId"] == ids["rita"]
    assert merged["lastInteractionWith"]["user"]["userId"] == ids["rita"]

    placements = await ok(
        await world.http.get("/placements", params={"candidateId": pair.survivor})
    )
    assert [item["id"] for item in placements["items"]] == [ids["placement"]]
    assert [item["id"] for item in merged["currentPlacements"]["placements"]] == [ids["placement"]]
    jobs = await ok(await world.http.get(f"/candidates/{pair.survivor}/work-experiences"))
    assert [(job["jobTitle"], job["companyId"]) for job in jobs] == [("Engineer", ids["acme"])]
    assert merged["latestWorkExperience"]["title"] == "Engineer"
    education = await ok(await world.http.get(f"/candidates/{pair.survivor}/education"))
    assert [(item["fieldOfStudy"], item["degree"]) for item in education] == [
        ("Physics", ["Master"])
    ]


async def test_merge_moves_attachments_with_their_files_and_keeps_the_survivors_cv(
    world: World,
) -> None:
    pair = await two_records_of_one_person(world)
    ids = pair.ids
    files = {ids["survivor_cv"], ids["duplicate_cv"], ids["duplicate_letter"]}
    assert world.stored_files() == files

    merged = await ok(await merge(world.http, pair.survivor, pair.duplicate))

    assert merged["cvAttachmentId"] == ids["survivor_cv"]
    listed = await ok(await world.http.get("/attachments", params={"candidateId": pair.survivor}))
    assert {item["attachmentId"] for item in listed["items"]} == files
    assert world.stored_files() == files
    for attachment_id in files:
        download = await world.http.get(f"/attachments/{attachment_id}")
        assert download.status_code == 200
    assert (await world.http.get(f"/attachments/{ids['duplicate_cv']}")).content == minimal_pdf()


async def test_a_survivor_without_a_cv_takes_the_duplicates_current_cv(world: World) -> None:
    survivor = await create_candidate(world.http)
    own_letter = await upload(world.http, survivor, "unassigned")
    duplicate = await create_candidate(world.http)
    older, newer = await upload(world.http, duplicate), await upload(world.http, duplicate)
    assert (await view(world.http, duplicate))["cvAttachmentId"] == newer

    merged = await ok(await merge(world.http, survivor, duplicate))

    assert merged["cvAttachmentId"] == newer
    assert world.stored_files() == {own_letter, older, newer}


async def test_merge_moves_client_contact_roles_and_keeps_the_survivors_role_at_a_shared_client(
    world: World,
) -> None:
    pair = await two_records_of_one_person(world)
    ids = pair.ids
    clients_before = {
        name: (await ok(await world.http.get(f"/clients/{ids[name]}")))["modifiedAt"]
        for name in ("acme", "beta")
    }

    merged = await ok(await merge(world.http, pair.survivor, pair.duplicate))

    roles = [
        (role["id"], role["company"]["id"], role["role"], role["emailAddresses"])
        for role in merged["clientContacts"]["clientContacts"]
    ]
    assert roles == [
        (ids["survivor_role"], ids["acme"], "CTO", []),
        (ids["beta_role"], ids["beta"], "Advisor", []),
    ]
    person = await ok(await world.http.get(f"/clients/contacts/{pair.survivor}"))
    assert [role["id"] for role in person["clientContacts"]] == [
        ids["survivor_role"],
        ids["beta_role"],
    ]
    # the dropped role's note now names the survivor's role at the same client
    note = await ok(await world.http.get(f"/notes/{ids['role_note']}"))
    assert [link["clientContact"]["id"] for link in note["links"]] == [ids["survivor_role"]]
    notes = await ok(
        await world.http.get("/notes", params={"clientContactId": ids["survivor_role"]})
    )
    assert [item["id"] for item in notes["items"]] == [ids["role_note"]]
    for name in ("acme", "beta"):
        client = await ok(await world.http.get(f"/clients/{ids[name]}"))
        assert client["modifiedAt"] > clients_before[name], name
        assert [contact["candidateId"] for contact in client["contacts"]["contacts"]] == [
            pair.survivor
        ]


async def add_contact_value(world: World, contact_id: str, definition_id: str, text: str) -> None:
    """Stores a client contact's custom value (no route sets one) as the service would."""
    async with world.database.transaction(write=True) as session:
        session.add(
            CustomAttributeValue(
                workspace_id=world.workspace_id,
                entity_type="clientContact",
                entity_id=contact_id,
                definition_id=definition_id,
                value=text,
            )
        )


async def test_a_dropped_role_gives_the_kept_role_its_tasks_and_the_values_it_lacks(
    world: World,
) -> None:
    pair = await two_records_of_one_person(world)
    ids = pair.ids
    task = (
        await ok(
            await world.http.post(
                "/tasks/_raw",
                json={
                    "content": "Ask Acme about Anne",
                    "links": [{"entityType": "clientContact", "entityId": ids["acme_role"]}],
                },
            ),
            201,
        )
    )["id"]
    definitions = [
        (
            await ok(
                await world.http.post(
                    "/custom-attributes/clientContact/definitions",
                    json={"label": label, "viewType": "customText"},
                ),
                201,
            )
        )["id"]
        for label in ("Influence", "Budget")
    ]
    await add_contact_value(world, ids["survivor_role"], definitions[0], "High")
    await add_contact_value(world, ids["acme_role"], definitions[0], "Low")
    await add_contact_value(world, ids["acme_role"], definitions[1], "Large")

    merged = await ok(await merge(world.http, pair.survivor, pair.duplicate))

    kept = merged["clientContacts"]["clientContacts"][0]
    assert kept["id"] == ids["survivor_role"]
    assert [
        (item["attributeDefinitionId"], item["value"]["text"]) for item in kept["customAttributes"]
    ] == [(definitions[0], "High"), (definitions[1], "Large")]
    linked = (await ok(await world.http.get(f"/tasks/{task}")))["links"]["clientContacts"]
    assert [link["id"] for link in linked] == [ids["survivor_role"]]
    async with world.database.transaction(write=False) as session:
        left = await session.scalars(
            select(CustomAttributeValue).where(CustomAttributeValue.entity_id == ids["acme_role"])
        )
        assert list(left) == []


async def test_two_opposite_merges_at_once_merge_once(world: World) -> None:
    first, second = await create_candidate(world.http), await create_candidate(world.http)

    answers = await asyncio.gather(
        merge(world.http, first, second), merge(world.http, second, first)
    )

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses in ([200, 400], [200, 404]), [answer.text for answer in answers]
    survivor = next(answer.json()["id"] for answer in answers if answer.status_code == 200)
    listed = await ok(await world.http.get("/candidates", params={"limit": 50}))
    assert [item["id"] for item in listed["items"]] == [survivor]


async def test_merge_moves_custom_values_the_survivor_lacks_and_the_linkedin_profile(
    world: World,
) -> None:
    pair = await two_records_of_one_person(world)
    ids = pair.ids

    merged = await ok(await merge(world.http, pair.survivor, pair.duplicate))

    values = {item["attributeDefinitionId"]: item["value"] for item in merged["customAttributes"]}
    assert values == {
        ids["level"]: {"viewType": "customText", "text": "Senior"},
        ids["team"]: {"viewType": "customText", "text": "Platform"},
    }
    assert merged["linkedInProfile"] == {
        "viewType": "candidateLinkedInProfile",
        "headline": "Engineer at Acme",
        "about": "Builds things",
        "skills": ["Go"],
    }
    async with world.database.transaction(write=False) as session:
        left = await session.scalars(
            select(CustomAttributeValue).where(CustomAttributeValue.entity_id == pair.duplicate)
        )
        assert list(left) == []


async def test_a_survivor_keeps_its_own_linkedin_profile(world: World) -> None:
    survivor, duplicate = await create_candidate(world.http), await create_candidate(world.http)
    for candidate_id, headline in ((survivor, "Mine"), (duplicate, "Theirs")):
        await ok(
            await world.http.put(
                f"/candidates/{candidate_id}/linkedin-profile", json={"headline": headline}
            )
        )

    merged = await ok(await merge(world.http, survivor, duplicate))

    assert merged["linkedInProfile"]["headline"] == "Mine"


async def test_identifiers_joining_an_empty_list_keep_the_duplicates_primary(
    world: World,
) -> None:
    survivor = await create_candidate(world.http)
    duplicate = await create_candidate(
        world.http,
        emails=[{"email": "a@example.com"}, {"email": "b@example.com", "isPrimary": True}],
    )

    merged = await ok(await merge(world.http, survivor, duplicate))

    assert merged["emails"]["emails"] == [
        {"purpose": None, "email": "a@example.com", "isPrimary": False},
        {"purpose": None, "email": "b@example.com", "isPrimary": True},
    ]


# ---- what happens to the duplicate ----------------------------------------------------------


async def test_the_duplicate_answers_404_naming_the_survivor(world: World) -> None:
    pair = await two_records_of_one_person(world)

    await ok(await merge(world.http, pair.survivor, pair.duplicate))

    for method, body in (("GET", None), ("PATCH", {"gender": "x"}), ("DELETE", None)):
        response = await world.http.request(method, f"/candidates/{pair.duplicate}", json=body)
        assert response.status_code == 404, (method, response.text)
        assert response.json() == {
            "status": 404,
            "message": f"Candidate {pair.duplicate} was merged into candidate {pair.survivor}",
            "requestId": response.headers["x-request-id"],
            "mergedInto": pair.survivor,
        }
    listed = await ok(await world.http.get("/candidates", params={"limit": 50}))
    assert [item["id"] for item in listed["items"]] == [pair.survivor]
    deleted = await ok(await world.http.get("/candidates/deleted"))
    assert [(item["id"], item["mergedInto"]) for item in deleted["items"]] == [
        (pair.duplicate, pair.survivor)
    ]
    unknown = await world.http.get(f"/candidates/{UNKNOWN}")
    assert unknown.status_code == 404 and "mergedInto" not in unknown.json()


async def test_a_merged_id_as_path_or_duplicate_is_not_found(world: World) -> None:
    survivor, duplicate = await create_candidate(world.http), await create_candidate(world.http)
    other = await create_candidate(world.http)
    await ok(await merge(world.http, survivor, duplicate))

    again = await merge(world.http, other, duplicate)
    from_merged = await merge(world.http, duplicate, other)

    assert again.status_code == 400
    assert again.json()["errors"] == [
        {
            "code": "NOT_FOUND",
            "path": "duplicateId",
            "message": f"Candidate {duplicate} was merged into candidate {survivor} already",
            "received": duplicate,
        }
    ]
    assert from_merged.status_code == 404
    assert from_merged.json()["mergedInto"] == survivor
    assert (await view(world.http, other))["modifiedAt"] == (await view(world.http, other))[
        "createdAt"
    ]


async def test_merging_a_survivor_again_points_older_merges_at_the_last_survivor(
    world: World,
) -> None:
    first, second, third = [await create_candidate(world.http) for _ in range(3)]
    await ok(await merge(world.http, second, first))
    await ok(await merge(world.http, third, second))

    for merged in (first, second):
        response = await world.http.get(f"/candidates/{merged}")
        assert response.status_code == 404
        assert response.json()["mergedInto"] == third


async def test_the_duplicates_history_stays_readable_and_ends_with_the_merge(
    world: World,
) -> None:
    pair = await two_records_of_one_person(world)
    before = await history(world.http, pair.duplicate)

    await ok(
        await merge(
            world.http,
            pair.survivor,
            pair.duplicate,
            headers={"x-on-behalf-of": pair.ids["rita"]},
        )
    )

    entries = await history(world.http, pair.duplicate)
    assert entries[1:] == before
    last = entries[0]
    assert last["action"] == "merged"
    assert last["version"] == before[0]["version"] + 1
    assert last["route"] == "POST /candidates/{id}/merge"
    assert last["actingUser"]["userId"] == pair.ids["rita"]
    assert last["changes"] == {
        "merge": {"survivorId": pair.survivor, "duplicateId": pair.duplicate}
    }


async def test_the_survivors_history_records_both_ids_and_what_moved(world: World) -> None:
    pair = await two_records_of_one_person(world)
    ids = pair.ids
    before = await view(world.http, pair.survivor)

    merged = await ok(await merge(world.http, pair.survivor, pair.duplicate))

    [entry, *_] = await history(world.http, pair.survivor)
    assert entry["action"] == "merged"
    assert entry["at"] == merged["modifiedAt"]
    changes = entry["changes"]
    assert changes["merge"] == {"survivorId": pair.survivor, "duplicateId": pair.duplicate}
    assert changes["emails"] == {
        "before": before["emails"]["emails"],
        "after": merged["emails"]["emails"],
    }
    assert changes["phoneNumbers"] == {
        "before": before["phoneNumbers"]["phoneNumbers"],
        "after": merged["phoneNumbers"]["phoneNumbers"],
    }
    assert changes["socialMedia"]["after"] == merged["socialMedia"]["socialMedia"]
    assert changes["note"] == {"ids": [ids["call"]], "action": "moved"}
    assert changes["task"] == {"ids": [ids["follow_up"]], "action": "moved"}
    assert changes["placement"] == {"ids": [ids["placement"]], "action": "moved"}
    assert changes["workExperiences"]["action"] == "moved"
    assert len(changes["workExperiences"]["ids"]) == 1
    assert len(changes["education"]["ids"]) == 1
    assert changes["attachment"] == {
        "ids": [ids["duplicate_cv"], ids["duplicate_letter"]],
        "action": "moved",
    }
    assert changes["clientContact"] == {
        "ids": [ids["beta_role"]],
        "action": "moved",
        "keptIds": [ids["survivor_role"]],
    }
    assert changes["customAttributes"] == {
        "before": {ids["team"]: None},
        "after": {ids["team"]: "Platform"},
    }
    assert changes["linkedInProfile"] == {"action": "moved"}


async def test_merge_moves_modified_at_and_the_etag_and_emits_one_merged_event(
    world: World,
) -> None:
    pair = await two_records_of_one_person(world)
    before = await world.http.get(f"/candidates/{pair.survivor}")
    events_before = await events_of(world.database, pair.survivor)

    answer = await merge(world.http, pair.survivor, pair.duplicate)

    assert answer.status_code == 200
    assert answer.json()["modifiedAt"] > before.json()["modifiedAt"]
    assert answer.headers["ETag"] != before.headers["ETag"]
    assert (
        answer.headers["ETag"]
        == (await world.http.get(f"/candidates/{pair.survivor}")).headers["ETag"]
    )
    synced = await ok(
        await world.http.get("/candidates", params={"modifiedSince": answer.json()["modifiedAt"]})
    )
    assert [item["id"] for item in synced["items"]] == [pair.survivor]
    [entry, *_] = await history(world.http, pair.survivor)
    new_events = (await events_of(world.database, pair.survivor))[len(events_before) :]
    assert [(event["type"], event["data"]) for event in new_events] == [
        (
            "candidate.merged",
            {
                "candidateId": pair.survivor,
                "version": entry["version"],
                "survivorId": pair.survivor,
                "mergedIds": [pair.duplicate],
            },
        )
    ]
    duplicate_events = await events_of(world.database, pair.duplicate)
    assert "candidate.merged" not in [event["type"] for event in duplicate_events]
    assert "candidate.deleted" not in [event["type"] for event in duplicate_events]


async def test_the_duplicates_identifiers_find_the_survivor_in_search(world: World) -> None:
    pair = await two_records_of_one_person(world)

    await ok(await merge(world.http, pair.survivor, pair.duplicate))

    found = await ok(
        await world.http.post(
            "/candidates/_search",
            json={
                "filters": [
                    {
                        "type": "text",
                        "operator": "equals",
                        "path": "candidate.email",
                        "value": "ann.smith@mail.example",
                    }
                ]
            },
        )
    )
    assert [item["id"] for item in found["items"]] == [pair.survivor]


# ---- conditions and bad requests: nothing changes ------------------------------------------


async def snapshot(world: World, *candidate_ids: str) -> list[Any]:
    reads = []
    for candidate_id in candidate_ids:
        reads.append(await ok(await world.http.get(f"/candidates/{candidate_id}")))
        reads.append(await history(world.http, candidate_id))
    reads.append(await ok(await world.http.get("/attachments")))
    reads.append(await ok(await world.http.get("/notes")))
    reads.append(await ok(await world.http.get("/tasks")))
    reads.append(await ok(await world.http.get("/placements")))
    return reads


async def test_if_match_of_another_version_is_412_and_nothing_changes(world: World) -> None:
    pair = await two_records_of_one_person(world)
    stale = (await world.http.get(f"/candidates/{pair.survivor}")).headers["ETag"]
    await ok(await world.http.patch(f"/candidates/{pair.survivor}", json={"gender": "x"}))
    current = (await world.http.get(f"/candidates/{pair.survivor}")).headers["ETag"]
    before = await snapshot(world, pair.survivor, pair.duplicate)

    refused = await merge(world.http, pair.survivor, pair.duplicate, headers={"If-Match": stale})

    assert refused.status_code == 412
    assert refused.headers["ETag"] == current
    assert refused.json()["etag"] == current
    assert errors_of(refused) == [("PRECONDITION_FAILED", "If-Match")]
    assert await snapshot(world, pair.survivor, pair.duplicate) == before
    assert world.stored_files() == {
        pair.ids["survivor_cv"],
        pair.ids["duplicate_cv"],
        pair.ids["duplicate_letter"],
    }

    accepted = await merge(world.http, pair.survivor, pair.duplicate, headers={"If-Match": current})
    assert accepted.status_code == 200, accepted.text


async def test_an_unknown_survivor_is_404(world: World) -> None:
    duplicate = await create_candidate(world.http)

    for survivor in (UNKNOWN, "not-an-id"):
        response = await merge(world.http, survivor, duplicate)
        assert response.status_code == 404
        assert response.json()["message"] == f"Candidate {survivor} not found"

    assert (await history(world.http, duplicate))[0]["action"] == "created"


async def test_bad_duplicate_ids_are_400_naming_duplicate_id(world: World) -> None:
    survivor = await create_candidate(world.http)
    before = await snapshot(world, survivor)
    cases: list[tuple[Any, list[tuple[str, str]]]] = [
        ({"duplicateId": UNKNOWN}, [("NOT_FOUND", "duplicateId")]),
        ({"duplicateId": "not-an-id"}, [("NOT_FOUND", "duplicateId")]),
        ({"duplicateId": survivor}, [("SAME_CANDIDATE", "duplicateId")]),
        ({"duplicateId": 7}, [("INVALID_TYPE", "duplicateId")]),
        ({"duplicateId": None}, [("INVALID_TYPE", "duplicateId")]),
        ({"duplicateId": ""}, [("TOO_SMALL", "duplicateId")]),
        ({}, [("REQUIRED", "duplicateId")]),
        ({"duplicateId": UNKNOWN, "into": survivor}, [("UNRECOGNIZED_KEYS", "into")]),
    ]

    for body, expected in cases:
        response = await world.http.post(f"/candidates/{survivor}/merge", json=body)
        assert response.status_code == 400, (body, response.text)
        assert errors_of(response) == expected, body

    assert await snapshot(world, survivor) == before


async def test_a_duplicate_of_another_workspace_is_not_found_and_both_stay(
    world: World, app: Any, new_api_key: NewKey
) -> None:
    survivor = await create_candidate(world.http)
    async with make_client(app, await new_api_key()) as other:
        foreign = await create_candidate(other, firstName="Bravo")
        foreign_before = await ok(await other.get(f"/candidates/{foreign}"))

        response = await merge(world.http, survivor, foreign)

        assert response.status_code == 400
        assert errors_of(response) == [("NOT_FOUND", "duplicateId")]
        assert "Bravo" not in response.text
        assert await ok(await other.get(f"/candidates/{foreign}")) == foreign_before
    assert (await history(world.http, survivor))[0]["action"] == "created"


async def test_an_unknown_acting_user_is_400_and_nothing_moves(world: World) -> None:
    pair = await two_records_of_one_person(world)
    before = await snapshot(world, pair.survivor, pair.duplicate)

    response = await merge(
        world.http, pair.survivor, pair.duplicate, headers={"x-on-behalf-of": UNKNOWN}
    )

    assert response.status_code == 400
    assert errors_of(response) == [("NOT_FOUND", "x-on-behalf-of")]
    assert await snapshot(world, pair.survivor, pair.duplicate) == before


async def test_a_merged_list_over_50_items_is_409_and_nothing_changes(world: World) -> None:
    survivor = await create_candidate(
        world.http, emails=[{"email": f"s{index}@example.com"} for index in range(30)]
    )
    duplicate = await create_candidate(
        world.http,
        emails=[{"email": f"d{index}@example.com"} for index in range(20)]
        + [{"email": "S0@EXAMPLE.com"}],
        phoneNumbers=[{"phoneNumber": "+31612345678"}],
    )
    exactly_fifty = await merge(world.http, survivor, duplicate)
    assert exactly_fifty.status_code == 200, exactly_fifty.text
    assert len(exactly_fifty.json()["emails"]["emails"]) == 50

    one_more = await create_candidate(world.http, emails=[{"email": "x@example.com"}])
    before = await snapshot(world, survivor, one_more)
    response = await merge(world.http, survivor, one_more)

    assert response.status_code == 409
    message = (
        "Merged, emails would hold 51 items; at most 50 are allowed. Nothing was changed: "
        "remove some from either candidate, then merge"
    )
    assert response.json() == {
        "status": 409,
        "message": message,
        "requestId": response.headers["x-request-id"],
        "errors": [
            {"code": "TOO_BIG", "path": "duplicateId", "message": message, "received": one_more}
        ],
    }
    assert await snapshot(world, survivor, one_more) == before
