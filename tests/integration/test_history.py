"""The history of candidates (issue 5 §3): every stored change records who (the API key's name,
the acting user of ``x-on-behalf-of``), when, through which route, and the field-level
before/after, in the transaction of the change. ``GET /candidates/{id}/history`` pages it
newest first; the history of a deleted candidate stays readable."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import delete

from talentbase.db.engine import Database
from talentbase.history.models import HistoryEntry
from tests.conftest import create_candidate, create_user

UNKNOWN = "7d4f0a9e-3b7c-4f5e-9a1d-2c3b4a5d6e7f"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def history(client: httpx.AsyncClient, candidate_id: str) -> list[dict[str, Any]]:
    """Every entry, newest first, walking all pages."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 50, **({"cursor": cursor} if cursor else {})}
        response = await client.get(f"/candidates/{candidate_id}/history", params=params)
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        cursor = response.json()["pageInfo"]["nextCursor"]
        if cursor is None:
            return items


def without_ids(item: dict[str, Any]) -> dict[str, Any]:
    assert isinstance(item["id"], str) and len(item["id"]) == 36
    return {key: value for key, value in item.items() if key not in ("id", "at")}


def not_found_acting_user(user_id: str) -> list[dict[str, Any]]:
    return [
        {
            "code": "NOT_FOUND",
            "path": "x-on-behalf-of",
            "message": f"No user {user_id} in this workspace",
            "received": user_id,
        }
    ]


# --- what an entry holds ------------------------------------------------------------------


async def test_creation_is_the_first_entry_with_every_field_set(
    client: httpx.AsyncClient,
) -> None:
    user = await create_user(client, "Rita Recruiter", "rita@example.com")
    definition = (
        await client.post(
            "/custom-attributes/candidate/definitions",
            json={"label": "Level", "viewType": "customText"},
        )
    ).json()["id"]
    created = await client.post(
        "/candidates",
        json={
            "firstName": "Ada",
            "lastName": "King",
            "phoneNumbers": [{"phoneNumber": "+44 20 7946 0958", "purpose": "work"}],
            "dateOfBirth": "1990-05-15",
            "mainContact": {"userId": user["userId"]},
            "education": [{"degree": "PhD"}],
            "customAttributes": [{"attributeDefinitionId": definition, "value": "Senior"}],
        },
        headers={"x-on-behalf-of": user["userId"]},
    )
    assert created.status_code == 201
    candidate_id = created.json()
    education_id = (await client.get(f"/candidates/{candidate_id}/education")).json()[0]["id"]
    view = (await client.get(f"/candidates/{candidate_id}")).json()

    [entry] = await history(client, candidate_id)
    assert entry["at"] == view["createdAt"]
    assert without_ids(entry) == {
        "version": 1,
        "action": "created",
        "route": "POST /candidates",
        "apiKeyName": "test",
        "actingUser": user,
        "changes": {
            "firstName": {"before": None, "after": "Ada"},
            "lastName": {"before": None, "after": "King"},
            "phoneNumbers": {
                "before": None,
                "after": [
                    {"purpose": "work", "phoneNumber": "+44 20 7946 0958", "isPrimary": True}
                ],
            },
            "dateOfBirth": {"before": None, "after": "1990-05-15T00:00:00.000Z"},
            "mainContact": {"before": None, "after": {"userId": user["userId"]}},
            "acquisitionSource": {"before": None, "after": "manual"},
            "education": {"before": None, "after": [{"id": education_id}]},
            "customAttributes": {
                "before": None,
                "after": [{"attributeDefinitionId": definition, "value": "Senior"}],
            },
        },
    }


async def test_patch_records_the_field_level_diff_and_the_acting_user(
    client: httpx.AsyncClient,
) -> None:
    user = await create_user(client, "Rita Recruiter", "rita@example.com")
    candidate_id = await create_candidate(
        client, middleName="Old", emails=[{"email": "ada@example.com"}]
    )
    patched = await client.patch(
        f"/candidates/{candidate_id}",
        json={
            "middleName": None,
            "gender": "female",
            "emails": [{"email": "ada@work.example", "purpose": "work"}],
            "lastInteractionAt": "2024-03-01T10:00:00+02:00",
            "firstName": "Jane",  # stored already: not a change
        },
        headers={"x-on-behalf-of": user["userId"]},
    )
    assert patched.status_code == 200

    newest, created = await history(client, candidate_id)
    assert created["action"] == "created"
    assert newest["at"] == patched.json()["modifiedAt"]
    assert without_ids(newest) == {
        "version": 2,
        "action": "updated",
        "route": "PATCH /candidates/{id}",
        "apiKeyName": "test",
        "actingUser": {
            "userId": user["userId"],
            "name": "Rita Recruiter",
            "email": "rita@example.com",
            "avatarUrl": None,
            "deactivatedAt": None,
        },
        "changes": {
            "middleName": {"before": "Old", "after": None},
            "gender": {"before": None, "after": "female"},
            "emails": {
                "before": [{"purpose": None, "email": "ada@example.com", "isPrimary": True}],
                "after": [{"purpose": "work", "email": "ada@work.example", "isPrimary": True}],
            },
            "lastInteractionAt": {"before": None, "after": "2024-03-01T08:00:00.000Z"},
        },
    }


