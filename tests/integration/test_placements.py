"""Placements through the API (issue 3, item 3): ``POST/GET/PATCH/DELETE /placements``, the
page-style list, and the candidate view's ``currentPlacements`` derived from them.

Companies are written straight into the table (``add_company``), so these tests do not depend on
the ``/clients`` routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from talentbase.candidates.models import Candidate
from talentbase.companies.models import Company
from talentbase.db.engine import Database
from talentbase.placements.models import Placement
from tests.conftest import NewKey, create_candidate, create_user, make_client

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


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


async def rename_company(database: Database, company_id: str, name: str) -> None:
    async with database.transaction(write=True) as session:
        await session.execute(update(Company).where(Company.id == company_id).values(name=name))


async def placement_count(database: Database, workspace_id: str) -> int:
    async with database.transaction(write=False) as session:
        count = await session.scalar(
            select(func.count()).where(Placement.workspace_id == workspace_id)
        )
        return int(count or 0)


async def place(http: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await http.post("/placements", json=body)
    assert response.status_code == 201, response.text
    placement: dict[str, Any] = response.json()
    return placement


async def candidate_modified_at(http: httpx.AsyncClient, candidate_id: str) -> str:
    response = await http.get(f"/candidates/{candidate_id}")
    assert response.status_code == 200, response.text
    modified: str = response.json()["modifiedAt"]
    return modified


class World:
    """A workspace with a candidate, a recruiter and a company."""

    def __init__(
        self, http: httpx.AsyncClient, workspace_id: str, candidate_id: str, user: dict[str, Any]
    ) -> None:
        self.http = http
        self.workspace_id = workspace_id
        self.candidate_id = candidate_id
        self.user = user
        self.company_id = ""


@pytest.fixture
async def world(client: httpx.AsyncClient, database: Database) -> World:
    candidate_id = await create_candidate(
        client, firstName="Ada", lastName="Lovelace", middleName="King"
    )
    user = await create_user(client, "Ann Recruiter", "ann@agency.example")
    workspace_id = await workspace_of(database, candidate_id)
    result = World(client, workspace_id, candidate_id, user)
    result.company_id = await add_company(
        database, workspace_id, "Acme", "https://acme.example/logo.png"
    )
    return result


@pytest.fixture
async def other(app: Any, new_api_key: NewKey, database: Database) -> AsyncIterator[World]:
    """A second workspace with its own candidate, recruiter and company."""
    async with make_client(app, await new_api_key()) as http:
        candidate_id = await create_candidate(http, firstName="Other", lastName="Person")
        user = await create_user(http, "Other Recruiter", "other@agency.example")
        workspace_id = await workspace_of(database, candidate_id)
        result = World(http, workspace_id, candidate_id, user)
        result.company_id = await add_company(database, workspace_id, "Other Co")
        yield result


def error(response: httpx.Response, status: int = 400) -> list[dict[str, Any]]:
    """The ``errors`` of a failed answer, after checking the status and the body's shape."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status
    assert body["requestId"] == response.headers["x-request-id"]
    errors: list[dict[str, Any]] = body.get("errors", [])
    return errors


def codes(response: httpx.Response) -> list[tuple[str, str]]:
    return [(item["code"], item["path"]) for item in error(response)]


# ---- create and read -------------------------------------------------------------------------


