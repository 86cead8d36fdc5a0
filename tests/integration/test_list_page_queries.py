"""A list page of 50 candidates with every derived section filled is built with a fixed number
of SQL statements (issue 3 §8): one probe, one query per record family, not one per candidate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import event

from talentbase.db.engine import Database
from tests.conftest import create_user

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


async def _ok(response: httpx.Response, status: int = 201) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def _candidate_with_every_section(
    http: httpx.AsyncClient, number: int, client_id: str, definition_id: str, user: dict[str, Any]
) -> str:
    now = datetime.now(UTC)
    name = "Roe" + LETTERS[number // 26] + LETTERS[number % 26]
    candidate_id: str = await _ok(
        await http.post(
            "/candidates",
            json={
                "firstName": "Jane",
                "lastName": name,
                "workExperiences": [
                    {
                        "companyId": client_id,
                        "jobTitle": "Engineer",
                        "startDate": "2020-01-01T00:00:00Z",
                    }
                ],
                "education": [{"companyId": client_id, "degree": "Master"}],
                "customAttributes": [{"attributeDefinitionId": definition_id, "value": "Senior"}],
            },
        )
    )
    await _ok(
        await http.post(
            "/placements",
            json={
                "candidateId": candidate_id,
                "companyId": client_id,
                "startDate": _iso(now - timedelta(days=10)),
            },
        )
    )
    await _ok(
        await http.post(
            "/tasks/_raw",
            json={
                "content": "Call back",
                "dueDate": _iso(now + timedelta(days=2)),
                "assignedToUserId": user["userId"],
                "links": [{"entityType": "candidate", "entityId": candidate_id}],
            },
        )
    )
    await _ok(
        await http.post(
            "/notes",
            json={
                "content": "Talked about the role",
                "source": "phone",
                "links": [{"entityType": "candidate", "entityId": candidate_id}],
            },
            headers={"x-on-behalf-of": user["userId"]},
        )
    )
    await _ok(
        await http.post(
            f"/clients/contacts/{client_id}", json={"candidateId": candidate_id, "role": "CTO"}
        )
    )
    await _ok(
        await http.put(
            f"/candidates/{candidate_id}/linkedin-profile",
            json={"headline": "Builder", "about": "Builds things", "skills": ["Python"]},
        ),
        200,
    )
    await _ok(
        await http.post(
            "/attachments",
            params={"type": "CV", "candidateId": candidate_id},
            files={"files": ("cv.pdf", PDF, "application/pdf")},
        )
    )
    return candidate_id


def _every_section_filled(view: dict[str, Any]) -> None:
    assert view["currentPlacements"]["hasCurrentPlacement"] is True
    assert view["nextTaskDue"]["nextTaskDue"] is not None
    assert view["nextInteractionWith"]["user"] is not None
    assert view["lastInteractionWith"]["user"] is not None
    assert view["latestWorkExperience"]["title"] == "Engineer"
    assert view["customAttributes"][0]["value"]["selected"] == "Senior"
    assert view["hasActiveClientContacts"] is True
    assert view["linkedInProfile"]["headline"] == "Builder"
    assert view["cvAttachmentId"] is not None


async def test_a_full_list_page_of_50_costs_the_same_statements_as_a_page_of_2(
    client: httpx.AsyncClient, database: Database
) -> None:
    user = await create_user(client, "Ann Recruiter", "ann@agency.example")
    acme = await _ok(await client.post("/clients", json={"name": "Acme"}))
    definition = await _ok(
        await client.post(
            "/custom-attributes/candidate/definitions",
            json={
                "label": "Seniority",
                "viewType": "customSelect",
                "options": ["Junior", "Senior"],
            },
        )
    )
    statements: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    async def page(limit: int) -> list[dict[str, Any]]:
        statements.clear()
        event.listen(database.engine.sync_engine, "before_cursor_execute", record)
        try:
            response = await client.get("/candidates", params={"limit": limit})
        finally:
            event.remove(database.engine.sync_engine, "before_cursor_execute", record)
        body: list[dict[str, Any]] = (await _ok(response, 200))["items"]
        return body

    for number in range(2):
        await _candidate_with_every_section(client, number, acme["id"], definition["id"], user)
    small = await page(50)
    assert len(small) == 2
    for view in small:
        _every_section_filled(view)
    for_two = list(statements)

    for number in range(2, 50):
        await _candidate_with_every_section(client, number, acme["id"], definition["id"], user)
    full = await page(50)
    assert len(full) == 50
    for view in full:
        _every_section_filled(view)

    assert len(statements) == len(for_two), "\n".join(statements)
    # authentication, the page, the probe, one query per family and the users: a small constant
    assert len(statements) <= 16, "\n".join(statements)
