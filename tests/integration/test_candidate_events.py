"""Candidate events written to the outbox with the change (issue 5 §4): ``candidate.created``,
``candidate.updated`` (with ``changedFields``) and ``candidate.deleted``, one per stored
change, in the change's transaction; a failed or empty request writes none."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from talentbase.db.engine import Database
from talentbase.events.models import OutboxEvent
from tests.conftest import create_candidate, create_user, workspace_id_of

UNKNOWN = "7d4f0a9e-3b7c-4f5e-9a1d-2c3b4a5d6e7f"


async def events_of(database: Database, candidate_id: str) -> list[dict[str, Any]]:
    """The candidate's events as receivers get them, in version order."""
    async with database.transaction(write=False) as session:
        rows = list(
            await session.scalars(
                select(OutboxEvent).where(OutboxEvent.candidate_id == candidate_id)
            )
        )
    for row in rows:
        assert row.event_type == row.payload["type"]
        assert row.id == row.payload["id"]
    return sorted((row.payload for row in rows), key=lambda event: event["data"]["version"])


def summary(events: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [(event["type"], event["data"]) for event in events]


async def test_create_update_delete_each_emit_their_event(
    client: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await create_candidate(client)
    await client.patch(
        f"/candidates/{candidate_id}",
        json={"gender": "x", "emails": [{"email": "a@example.com"}], "middleName": None},
    )
    await client.delete(f"/candidates/{candidate_id}")

    events = await events_of(database, candidate_id)
    assert summary(events) == [
        ("candidate.created", {"candidateId": candidate_id, "version": 1}),
        (
            "candidate.updated",
            {"candidateId": candidate_id, "version": 2, "changedFields": ["gender", "emails"]},
        ),
        ("candidate.deleted", {"candidateId": candidate_id, "version": 3}),
    ]
    assert len({event["id"] for event in events}) == 3
    for event in events:
        assert set(event) == {"id", "type", "createdAt", "data"}


async def test_event_versions_match_the_history_and_the_etag(
    client: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await create_candidate(client)
    for name in ("Anna", "Bea", "Cleo"):
        await client.patch(f"/candidates/{candidate_id}", json={"middleName": name})
    history = (await client.get(f"/candidates/{candidate_id}/history")).json()["items"]
    events = await events_of(database, candidate_id)
    assert [event["data"]["version"] for event in events] == [1, 2, 3, 4]
    assert [item["version"] for item in reversed(history)] == [1, 2, 3, 4]


async def test_a_related_record_change_emits_candidate_updated_with_its_view_sections(
    client: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await create_candidate(client)
    company = (await client.post("/clients", json={"name": "Acme"})).json()["id"]
    definition = (
        await client.post(
            "/custom-attributes/candidate/definitions",
            json={"label": "Level", "viewType": "customText"},
        )
    ).json()["id"]
    link = [{"entityType": "candidate", "entityId": candidate_id}]

    await client.post("/placements", json={"candidateId": candidate_id, "companyId": company})
    await client.put(
        f"/candidates/{candidate_id}/custom-attributes/{definition}", json={"value": "Sr"}
    )
    await client.post("/tasks/_raw", json={"content": "Call", "links": link})
    await client.post("/notes", json={"content": "Met", "source": "phone", "links": link})
    await client.post(
        f"/candidates/{candidate_id}/work-experiences",
        json={"companyId": company, "jobTitle": "Dev"},
    )
    await client.post(f"/clients/contacts/{company}", json={"candidateId": candidate_id})

    changed = [
        event["data"]["changedFields"] for event in (await events_of(database, candidate_id))[1:]
    ]
    assert changed == [
        ["currentPlacements"],
        ["customAttributes"],
        ["nextTaskDue", "nextInteractionDate", "nextInteractionWith"],
        ["lastInteractionDate", "lastInteractionWith", "lastActivityDate"],
        ["workExperiences", "latestWorkExperience"],
        ["clientContacts", "hasClientContacts", "hasActiveClientContacts"],
    ]


async def test_a_user_change_emits_an_event_for_each_candidate_showing_the_user(
    client: httpx.AsyncClient, database: Database
) -> None:
    user = (await create_user(client, "Rita Recruiter", "rita@example.com"))["userId"]
    shown = [await create_candidate(client, mainContact={"userId": user}) for _ in range(2)]
    other = await create_candidate(client)
    await client.patch(f"/users/{user}", json={"name": "Rita R."})
    for candidate_id in shown:
        assert summary(await events_of(database, candidate_id))[-1] == (
            "candidate.updated",
            {
                "candidateId": candidate_id,
                "version": 2,
                "changedFields": ["mainContact", "lastInteractionWith", "nextInteractionWith"],
            },
        )
    assert len(await events_of(database, other)) == 1


async def test_no_event_for_a_failed_or_empty_request(
    client: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await create_candidate(client)
    company = (await client.post("/clients", json={"name": "Acme"})).json()["id"]
    attempts = [
        client.patch(f"/candidates/{candidate_id}", json={"gender": "robot"}),
        client.patch(f"/candidates/{candidate_id}", json={"mainContact": {"userId": UNKNOWN}}),
        client.patch(
            f"/candidates/{candidate_id}", json={"gender": "x"}, headers={"If-Match": '"old"'}
        ),
        client.patch(
            f"/candidates/{candidate_id}", json={"gender": "x"}, headers={"x-on-behalf-of": UNKNOWN}
        ),
        client.delete(f"/candidates/{candidate_id}", headers={"If-Match": '"old"'}),
        client.post("/placements", json={"candidateId": candidate_id, "companyId": UNKNOWN}),
        client.post(
            "/placements",
            json={"candidateId": candidate_id, "companyId": company},
            headers={"x-on-behalf-of": UNKNOWN},
        ),
        client.patch(f"/candidates/{candidate_id}", json={}),
        client.patch(f"/candidates/{candidate_id}", json={"firstName": "Jane"}),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status_code in (200, 400, 412), response.text
    assert summary(await events_of(database, candidate_id)) == [
        ("candidate.created", {"candidateId": candidate_id, "version": 1})
    ]


async def test_a_failed_create_emits_nothing(client: httpx.AsyncClient, database: Database) -> None:
    workspace_id = await workspace_id_of(database, client.headers["x-api-key"])
    for body in (
        {"firstName": "Ada", "lastName": "King", "gender": "robot"},
        {"firstName": "Ada", "lastName": "King", "mainContact": {"userId": UNKNOWN}},
    ):
        assert (await client.post("/candidates", json=body)).status_code == 400
    async with database.transaction(write=False) as session:
        events = await session.scalars(
            select(OutboxEvent.id).where(OutboxEvent.workspace_id == workspace_id)
        )
        assert list(events) == []