async def test_without_the_header_no_acting_user_is_recorded(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)
    await client.patch(f"/candidates/{candidate_id}", json={"gender": "x"})
    newest = (await history(client, candidate_id))[0]
    assert newest["actingUser"] is None
    assert newest["apiKeyName"] == "test"


async def test_a_deactivated_user_may_act(client: httpx.AsyncClient) -> None:
    user = (await create_user(client, "Old Hand", "old@example.com"))["userId"]
    await client.patch(f"/users/{user}", json={"deactivated": True})
    candidate_id = await create_candidate(client)
    response = await client.patch(
        f"/candidates/{candidate_id}", json={"gender": "x"}, headers={"x-on-behalf-of": user}
    )
    assert response.status_code == 200
    acting = (await history(client, candidate_id))[0]["actingUser"]
    assert acting["userId"] == user and acting["deactivatedAt"] is not None


# --- the list ------------------------------------------------------------------------------


async def test_history_is_newest_first_and_pages_with_a_cursor(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)
    for gender in ("male", "female", "x", "male", "female"):
        await client.patch(f"/candidates/{candidate_id}", json={"gender": gender})
    url = f"/candidates/{candidate_id}/history"
    pages: list[list[int]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = (await client.get(url, params=params)).json()
        pages.append([item["version"] for item in body["items"]])
        cursor = body["pageInfo"]["nextCursor"]
        assert body["pageInfo"]["hasNextPage"] == (cursor is not None)
        if cursor is None:
            break
    assert pages == [[6, 5], [4, 3], [2, 1]]
    default = (await client.get(url)).json()
    assert [item["version"] for item in default["items"]] == [6, 5, 4, 3, 2, 1]
    assert default["pageInfo"] == {"nextCursor": None, "hasNextPage": False}


@pytest.mark.parametrize(
    ("params", "error"),
    [
        (
            {"cursor": "not-a-cursor"},
            {
                "code": "INVALID_STRING",
                "path": "cursor",
                "message": "Malformed cursor",
                "received": "not-a-cursor",
            },
        ),
        ({"limit": "0"}, {"code": "TOO_SMALL", "path": "limit"}),
        ({"limit": "51"}, {"code": "TOO_BIG", "path": "limit"}),
        ({"modifiedSince": "2024-01-01T00:00:00Z"}, {"code": "UNRECOGNIZED_KEYS"}),
    ],
)
async def test_bad_list_parameters_are_400(
    client: httpx.AsyncClient, params: dict[str, str], error: dict[str, Any]
) -> None:
    candidate_id = await create_candidate(client)
    response = await client.get(f"/candidates/{candidate_id}/history", params=params)
    assert response.status_code == 400
    [item] = response.json()["errors"]
    assert {key: item[key] for key in error} == error


async def test_an_unknown_or_malformed_id_is_404(client: httpx.AsyncClient) -> None:
    for candidate_id in (UNKNOWN, "not-an-id"):
        response = await client.get(f"/candidates/{candidate_id}/history")
        assert response.status_code == 404
        assert response.json()["message"] == f"Candidate {candidate_id} not found"


async def test_a_candidate_of_another_workspace_is_404(
    client: httpx.AsyncClient, app: Any, new_api_key: Any
) -> None:
    candidate_id = await create_candidate(client)
    other = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://talentbase.test",
        headers={"x-api-key": await new_api_key()},
    )
    async with other:
        assert (await other.get(f"/candidates/{candidate_id}/history")).status_code == 404
        await client.delete(f"/candidates/{candidate_id}")
        assert (await other.get(f"/candidates/{candidate_id}/history")).status_code == 404


async def test_a_candidate_without_recorded_history_answers_an_empty_page(
    client: httpx.AsyncClient, database: Database
) -> None:
    """Candidates stored before history was recorded have none; they are not unknown."""
    candidate_id = await create_candidate(client)
    async with database.transaction(write=True) as session:
        await session.execute(delete(HistoryEntry).where(HistoryEntry.candidate_id == candidate_id))
    response = await client.get(f"/candidates/{candidate_id}/history")
    assert response.status_code == 200
    assert response.json() == {"items": [], "pageInfo": {"nextCursor": None, "hasNextPage": False}}


