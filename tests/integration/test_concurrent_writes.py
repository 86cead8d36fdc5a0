"""Concurrent writes across record families never deadlock (PostgreSQL row locks are taken as
FOR NO KEY UPDATE, which foreign-key checks do not conflict with, and in one order: clients,
then candidates); every request succeeds. On SQLite writers are serialised, so the same load
checks that nothing is lost there too."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import create_candidate


async def test_renaming_a_client_while_adding_work_history_and_placements_at_it(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    company = (await client.post("/clients", json={"name": "One Co"})).json()["id"]
    renames = [
        client.patch(f"/clients/{company}", json={"company": {"name": f"One Co {n}"}})
        for n in range(8)
    ]
    jobs = [
        client.post(
            f"/candidates/{candidate_id}/work-experiences",
            json={"companyId": company, "jobTitle": f"Job {n}"},
        )
        for n in range(8)
    ]
    placements = [
        client.post("/placements", json={"candidateId": candidate_id, "companyId": company})
        for _ in range(4)
    ]
    answers = await asyncio.gather(*renames, *jobs, *placements)
    assert [answer.status_code for answer in answers] == [200] * 8 + [201] * 12, [
        answer.text for answer in answers if answer.status_code >= 300
    ]
    stored = (await client.get(f"/candidates/{candidate_id}/work-experiences")).json()
    assert sorted(item["jobTitle"] for item in stored) == sorted(f"Job {n}" for n in range(8))
    view = (await client.get(f"/candidates/{candidate_id}")).json()
    assert len(view["currentPlacements"]["placements"]) == 0  # no start date: not running
    assert view["latestWorkExperience"]["company"]["name"].startswith("One Co")