async def test_create_answers_the_placement_in_spotts_list_item_shape(world: World) -> None:
    start = now_s() - timedelta(days=3)
    end = start + timedelta(days=180)
    placed = start - timedelta(days=10)

    response = await world.http.post(
        "/placements",
        json={
            "candidateId": world.candidate_id,
            "companyId": world.company_id,
            "vacancyName": "  Backend Engineer ",
            "placedByUserId": world.user["userId"],
            "placedAtDate": ms(placed),
            "startDate": ms(start),
            "endDate": ms(end),
        },
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body == {
        "id": body["id"],
        "placedByUser": {
            "id": world.user["userId"],
            "name": "Ann Recruiter",
            "avatarUrl": None,
            "deactivatedAt": None,
        },
        "placedAt": ms(placed),
        "startDate": ms(start),
        "endDate": ms(end),
        "candidate": {
            "id": world.candidate_id,
            "firstName": "Ada",
            "lastName": "Lovelace",
            "middleName": "King",
            "secondLastName": None,
            "avatarUrl": None,
        },
        "company": {
            "id": world.company_id,
            "name": "Acme",
            "logoCdnUrl": "https://acme.example/logo.png",
        },
        "vacancy": {"id": None, "name": "Backend Engineer"},
        "createdAt": body["createdAt"],
        "modifiedAt": body["createdAt"],
    }
    assert (await world.http.get(f"/placements/{body['id']}")).json() == body


async def test_placed_at_defaults_to_now_and_unsent_fields_are_null(world: World) -> None:
    before = ms(datetime.now(UTC))

    body = await place(world.http, candidateId=world.candidate_id, companyId=world.company_id)

    after = ms(datetime.now(UTC))
    assert before <= body["placedAt"] <= after
    assert body["placedAt"] == body["createdAt"] == body["modifiedAt"]
    assert body["placedByUser"] is None
    assert body["vacancy"] is None
    assert body["startDate"] is None
    assert body["endDate"] is None


async def test_date_times_with_an_offset_are_stored_in_utc(world: World) -> None:
    body = await place(
        world.http,
        candidateId=world.candidate_id,
        companyId=world.company_id,
        startDate="2024-03-01T09:00:00+02:00",
        endDate="2024-09-01T00:00:00.5Z",
    )

    assert body["startDate"] == "2024-03-01T07:00:00.000Z"
    assert body["endDate"] == "2024-09-01T00:00:00.500Z"


async def test_a_placement_shows_a_deactivated_placing_user_as_deactivated(world: World) -> None:
    body = await place(
        world.http,
        candidateId=world.candidate_id,
        companyId=world.company_id,
        placedByUserId=world.user["userId"],
    )
    deactivated = await world.http.patch(
        f"/users/{world.user['userId']}", json={"deactivated": True}
    )
    assert deactivated.status_code == 200, deactivated.text

    again = (await world.http.get(f"/placements/{body['id']}")).json()

    assert again["placedByUser"] == {
        "id": world.user["userId"],
        "name": "Ann Recruiter",
        "avatarUrl": None,
        "deactivatedAt": deactivated.json()["deactivatedAt"],
    }


# ---- the candidate view ----------------------------------------------------------------------


async def test_current_placements_lists_exactly_the_placements_running_now(
    world: World, database: Database
) -> None:
    now = now_s()
    day = timedelta(days=1)
    globex = await add_company(database, world.workspace_id, "Globex")
    initech = await add_company(database, world.workspace_id, "Initech", "https://i.example/l")
    base = {"candidateId": world.candidate_id}

    await place(
        world.http,
        **base,
        companyId=globex,
        startDate=ms(now - 100 * day),
        endDate=ms(now - day),
    )  # ended yesterday
    await place(
        world.http, **base, companyId=globex, startDate=ms(now + day), endDate=ms(now + 90 * day)
    )  # starts tomorrow
    running = await place(
        world.http,
        **base,
        companyId=world.company_id,
        startDate=ms(now - 30 * day),
        endDate=ms(now + 30 * day),
    )
    open_ended = await place(
        world.http, **base, companyId=world.company_id, startDate=ms(now - 10 * day)
    )
    renamed = await place(world.http, **base, companyId=initech, startDate=ms(now - 5 * day))
    await rename_company(database, initech, "Initrode")

    view = (await world.http.get(f"/candidates/{world.candidate_id}")).json()

    assert view["currentPlacements"] == {
        "viewType": "candidateCurrentPlacements",
        "hasCurrentPlacement": True,
        "placements": [
            {
                "id": renamed["id"],
                "company": {"id": initech, "name": "Initrode", "logoUrl": "https://i.example/l"},
                "startDate": ms(now - 5 * day),
                "endDate": None,
            },
            {
                "id": open_ended["id"],
                "company": {
                    "id": world.company_id,
                    "name": "Acme",
                    "logoUrl": "https://acme.example/logo.png",
                },
                "startDate": ms(now - 10 * day),
                "endDate": None,
            },
            {
                "id": running["id"],
                "company": {
                    "id": world.company_id,
                    "name": "Acme",
                    "logoUrl": "https://acme.example/logo.png",
                },
                "startDate": ms(now - 30 * day),
                "endDate": ms(now + 30 * day),
            },
        ],
    }


async def test_no_current_placement_when_every_placement_has_ended_or_not_begun(
    world: World,
) -> None:
    now = now_s()
    day = timedelta(days=1)
    base = {"candidateId": world.candidate_id, "companyId": world.company_id}
    await place(world.http, **base, startDate=ms(now - 9 * day), endDate=ms(now - day))
    await place(world.http, **base, startDate=ms(now + day))

    view = (await world.http.get(f"/candidates/{world.candidate_id}")).json()

    assert view["currentPlacements"] == {
        "viewType": "candidateCurrentPlacements",
        "hasCurrentPlacement": False,
        "placements": [],
    }


async def test_a_placement_without_a_start_date_is_not_current(world: World) -> None:
    now = now_s()
    await place(world.http, candidateId=world.candidate_id, companyId=world.company_id)
    await place(
        world.http,
        candidateId=world.candidate_id,
        companyId=world.company_id,
        endDate=ms(now + timedelta(days=30)),
    )

    view = (await world.http.get(f"/candidates/{world.candidate_id}")).json()

    assert view["currentPlacements"]["hasCurrentPlacement"] is False
    assert view["currentPlacements"]["placements"] == []


async def test_current_placements_follow_patch_and_delete(world: World) -> None:
    now = now_s()
    created = await place(
        world.http,
        candidateId=world.candidate_id,
        companyId=world.company_id,
        startDate=ms(now - timedelta(days=3)),
    )
    path = f"/placements/{created['id']}"

    async def section() -> list[str]:
        view = (await world.http.get(f"/candidates/{world.candidate_id}")).json()
        return [item["id"] for item in view["currentPlacements"]["placements"]]

    assert await section() == [created["id"]]
    ended = await world.http.patch(path, json={"endDate": ms(now - timedelta(days=1))})
    assert ended.status_code == 200, ended.text
    assert await section() == []
    reopened = await world.http.patch(path, json={"endDate": None})
    assert reopened.status_code == 200, reopened.text
    assert await section() == [created["id"]]
    assert (await world.http.delete(path)).status_code == 204
    assert await section() == []


async def test_every_write_of_a_placement_touches_its_candidate(world: World) -> None:
    modified = await candidate_modified_at(world.http, world.candidate_id)

    created = await place(world.http, candidateId=world.candidate_id, companyId=world.company_id)
    after_create = await candidate_modified_at(world.http, world.candidate_id)
    assert after_create > modified

    path = f"/placements/{created['id']}"
    patched = await world.http.patch(path, json={"vacancyName": "Data Engineer"})
    assert patched.status_code == 200, patched.text
    after_patch = await candidate_modified_at(world.http, world.candidate_id)
    assert after_patch > after_create

    assert (await world.http.delete(path)).status_code == 204
    assert await candidate_modified_at(world.http, world.candidate_id) > after_patch


async def test_a_patch_that_changes_nothing_moves_no_modified_at(world: World) -> None:
    start = ms(now_s() - timedelta(days=2))
    created = await place(
        world.http,
        candidateId=world.candidate_id,
        companyId=world.company_id,
        vacancyName="Analyst",
        placedByUserId=world.user["userId"],
        startDate=start,
    )
    candidate_before = await candidate_modified_at(world.http, world.candidate_id)

    response = await world.http.patch(
        f"/placements/{created['id']}",
        json={
            "vacancyName": "Analyst",
            "placedByUserId": world.user["userId"],
            "startDate": start,
            "endDate": None,
            "placedAtDate": created["placedAt"],
        },
    )
    empty = await world.http.patch(f"/placements/{created['id']}", json={})

    assert response.status_code == 200, response.text
    assert response.json() == created
    assert empty.json() == created
    assert await candidate_modified_at(world.http, world.candidate_id) == candidate_before


# ---- PATCH -----------------------------------------------------------------------------------


async def test_patch_changes_the_keys_sent_and_leaves_the_others(
    world: World, database: Database
) -> None:
    now = now_s()
    second = await create_user(world.http, "Bo Recruiter", "bo@agency.example")
    created = await place(
        world.http,
        candidateId=world.candidate_id,
        companyId=world.company_id,
        vacancyName="Analyst",
        placedByUserId=world.user["userId"],
        startDate=ms(now - timedelta(days=2)),
        endDate=ms(now + timedelta(days=2)),
    )

    response = await world.http.patch(
        f"/placements/{created['id']}",
        json={
            "placedByUserId": second["userId"],
            "placedAtDate": "2024-01-02T03:04:05.678Z",
            "startDate": None,
            "vacancyName": "Senior Analyst",
        },
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["modifiedAt"] > created["modifiedAt"]
    assert body == {
        **created,
        "placedByUser": {
            "id": second["userId"],
            "name": "Bo Recruiter",
            "avatarUrl": None,
            "deactivatedAt": None,
        },
        "placedAt": "2024-01-02T03:04:05.678Z",
        "startDate": None,
        "vacancy": {"id": None, "name": "Senior Analyst"},
        "modifiedAt": body["modifiedAt"],
    }
    assert (await world.http.get(f"/placements/{created['id']}")).json() == body


async def test_null_clears_the_dates_and_the_vacancy_name(world: World) -> None:
    created = await place(
        world.http,
        candidateId=world.candidate_id,
        companyId=world.company_id,
        vacancyName="Analyst",
        startDate="2024-01-01T00:00:00.000Z",
        endDate="2024-06-01T00:00:00.000Z",
    )

    response = await world.http.patch(
        f"/placements/{created['id']}",
        json={"startDate": None, "endDate": None, "vacancyName": None},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["startDate"], body["endDate"], body["vacancy"]) == (None, None, None)


async def test_patch_applies_the_date_order_to_the_merged_placement(world: World) -> None:
    created = await place(
        world.http,
        candidateId=world.candidate_id,
        companyId=world.company_id,
        startDate="2024-03-01T00:00:00.000Z",
        endDate="2024-06-01T00:00:00.000Z",
    )
    path = f"/placements/{created['id']}"
    candidate_before = await candidate_modified_at(world.http, world.candidate_id)

    early_end = await world.http.patch(path, json={"endDate": "2024-02-01T00:00:00.000Z"})
    late_start = await world.http.patch(path, json={"startDate": "2024-07-01T00:00:00.000Z"})
    same_instant = await world.http.patch(path, json={"startDate": "2024-06-01T00:00:00.000Z"})

    # the error names the field that was sent, with the value sent
    for response, field, received in (
        (early_end, "endDate", "2024-02-01T00:00:00.000Z"),
        (late_start, "startDate", "2024-07-01T00:00:00.000Z"),
        (same_instant, "startDate", "2024-06-01T00:00:00.000Z"),
    ):
        assert error(response) == [
            {
                "code": "TOO_SMALL",
                "path": field,
                "message": "End date must be after start date",
                "received": received,
            }
        ]
        assert response.json()["message"] == "End date must be after start date"
    assert (await world.http.get(path)).json() == created
    assert await candidate_modified_at(world.http, world.candidate_id) == candidate_before

    # moving both together keeps the order, so it is accepted
    both = await world.http.patch(
        path, json={"startDate": "2024-07-01T00:00:00.000Z", "endDate": "2024-08-01T00:00:00.000Z"}
    )
    assert both.status_code == 200, both.text


async def test_patch_date_order_error_is_at_the_field_sent(world: World) -> None:
    created = await place(
        world.http,
        candidateId=world.candidate_id,
        companyId=world.company_id,
        startDate="2024-03-01T00:00:00.000Z",
        endDate="2024-06-01T00:00:00.000Z",
    )
    path = f"/placements/{created['id']}"

    start_only = await world.http.patch(path, json={"startDate": "2024-09-01T00:00:00.000Z"})
    end_only = await world.http.patch(path, json={"endDate": "2024-01-01T00:00:00.000Z"})
    both = await world.http.patch(
        path, json={"startDate": "2024-09-01T00:00:00.000Z", "endDate": "2024-08-01T00:00:00.000Z"}
    )
    start_with_other_keys = await world.http.patch(
        path, json={"startDate": "2024-09-01T00:00:00.000Z", "vacancyName": "Lead"}
    )

    assert error(start_only) == [
        {
            "code": "TOO_SMALL",
            "path": "startDate",
            "message": "End date must be after start date",
            "received": "2024-09-01T00:00:00.000Z",
        }
    ]
    assert error(end_only) == [
        {
            "code": "TOO_SMALL",
            "path": "endDate",
            "message": "End date must be after start date",
            "received": "2024-01-01T00:00:00.000Z",
        }
    ]
    assert error(both) == [
        {
            "code": "TOO_SMALL",
            "path": "endDate",
            "message": "End date must be after start date",
            "received": "2024-08-01T00:00:00.000Z",
        }
    ]
    assert codes(start_with_other_keys) == [("TOO_SMALL", "startDate")]
    assert (await world.http.get(path)).json() == created


async def test_patch_cannot_move_a_placement_to_another_candidate_or_company(
    world: World, database: Database
) -> None:
    created = await place(world.http, candidateId=world.candidate_id, companyId=world.company_id)
    other_candidate = await create_candidate(world.http, firstName="Bob", lastName="Builder")
    other_company = await add_company(database, world.workspace_id, "Globex")

    response = await world.http.patch(
        f"/placements/{created['id']}",
        json={"candidateId": other_candidate, "companyId": other_company},
    )

    assert codes(response) == [
        ("UNRECOGNIZED_KEYS", "candidateId"),
        ("UNRECOGNIZED_KEYS", "companyId"),
    ]
    assert (await world.http.get(f"/placements/{created['id']}")).json() == created


async def test_patch_bad_input_is_refused_and_changes_nothing(world: World, other: World) -> None:
    created = await place(
        world.http,
        candidateId=world.candidate_id,
        companyId=world.company_id,
        placedByUserId=world.user["userId"],
    )
    path = f"/placements/{created['id']}"
    candidate_before = await candidate_modified_at(world.http, world.candidate_id)

    cases: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
        ({"placedByUserId": UNKNOWN_ID}, [("NOT_FOUND", "placedByUserId")]),
        ({"placedByUserId": other.user["userId"]}, [("NOT_FOUND", "placedByUserId")]),
        ({"placedByUserId": None}, [("INVALID_TYPE", "placedByUserId")]),
        ({"placedAtDate": None}, [("INVALID_TYPE", "placedAtDate")]),
        ({"startDate": "2024-01-01T00:00:00"}, [("INVALID_STRING", "startDate")]),
        ({"endDate": 1700000000}, [("INVALID_TYPE", "endDate")]),
        ({"vacancyName": ["Analyst"]}, [("INVALID_TYPE", "vacancyName")]),
        ({"vacancyName": "   "}, [("TOO_SMALL", "vacancyName")]),
        ({"netFee": {"amount": 1, "currency": "EUR"}}, [("UNRECOGNIZED_KEYS", "netFee")]),
    ]
    for body, expected in cases:
        response = await world.http.patch(path, json=body)
        assert codes(response) == expected, body

    assert (await world.http.get(path)).json() == created
    assert await candidate_modified_at(world.http, world.candidate_id) == candidate_before


async def test_patch_naming_an_unknown_user_reports_it_exactly(world: World) -> None:
    created = await place(world.http, candidateId=world.candidate_id, companyId=world.company_id)

    response = await world.http.patch(
        f"/placements/{created['id']}", json={"placedByUserId": UNKNOWN_ID}
    )

    assert error(response) == [
        {
            "code": "NOT_FOUND",
            "path": "placedByUserId",
            "message": f"No user {UNKNOWN_ID} in this workspace",
            "received": UNKNOWN_ID,
        }
    ]
    assert response.json()["message"] == "Validation failed"


# ---- DELETE ----------------------------------------------------------------------------------


async def test_delete_answers_204_and_the_placement_is_gone(
    world: World, database: Database
) -> None:
    created = await place(world.http, candidateId=world.candidate_id, companyId=world.company_id)
    path = f"/placements/{created['id']}"

    response = await world.http.delete(path)

    assert response.status_code == 204
    assert response.content == b""
    assert error(await world.http.get(path), 404) == []
    assert error(await world.http.delete(path), 404) == []
    assert await placement_count(database, world.workspace_id) == 0


# ---- unknown and foreign ids -----------------------------------------------------------------


@pytest.mark.parametrize("placement_id", [UNKNOWN_ID, "not-an-id", "1"])
async def test_unknown_placement_ids_answer_404_on_every_route(
    world: World, placement_id: str
) -> None:
    path = f"/placements/{placement_id}"
    for response in (
        await world.http.get(path),
        await world.http.patch(path, json={"vacancyName": "X"}),
        await world.http.delete(path),
    ):
        assert error(response, 404) == []
        assert response.json()["message"] == f"Placement {placement_id} not found"


async def test_a_placement_of_another_workspace_answers_like_an_unknown_id(
    world: World, other: World, database: Database
) -> None:
    theirs = await place(other.http, candidateId=other.candidate_id, companyId=other.company_id)
    path = f"/placements/{theirs['id']}"

    for response in (
        await world.http.get(path),
        await world.http.patch(path, json={"vacancyName": "Hijacked"}),
        await world.http.delete(path),
    ):
        assert error(response, 404) == []
        assert response.json()["message"] == f"Placement {theirs['id']} not found"

    assert (await other.http.get(path)).json() == theirs
    listed = (await world.http.get("/placements")).json()
    assert listed == {"items": [], "pagination": {"totalItems": 0, "page": 0, "hasNextPage": False}}
    assert await placement_count(database, other.workspace_id) == 1


async def test_create_refuses_unknown_and_foreign_references_and_stores_nothing(
    world: World, other: World, database: Database
) -> None:
    candidate_before = await candidate_modified_at(world.http, world.candidate_id)
    valid = {"candidateId": world.candidate_id, "companyId": world.company_id}

    all_unknown = await world.http.post(
        "/placements",
        json={"candidateId": UNKNOWN_ID, "companyId": UNKNOWN_ID, "placedByUserId": UNKNOWN_ID},
    )
    assert error(all_unknown) == [
        {
            "code": "NOT_FOUND",
            "path": "candidateId",
            "message": f"No candidate {UNKNOWN_ID} in this workspace",
            "received": UNKNOWN_ID,
        },
        {
            "code": "NOT_FOUND",
            "path": "companyId",
            "message": f"No company {UNKNOWN_ID} in this workspace",
            "received": UNKNOWN_ID,
        },
        {
            "code": "NOT_FOUND",
            "path": "placedByUserId",
            "message": f"No user {UNKNOWN_ID} in this workspace",
            "received": UNKNOWN_ID,
        },
    ]
    assert all_unknown.json()["message"] == "Validation failed"

    cases: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
        ({**valid, "candidateId": other.candidate_id}, [("NOT_FOUND", "candidateId")]),
        ({**valid, "companyId": other.company_id}, [("NOT_FOUND", "companyId")]),
        ({**valid, "placedByUserId": other.user["userId"]}, [("NOT_FOUND", "placedByUserId")]),
        ({**valid, "companyId": "not-an-id"}, [("NOT_FOUND", "companyId")]),
        (
            {**valid, "companyId": UNKNOWN_ID, "startDate": "2024-02-01T00:00:00Z",
             "endDate": "2024-01-01T00:00:00Z"},
            [("NOT_FOUND", "companyId"), ("TOO_SMALL", "endDate")],
        ),
    ]  # fmt: skip
    for body, expected in cases:
        response = await world.http.post("/placements", json=body)
        assert codes(response) == expected, body

    assert await placement_count(database, world.workspace_id) == 0
    assert await placement_count(database, other.workspace_id) == 0
    assert await candidate_modified_at(world.http, world.candidate_id) == candidate_before


