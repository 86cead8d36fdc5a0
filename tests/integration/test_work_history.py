"""Education and work experience through their own routes under ``/candidates/{id}`` (and
``POST /candidates``), and the ``latestWorkExperience`` the view derives from them.

Companies have no route in this suite's scope, so tests write them straight into the table.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from pydantic import TypeAdapter
from sqlalchemy import create_engine, func, select, text, update

from talentbase.candidates.models import Candidate
from talentbase.companies.models import Company
from talentbase.db import migrate
from talentbase.db.engine import Database
from talentbase.work_history.models import Education, WorkExperience
from talentbase.work_history.schemas import EducationOut, WorkExperienceOut
from tests.conftest import NewKey, create_candidate, make_client

KINDS = ("education", "work-experiences")
BODY_KEY = {"education": "education", "work-experiences": "workExperiences"}
MODEL: dict[str, type[Education] | type[WorkExperience]] = {
    "education": Education,
    "work-experiences": WorkExperience,
}


@pytest.fixture
async def other(app: Any, new_api_key: NewKey) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a second workspace."""
    async with make_client(app, await new_api_key()) as http:
        yield http


async def workspace_of(database: Database, http: httpx.AsyncClient) -> str:
    """The workspace of ``http``'s key, read from a candidate it creates."""
    candidate_id = await create_candidate(http, lastName="Probe")
    async with database.transaction(write=False) as session:
        workspace_id = await session.scalar(
            select(Candidate.workspace_id).where(Candidate.id == candidate_id)
        )
    assert workspace_id is not None
    return workspace_id


async def add_company(
    database: Database, http: httpx.AsyncClient, name: str, logo_url: str | None = None
) -> str:
    workspace_id = await workspace_of(database, http)
    async with database.transaction(write=True) as session:
        company = Company(workspace_id=workspace_id, name=name, logo_url=logo_url)
        session.add(company)
        await session.flush()
        return company.id


async def rename_company(database: Database, company_id: str, name: str) -> None:
    async with database.transaction(write=True) as session:
        await session.execute(update(Company).where(Company.id == company_id).values(name=name))


async def stored_count(database: Database, kind: str, candidate_id: str | None = None) -> int:
    model = MODEL[kind]
    query = select(func.count()).select_from(model)
    if candidate_id is not None:
        query = query.where(model.candidate_id == candidate_id)
    async with database.transaction(write=False) as session:
        return int(await session.scalar(query) or 0)


async def modified_at(database: Database, candidate_id: str) -> Any:
    async with database.transaction(write=False) as session:
        return await session.scalar(
            select(Candidate.modified_at).where(Candidate.id == candidate_id)
        )


