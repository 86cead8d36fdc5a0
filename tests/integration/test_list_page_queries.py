"""A list page of 50 candidates with every derived section filled is built with a fixed number
of SQL statements (issue 3 §8): one probe, one query per record family, not one per candidate;
a PATCH folds the probe and its users into its locked read of the candidate (issue 7)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from talentbase.candidates.models import Candidate
from talentbase.db.engine import Database
from talentbase.placements import service as placements
from talentbase.placements.schemas import PlacementCreate
from talentbase.users.models import User
from tests.conftest import create_user, recorded_statements

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

    async def page(limit: int) -> list[dict[str, Any]]:
        with recorded_statements(database) as sent:
            response = await client.get("/candidates", params={"limit": limit})
        statements[:] = sent
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


async def test_a_patch_reads_the_candidate_its_users_and_its_families_in_one_statement(
    client: httpx.AsyncClient, database: Database
) -> None:
    """The PATCH path (issue 7): the row-locked read of the candidate also loads the users the
    body and ``x-on-behalf-of`` name and which view families have rows, so no separate users
    query or family probe runs, and the answer is still the whole view, equal to a GET's."""
    user = await create_user(client, "Ann Recruiter", "ann@agency.example")
    other = await create_user(client, "Bob Recruiter", "bob@agency.example")
    acme = await _ok(await client.post("/clients", json={"name": "Acme"}))
    definition = await _ok(
        await client.post(
            "/custom-attributes/candidate/definitions",
            json={"label": "Seniority", "viewType": "customSelect", "options": ["Senior"]},
        )
    )
    candidate_id = await _candidate_with_every_section(
        client, 0, acme["id"], definition["id"], user
    )
    with recorded_statements(database) as statements:
        response = await client.patch(
            f"/candidates/{candidate_id}",
            json={
                "middleName": "Quinn",
                "mainContact": {"userId": other["userId"]},
                "lastInteractionWithId": user["userId"],
            },
            headers={"x-on-behalf-of": other["userId"]},
        )
    patched = await _ok(response, 200)
    _every_section_filled(patched)
    assert patched["mainContact"]["user"]["userId"] == other["userId"]
    assert patched == await _ok(await client.get(f"/candidates/{candidate_id}"), 200)

    selects = [statement for statement in statements if statement.startswith("SELECT")]
    reads_of_users = [s for s in selects if s.startswith("SELECT users.")]
    probes = [s for s in selects if "EXISTS" in s]
    assert reads_of_users == [], "\n".join(statements)
    assert len(probes) == 1 and "FROM candidates" in probes[0], "\n".join(statements)
    assert "named_user_1" in probes[0] and "named_user_2" not in probes[0]

    unknown = "00000000-0000-4000-8000-000000000000"
    refused = await client.patch(
        f"/candidates/{candidate_id}", json={"mainContact": {"userId": unknown}}
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["path"] == "mainContact.userId"
    assert (await _ok(await client.get(f"/candidates/{candidate_id}"), 200)) == patched


async def test_a_patch_that_waited_for_the_lock_shows_what_its_holder_committed(
    client: httpx.AsyncClient, database: Database
) -> None:
    """The PATCH's locked read and a concurrent placement: the placement's transaction holds the
    candidate's lock (and renames the user the PATCH names), the PATCH waits for it, and its
    answer must show the placement and the new name (on PostgreSQL the waiting statement's own
    snapshot predates both)."""
    user = await create_user(client, "Ann Recruiter", "ann@agency.example")
    acme = await _ok(await client.post("/clients", json={"name": "Acme"}))
    candidate_id = await _ok(
        await client.post("/candidates", json={"firstName": "Jane", "lastName": "Roe"})
    )
    async with database.transaction(write=False) as session:
        workspace_id = await session.scalar(
            select(Candidate.workspace_id).where(Candidate.id == candidate_id)
        )
    assert workspace_id is not None
    placement = PlacementCreate.model_validate(
        {
            "candidateId": candidate_id,
            "companyId": acme["id"],
            "startDate": _iso(datetime.now(UTC) - timedelta(days=10)),
        }
    )
    async with database.transaction(write=True) as session:
        await placements.create_placement(session, workspace_id, placement)
        await session.execute(
            update(User).where(User.id == user["userId"]).values(name="Ann Renamed")
        )
        patching = asyncio.create_task(
            client.patch(
                f"/candidates/{candidate_id}",
                json={"middleName": "Quinn", "mainContact": {"userId": user["userId"]}},
            )
        )
        await asyncio.sleep(0.5)  # the PATCH is now waiting for the lock
        assert not patching.done()
    patched = await _ok(await patching, 200)

    assert patched["currentPlacements"]["hasCurrentPlacement"] is True
    assert patched["mainContact"]["user"]["name"] == "Ann Renamed"
    assert patched["name"]["middleName"] == "Quinn"
    assert patched == await _ok(await client.get(f"/candidates/{candidate_id}"), 200)