async def test_the_history_of_a_deleted_candidate_stays_readable(
    client: httpx.AsyncClient,
) -> None:
    user = await create_user(client, "Rita Recruiter", "rita@example.com")
    candidate_id = await create_candidate(client)
    await client.patch(f"/candidates/{candidate_id}", json={"gender": "x"})
    response = await client.delete(
        f"/candidates/{candidate_id}", headers={"x-on-behalf-of": user["userId"]}
    )
    assert response.status_code == 204
    assert (await client.get(f"/candidates/{candidate_id}")).status_code == 404

    entries = await history(client, candidate_id)
    assert [item["action"] for item in entries] == ["deleted", "updated", "created"]
    assert without_ids(entries[0]) == {
        "version": 3,
        "action": "deleted",
        "route": "DELETE /candidates/{id}",
        "apiKeyName": "test",
        "actingUser": user,
        "changes": {},
    }
    assert entries[0]["at"] > entries[1]["at"]


# --- failed and empty writes record nothing ------------------------------------------------


async def test_a_failed_patch_leaves_no_history_row(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)
    before = await history(client, candidate_id)
    failures = [
        ({"emails": [{"email": "not an email"}]}, {}),
        ({"mainContact": {"userId": UNKNOWN}}, {}),
        ({"gender": "x"}, {"x-on-behalf-of": UNKNOWN}),
        ({"gender": "x"}, {"If-Match": '"stale"'}),
    ]
    for body, headers in failures:
        response = await client.patch(f"/candidates/{candidate_id}", json=body, headers=headers)
        assert response.status_code in (400, 412), response.text
    assert await history(client, candidate_id) == before
    assert (await client.get(f"/candidates/{candidate_id}")).json()["gender"]["gender"] is None


async def test_a_no_op_patch_leaves_no_history_row(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client, gender="male")
    for body in ({}, {"gender": "male"}):
        assert (await client.patch(f"/candidates/{candidate_id}", json=body)).status_code == 200
    assert [item["version"] for item in await history(client, candidate_id)] == [1]


async def test_a_failed_related_write_leaves_no_history_row(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)
    response = await client.post(
        "/placements", json={"candidateId": candidate_id, "companyId": UNKNOWN}
    )
    assert response.status_code == 400
    assert [item["version"] for item in await history(client, candidate_id)] == [1]


# --- the acting user -----------------------------------------------------------------------


async def test_an_unknown_acting_user_is_400_on_every_write_and_nothing_changes(
    client: httpx.AsyncClient, app: Any, new_api_key: Any
) -> None:
    company = (await client.post("/clients", json={"name": "Acme"})).json()["id"]
    candidate_id = await create_candidate(client)
    placement = (
        await client.post("/placements", json={"candidateId": candidate_id, "companyId": company})
    ).json()["id"]
    education = (
        await client.post(f"/candidates/{candidate_id}/education", json={"degree": "PhD"})
    ).json()["id"]
    job = (
        await client.post(f"/candidates/{candidate_id}/work-experiences", json={"jobTitle": "Dev"})
    ).json()["id"]
    attachment = (
        await client.post(
            "/attachments",
            params={"type": "CV", "candidateId": candidate_id},
            files={"files": ("cv.pdf", PDF, "application/pdf")},
        )
    ).json()[0]["attachmentId"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://talentbase.test",
        headers={"x-api-key": await new_api_key()},
    ) as other:
        foreign_user = (await create_user(other, "Other", "other@example.com"))["userId"]
    before = await history(client, candidate_id)
    view = (await client.get(f"/candidates/{candidate_id}")).json()

    writes = [
        ("PATCH", f"/candidates/{candidate_id}", {"gender": "x"}),
        ("POST", "/candidates", {"firstName": "New", "lastName": "Person"}),
        ("DELETE", f"/candidates/{candidate_id}", None),
        ("POST", "/placements", {"candidateId": candidate_id, "companyId": company}),
        ("DELETE", f"/placements/{placement}", None),
        ("DELETE", f"/candidates/{candidate_id}/education/{education}", None),
        ("DELETE", f"/candidates/{candidate_id}/work-experiences/{job}", None),
        ("DELETE", f"/attachments/{attachment}", None),
    ]
    for acting in (UNKNOWN, foreign_user, "not-an-id"):
        for method, url, body in writes:
            response = await client.request(
                method, url, json=body, headers={"x-on-behalf-of": acting}
            )
            assert response.status_code == 400, (method, url, response.text)
            assert response.json()["errors"] == not_found_acting_user(acting), (method, url)

    assert await history(client, candidate_id) == before
    assert (await client.get(f"/candidates/{candidate_id}")).json() == view
    assert (await client.get(f"/placements/{placement}")).status_code == 200
    assert (await client.get(f"/attachments/{attachment}")).status_code == 200
    assert len((await client.get(f"/candidates/{candidate_id}/education")).json()) == 1
    assert len((await client.get(f"/candidates/{candidate_id}/work-experiences")).json()) == 1
    assert (await client.get("/candidates")).json()["items"] == [view]