def errors_of(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == 400
    return [(error["code"], error["path"]) for error in body["errors"]]


def assert_not_found(response: httpx.Response) -> None:
    assert response.status_code == 404, response.text
    assert response.json()["status"] == 404
    assert "errors" not in response.json()


async def listed(http: httpx.AsyncClient, kind: str, candidate_id: str) -> list[dict[str, Any]]:
    response = await http.get(f"/candidates/{candidate_id}/{kind}")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    # the answer is exactly the documented shape
    TypeAdapter(
        list[EducationOut] if kind == "education" else list[WorkExperienceOut]
    ).validate_python(items)
    return items


async def latest(http: httpx.AsyncClient, candidate_id: str) -> dict[str, Any]:
    response = await http.get(f"/candidates/{candidate_id}")
    assert response.status_code == 200, response.text
    section: dict[str, Any] = response.json()["latestWorkExperience"]
    return section


async def add(http: httpx.AsyncClient, kind: str, candidate_id: str, **item: Any) -> dict[str, Any]:
    response = await http.post(f"/candidates/{candidate_id}/{kind}", json=item)
    assert response.status_code == 201, response.text
    record: dict[str, Any] = response.json()
    return record


def a_valid_item(kind: str, company_id: str | None = None) -> dict[str, Any]:
    if kind == "education":
        return {"degree": "Master", "companyId": company_id}
    return {"jobTitle": "Engineer", "companyId": company_id}


# ---- reading ----


async def test_education_is_a_bare_array_in_spotts_shape_most_recent_first(
    client: httpx.AsyncClient, database: Database
) -> None:
    school = await add_company(database, client, "TU Delft", "https://tudelft.example/logo.png")
    candidate_id = await create_candidate(
        client,
        education=[
            {
                "degree": "Bachelor",
                "companyId": school,
                "fieldOfStudy": "Computer Science",
                "grade": "8.1",
                "description": "Minor in maths",
                "startDate": "2010-09-01T00:00:00.000Z",
                "endDate": "2013-07-01T00:00:00Z",
            },
            {
                "degree": ["Master", "MBA", "Master"],
                "startDate": "2014-09-01T02:00:00+02:00",
                "endDate": "2016-07-01T00:00:00.000Z",
            },
        ],
    )

    items = await listed(client, "education", candidate_id)

    assert [{**item, "id": "-"} for item in items] == [
        {
            "id": "-",
            "institutionName": None,
            "companyId": None,
            "institutionLogoUrl": None,
            "degree": ["Master", "MBA"],
            "fieldOfStudy": None,
            "grade": None,
            "description": None,
            "startDate": "2014-09-01T00:00:00.000Z",
            "endDate": "2016-07-01T00:00:00.000Z",
        },
        {
            "id": "-",
            "institutionName": "TU Delft",
            "companyId": school,
            "institutionLogoUrl": "https://tudelft.example/logo.png",
            "degree": ["Bachelor"],
            "fieldOfStudy": "Computer Science",
            "grade": "8.1",
            "description": "Minor in maths",
            "startDate": "2010-09-01T00:00:00.000Z",
            "endDate": "2013-07-01T00:00:00.000Z",
        },
    ]
    assert all(uuid.UUID(item["id"]) for item in items)
    assert items[0]["id"] != items[1]["id"]


async def test_work_experiences_show_company_and_a_view_shaped_location_current_first(
    client: httpx.AsyncClient, database: Database
) -> None:
    acme = await add_company(database, client, "Acme", "https://acme.example/l.png")
    candidate_id = await create_candidate(
        client,
        workExperiences=[
            {
                "jobTitle": "Junior Developer",
                "startDate": "2015-01-01T00:00:00.000Z",
                "endDate": "2018-12-31T00:00:00.000Z",
            },
            {
                "companyId": acme,
                "jobTitle": "Lead Engineer",
                "description": "Runs the platform team",
                "location": {
                    "type": "work",
                    "street1": "Main St 1",
                    "postalCode": "1011 AB",
                    "city": "Amsterdam",
                    "country": "NL",
                    "latitude": 52.37,
                    "longitude": 4,
                    "region": "  ",
                },
                "startDate": "2019-02-01T00:00:00.000Z",
            },
        ],
    )

    items = await listed(client, "work-experiences", candidate_id)

    assert [{**item, "id": "-"} for item in items] == [
        {
            "id": "-",
            "companyId": acme,
            "companyName": "Acme",
            "companyLogoUrl": "https://acme.example/l.png",
            "jobTitle": "Lead Engineer",
            "location": {
                "type": "work",
                "street1": "Main St 1",
                "street2": None,
                "postalCode": "1011 AB",
                "city": "Amsterdam",
                "region": None,
                "state": None,
                "country": "NL",
                "rawCityCountry": "Amsterdam, NL",
                "latitude": 52.37,
                "longitude": 4,
                "formattedAddress": "Main St 1, 1011 AB Amsterdam, NL",
            },
            "description": "Runs the platform team",
            "startDate": "2019-02-01T00:00:00.000Z",
            "endDate": None,
        },
        {
            "id": "-",
            "companyId": None,
            "companyName": None,
            "companyLogoUrl": None,
            "jobTitle": "Junior Developer",
            "location": None,
            "description": None,
            "startDate": "2015-01-01T00:00:00.000Z",
            "endDate": "2018-12-31T00:00:00.000Z",
        },
    ]


@pytest.mark.parametrize("kind", KINDS)
async def test_a_candidate_without_history_lists_an_empty_array(
    client: httpx.AsyncClient, kind: str
) -> None:
    candidate_id = await create_candidate(client)

    assert await listed(client, kind, candidate_id) == []


async def test_order_is_current_by_start_then_ended_by_end_then_undated_ties_by_id(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    titles = {
        "ended late": ("2010-01-01T00:00:00.000Z", "2020-01-01T00:00:00.000Z"),
        "current old": ("2012-01-01T00:00:00.000Z", None),
        "ended early": ("2015-01-01T00:00:00.000Z", "2016-01-01T00:00:00.000Z"),
        "current new": ("2021-01-01T00:00:00.000Z", None),
        "undated a": (None, None),
        "undated b": (None, None),
    }
    ids = {}
    for title, (start, end) in titles.items():
        record = await add(
            client, "work-experiences", candidate_id, jobTitle=title, startDate=start, endDate=end
        )
        ids[title] = record["id"]

    items = await listed(client, "work-experiences", candidate_id)

    undated = sorted(["undated a", "undated b"], key=lambda title: ids[title])
    assert [item["jobTitle"] for item in items] == [
        "current new",
        "current old",
        *undated,
        "ended late",
        "ended early",
    ]


# ---- adding ----


async def test_post_education_answers_201_with_the_record_and_touches_the_candidate(
    client: httpx.AsyncClient, database: Database
) -> None:
    school = await add_company(database, client, "Oxford")
    candidate_id = await create_candidate(client)
    before = (await client.get(f"/candidates/{candidate_id}")).json()["modifiedAt"]

    response = await client.post(
        f"/candidates/{candidate_id}/education",
        json={"degree": "PhD", "companyId": school, "startDate": "2001-10-01T00:00:00.000Z"},
    )

    assert response.status_code == 201, response.text
    record = response.json()
    assert record == {
        "id": record["id"],
        "institutionName": "Oxford",
        "companyId": school,
        "institutionLogoUrl": None,
        "degree": ["PhD"],
        "fieldOfStudy": None,
        "grade": None,
        "description": None,
        "startDate": "2001-10-01T00:00:00.000Z",
        "endDate": None,
    }
    assert await listed(client, "education", candidate_id) == [record]
    after = (await client.get(f"/candidates/{candidate_id}")).json()["modifiedAt"]
    assert after > before


async def test_post_work_experience_answers_it_and_it_becomes_the_latest(
    client: httpx.AsyncClient, database: Database
) -> None:
    acme = await add_company(database, client, "Acme", "https://acme.example/l.png")
    candidate_id = await create_candidate(client)

    record = await add(
        client,
        "work-experiences",
        candidate_id,
        companyId=acme,
        jobTitle="CTO",
        startDate="2022-03-01T00:00:00.000Z",
    )

    assert record == {
        "id": record["id"],
        "companyId": acme,
        "companyName": "Acme",
        "companyLogoUrl": "https://acme.example/l.png",
        "jobTitle": "CTO",
        "location": None,
        "description": None,
        "startDate": "2022-03-01T00:00:00.000Z",
        "endDate": None,
    }
    assert await latest(client, candidate_id) == {
        "title": "CTO",
        "company": {"id": acme, "name": "Acme", "logoUrl": "https://acme.example/l.png"},
    }


@pytest.mark.parametrize("kind", KINDS)
async def test_a_candidate_holds_at_most_fifty_records_of_a_kind(
    client: httpx.AsyncClient, database: Database, kind: str
) -> None:
    body_key = BODY_KEY[kind]
    candidate_id = await create_candidate(client, **{body_key: [a_valid_item(kind)] * 50})

    response = await client.post(f"/candidates/{candidate_id}/{kind}", json=a_valid_item(kind))

    assert errors_of(response) == [("TOO_BIG", "")]
    assert await stored_count(database, kind, candidate_id) == 50


# ---- replacing ----


async def test_put_replaces_the_list_keeping_ids_sent_and_deleting_the_rest(
    client: httpx.AsyncClient, database: Database
) -> None:
    acme = await add_company(database, client, "Acme")
    candidate_id = await create_candidate(client)
    kept = await add(client, "work-experiences", candidate_id, jobTitle="Dev", companyId=acme)
    dropped = await add(client, "work-experiences", candidate_id, jobTitle="Intern")
    before = await modified_at(database, candidate_id)

    response = await client.put(
        f"/candidates/{candidate_id}/work-experiences",
        json={
            "workExperiences": [
                {
                    "id": kept["id"],
                    "jobTitle": "Senior Dev",
                    "companyId": acme,
                    "startDate": "2018-01-01T00:00:00.000Z",
                    "endDate": "2020-01-01T00:00:00.000Z",
                },
                {"jobTitle": "Architect", "startDate": "2020-02-01T00:00:00.000Z"},
            ]
        },
    )

    assert response.status_code == 200, response.text
    items = response.json()
    assert items == await listed(client, "work-experiences", candidate_id)
    assert [(item["jobTitle"], item["companyName"]) for item in items] == [
        ("Architect", None),
        ("Senior Dev", "Acme"),
    ]
    assert items[1]["id"] == kept["id"]
    assert dropped["id"] not in {item["id"] for item in items}
    assert await stored_count(database, "work-experiences", candidate_id) == 2
    assert await modified_at(database, candidate_id) > before
    assert await latest(client, candidate_id) == {"title": "Architect", "company": None}


@pytest.mark.parametrize("kind", KINDS)
async def test_put_of_the_list_as_stored_changes_nothing_and_keeps_ids_and_modified_at(
    client: httpx.AsyncClient, database: Database, kind: str
) -> None:
    company = await add_company(database, client, "Acme")
    items = [
        {**a_valid_item(kind, company), "startDate": "2019-01-01T00:00:00.000Z"},
        {**a_valid_item(kind), "description": "second"},
    ]
    candidate_id = await create_candidate(client, **{BODY_KEY[kind]: items})
    stored = await listed(client, kind, candidate_id)
    before = await modified_at(database, candidate_id)

    response = await client.put(f"/candidates/{candidate_id}/{kind}", json={BODY_KEY[kind]: items})

    assert response.status_code == 200, response.text
    assert response.json() == stored
    assert await modified_at(database, candidate_id) == before


@pytest.mark.parametrize("kind", KINDS)
async def test_put_of_an_empty_list_empties_it(
    client: httpx.AsyncClient, database: Database, kind: str
) -> None:
    candidate_id = await create_candidate(client, **{BODY_KEY[kind]: [a_valid_item(kind)]})

    response = await client.put(f"/candidates/{candidate_id}/{kind}", json={BODY_KEY[kind]: []})

    assert response.status_code == 200, response.text
    assert response.json() == []
    assert await stored_count(database, kind, candidate_id) == 0
    if kind == "work-experiences":
        assert await latest(client, candidate_id) == {"title": None, "company": None}


async def test_put_education_accepts_a_degree_as_a_string_or_a_list(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)

    response = await client.put(
        f"/candidates/{candidate_id}/education",
        json={
            "education": [
                {"degree": "LLM", "endDate": "2020-01-01T00:00:00.000Z"},
                {"degree": [], "fieldOfStudy": "Law", "endDate": "2019-01-01T00:00:00.000Z"},
                {"degree": None, "fieldOfStudy": "Law", "endDate": "2018-01-01T00:00:00.000Z"},
                {"degree": ["High School"], "endDate": "2017-01-01T00:00:00.000Z"},
            ]
        },
    )

    assert response.status_code == 200, response.text
    assert [item["degree"] for item in response.json()] == [["LLM"], [], [], ["High School"]]


# ---- deleting ----


@pytest.mark.parametrize("kind", KINDS)
async def test_delete_removes_one_record_answers_204_and_touches_the_candidate(
    client: httpx.AsyncClient, database: Database, kind: str
) -> None:
    candidate_id = await create_candidate(client)
    gone = await add(client, kind, candidate_id, **a_valid_item(kind))
    stays = await add(client, kind, candidate_id, **a_valid_item(kind))
    before = await modified_at(database, candidate_id)

    response = await client.delete(f"/candidates/{candidate_id}/{kind}/{gone['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert await listed(client, kind, candidate_id) == [stays]
    assert await modified_at(database, candidate_id) > before
    assert_not_found(await client.delete(f"/candidates/{candidate_id}/{kind}/{gone['id']}"))


# ---- latestWorkExperience ----


async def test_latest_work_experience_prefers_a_current_one_over_a_later_ended_one(
    client: httpx.AsyncClient, database: Database
) -> None:
    acme = await add_company(database, client, "Acme")
    candidate_id = await create_candidate(client)
    await add(
        client,
        "work-experiences",
        candidate_id,
        jobTitle="Consultant",
        startDate="2020-01-01T00:00:00.000Z",
        endDate="2024-01-01T00:00:00.000Z",
    )
    await add(
        client,
        "work-experiences",
        candidate_id,
        jobTitle="Founder",
        companyId=acme,
        startDate="2010-01-01T00:00:00.000Z",
    )

    assert await latest(client, candidate_id) == {
        "title": "Founder",
        "company": {"id": acme, "name": "Acme", "logoUrl": None},
    }


async def test_latest_work_experience_of_two_current_ones_is_the_later_start(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(
        client,
        workExperiences=[
            {"jobTitle": "Board member", "startDate": "2015-01-01T00:00:00.000Z"},
            {"jobTitle": "CEO", "startDate": "2021-06-01T00:00:00.000Z"},
            {"jobTitle": "Advisor", "startDate": "2018-01-01T00:00:00.000Z"},
        ],
    )

    assert await latest(client, candidate_id) == {"title": "CEO", "company": None}


async def test_latest_work_experience_of_ended_ones_is_the_latest_end(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(
        client,
        workExperiences=[
            {
                "jobTitle": "Long job",
                "startDate": "2019-01-01T00:00:00.000Z",
                "endDate": "2022-01-01T00:00:00.000Z",
            },
            {
                "jobTitle": "Short job",
                "startDate": "2010-01-01T00:00:00.000Z",
                "endDate": "2023-05-01T00:00:00.000Z",
            },
        ],
    )

    assert await latest(client, candidate_id) == {"title": "Short job", "company": None}


async def test_latest_work_experience_of_two_equal_ones_is_the_smaller_id(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    first = await add(client, "work-experiences", candidate_id, jobTitle="A")
    second = await add(client, "work-experiences", candidate_id, jobTitle="B")

    winner = min((first, second), key=lambda record: record["id"])
    assert await latest(client, candidate_id) == {"title": winner["jobTitle"], "company": None}


async def test_latest_work_experience_falls_back_when_the_latest_is_deleted(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    await add(
        client,
        "work-experiences",
        candidate_id,
        jobTitle="Before",
        startDate="2010-01-01T00:00:00.000Z",
        endDate="2012-01-01T00:00:00.000Z",
    )
    now = await add(
        client,
        "work-experiences",
        candidate_id,
        jobTitle="Now",
        startDate="2012-02-01T00:00:00.000Z",
    )
    assert await latest(client, candidate_id) == {"title": "Now", "company": None}

    await client.delete(f"/candidates/{candidate_id}/work-experiences/{now['id']}")

    assert await latest(client, candidate_id) == {"title": "Before", "company": None}


async def test_latest_work_experience_shows_a_renamed_company_by_its_new_name(
    client: httpx.AsyncClient, database: Database
) -> None:
    acme = await add_company(database, client, "Acme", "https://acme.example/l.png")
    candidate_id = await create_candidate(
        client, workExperiences=[{"jobTitle": "Dev", "companyId": acme}]
    )

    await rename_company(database, acme, "Acme Holdings")

    assert await latest(client, candidate_id) == {
        "title": "Dev",
        "company": {"id": acme, "name": "Acme Holdings", "logoUrl": "https://acme.example/l.png"},
    }
    assert (await listed(client, "work-experiences", candidate_id))[0]["companyName"] == (
        "Acme Holdings"
    )


async def test_latest_work_experience_is_null_keys_once_every_one_is_deleted(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    record = await add(client, "work-experiences", candidate_id, jobTitle="Dev")

    await client.delete(f"/candidates/{candidate_id}/work-experiences/{record['id']}")

    assert await latest(client, candidate_id) == {"title": None, "company": None}


async def test_a_job_not_started_yet_comes_after_the_current_and_the_ended_ones(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    jobs = {
        "ended": ("2010-01-01T00:00:00.000Z", "2019-01-01T00:00:00.000Z"),
        "later offer": ("2999-01-01T00:00:00.000Z", "2999-06-01T00:00:00.000Z"),
        "current": ("2020-01-01T00:00:00.000Z", None),
        "next job": ("2998-06-01T00:00:00.000Z", None),
        "current, ends later": ("2018-01-01T00:00:00.000Z", "2999-01-01T00:00:00.000Z"),
        "undated": (None, None),
        "ended earlier": ("2005-01-01T00:00:00.000Z", "2008-01-01T00:00:00.000Z"),
    }
    for title, (start, end) in jobs.items():
        await add(
            client, "work-experiences", candidate_id, jobTitle=title, startDate=start, endDate=end
        )

    items = await listed(client, "work-experiences", candidate_id)

    assert [item["jobTitle"] for item in items] == [
        "current",
        "current, ends later",
        "undated",
        "ended",
        "ended earlier",
        "next job",
        "later offer",
    ]
    assert await latest(client, candidate_id) == {"title": "current", "company": None}


async def test_latest_work_experience_prefers_an_ended_job_over_one_not_started_yet(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(
        client,
        workExperiences=[
            {"jobTitle": "Next", "startDate": "2999-01-01T00:00:00.000Z"},
            {
                "jobTitle": "Last",
                "startDate": "2015-01-01T00:00:00.000Z",
                "endDate": "2020-01-01T00:00:00.000Z",
            },
        ],
    )

    assert await latest(client, candidate_id) == {"title": "Last", "company": None}


async def test_of_jobs_not_started_yet_the_soonest_is_the_latest_ties_by_id(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    soon = "2990-01-01T00:00:00.000Z"
    late = await add(
        client, "work-experiences", candidate_id, jobTitle="Late", startDate="2999-01-01T00:00Z"
    )
    first = await add(client, "work-experiences", candidate_id, jobTitle="A", startDate=soon)
    second = await add(client, "work-experiences", candidate_id, jobTitle="B", startDate=soon)

    items = await listed(client, "work-experiences", candidate_id)

    tied = sorted((first, second), key=lambda record: record["id"])
    assert [item["id"] for item in items] == [tied[0]["id"], tied[1]["id"], late["id"]]
    assert await latest(client, candidate_id) == {"title": tied[0]["jobTitle"], "company": None}


async def test_education_not_started_yet_is_listed_after_the_ended_one(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(
        client,
        education=[
            {"degree": "PhD", "startDate": "2999-09-01T00:00:00.000Z"},
            {"degree": "Master", "endDate": "2016-07-01T00:00:00.000Z"},
            {"degree": "MBA", "startDate": "2020-09-01T00:00:00.000Z"},
        ],
    )

    items = await listed(client, "education", candidate_id)

    assert [item["degree"] for item in items] == [["MBA"], ["Master"], ["PhD"]]


# ---- bad input: nothing is stored, nothing changes ----


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("candidate_id", [str(uuid.uuid4()), "not-an-id", "%00"])
async def test_every_route_of_an_unknown_candidate_is_404(
    client: httpx.AsyncClient, database: Database, kind: str, candidate_id: str
) -> None:
    base = f"/candidates/{candidate_id}/{kind}"
    before = await stored_count(database, kind)

    assert_not_found(await client.get(base))
    assert_not_found(await client.post(base, json=a_valid_item(kind)))
    assert_not_found(await client.put(base, json={BODY_KEY[kind]: [a_valid_item(kind)]}))
    assert_not_found(await client.delete(f"{base}/{uuid.uuid4()}"))

    assert await stored_count(database, kind) == before


@pytest.mark.parametrize("kind", KINDS)
async def test_a_candidate_of_another_workspace_is_404_on_every_route_and_untouched(
    client: httpx.AsyncClient, other: httpx.AsyncClient, database: Database, kind: str
) -> None:
    company = await add_company(database, client, "Secret Corp")
    candidate_id = await create_candidate(client, **{BODY_KEY[kind]: [a_valid_item(kind, company)]})
    stored = await listed(client, kind, candidate_id)
    before = await modified_at(database, candidate_id)
    base = f"/candidates/{candidate_id}/{kind}"

    answers = [
        await other.get(base),
        await other.post(base, json=a_valid_item(kind)),
        await other.put(base, json={BODY_KEY[kind]: []}),
        await other.delete(f"{base}/{stored[0]['id']}"),
    ]

    for response in answers:
        assert_not_found(response)
        assert "Secret" not in response.text
    assert await listed(client, kind, candidate_id) == stored
    assert await modified_at(database, candidate_id) == before


@pytest.mark.parametrize("kind", KINDS)
async def test_a_company_of_another_workspace_is_not_found_in_post_and_put(
    client: httpx.AsyncClient, other: httpx.AsyncClient, database: Database, kind: str
) -> None:
    foreign = await add_company(database, other, "Foreign Corp")
    candidate_id = await create_candidate(client, **{BODY_KEY[kind]: [a_valid_item(kind)]})
    stored = await listed(client, kind, candidate_id)
    before = await modified_at(database, candidate_id)

    posted = await client.post(
        f"/candidates/{candidate_id}/{kind}", json=a_valid_item(kind, foreign)
    )
    put = await client.put(
        f"/candidates/{candidate_id}/{kind}",
        json={BODY_KEY[kind]: [a_valid_item(kind), a_valid_item(kind, foreign)]},
    )

    assert errors_of(posted) == [("NOT_FOUND", "companyId")]
    assert posted.json()["errors"][0]["received"] == foreign
    assert errors_of(put) == [("NOT_FOUND", f"{BODY_KEY[kind]}.1.companyId")]
    assert "Foreign" not in posted.text + put.text
    assert await listed(client, kind, candidate_id) == stored
    assert await modified_at(database, candidate_id) == before


BAD_ITEMS = [
    pytest.param(
        "work-experiences", {"jobTitle": ""}, [("TOO_SMALL", "jobTitle")], id="title-empty"
    ),
    pytest.param(
        "work-experiences", {"jobTitle": " \t "}, [("TOO_SMALL", "jobTitle")], id="title-blank"
    ),
    pytest.param(
        "work-experiences",
        {"jobTitle": "Dev", "description": " \n "},
        [("TOO_SMALL", "description")],
        id="description-blank",
    ),
    pytest.param(
        "education", {"fieldOfStudy": ""}, [("TOO_SMALL", "fieldOfStudy")], id="field-empty"
    ),
    pytest.param(
        "education", {"degree": "PhD", "grade": "  "}, [("TOO_SMALL", "grade")], id="grade-blank"
    ),
    pytest.param(
        "education", {"degree": "Masters"}, [("INVALID_ENUM_VALUE", "degree")], id="degree"
    ),
    pytest.param(
        "education", {"degree": "master"}, [("INVALID_ENUM_VALUE", "degree")], id="degree-case"
    ),
    pytest.param(
        "education",
        {"degree": ["PhD", "Doctorate"]},
        [("INVALID_ENUM_VALUE", "degree.1")],
        id="degree-in-list",
    ),
    pytest.param("education", {"degree": 3}, [("INVALID_TYPE", "degree")], id="degree-type"),
    pytest.param(
        "education",
        {"institutionName": "Oxford"},
        [("UNRECOGNIZED_KEYS", "institutionName")],
        id="read-only-key",
    ),
    pytest.param("education", {"grade": "A" * 201}, [("TOO_BIG", "grade")], id="grade-too-long"),
    pytest.param(
        "work-experiences", {"jobTitle": 5}, [("INVALID_TYPE", "jobTitle")], id="title-type"
    ),
    pytest.param(
        "work-experiences", {"title": "Dev"}, [("UNRECOGNIZED_KEYS", "title")], id="unknown-key"
    ),
    pytest.param(
        "work-experiences",
        {"location": {"city": "Paris", "country": "Atlantis"}},
        [("INVALID_STRING", "location.country")],
        id="location-country",
    ),
    pytest.param(
        "work-experiences",
        {"location": {"latitude": 91}},
        [("TOO_BIG", "location.latitude")],
        id="location-latitude",
    ),
    pytest.param(
        "work-experiences",
        {"companyId": "not-a-company"},
        [("NOT_FOUND", "companyId")],
        id="company-not-an-id",
    ),
    pytest.param(
        "work-experiences",
        {"companyId": str(uuid.UUID(int=7))},
        [("NOT_FOUND", "companyId")],
        id="company-unknown",
    ),
    pytest.param(
        "education",
        {
            "degree": "PhD",
            "startDate": "2020-01-02T00:00:00.000Z",
            "endDate": "2020-01-01T23:59:59.999Z",
        },
        [("TOO_SMALL", "endDate")],
        id="dates-out-of-order",
    ),
    pytest.param(
        "work-experiences",
        {
            "jobTitle": "Dev",
            "startDate": "2020-01-02T00:00:00+01:00",
            "endDate": "2020-01-01T22:00:00Z",
        },
        [("TOO_SMALL", "endDate")],
        id="dates-out-of-order-across-zones",
    ),
    pytest.param(
        "work-experiences",
        {"startDate": "2020-01-01T00:00:00"},
        [("INVALID_STRING", "startDate")],
        id="date-without-zone",
    ),
    pytest.param(
        "education",
        {"endDate": "2020-02-30T00:00:00Z"},
        [("INVALID_STRING", "endDate")],
        id="impossible-date",
    ),
    pytest.param(
        "work-experiences",
        {"startDate": "2020-01-01", "companyId": str(uuid.UUID(int=8))},
        [("INVALID_STRING", "startDate")],
        id="shape-errors-come-first",
    ),
]


@pytest.mark.parametrize(("kind", "item", "expected"), BAD_ITEMS)
async def test_a_bad_item_is_refused_by_post_and_put_and_nothing_changes(
    client: httpx.AsyncClient,
    database: Database,
    kind: str,
    item: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    candidate_id = await create_candidate(client, **{BODY_KEY[kind]: [a_valid_item(kind)]})
    stored = await listed(client, kind, candidate_id)
    before = await modified_at(database, candidate_id)

    posted = await client.post(f"/candidates/{candidate_id}/{kind}", json=item)
    put = await client.put(
        f"/candidates/{candidate_id}/{kind}", json={BODY_KEY[kind]: [a_valid_item(kind), item]}
    )

    assert errors_of(posted) == expected
    prefix = f"{BODY_KEY[kind]}.1."
    assert errors_of(put) == [(code, prefix + path) for code, path in expected]
    assert await listed(client, kind, candidate_id) == stored
    assert await modified_at(database, candidate_id) == before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param({}, [("REQUIRED", "{key}")], id="key-missing"),
        pytest.param({"{key}": None}, [("INVALID_TYPE", "{key}")], id="null"),
        pytest.param({"{key}": {}}, [("INVALID_TYPE", "{key}")], id="object"),
        pytest.param({"{key}": [], "extra": 1}, [("UNRECOGNIZED_KEYS", "extra")], id="extra-key"),
        pytest.param([], [("INVALID_TYPE", "")], id="bare-array"),
    ],
)
async def test_a_malformed_put_body_is_a_400_and_changes_nothing(
    client: httpx.AsyncClient, database: Database, kind: str, body: Any, expected: Any
) -> None:
    key = BODY_KEY[kind]
    candidate_id = await create_candidate(client, **{key: [a_valid_item(kind)]})
    if isinstance(body, dict):
        body = {name.format(key=key): value for name, value in body.items()}

    response = await client.put(f"/candidates/{candidate_id}/{kind}", json=body)

    assert errors_of(response) == [(code, path.format(key=key)) for code, path in expected]
    assert await stored_count(database, kind, candidate_id) == 1


@pytest.mark.parametrize("kind", KINDS)
async def test_put_of_more_than_fifty_items_is_too_big(
    client: httpx.AsyncClient, database: Database, kind: str
) -> None:
    candidate_id = await create_candidate(client)

    response = await client.put(
        f"/candidates/{candidate_id}/{kind}", json={BODY_KEY[kind]: [a_valid_item(kind)] * 51}
    )

    assert errors_of(response) == [("TOO_BIG", BODY_KEY[kind])]
    assert await stored_count(database, kind, candidate_id) == 0


@pytest.mark.parametrize("kind", KINDS)
async def test_put_with_an_id_that_is_not_this_candidates_record_is_not_found(
    client: httpx.AsyncClient, other: httpx.AsyncClient, database: Database, kind: str
) -> None:
    key = BODY_KEY[kind]
    candidate_id = await create_candidate(client, **{key: [a_valid_item(kind)]})
    sibling = await create_candidate(client, **{key: [a_valid_item(kind)]})
    foreign = await create_candidate(other, **{key: [a_valid_item(kind)]})
    sibling_record = (await listed(client, kind, sibling))[0]["id"]
    foreign_record = (await listed(other, kind, foreign))[0]["id"]
    stored = await listed(client, kind, candidate_id)

    response = await client.put(
        f"/candidates/{candidate_id}/{kind}",
        json={
            key: [
                {**a_valid_item(kind), "id": sibling_record},
                {**a_valid_item(kind), "id": foreign_record},
                {**a_valid_item(kind), "id": "nope"},
            ]
        },
    )

    assert errors_of(response) == [
        ("NOT_FOUND", f"{key}.0.id"),
        ("NOT_FOUND", f"{key}.1.id"),
        ("NOT_FOUND", f"{key}.2.id"),
    ]
    assert await listed(client, kind, candidate_id) == stored
    assert len(await listed(client, kind, sibling)) == 1
    assert len(await listed(other, kind, foreign)) == 1


@pytest.mark.parametrize("kind", KINDS)
async def test_put_naming_one_record_twice_is_a_duplicate(
    client: httpx.AsyncClient, database: Database, kind: str
) -> None:
    key = BODY_KEY[kind]
    candidate_id = await create_candidate(client, **{key: [a_valid_item(kind)]})
    stored = await listed(client, kind, candidate_id)
    record_id = stored[0]["id"]

    response = await client.put(
        f"/candidates/{candidate_id}/{kind}",
        json={key: [{**a_valid_item(kind), "id": record_id}] * 2},
    )

    assert errors_of(response) == [("DUPLICATE", f"{key}.1.id")]
    assert await listed(client, kind, candidate_id) == stored


@pytest.mark.parametrize("kind", KINDS)
async def test_delete_of_a_record_of_another_candidate_or_workspace_is_404_and_keeps_it(
    client: httpx.AsyncClient, other: httpx.AsyncClient, kind: str
) -> None:
    key = BODY_KEY[kind]
    candidate_id = await create_candidate(client)
    sibling = await create_candidate(client, **{key: [a_valid_item(kind)]})
    foreign = await create_candidate(other, **{key: [a_valid_item(kind)]})
    sibling_record = (await listed(client, kind, sibling))[0]["id"]
    foreign_record = (await listed(other, kind, foreign))[0]["id"]

    for record_id in (sibling_record, foreign_record, "not-an-id"):
        assert_not_found(await client.delete(f"/candidates/{candidate_id}/{kind}/{record_id}"))

    assert [item["id"] for item in await listed(client, kind, sibling)] == [sibling_record]
    assert [item["id"] for item in await listed(other, kind, foreign)] == [foreign_record]


async def test_post_candidates_with_a_bad_degree_in_a_list_names_the_item_and_stores_nothing(
    client: httpx.AsyncClient, database: Database
) -> None:
    before = await stored_count(database, "education")

    response = await client.post(
        "/candidates",
        json={
            "firstName": "Jane",
            "lastName": "Roe",
            "education": [{"degree": "PhD"}, {"degree": ["MBA", "Mba"]}],
            "workExperiences": [
                {
                    "jobTitle": "Dev",
                    "startDate": "2021-01-01T00:00:00.000Z",
                    "endDate": "2020-01-01T00:00:00.000Z",
                }
            ],
        },
    )

    assert errors_of(response) == [
        ("INVALID_ENUM_VALUE", "education.1.degree.1"),
    ]
    assert await stored_count(database, "education") == before


async def test_post_candidates_with_dates_out_of_order_names_the_item(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/candidates",
        json={
            "firstName": "Jane",
            "lastName": "Roe",
            "education": [{"degree": "PhD"}],
            "workExperiences": [
                {"jobTitle": "Dev"},
                {
                    "jobTitle": "Lead",
                    "startDate": "2021-01-01T00:00:00.000Z",
                    "endDate": "2020-01-01T00:00:00.000Z",
                },
            ],
        },
    )

    assert errors_of(response) == [("TOO_SMALL", "workExperiences.1.endDate")]


EMPTY_ITEMS = [
    pytest.param("work-experiences", {}, id="work-nothing"),
    pytest.param("work-experiences", {"companyId": None, "jobTitle": None}, id="work-nulls"),
    pytest.param(
        "work-experiences",
        {
            "description": "Freelance",
            "location": {"city": "Paris"},
            "startDate": "2020-01-01T00:00:00.000Z",
        },
        id="work-no-company-no-title",
    ),
    pytest.param("education", {}, id="education-nothing"),
    pytest.param("education", {"degree": []}, id="education-no-degree"),
    pytest.param(
        "education",
        {"grade": "A", "description": "x", "endDate": "2020-01-01T00:00:00.000Z"},
        id="education-no-company-degree-or-field",
    ),
]
EMPTY_MESSAGE = {
    "work-experiences": "A work experience needs a companyId or a jobTitle",
    "education": "An education record needs a companyId, a degree or a fieldOfStudy",
}


@pytest.mark.parametrize(("kind", "item"), EMPTY_ITEMS)
async def test_an_item_naming_nothing_is_too_small_at_its_path_and_nothing_changes(
    client: httpx.AsyncClient, database: Database, kind: str, item: dict[str, Any]
) -> None:
    key = BODY_KEY[kind]
    candidate_id = await create_candidate(client, **{key: [a_valid_item(kind)]})
    stored = await listed(client, kind, candidate_id)
    before = await modified_at(database, candidate_id)
    count = await stored_count(database, kind)

    posted = await client.post(f"/candidates/{candidate_id}/{kind}", json=item)
    put = await client.put(
        f"/candidates/{candidate_id}/{kind}", json={key: [a_valid_item(kind), item]}
    )
    created = await client.post(
        "/candidates", json={"firstName": "Jane", "lastName": "Roe", key: [item]}
    )

    error = {"code": "TOO_SMALL", "message": EMPTY_MESSAGE[kind], "received": "object"}
    assert posted.status_code == 400
    assert posted.json()["errors"] == [{**error, "path": ""}]
    assert put.status_code == 400
    assert put.json()["errors"] == [{**error, "path": f"{key}.1"}]
    assert created.status_code == 400
    assert created.json()["errors"] == [{**error, "path": f"{key}.0"}]
    assert await listed(client, kind, candidate_id) == stored
    assert await modified_at(database, candidate_id) == before
    assert await stored_count(database, kind) == count


async def test_post_candidates_with_blank_history_text_names_each_field_and_stores_nothing(
    client: httpx.AsyncClient, database: Database
) -> None:
    counts = [await stored_count(database, kind) for kind in KINDS]

    response = await client.post(
        "/candidates",
        json={
            "firstName": "Jane",
            "lastName": "Roe",
            "education": [{"degree": "PhD", "fieldOfStudy": "", "grade": "  "}],
            "workExperiences": [{"jobTitle": "Dev"}, {"jobTitle": "   "}, {}],
        },
    )

    assert errors_of(response) == [
        ("TOO_SMALL", "education.0.fieldOfStudy"),
        ("TOO_SMALL", "education.0.grade"),
        ("TOO_SMALL", "workExperiences.1.jobTitle"),
        ("TOO_SMALL", "workExperiences.2"),
    ]
    assert [await stored_count(database, kind) for kind in KINDS] == counts


async def test_history_text_is_stored_trimmed(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(
        client,
        education=[
            {"fieldOfStudy": "  Physics ", "grade": " A+ ", "description": "\n Thesis\non ice \n"}
        ],
        workExperiences=[{"jobTitle": " Engineer\t", "description": "  Built things.\n"}],
    )
    added = await add(client, "work-experiences", candidate_id, jobTitle="  Lead  ")

    [education] = await listed(client, "education", candidate_id)
    experiences = await listed(client, "work-experiences", candidate_id)

    assert (education["fieldOfStudy"], education["grade"], education["description"]) == (
        "Physics",
        "A+",
        "Thesis\non ice",
    )
    assert added["jobTitle"] == "Lead"
    assert sorted((item["jobTitle"], item["description"]) for item in experiences) == [
        ("Engineer", "Built things."),
        ("Lead", None),
    ]


# ---- the migration that made ``degree`` a list ----


def test_migration_0003_turns_each_stored_degree_into_a_list_and_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'degrees.db'}"
    migrate.upgrade(url, "0002")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO workspaces (id, name, created_at) "
                    "VALUES ('w', 'w', '2024-01-01 00:00:00')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO candidates (id, workspace_id, first_name, last_name, nationality,"
                    " status, emails, phone_numbers, social_media, locations, languages,"
                    " acquisition_source, created_at, modified_at) VALUES ('c', 'w', 'A', 'B',"
                    " '[]', '[]', '[]', '[]', '[]', '[]', '[]', 'manual',"
                    " '2024-01-01 00:00:00', '2024-01-01 00:00:00')"
                )
            )
            for row_id, degree in (("e1", "'Master'"), ("e2", "NULL")):
                connection.execute(
                    text(
                        "INSERT INTO education (id, workspace_id, candidate_id, degree, created_at)"
                        f" VALUES ('{row_id}', 'w', 'c', {degree}, '2024-01-01 00:00:00')"
                    )
                )
        config = migrate.alembic_config(url)

        command.upgrade(config, "0003")
        with engine.connect() as connection:
            upgraded = dict(
                connection.execute(text("SELECT id, degrees FROM education ORDER BY id")).all()
            )
        command.downgrade(config, "0002")
        with engine.connect() as connection:
            downgraded = dict(
                connection.execute(text("SELECT id, degree FROM education ORDER BY id")).all()
            )
    finally:
        engine.dispose()

    assert upgraded == {"e1": '["Master"]', "e2": "[]"}
    assert downgraded == {"e1": "Master", "e2": None}
