"""Users (recruiters): create, list, deactivate; a user is ``{userId, name, email, avatarUrl,
deactivatedAt}`` wherever it appears (API.md §2.3)."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import create_candidate, create_user, make_client

USER_KEYS = ["userId", "name", "email", "avatarUrl", "deactivatedAt"]
MS_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def unique_email(local: str = "ann") -> str:
    return f"{local}-{uuid.uuid4().hex[:12]}@agency.example"


def single_error(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == 400
    assert body["requestId"] == response.headers["x-request-id"]
    assert len(body["errors"]) == 1, body
    error: dict[str, Any] = body["errors"][0]
    return error


def parse_ms_utc(value: str) -> datetime:
    assert MS_UTC.match(value), value
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


async def test_create_user_answers_201_with_the_user_object(client: httpx.AsyncClient) -> None:
    email = unique_email()

    response = await client.post(
        "/users",
        json={"name": "Ann Recruiter", "email": email, "avatarUrl": "https://img.example/a.png"},
    )

    assert response.status_code == 201, response.text
    user = response.json()
    assert list(user) == USER_KEYS
    assert isinstance(user["userId"], str) and user["userId"]
    assert user == {
        "userId": user["userId"],
        "name": "Ann Recruiter",
        "email": email,
        "avatarUrl": "https://img.example/a.png",
        "deactivatedAt": None,
    }
    fetched = await client.get(f"/users/{user['userId']}")
    assert fetched.status_code == 200
    assert fetched.json() == user


async def test_create_user_without_avatar_has_null_avatar_url(client: httpx.AsyncClient) -> None:
    user = await create_user(client, "  Bob Recruiter  ", unique_email("bob"))

    assert user["avatarUrl"] is None
    assert user["deactivatedAt"] is None
    assert user["name"] == "Bob Recruiter"


async def test_users_are_told_apart_by_id_not_email(client: httpx.AsyncClient) -> None:
    # users do not sign in (API keys do): two recruiters may share a team mailbox
    email = unique_email()
    first = await create_user(client, "Ann Recruiter", email)
    second = await create_user(client, "Ann Again", email.upper())

    assert first["userId"] != second["userId"]
    listed = (await client.get("/users")).json()["users"]
    assert {user["userId"] for user in listed} == {first["userId"], second["userId"]}


@pytest.mark.parametrize(
    "email", ["not-an-email", "ann@", "@agency.example", "ann agency@example.com", "ann@@x.example"]
)
async def test_invalid_email_is_a_400_invalid_string_at_email(
    client: httpx.AsyncClient, email: str
) -> None:
    response = await client.post("/users", json={"name": "Ann Recruiter", "email": email})

    error = single_error(response)
    assert (error["code"], error["path"]) == ("INVALID_STRING", "email")
    assert (await client.get("/users")).json() == {"users": []}


async def test_unknown_key_in_user_body_is_unrecognized_keys(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/users", json={"name": "Ann Recruiter", "email": unique_email(), "role": "admin"}
    )

    error = single_error(response)
    assert error["code"] == "UNRECOGNIZED_KEYS"
    assert error["path"] == "role"
    assert (await client.get("/users")).json() == {"users": []}


async def test_snake_case_key_in_user_body_is_unrecognized(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/users",
        json={"name": "Ann", "email": unique_email(), "avatar_url": "https://img.example/a.png"},
    )

    error = single_error(response)
    assert (error["code"], error["path"]) == ("UNRECOGNIZED_KEYS", "avatar_url")


async def test_missing_name_is_required(client: httpx.AsyncClient) -> None:
    response = await client.post("/users", json={"email": unique_email()})

    error = single_error(response)
    assert (error["code"], error["path"]) == ("REQUIRED", "name")


async def test_users_list_answers_only_active_users_wrapped_in_users(
    client: httpx.AsyncClient,
) -> None:
    ann = await create_user(client, "Ann Recruiter", unique_email("ann"))
    bob = await create_user(client, "Bob Recruiter", unique_email("bob"))
    gone = await create_user(client, "Cid Recruiter", unique_email("cid"))
    await client.patch(f"/users/{gone['userId']}", json={"deactivated": True})

    response = await client.get("/users/_list")

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["users"]
    assert sorted(body["users"], key=lambda user: user["name"]) == [ann, bob]
    for user in body["users"]:
        assert list(user) == USER_KEYS


async def test_deactivating_a_user_sets_deactivated_at_in_millisecond_utc(
    client: httpx.AsyncClient,
) -> None:
    user = await create_user(client, "Ann Recruiter", unique_email())
    before = datetime.now(UTC)

    response = await client.patch(f"/users/{user['userId']}", json={"deactivated": True})

    after = datetime.now(UTC)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert list(updated) == USER_KEYS
    assert {**updated, "deactivatedAt": None} == user
    deactivated_at = parse_ms_utc(updated["deactivatedAt"])
    assert before - timedelta(seconds=1) <= deactivated_at <= after + timedelta(seconds=1)
    assert (await client.get(f"/users/{user['userId']}")).json() == updated


async def test_deactivated_user_leaves_the_active_lists_but_include_deactivated_shows_it(
    client: httpx.AsyncClient,
) -> None:
    active = await create_user(client, "Ann Recruiter", unique_email("ann"))
    user = await create_user(client, "Bob Recruiter", unique_email("bob"))
    deactivated = (
        await client.patch(f"/users/{user['userId']}", json={"deactivated": True})
    ).json()

    active_list = (await client.get("/users/_list")).json()["users"]
    default_list = (await client.get("/users")).json()["users"]
    full_list = (await client.get("/users", params={"includeDeactivated": "true"})).json()["users"]
    explicit_false = (await client.get("/users", params={"includeDeactivated": "false"})).json()

    assert active_list == [active]
    assert default_list == [active]
    assert explicit_false["users"] == [active]
    assert sorted(full_list, key=lambda u: u["name"]) == [active, deactivated]
    assert deactivated["deactivatedAt"] is not None


async def test_reactivating_a_user_clears_deactivated_at(client: httpx.AsyncClient) -> None:
    user = await create_user(client, "Ann Recruiter", unique_email())
    await client.patch(f"/users/{user['userId']}", json={"deactivated": True})

    response = await client.patch(f"/users/{user['userId']}", json={"deactivated": False})

    assert response.status_code == 200, response.text
    assert response.json() == user
    assert (await client.get("/users/_list")).json() == {"users": [user]}


async def test_deactivating_twice_keeps_the_first_deactivated_at(
    client: httpx.AsyncClient,
) -> None:
    user = await create_user(client, "Ann Recruiter", unique_email())
    first = (await client.patch(f"/users/{user['userId']}", json={"deactivated": True})).json()

    second = await client.patch(f"/users/{user['userId']}", json={"deactivated": True})

    assert second.status_code == 200
    assert second.json() == first


@pytest.mark.parametrize("value", ["maybe", "", "tru"])
async def test_include_deactivated_that_is_not_a_boolean_is_a_400_naming_it(
    client: httpx.AsyncClient, value: str
) -> None:
    response = await client.get("/users", params={"includeDeactivated": value})

    error = single_error(response)
    assert error["path"] == "includeDeactivated"
    assert error["code"] == "INVALID_TYPE"


async def test_main_contact_who_is_deactivated_shows_deactivated_at_in_the_candidate_view(
    client: httpx.AsyncClient,
) -> None:
    user = await create_user(client, "Ann Recruiter", unique_email())
    candidate_id = await create_candidate(client, mainContact={"userId": user["userId"]})
    deactivated = (
        await client.patch(f"/users/{user['userId']}", json={"deactivated": True})
    ).json()

    view = (await client.get(f"/candidates/{candidate_id}")).json()

    assert view["mainContact"] == {"viewType": "candidateMainContact", "user": deactivated}
    assert list(view["mainContact"]["user"]) == USER_KEYS
    assert MS_UTC.match(view["mainContact"]["user"]["deactivatedAt"])


async def test_last_interaction_with_a_deactivated_user_shows_deactivated_at(
    client: httpx.AsyncClient,
) -> None:
    user = await create_user(client, "Ann Recruiter", unique_email())
    candidate_id = await create_candidate(client, lastInteractionWithId=user["userId"])
    deactivated = (
        await client.patch(f"/users/{user['userId']}", json={"deactivated": True})
    ).json()

    view = (await client.get(f"/candidates/{candidate_id}")).json()

    assert view["lastInteractionWith"] == {
        "viewType": "candidateLastInteractionWith",
        "user": deactivated,
    }


async def test_unknown_user_id_is_404_in_spott_shape(client: httpx.AsyncClient) -> None:
    missing = str(uuid.uuid4())

    response = await client.get(f"/users/{missing}")

    assert response.status_code == 404
    body = response.json()
    assert body["status"] == 404
    assert body["requestId"] == response.headers["x-request-id"]
    assert "errors" not in body


@pytest.mark.parametrize(
    "name",
    ["\ufb2c" * 100, "a\u001bb", "a\x7fb", "a\nb", "evil\u202etxt.exe"],
    ids=["grows-past-200-under-NFC", "escape", "delete", "newline", "bidi-override"],
)
async def test_user_names_that_are_too_long_after_nfc_or_hold_controls_are_refused(
    client: httpx.AsyncClient, name: str
) -> None:
    response = await client.post("/users", json={"name": name, "email": unique_email()})
    assert response.status_code == 400
    assert [e["path"] for e in response.json()["errors"]] == ["name"]
    assert (await client.get("/users")).json() == {"users": []}


async def test_parallel_deactivations_agree_on_one_deactivated_at(
    client: httpx.AsyncClient,
) -> None:
    user = await create_user(client, "Ann Recruiter", unique_email())
    answers = await asyncio.gather(
        *(client.patch(f"/users/{user['userId']}", json={"deactivated": True}) for _ in range(10))
    )
    assert {answer.status_code for answer in answers} == {200}
    stamps = {answer.json()["deactivatedAt"] for answer in answers}
    assert len(stamps) == 1
    assert (await client.get(f"/users/{user['userId']}")).json()["deactivatedAt"] in stamps


# ---- a change to a user moves the modifiedAt of every candidate whose view shows it -----------


def ms_after(value: str) -> str:
    """The API time one millisecond after ``value``."""
    moment = parse_ms_utc(value) + timedelta(milliseconds=1)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


async def candidate_view(http: httpx.AsyncClient, candidate_id: str) -> dict[str, Any]:
    response = await http.get(f"/candidates/{candidate_id}")
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view


async def ids_modified_since(http: httpx.AsyncClient, since: str) -> list[str]:
    response = await http.get("/candidates", params={"modifiedSince": since, "limit": 50})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["pageInfo"]["hasNextPage"] is False
    return [item["id"] for item in body["items"]]


async def note_by(http: httpx.AsyncClient, user_id: str, candidate_id: str, source: str) -> None:
    response = await http.post(
        "/notes",
        json={
            "content": "Spoke about the role",
            "source": source,
            "links": [{"entityType": "candidate", "entityId": candidate_id}],
        },
        headers={"x-on-behalf-of": user_id},
    )
    assert response.status_code == 201, response.text


async def task_for(http: httpx.AsyncClient, user_id: str, candidate_id: str) -> str:
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    response = await http.post(
        "/tasks/_raw",
        json={
            "content": "Check in",
            "dueDate": due.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "assignedToUserId": user_id,
            "links": [{"entityType": "candidate", "entityId": candidate_id}],
        },
    )
    assert response.status_code == 201, response.text
    task_id: str = response.json()["id"]
    return task_id


# how a candidate's view comes to show a user, and the section that shows it
WAYS = {
    "main-contact": "mainContact",
    "last-interaction-with-id": "lastInteractionWith",
    "interaction-note": "lastInteractionWith",
    "open-task": "nextInteractionWith",
}


async def candidate_showing(http: httpx.AsyncClient, way: str, user_id: str) -> str:
    """A new candidate whose view shows the user in ``way``."""
    if way == "main-contact":
        return await create_candidate(http, mainContact={"userId": user_id})
    if way == "last-interaction-with-id":
        return await create_candidate(http, lastInteractionWithId=user_id)
    candidate_id = await create_candidate(http)
    if way == "interaction-note":
        await note_by(http, user_id, candidate_id, "phone")
    else:
        await task_for(http, user_id, candidate_id)
    return candidate_id


@pytest.mark.parametrize("way", list(WAYS))
async def test_renaming_a_user_moves_the_modified_at_of_candidates_showing_it(
    client: httpx.AsyncClient, way: str
) -> None:
    user = await create_user(client, "Ann Recruiter", unique_email())
    bystander = await create_candidate(client, lastName="Bystander")
    candidate_id = await candidate_showing(client, way, user["userId"])
    before = await candidate_view(client, candidate_id)
    bystander_before = await candidate_view(client, bystander)
    assert before[WAYS[way]]["user"] == user

    response = await client.patch(f"/users/{user['userId']}", json={"name": "Ann Renamed"})

    assert response.status_code == 200, response.text
    renamed = response.json()
    assert renamed == {**user, "name": "Ann Renamed"}
    after = await candidate_view(client, candidate_id)
    assert after[WAYS[way]]["user"] == renamed
    assert parse_ms_utc(after["modifiedAt"]) > parse_ms_utc(before["modifiedAt"])
    assert await ids_modified_since(client, ms_after(before["modifiedAt"])) == [candidate_id]
    assert await candidate_view(client, bystander) == bystander_before


@pytest.mark.parametrize(
    "changes",
    [
        {"email": "ann.new@agency.example"},
        {"avatarUrl": "https://img.example/ann.png"},
        {"deactivated": True},
    ],
    ids=["email", "avatar", "deactivate"],
)
@pytest.mark.parametrize("way", list(WAYS))
async def test_every_kind_of_user_change_moves_the_candidates_showing_it(
    client: httpx.AsyncClient, way: str, changes: dict[str, Any]
) -> None:
    user = await create_user(client, "Ann Recruiter", unique_email())
    candidate_id = await candidate_showing(client, way, user["userId"])
    before = await candidate_view(client, candidate_id)

    response = await client.patch(f"/users/{user['userId']}", json=changes)

    assert response.status_code == 200, response.text
    after = await candidate_view(client, candidate_id)
    assert after[WAYS[way]]["user"] == response.json()
    assert after[WAYS[way]]["user"] != user
    assert parse_ms_utc(after["modifiedAt"]) > parse_ms_utc(before["modifiedAt"])
    assert await ids_modified_since(client, ms_after(before["modifiedAt"])) == [candidate_id]


@pytest.mark.parametrize("way", list(WAYS))
async def test_reactivating_a_user_moves_the_candidates_showing_it(
    client: httpx.AsyncClient, way: str
) -> None:
    user = await create_user(client, "Ann Recruiter", unique_email())
    candidate_id = await candidate_showing(client, way, user["userId"])
    await client.patch(f"/users/{user['userId']}", json={"deactivated": True})
    before = await candidate_view(client, candidate_id)
    assert before[WAYS[way]]["user"]["deactivatedAt"] is not None

    response = await client.patch(f"/users/{user['userId']}", json={"deactivated": False})

    assert response.status_code == 200, response.text
    after = await candidate_view(client, candidate_id)
    assert after[WAYS[way]]["user"] == user
    assert parse_ms_utc(after["modifiedAt"]) > parse_ms_utc(before["modifiedAt"])
    assert await ids_modified_since(client, ms_after(before["modifiedAt"])) == [candidate_id]


async def test_a_patch_that_changes_nothing_moves_no_candidate(client: httpx.AsyncClient) -> None:
    email = unique_email()
    user = await create_user(client, "Ann Recruiter", email)
    shown = [await candidate_showing(client, way, user["userId"]) for way in WAYS]
    before = {candidate_id: await candidate_view(client, candidate_id) for candidate_id in shown}
    latest = max(view["modifiedAt"] for view in before.values())

    for body in (
        {},
        {"name": "Ann Recruiter", "email": email},
        {"avatarUrl": None},
        {"deactivated": False},
    ):
        response = await client.patch(f"/users/{user['userId']}", json=body)
        assert response.status_code == 200, response.text
        assert response.json() == user

    for candidate_id, view in before.items():
        assert await candidate_view(client, candidate_id) == view
    assert await ids_modified_since(client, ms_after(latest)) == []


async def test_a_user_change_leaves_candidates_that_do_not_show_the_user(
    client: httpx.AsyncClient,
) -> None:
    ann = await create_user(client, "Ann Recruiter", unique_email("ann"))
    bob = await create_user(client, "Bob Recruiter", unique_email("bob"))
    others = await create_candidate(client, mainContact={"userId": bob["userId"]})
    attempted = await create_candidate(client)
    await note_by(client, ann["userId"], attempted, "callAttempted")  # not an interaction
    done = await create_candidate(client)
    task_id = await task_for(client, ann["userId"], done)
    completed = await client.patch(f"/tasks/{task_id}", json={"isCompleted": True})
    assert completed.status_code == 200, completed.text
    before = {
        candidate_id: await candidate_view(client, candidate_id)
        for candidate_id in (others, attempted, done)
    }
    latest = max(view["modifiedAt"] for view in before.values())

    response = await client.patch(f"/users/{ann['userId']}", json={"name": "Ann Renamed"})

    assert response.status_code == 200, response.text
    for candidate_id, view in before.items():
        assert await candidate_view(client, candidate_id) == view
    assert await ids_modified_since(client, ms_after(latest)) == []


async def test_a_user_change_never_touches_another_workspaces_candidates(
    client: httpx.AsyncClient, app: Any, new_api_key: Any
) -> None:
    user = await create_user(client, "Ann Recruiter", unique_email())
    async with make_client(app, await new_api_key()) as other:
        theirs = await create_candidate(other)
        their_view = await candidate_view(other, theirs)

        response = await client.patch(f"/users/{user['userId']}", json={"name": "Ann Renamed"})

        assert response.status_code == 200, response.text
        assert await candidate_view(other, theirs) == their_view


# ---- PATCH /users/{id}: bad input -------------------------------------------------------------


async def test_patch_user_with_a_bad_email_is_a_400_at_email_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    user = await create_user(client, "Ann Recruiter", unique_email())
    candidate_id = await create_candidate(client, mainContact={"userId": user["userId"]})
    before = await candidate_view(client, candidate_id)

    response = await client.patch(
        f"/users/{user['userId']}", json={"name": "Ann Renamed", "email": "not-an-email"}
    )

    error = single_error(response)
    assert (error["code"], error["path"], error["received"]) == (
        "INVALID_STRING",
        "email",
        "not-an-email",
    )
    assert (await client.get(f"/users/{user['userId']}")).json() == user
    assert await candidate_view(client, candidate_id) == before


@pytest.mark.parametrize(
    ("body", "code", "path"),
    [
        ({"role": "admin"}, "UNRECOGNIZED_KEYS", "role"),
        ({"name": ""}, "TOO_SMALL", "name"),
        ({"name": None}, "INVALID_TYPE", "name"),
        ({"deactivated": "yes"}, "INVALID_TYPE", "deactivated"),
        ({"avatarUrl": "not a url"}, "INVALID_STRING", "avatarUrl"),
    ],
)
async def test_patch_user_with_bad_input_is_a_400_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], code: str, path: str
) -> None:
    user = await create_user(client, "Ann Recruiter", unique_email())

    response = await client.patch(f"/users/{user['userId']}", json=body)

    error = single_error(response)
    assert (error["code"], error["path"]) == (code, path)
    assert (await client.get(f"/users/{user['userId']}")).json() == user