async def test_create_refuses_an_end_date_not_after_the_start_date(
    world: World, database: Database
) -> None:
    base = {"candidateId": world.candidate_id, "companyId": world.company_id}

    before = await world.http.post(
        "/placements",
        json={**base, "startDate": "2024-05-01T00:00:00.000Z", "endDate": "2024-04-30T23:59:59Z"},
    )
    same = await world.http.post(
        "/placements",
        json={
            **base,
            "startDate": "2024-05-01T02:00:00+02:00",
            "endDate": "2024-05-01T00:00:00.000Z",
        },
    )

    assert before.json() == {
        "status": 400,
        "message": "End date must be after start date",
        "requestId": before.headers["x-request-id"],
        "errors": [
            {
                "code": "TOO_SMALL",
                "path": "endDate",
                "message": "End date must be after start date",
                "received": "2024-04-30T23:59:59.000Z",
            }
        ],
    }
    assert codes(same) == [("TOO_SMALL", "endDate")]
    assert await placement_count(database, world.workspace_id) == 0


async def test_create_refuses_wrong_types_missing_and_unknown_keys(
    world: World, database: Database
) -> None:
    valid = {"candidateId": world.candidate_id, "companyId": world.company_id}
    cases: list[tuple[Any, list[tuple[str, str]]]] = [
        ({}, [("REQUIRED", "candidateId"), ("REQUIRED", "companyId")]),
        ({"candidateId": world.candidate_id}, [("REQUIRED", "companyId")]),
        ({**valid, "candidateId": 5}, [("INVALID_TYPE", "candidateId")]),
        ({**valid, "companyId": None}, [("INVALID_TYPE", "companyId")]),
        ({**valid, "placedByUserId": None}, [("INVALID_TYPE", "placedByUserId")]),
        ({**valid, "placedAtDate": None}, [("INVALID_TYPE", "placedAtDate")]),
        ({**valid, "placedAtDate": "yesterday"}, [("INVALID_STRING", "placedAtDate")]),
        ({**valid, "startDate": "2024-01-01T00:00:00"}, [("INVALID_STRING", "startDate")]),
        ({**valid, "startDate": "2024-02-30T00:00:00Z"}, [("INVALID_STRING", "startDate")]),
        ({**valid, "endDate": True}, [("INVALID_TYPE", "endDate")]),
        ({**valid, "vacancyName": 7}, [("INVALID_TYPE", "vacancyName")]),
        ({**valid, "vacancyName": "x" * 201}, [("TOO_BIG", "vacancyName")]),
        ({**valid, "netFee": {"amount": 1}}, [("UNRECOGNIZED_KEYS", "netFee")]),
        ({**valid, "candidate_id": world.candidate_id}, [("UNRECOGNIZED_KEYS", "candidate_id")]),
    ]
    for body, expected in cases:
        response = await world.http.post("/placements", json=body)
        assert codes(response) == expected, body

    not_an_object = await world.http.post("/placements", json=[valid])
    assert not_an_object.status_code == 400, not_an_object.text
    assert await placement_count(database, world.workspace_id) == 0


