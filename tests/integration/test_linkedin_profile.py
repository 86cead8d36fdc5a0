"""``PUT /candidates/{id}/linkedin-profile``: the profile behind the view's ``linkedInProfile``,
``lastLinkedinDiffAt`` and ``isDiffingLinkedin``."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from talentbase.candidates.schemas import CandidateView
from talentbase.db.engine import Database
from talentbase.linkedin.models import LinkedInProfile
from tests.conftest import NewKey, create_candidate, make_client

EMPTY = {"viewType": "candidateLinkedInProfile", "headline": None, "about": None, "skills": []}


@pytest.fixture
async def other(app: Any, new_api_key: NewKey) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a second workspace."""
    async with make_client(app, await new_api_key()) as http:
        yield http


async def put(http: httpx.AsyncClient, candidate_id: str, body: Any) -> httpx.Response:
    return await http.put(f"/candidates/{candidate_id}/linkedin-profile", json=body)


async def view_of(http: httpx.AsyncClient, candidate_id: str) -> dict[str, Any]:
    response = await http.get(f"/candidates/{candidate_id}")
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view


def linkedin_part(view: dict[str, Any]) -> dict[str, Any]:
    return {
        key: view[key]
        for key in ("linkedInProfile", "lastLinkedinDiffAt", "isDiffingLinkedin", "modifiedAt")
    }


async def profile_count(database: Database) -> int:
    async with database.transaction(write=False) as session:
        return int(await session.scalar(select(func.count()).select_from(LinkedInProfile)) or 0)