async def test_reads_ignore_the_acting_user_header(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)
    for url in (f"/candidates/{candidate_id}", f"/candidates/{candidate_id}/history"):
        response = await client.get(url, headers={"x-on-behalf-of": UNKNOWN})
        assert response.status_code == 200


# --- changes of related records ------------------------------------------------------------


async def related_entry(client: httpx.AsyncClient, candidate_id: str) -> dict[str, Any]:
    newest = (await history(client, candidate_id))[0]
    assert newest["action"] == "related"
    return newest


async def test_placement_changes_are_recorded_with_the_placement(
    client: httpx.AsyncClient,
) -> None:
    user = await create_user(client, "Rita Recruiter", "rita@example.com")
    candidate_id = await create_candidate(client)
    company = (await client.post("/clients", json={"name": "Acme"})).json()["id"]
    acting = {"x-on-behalf-of": user["userId"]}
    placed = await client.post(
        "/placements", json={"candidateId": candidate_id, "companyId": company}, headers=acting
    )
    placement = placed.json()["id"]
    entry = await related_entry(client, candidate_id)
    assert without_ids(entry) == {
        "version": 2,
        "action": "related",
        "route": "POST /placements",
        "apiKeyName": "test",
        "actingUser": user,
        "changes": {"placement": {"id": placement, "action": "created"}},
    }
    assert entry["at"] == (await client.get(f"/candidates/{candidate_id}")).json()["modifiedAt"]

    await client.patch(f"/placements/{placement}", json={"vacancyName": "Engineer"})
    entry = await related_entry(client, candidate_id)
    assert (entry["route"], entry["changes"]) == (
        "PATCH /placements/{id}",
        {"placement": {"id": placement, "action": "updated"}},
    )
    await client.delete(f"/placements/{placement}")
    entry = await related_entry(client, candidate_id)
    assert (entry["version"], entry["route"], entry["changes"]) == (
        4,
        "DELETE /placements/{id}",
        {"placement": {"id": placement, "action": "deleted"}},
    )