# ---- the list --------------------------------------------------------------------------------


async def test_list_pages_through_placements_in_modified_order(world: World) -> None:
    created = [
        await place(world.http, candidateId=world.candidate_id, companyId=world.company_id)
        for _ in range(5)
    ]
    # the oldest one changes last, so it moves in the order
    moved = await world.http.patch(f"/placements/{created[0]['id']}", json={"vacancyName": "X"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["modifiedAt"] >= created[-1]["modifiedAt"]
    expected = sorted(
        [*created[1:], moved.json()], key=lambda item: (item["modifiedAt"], item["id"])
    )

    pages = [
        (await world.http.get("/placements", params={"page": page, "pageSize": 2})).json()
        for page in range(4)
    ]

    assert [page["pagination"] for page in pages] == [
        {"totalItems": 5, "page": 0, "hasNextPage": True},
        {"totalItems": 5, "page": 1, "hasNextPage": True},
        {"totalItems": 5, "page": 2, "hasNextPage": False},
        {"totalItems": 5, "page": 3, "hasNextPage": False},
    ]
    assert [item for page in pages for item in page["items"]] == expected
    default = (await world.http.get("/placements")).json()
    assert default["items"] == expected
    assert default["pagination"] == {"totalItems": 5, "page": 0, "hasNextPage": False}


async def test_list_filters_by_company_candidate_and_modified_window(
    world: World, other: World, database: Database
) -> None:
    globex = await add_company(database, world.workspace_id, "Globex")
    bob = await create_candidate(world.http, firstName="Bob", lastName="Builder")
    first = await place(world.http, candidateId=world.candidate_id, companyId=world.company_id)
    second = await place(world.http, candidateId=bob, companyId=globex)
    third = await place(world.http, candidateId=bob, companyId=world.company_id)
    await place(other.http, candidateId=other.candidate_id, companyId=other.company_id)

    async def ids(**params: str) -> list[str]:
        response = await world.http.get("/placements", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["pagination"]["totalItems"] == len(body["items"])
        return [item["id"] for item in body["items"]]

    # several may share a millisecond, so the order expected is computed from the answers
    mine = sorted([first, second, third], key=lambda item: (item["modifiedAt"], item["id"]))

    def where(**wanted: str) -> list[str]:
        return [
            p["id"] for p in mine if all(p[key]["id"] == value for key, value in wanted.items())
        ]

    assert await ids(companyId=world.company_id) == where(company=world.company_id)
    assert set(where(company=world.company_id)) == {first["id"], third["id"]}
    assert await ids(companyId=globex) == [second["id"]]
    assert await ids(candidateId=bob) == where(candidate=bob)
    assert set(where(candidate=bob)) == {second["id"], third["id"]}
    assert await ids(candidateId=bob, companyId=world.company_id) == [third["id"]]
    at = second["modifiedAt"]
    assert await ids(modifiedSince=at) == [p["id"] for p in mine if p["modifiedAt"] >= at]
    assert await ids(modifiedUntil=at) == [p["id"] for p in mine if p["modifiedAt"] <= at]
    assert await ids(modifiedSince=at, modifiedUntil=at) == [
        p["id"] for p in mine if p["modifiedAt"] == at
    ]
    assert second["id"] in await ids(modifiedSince=at, modifiedUntil=at)
    assert await ids(modifiedSince="2999-01-01T00:00:00Z") == []
    # ids that name nothing here (unknown, another workspace's, malformed) match nothing
    assert await ids(companyId=UNKNOWN_ID) == []
    assert await ids(companyId=other.company_id) == []
    assert await ids(candidateId=other.candidate_id) == []
    assert await ids(candidateId="not-an-id") == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"page": "-1"}, ("TOO_SMALL", "page")),
        ({"page": "10001"}, ("TOO_BIG", "page")),
        ({"page": "one"}, ("INVALID_TYPE", "page")),
        ({"pageSize": "0"}, ("TOO_SMALL", "pageSize")),
        ({"pageSize": "101"}, ("TOO_BIG", "pageSize")),
        ({"pageSize": "2.5"}, ("INVALID_TYPE", "pageSize")),
        ({"modifiedSince": "2024-01-01"}, ("INVALID_STRING", "modifiedSince")),
        ({"modifiedUntil": "soon"}, ("INVALID_STRING", "modifiedUntil")),
    ],
)
async def test_list_refuses_bad_query_parameters(
    world: World, params: dict[str, str], expected: tuple[str, str]
) -> None:
    response = await world.http.get("/placements", params=params)

    assert codes(response) == [expected]