def errors_of(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 400, response.text
    assert response.json()["status"] == 400
    return [(error["code"], error["path"]) for error in response.json()["errors"]]


async def test_put_stores_the_profile_and_answers_the_candidate_view(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    before = await view_of(client, candidate_id)
    assert linkedin_part(before) == {
        "linkedInProfile": EMPTY,
        "lastLinkedinDiffAt": None,
        "isDiffingLinkedin": False,
        "modifiedAt": before["modifiedAt"],
    }

    response = await put(
        client,
        candidate_id,
        {
            "headline": "  Staff Engineer at Acme  ",
            "about": "Builds things.\nLikes tea.",
            "skills": ["Python", " PostgreSQL ", "python", "Go", "POSTGRESQL"],
        },
    )

    assert response.status_code == 200, response.text
    view = response.json()
    CandidateView.model_validate(view)
    assert view == await view_of(client, candidate_id)
    assert view["linkedInProfile"] == {
        "viewType": "candidateLinkedInProfile",
        "headline": "Staff Engineer at Acme",
        "about": "Builds things.\nLikes tea.",
        "skills": ["Python", "PostgreSQL", "Go"],
    }
    assert view["isDiffingLinkedin"] is False
    assert view["modifiedAt"] > before["modifiedAt"]
    assert view["lastLinkedinDiffAt"] == view["modifiedAt"]


async def test_an_unchanged_put_leaves_last_linkedin_diff_at_and_modified_at(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    body = {"headline": "Engineer", "about": None, "skills": ["SQL"]}
    first = (await put(client, candidate_id, body)).json()

    again = await put(client, candidate_id, {"headline": " Engineer ", "skills": ["SQL", "sql"]})

    assert again.status_code == 200, again.text
    assert linkedin_part(again.json()) == linkedin_part(first)


async def test_a_changed_put_moves_last_linkedin_diff_at_forward(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    first = (await put(client, candidate_id, {"skills": ["SQL"]})).json()

    second = (await put(client, candidate_id, {"skills": ["SQL", "Rust"]})).json()

    assert second["lastLinkedinDiffAt"] > first["lastLinkedinDiffAt"]
    assert second["lastLinkedinDiffAt"] == second["modifiedAt"]
    assert second["linkedInProfile"]["skills"] == ["SQL", "Rust"]


async def test_a_skill_respelled_is_a_change(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)
    first = (await put(client, candidate_id, {"skills": ["Postgresql"]})).json()

    second = (await put(client, candidate_id, {"skills": ["PostgreSQL"]})).json()

    assert second["linkedInProfile"]["skills"] == ["PostgreSQL"]
    assert second["lastLinkedinDiffAt"] > first["lastLinkedinDiffAt"]


async def test_keys_left_out_are_cleared_and_blank_text_is_null(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    await put(client, candidate_id, {"headline": "Engineer", "about": "Hi", "skills": ["SQL"]})

    response = await put(client, candidate_id, {"headline": "   ", "about": "\n\t"})

    assert response.status_code == 200, response.text
    assert response.json()["linkedInProfile"] == EMPTY
    assert response.json()["lastLinkedinDiffAt"] == response.json()["modifiedAt"]


async def test_an_empty_profile_on_a_candidate_without_one_changes_nothing(
    client: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await create_candidate(client)
    before = await view_of(client, candidate_id)
    profiles = await profile_count(database)

    response = await put(client, candidate_id, {"headline": None, "skills": []})

    assert response.status_code == 200, response.text
    assert response.json() == before
    assert await profile_count(database) == profiles


@pytest.mark.parametrize("candidate_id", [str(uuid.uuid4()), "not-an-id"])
async def test_an_unknown_candidate_is_404_and_nothing_is_stored(
    client: httpx.AsyncClient, database: Database, candidate_id: str
) -> None:
    profiles = await profile_count(database)

    response = await put(client, candidate_id, {"headline": "Engineer"})

    assert response.status_code == 404, response.text
    assert response.json()["status"] == 404
    assert await profile_count(database) == profiles


async def test_a_candidate_of_another_workspace_is_404_and_untouched(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    candidate_id = await create_candidate(client)
    await put(client, candidate_id, {"headline": "Secret headline"})
    before = await view_of(client, candidate_id)

    response = await put(other, candidate_id, {"headline": "Hijacked"})

    assert response.status_code == 404, response.text
    assert "Secret" not in response.text
    assert await view_of(client, candidate_id) == before


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param({"headline": "A" * 501}, [("TOO_BIG", "headline")], id="headline-long"),
        pytest.param(
            {"headline": "Line\nbreak"}, [("INVALID_STRING", "headline")], id="headline-newline"
        ),
        pytest.param({"headline": 7}, [("INVALID_TYPE", "headline")], id="headline-type"),
        pytest.param({"about": "A" * 10_001}, [("TOO_BIG", "about")], id="about-long"),
        pytest.param({"about": "bell\x07"}, [("INVALID_STRING", "about")], id="about-control"),
        pytest.param({"skills": ["SQL", "  "]}, [("TOO_SMALL", "skills.1")], id="skill-blank"),
        pytest.param({"skills": ["SQL", ""]}, [("TOO_SMALL", "skills.1")], id="skill-empty"),
        pytest.param({"skills": ["A" * 101]}, [("TOO_BIG", "skills.0")], id="skill-long"),
        pytest.param({"skills": ["SQL", 3]}, [("INVALID_TYPE", "skills.1")], id="skill-type"),
        pytest.param(
            {"skills": [f"Skill {n}" for n in range(101)]}, [("TOO_BIG", "skills")], id="too-many"
        ),
        pytest.param({"skills": None}, [("INVALID_TYPE", "skills")], id="skills-null"),
        pytest.param({"skills": "SQL"}, [("INVALID_TYPE", "skills")], id="skills-string"),
        pytest.param(
            {"headline": "Engineer", "summary": "x"},
            [("UNRECOGNIZED_KEYS", "summary")],
            id="unknown-key",
        ),
        pytest.param(
            {"isDiffingLinkedin": True},
            [("UNRECOGNIZED_KEYS", "isDiffingLinkedin")],
            id="read-only-key",
        ),
        pytest.param([], [("INVALID_TYPE", "")], id="bare-array"),
    ],
)
async def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    client: httpx.AsyncClient, body: Any, expected: list[tuple[str, str]]
) -> None:
    candidate_id = await create_candidate(client)
    await put(client, candidate_id, {"headline": "Engineer", "skills": ["SQL"]})
    before = await view_of(client, candidate_id)

    response = await put(client, candidate_id, body)

    assert errors_of(response) == expected
    assert await view_of(client, candidate_id) == before


async def test_one_hundred_skills_with_repeats_are_stored_without_the_repeats(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    skills = [f"Skill {n}" for n in range(50)] + [f"skill {n}" for n in range(50)]

    response = await put(client, candidate_id, {"skills": skills})

    assert response.status_code == 200, response.text
    assert response.json()["linkedInProfile"]["skills"] == skills[:50]


async def test_the_profile_shows_in_the_candidate_list_too(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)
    view = (await put(client, candidate_id, {"headline": "Listed", "skills": ["SQL"]})).json()

    listing = (await client.get("/candidates", params={"limit": 50})).json()

    items = [item for item in listing["items"] if item["id"] == candidate_id]
    assert items == [view]