async def test_custom_attribute_values_are_recorded_before_and_after(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    level, team = [
        (
            await client.post(
                "/custom-attributes/candidate/definitions",
                json={"label": label, "viewType": "customText"},
            )
        ).json()["id"]
        for label in ("Level", "Team")
    ]
    await client.put(f"/candidates/{candidate_id}/custom-attributes/{level}", json={"value": "Jr"})
    entry = await related_entry(client, candidate_id)
    assert entry["route"] == "PUT /candidates/{id}/custom-attributes/{definitionId}"
    assert entry["changes"] == {
        "customAttributes": {"before": {level: None}, "after": {level: "Jr"}}
    }
    await client.put(
        f"/custom-attributes/candidates/{candidate_id}/values/_bulk",
        json={
            "attributes": [
                {"attributeDefinitionId": level, "value": None},
                {"attributeDefinitionId": team, "value": "Core"},
            ]
        },
    )
    entry = await related_entry(client, candidate_id)
    assert entry["changes"] == {
        "customAttributes": {
            "before": {level: "Jr", team: None},
            "after": {level: None, team: "Core"},
        }
    }


async def test_changes_through_other_families_are_recorded(client: httpx.AsyncClient) -> None:
    user = (await create_user(client, "Rita Recruiter", "rita@example.com"))["userId"]
    candidate_id = await create_candidate(client, mainContact={"userId": user})
    company = (await client.post("/clients", json={"name": "Acme"})).json()["id"]
    link = [{"entityType": "candidate", "entityId": candidate_id}]

    task = (await client.post("/tasks/_raw", json={"content": "Call", "links": link})).json()
    entry = await related_entry(client, candidate_id)
    assert (entry["route"], entry["changes"]) == (
        "POST /tasks/_raw",
        {"task": {"id": task["id"], "action": "created"}},
    )
    await client.patch(f"/tasks/{task['id']}", json={"isCompleted": True})
    entry = await related_entry(client, candidate_id)
    assert entry["changes"] == {"task": {"id": task["id"], "action": "updated"}}

    note = (
        await client.post("/notes", json={"content": "Met", "source": "phone", "links": link})
    ).json()
    entry = await related_entry(client, candidate_id)
    assert (entry["route"], entry["changes"]) == (
        "POST /notes",
        {"note": {"id": note["id"], "action": "created"}},
    )

    job = (
        await client.post(f"/candidates/{candidate_id}/work-experiences", json={"jobTitle": "Dev"})
    ).json()["id"]
    entry = await related_entry(client, candidate_id)
    assert entry["changes"] == {"workExperiences": {"id": job, "action": "created"}}
    await client.put(f"/candidates/{candidate_id}/work-experiences", json={"workExperiences": []})
    entry = await related_entry(client, candidate_id)
    assert (entry["route"], entry["changes"]) == (
        "PUT /candidates/{id}/work-experiences",
        {"workExperiences": {"action": "replaced"}},
    )
    education = (
        await client.post(f"/candidates/{candidate_id}/education", json={"degree": "PhD"})
    ).json()["id"]
    await client.delete(f"/candidates/{candidate_id}/education/{education}")
    entry = await related_entry(client, candidate_id)
    assert entry["changes"] == {"education": {"id": education, "action": "deleted"}}

    await client.put(f"/candidates/{candidate_id}/linkedin-profile", json={"headline": "Dev"})
    entry = await related_entry(client, candidate_id)
    assert entry["changes"] == {"linkedInProfile": {"action": "created"}}

    uploaded = await client.post(
        "/attachments",
        params={"type": "CV", "candidateId": candidate_id},
        files={"files": ("cv.pdf", PDF, "application/pdf")},
    )
    attachment = uploaded.json()[0]["attachmentId"]
    entry = await related_entry(client, candidate_id)
    assert entry["changes"] == {"attachment": {"id": attachment, "action": "created"}}

    await client.patch(f"/users/{user}", json={"name": "Rita R."})
    entry = await related_entry(client, candidate_id)
    assert (entry["route"], entry["changes"]) == (
        "PATCH /users/{id}",
        {"user": {"id": user, "action": "updated"}},
    )

    placed = await client.post(
        "/placements",
        json={
            "candidateId": candidate_id,
            "companyId": company,
            "startDate": "2020-01-01T00:00:00.000Z",
        },
    )
    assert placed.status_code == 201, placed.text
    await client.patch(f"/clients/{company}", json={"company": {"name": "Acme 2"}})
    entry = await related_entry(client, candidate_id)
    assert (entry["route"], entry["changes"]) == (
        "PATCH /clients/{id}",
        {"client": {"id": company, "action": "updated"}},
    )


async def test_a_client_contact_change_of_the_persons_name_is_recorded_field_by_field(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client, firstName="Ada")
    company = (await client.post("/clients", json={"name": "Acme"})).json()["id"]
    await client.post(
        f"/clients/contacts/{company}",
        json={"candidateId": candidate_id, "keepShowingAsCandidate": True},
    )
    entry = await related_entry(client, candidate_id)
    assert (entry["route"], entry["changes"]) == (
        "POST /clients/contacts/{id}",
        {
            "visibleIfClientContact": {"before": None, "after": True},
            "clientContact": {"clientId": company, "action": "created"},
        },
    )
    contact = (await client.get(f"/clients/contacts/{candidate_id}")).json()
    contact_id = contact["clientContacts"][0]["id"]
    await client.patch(f"/clients/contacts/{contact_id}", json={"firstName": "Adele"})
    entry = await related_entry(client, candidate_id)
    assert (entry["route"], entry["changes"]) == (
        "PATCH /clients/contacts/{id}",
        {"firstName": {"before": "Ada", "after": "Adele"}},
    )


async def test_a_person_created_as_a_client_contact_has_a_created_entry(
    client: httpx.AsyncClient,
) -> None:
    company = (await client.post("/clients", json={"name": "Acme"})).json()["id"]
    response = await client.post(
        f"/clients/contacts/{company}", json={"firstName": "Bo", "lastName": "Li"}
    )
    assert response.status_code == 201
    candidate_id = response.json()["candidateId"]
    [entry] = await history(client, candidate_id)
    assert (entry["action"], entry["route"], entry["version"]) == (
        "created",
        "POST /clients/contacts/{id}",
        1,
    )
    assert entry["changes"]["firstName"] == {"before": None, "after": "Bo"}