async def test_list_accepts_the_edges_of_the_page_ranges(world: World) -> None:
    await place(world.http, candidateId=world.candidate_id, companyId=world.company_id)

    last_page = await world.http.get("/placements", params={"page": 10000, "pageSize": 100})
    single = await world.http.get("/placements", params={"page": 0, "pageSize": 1})

    assert last_page.json() == {
        "items": [],
        "pagination": {"totalItems": 1, "page": 10000, "hasNextPage": False},
    }
    assert single.json()["pagination"] == {"totalItems": 1, "page": 0, "hasNextPage": False}
    assert len(single.json()["items"]) == 1


# ---- documentation ---------------------------------------------------------------------------


async def test_every_placement_route_is_documented_with_its_statuses(world: World) -> None:
    document = (await world.http.get("/openapi.json")).json()
    expected = {
        ("/placements", "post"): {
            "201",
            "400",
            "401",
            "409",
            "413",
            "415",
            "422",
            "429",
            "500",
            "503",
        },
        ("/placements", "get"): {"200", "400", "401", "429", "500", "503"},
        ("/placements/{id}", "get"): {"200", "401", "404", "429", "500", "503"},
        ("/placements/{id}", "patch"): {
            "200",
            "400",
            "401",
            "404",
            "413",
            "415",
            "429",
            "500",
            "503",
        },
        ("/placements/{id}", "delete"): {"204", "400", "401", "404", "429", "500", "503"},
    }

    for (path, method), statuses in expected.items():
        operation = document["paths"][path][method]
        assert set(operation["responses"]) == statuses, (path, method)
        assert operation["summary"]
    patch_schema = document["components"]["schemas"]["PlacementPatch"]
    assert set(patch_schema["properties"]) == {
        "placedByUserId",
        "placedAtDate",
        "startDate",
        "endDate",
        "vacancyName",
    }
    assert patch_schema["additionalProperties"] is False
