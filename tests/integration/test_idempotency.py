"""Idempotent POSTs (issue 5 §2): ``Idempotency-Key`` on every POST route. The same key and the
same request within 24 hours answer the first answer again and do nothing else; a different
request with the key is a 422; a request still in flight with the key makes a retry wait, then
409. Keys are per workspace. Exactly once even when the server dies mid-request: the crash
cases are set up by writing claim rows directly."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
import structlog.testing
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from talentbase.app import create_app
from talentbase.candidates import service as candidates_service
from talentbase.db import types as db_types
from talentbase.db.engine import Database
from talentbase.idempotency import repository as idempotency_repository
from talentbase.idempotency.middleware import ANSWER_LOST, IN_PROGRESS, IdempotencyMiddleware
from talentbase.idempotency.models import COMMITTED, DONE, IN_FLIGHT, IdempotencyKey
from talentbase.idempotency.service import Policy
from talentbase.settings import Settings
from talentbase.workspaces import service as workspaces
from talentbase.workspaces.models import Workspace
from tests.conftest import NewKey, make_client, workspace_id_of
from tests.integration.test_attachments import PDF_TYPE, minimal_pdf
from tests.status_coverage import OBSERVED

KEY = "Idempotency-Key"
REPLAYED = "idempotent-replayed"
# the headers a replay repeats; request id and rate-limit headers are the replay's own
STORED = ("content-type", "etag", "location", "x-duplicates")
JSON_TYPE = {"content-type": "application/json"}


def new_key() -> str:
    return f"key-{uuid.uuid4()}"


def person(last_name: str) -> dict[str, Any]:
    return {"firstName": "Ida", "lastName": last_name}


def unique_name() -> str:
    """A letters-only last name no other test uses."""
    return "Idem" + "".join(chr(ord("a") + int(d, 16) % 26) for d in uuid.uuid4().hex[:12])


async def candidate_ids(http: httpx.AsyncClient) -> list[str]:
    """Every candidate id of the client's workspace (tests make fewer than 50)."""
    response = await http.get("/candidates", params={"limit": "50"})
    assert response.status_code == 200, response.text
    assert response.json()["pageInfo"]["hasNextPage"] is False
    return [item["id"] for item in response.json()["items"]]


async def claim_of(database: Database, workspace_id: str, key: str) -> IdempotencyKey | None:
    async with database.transaction(write=False) as session:
        return await idempotency_repository.get(session, workspace_id, key)


async def change_claim(database: Database, workspace_id: str, key: str, **values: Any) -> None:
    async with database.transaction(write=True) as session:
        await session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.workspace_id == workspace_id, IdempotencyKey.key == key)
            .values(**values)
        )


def middleware_of(app: Any) -> IdempotencyMiddleware:
    """The app's idempotency middleware (its stack is built by the first request)."""
    layer = app.middleware_stack
    while layer is not None and not isinstance(layer, IdempotencyMiddleware):
        layer = getattr(layer, "app", None)
    assert layer is not None, "no idempotency middleware in the stack"
    return layer


@pytest.fixture
async def workspace(app: Any, database: Database, new_api_key: NewKey) -> Any:
    """A client of a new workspace and the workspace's id."""
    api_key = await new_api_key()
    async with make_client(app, api_key) as http:
        yield http, await workspace_id_of(database, api_key)


@pytest.fixture
def short_wait(app: Any, monkeypatch: pytest.MonkeyPatch) -> Policy:
    """A retry waits 0.3 s instead of 2 s for an attempt in flight."""
    policy = Policy(wait_seconds=0.3, poll_seconds=0.02)
    monkeypatch.setattr(middleware_of(app), "policy", policy)
    return policy


def assert_same_answer(first: httpx.Response, again: httpx.Response) -> None:
    assert again.status_code == first.status_code
    assert again.content == first.content
    for name in STORED:
        assert again.headers.get(name) == first.headers.get(name), name
    assert again.headers[REPLAYED] == "true"
    assert REPLAYED not in first.headers
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert "ratelimit-remaining" in again.headers


def reused_body(response: httpx.Response, key: str) -> dict[str, Any]:
    return {
        "status": 422,
        "message": "Idempotency-Key was already used for a different request",
        "requestId": response.headers["x-request-id"],
        "errors": [
            {
                "code": "IDEMPOTENCY_KEY_REUSED",
                "path": "Idempotency-Key",
                "message": "This key was used within the last 24 hours for a request with "
                "another method, path, query or body; use a new key for a new request",
                "received": key,
            }
        ],
    }


def conflict_body(response: httpx.Response, message: str) -> dict[str, Any]:
    return {"status": 409, "message": message, "requestId": response.headers["x-request-id"]}


# ---- replays --------------------------------------------------------------------------------


async def test_twenty_parallel_creates_with_one_key_make_one_candidate_and_twenty_same_answers(
    client: httpx.AsyncClient,
) -> None:
    key = new_key()
    body = person(unique_name())

    answers = await asyncio.gather(
        *(client.post("/candidates", json=body, headers={KEY: key}) for _ in range(20))
    )

    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.content for answer in answers}) == 1
    for name in STORED:
        assert len({answer.headers.get(name) for answer in answers}) == 1, name
    assert sorted(answer.headers.get(REPLAYED, "") for answer in answers) == [""] + ["true"] * 19
    assert await candidate_ids(client) == [answers[0].json()]
    fetched = await client.get(f"/candidates/{answers[0].json()}")
    assert fetched.json()["name"]["lastName"] == body["lastName"]


async def test_a_retry_gets_the_first_answer_and_makes_nothing(client: httpx.AsyncClient) -> None:
    key = new_key()
    body = person(unique_name())

    first = await client.post("/candidates", json=body, headers={KEY: key})
    again = await client.post("/candidates", json=body, headers={KEY: key})

    assert first.status_code == 201, first.text
    assert_same_answer(first, again)
    assert await candidate_ids(client) == [first.json()]


async def test_the_answer_is_stored_before_it_is_sent(workspace: Any, database: Database) -> None:
    http, workspace_id = workspace
    key = new_key()

    first = await http.post("/candidates", json=person(unique_name()), headers={KEY: key})

    claim = await claim_of(database, workspace_id, key)
    assert claim is not None
    assert (claim.state, claim.response_status, claim.response_body) == (
        DONE,
        201,
        first.content,
    )
    assert dict(claim.response_headers or []) == {"content-type": "application/json"} | {
        name: first.headers[name] for name in STORED if name in first.headers
    }


async def test_a_4xx_answer_is_kept_and_replayed_even_after_the_cause_is_fixed(
    client: httpx.AsyncClient, app: Any
) -> None:
    key = new_key()
    body = {"firstName": "Ida"}

    first = await client.post("/candidates", json=body, headers={KEY: key})
    again = await client.post("/candidates", json=body, headers={KEY: key})
    fixed = await client.post("/candidates", json=person(unique_name()), headers={KEY: key})

    assert first.status_code == 400
    assert first.json()["errors"][0]["path"] == "lastName"
    assert_same_answer(first, again)
    assert again.json()["requestId"] == first.headers["x-request-id"]  # exactly the first answer
    assert fixed.status_code == 422
    assert fixed.json() == reused_body(fixed, key)
    assert await candidate_ids(client) == []


async def test_posts_without_the_header_are_not_deduplicated(client: httpx.AsyncClient) -> None:
    body = person(unique_name())

    first = await client.post("/candidates", json=body)
    second = await client.post("/candidates", json=body)

    assert first.status_code == second.status_code == 201
    assert first.json() != second.json()
    assert REPLAYED not in first.headers and REPLAYED not in second.headers
    assert sorted(await candidate_ids(client)) == sorted([first.json(), second.json()])


async def test_keys_are_per_workspace(app: Any, new_api_key: NewKey) -> None:
    key = new_key()
    body = person(unique_name())
    async with (
        make_client(app, await new_api_key()) as http_a,
        make_client(app, await new_api_key()) as http_b,
    ):
        in_a = await http_a.post("/candidates", json=body, headers={KEY: key})
        in_b = await http_b.post("/candidates", json=body, headers={KEY: key})
        other_body_in_b = await http_b.post(
            "/candidates", json=person(unique_name()), headers={KEY: new_key()}
        )

        assert in_a.status_code == in_b.status_code == other_body_in_b.status_code == 201
        assert in_a.json() != in_b.json()
        assert REPLAYED not in in_b.headers
        assert await candidate_ids(http_a) == [in_a.json()]
        assert sorted(await candidate_ids(http_b)) == sorted([in_b.json(), other_body_in_b.json()])


async def test_two_api_keys_of_one_workspace_share_their_idempotency_keys(
    workspace: Any, app: Any, database: Database
) -> None:
    http, workspace_id = workspace
    async with database.transaction(write=True) as session:
        found = await session.get(Workspace, workspace_id)
        assert found is not None
        second = await workspaces.issue_key(session, app.state.key_hasher, found.name, "second")
    key = new_key()
    body = person(unique_name())

    first = await http.post("/candidates", json=body, headers={KEY: key})
    async with make_client(app, second.secret) as other:
        again = await other.post("/candidates", json=body, headers={KEY: key})

    assert_same_answer(first, again)
    assert await candidate_ids(http) == [first.json()]


async def test_an_upload_is_replayed_though_the_multipart_boundary_differs(
    client: httpx.AsyncClient,
) -> None:
    key = new_key()
    files = {"files": ("cv.pdf", minimal_pdf(), PDF_TYPE)}

    first = await client.post(
        "/attachments", params={"type": "CV"}, files=files, headers={KEY: key}
    )
    again = await client.post(
        "/attachments", params={"type": "CV"}, files=files, headers={KEY: key}
    )
    other_file = await client.post(
        "/attachments",
        params={"type": "CV"},
        files={"files": ("cv.pdf", minimal_pdf("Someone Else"), PDF_TYPE)},
        headers={KEY: key},
    )
    listed = await client.get("/attachments")

    assert first.status_code == 201, first.text
    # httpx picks a new boundary for every request
    assert first.request.headers["content-type"] != again.request.headers["content-type"]
    assert_same_answer(first, again)
    assert other_file.status_code == 422
    assert other_file.json() == reused_body(other_file, key)
    assert [item["attachmentId"] for item in listed.json()["items"]] == [
        first.json()[0]["attachmentId"]
    ]


# ---- a different request with the key -------------------------------------------------------


async def test_same_key_with_a_different_body_is_a_422_and_creates_nothing(
    client: httpx.AsyncClient,
) -> None:
    key = new_key()
    first = await client.post("/candidates", json=person(unique_name()), headers={KEY: key})

    other = await client.post("/candidates", json=person(unique_name()), headers={KEY: key})
    again = await client.post(
        "/candidates", content=first.request.content, headers={KEY: key, **JSON_TYPE}
    )

    assert first.status_code == 201
    assert other.status_code == 422
    assert other.json() == reused_body(other, key)
    assert REPLAYED not in other.headers
    assert_same_answer(first, again)  # the key still answers for its own request
    assert await candidate_ids(client) == [first.json()]


async def test_same_key_on_another_route_or_query_is_a_422(client: httpx.AsyncClient) -> None:
    key = new_key()
    first = await client.post(
        "/users", json={"name": "Ann", "email": "ann@x.example"}, headers={KEY: key}
    )

    on_candidates = await client.post("/candidates", json=person(unique_name()), headers={KEY: key})
    with_a_query = await client.post(
        "/users",
        params={"x": "1"},
        json={"name": "Ann", "email": "ann@x.example"},
        headers={KEY: key},
    )
    reformatted = await client.post(
        "/users",
        content=b'{"name": "Ann", "email": "ann@x.example"}',
        headers={KEY: key, **JSON_TYPE},
    )

    assert first.status_code == 201, first.text
    for response in (on_candidates, with_a_query, reformatted):
        assert response.status_code == 422
        assert response.json() == reused_body(response, key)
    assert await candidate_ids(client) == []
    assert len((await client.get("/users")).json()["users"]) == 1


async def test_a_different_acting_user_is_a_different_request(
    client: httpx.AsyncClient,
) -> None:
    users = [
        (await client.post("/users", json={"name": name, "email": f"{name}@x.example"})).json()
        for name in ("ann", "bob")
    ]
    key = new_key()
    body = {"content": "Call back", "dueDate": "2030-01-01T00:00:00.000Z"}

    first = await client.post(
        "/tasks/_raw", json=body, headers={KEY: key, "x-on-behalf-of": users[0]["userId"]}
    )
    as_bob = await client.post(
        "/tasks/_raw", json=body, headers={KEY: key, "x-on-behalf-of": users[1]["userId"]}
    )

    assert first.status_code == 201, first.text
    assert as_bob.status_code == 422
    assert as_bob.json() == reused_body(as_bob, key)


# ---- the header ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["", " ", "a b", "x" * 256, "tab\tkey", "ключ", "a\x7f"],
    ids=["empty", "space", "inner-space", "256-chars", "tab", "non-ascii", "del"],
)
async def test_a_malformed_key_is_a_400_naming_the_header_and_creates_nothing(
    client: httpx.AsyncClient, value: str
) -> None:
    response = await client.post(
        "/candidates",
        json=person(unique_name()),
        headers=[(KEY.encode(), value.encode("utf-8"))],
    )

    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "Validation failed"
    [error] = body["errors"]
    assert error["code"] == "INVALID_STRING"
    assert error["path"] == "Idempotency-Key"
    assert error["message"] == (
        "Idempotency-Key must be 1 to 255 visible ASCII characters (no spaces or control "
        "characters)"
    )
    assert await candidate_ids(client) == []


async def test_two_key_headers_are_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/candidates",
        json=person(unique_name()),
        headers=[(b"Idempotency-Key", b"one"), (b"Idempotency-Key", b"two")],
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "INVALID_STRING",
            "path": "Idempotency-Key",
            "message": "Send one Idempotency-Key header",
            "received": "2 headers",
        }
    ]
    assert await candidate_ids(client) == []


async def test_a_key_of_255_visible_characters_is_accepted(client: httpx.AsyncClient) -> None:
    key = "".join(chr(33 + index % 94) for index in range(255))

    first = await client.post("/candidates", json=person(unique_name()), headers={KEY: key})
    again = await client.post(
        "/candidates", content=first.request.content, headers={KEY: key, **JSON_TYPE}
    )

    assert first.status_code == 201
    assert_same_answer(first, again)


async def test_an_unknown_or_missing_api_key_is_still_a_401(app: Any) -> None:
    for api_key in (None, "tb_unknown-key-of-nobody"):
        async with make_client(app, api_key) as http:
            response = await http.post(
                "/candidates", json=person(unique_name()), headers={KEY: "not checked"}
            )
        assert response.status_code == 401, api_key
        assert REPLAYED not in response.headers


async def test_the_header_is_ignored_on_other_methods(client: httpx.AsyncClient) -> None:
    key = new_key()
    created = await client.post("/candidates", json=person(unique_name()), headers={KEY: key})
    candidate_id = created.json()

    patched = [
        await client.patch(
            f"/candidates/{candidate_id}", json={"middleName": name}, headers={KEY: key}
        )
        for name in ("One", "Two")
    ]

    assert [response.status_code for response in patched] == [200, 200]
    assert patched[1].json()["name"]["middleName"] == "Two"
    assert REPLAYED not in patched[1].headers


# ---- the 24-hour window ----------------------------------------------------------------------


async def test_a_key_answers_for_24_hours_then_runs_again(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = new_key()
    body = person(unique_name())
    first = await client.post("/candidates", json=body, headers={KEY: key})
    started = db_types.utcnow()

    monkeypatch.setattr(db_types, "utcnow", lambda: started + timedelta(hours=24, seconds=-5))
    within = await client.post("/candidates", json=body, headers={KEY: key})
    monkeypatch.setattr(db_types, "utcnow", lambda: started + timedelta(hours=24, seconds=1))
    after = await client.post("/candidates", json=body, headers={KEY: key})
    after_again = await client.post("/candidates", json=body, headers={KEY: key})

    assert_same_answer(first, within)
    assert after.status_code == 201
    assert REPLAYED not in after.headers
    assert after.json() != first.json()
    assert_same_answer(after, after_again)
    assert sorted(await candidate_ids(client)) == sorted([first.json(), after.json()])


async def test_an_expired_key_may_be_reused_for_a_different_request(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = new_key()
    await client.post("/candidates", json=person(unique_name()), headers={KEY: key})
    later = db_types.utcnow() + timedelta(hours=25)

    monkeypatch.setattr(db_types, "utcnow", lambda: later)
    other = await client.post("/candidates", json=person(unique_name()), headers={KEY: key})

    assert other.status_code == 201
    assert len(await candidate_ids(client)) == 2


async def test_expired_keys_are_purged(
    workspace: Any, app: Any, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    http, workspace_id = workspace
    old_key, fresh_key = new_key(), new_key()
    await http.post("/candidates", json=person(unique_name()), headers={KEY: old_key})
    later = db_types.utcnow() + timedelta(hours=23)
    monkeypatch.setattr(db_types, "utcnow", lambda: later)
    await http.post("/candidates", json=person(unique_name()), headers={KEY: fresh_key})
    monkeypatch.setattr(middleware_of(app), "_last_purge", None)

    monkeypatch.setattr(db_types, "utcnow", lambda: later + timedelta(hours=2))
    await http.post("/candidates", json=person(unique_name()), headers={KEY: new_key()})

    assert await claim_of(database, workspace_id, old_key) is None
    assert await claim_of(database, workspace_id, fresh_key) is not None


async def test_purging_runs_at_most_once_a_minute(
    workspace: Any, app: Any, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    http, workspace_id = workspace
    key = new_key()
    await http.post("/candidates", json=person(unique_name()), headers={KEY: key})
    now = db_types.utcnow() + timedelta(hours=25)
    monkeypatch.setattr(middleware_of(app), "_last_purge", now - timedelta(seconds=30))

    monkeypatch.setattr(db_types, "utcnow", lambda: now)
    await http.post("/candidates", json=person(unique_name()), headers={KEY: new_key()})
    kept = await claim_of(database, workspace_id, key)
    monkeypatch.setattr(db_types, "utcnow", lambda: now + timedelta(seconds=31))
    await http.post("/candidates", json=person(unique_name()), headers={KEY: new_key()})

    assert kept is not None
    assert await claim_of(database, workspace_id, key) is None


# ---- 5xx answers are not kept ----------------------------------------------------------------


async def test_a_500_is_not_kept_and_a_retry_runs_again(
    workspace: Any, app: Any, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    http, workspace_id = workspace
    key = new_key()
    body = person(unique_name())
    real_create = candidates_service.create_candidate
    calls = 0

    async def failing_once(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("boom")
        return await real_create(*args, **kwargs)

    monkeypatch.setattr(candidates_service, "create_candidate", failing_once)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://talentbase.test", headers=http.headers
    ) as raw:
        # captured, not rendered: a rendered traceback of this deep stack takes seconds
        with structlog.testing.capture_logs() as logs:
            failed = await raw.post("/candidates", json=body, headers={KEY: key})
        released = await claim_of(database, workspace_id, key)
        retried = await raw.post("/candidates", json=body, headers={KEY: key})

    assert failed.status_code == 500
    assert [entry["event"] for entry in logs] == ["unhandled_error"]
    assert released is None
    assert retried.status_code == 201, retried.text
    assert REPLAYED not in retried.headers
    assert await candidate_ids(http) == [retried.json()]


async def test_a_503_is_not_kept_and_a_retry_runs_again(
    workspace: Any, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    http, workspace_id = workspace
    key = new_key()
    body = person(unique_name())
    real_create = candidates_service.create_candidate

    async def unavailable(*_args: Any, **_kwargs: Any) -> Any:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(candidates_service, "create_candidate", unavailable)
    failed = await http.post("/candidates", json=body, headers={KEY: key})
    monkeypatch.setattr(candidates_service, "create_candidate", real_create)
    retried = await http.post("/candidates", json=body, headers={KEY: key})

    assert failed.status_code == 503
    assert retried.status_code == 201
    assert REPLAYED not in retried.headers
    assert await candidate_ids(http) == [retried.json()]
    claim = await claim_of(database, workspace_id, key)
    assert claim is not None and claim.state == DONE


async def test_a_claim_the_database_cannot_take_is_a_503_and_runs_nothing(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unavailable(*_args: Any, **_kwargs: Any) -> Any:
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(idempotency_repository, "get", unavailable)
    response = await client.post(
        "/candidates", json=person(unique_name()), headers={KEY: new_key()}
    )
    monkeypatch.undo()

    assert response.status_code == 503
    assert response.json() == {
        "status": 503,
        "message": "The database is unavailable; nothing was changed. Retry shortly.",
        "requestId": response.headers["x-request-id"],
    }
    assert response.headers["retry-after"] == "1"
    assert await candidate_ids(client) == []


# ---- in flight -------------------------------------------------------------------------------


async def first_then_in_flight(
    http: httpx.AsyncClient, database: Database, workspace_id: str, key: str, **claim: Any
) -> httpx.Response:
    """Sends a create with ``key``, then sets its claim back to a live attempt in flight (as if
    another process were running the same request now)."""
    first = await http.post("/candidates", json=person("Inflight"), headers={KEY: key})
    assert first.status_code == 201
    in_flight = {
        "state": IN_FLIGHT,
        "token": str(uuid.uuid4()),
        "lease_expires_at": db_types.utcnow() + timedelta(seconds=30),
        "response_status": None,
        "response_headers": None,
        "response_body": None,
    }
    await change_claim(database, workspace_id, key, **{**in_flight, **claim})
    return first


async def test_a_retry_while_the_first_is_in_flight_waits_then_answers_409(
    workspace: Any, database: Database, short_wait: Policy
) -> None:
    http, workspace_id = workspace
    key = new_key()
    await first_then_in_flight(http, database, workspace_id, key)
    loop = asyncio.get_running_loop()

    started = loop.time()
    response = await http.post("/candidates", json=person("Inflight"), headers={KEY: key})
    waited = loop.time() - started

    assert response.status_code == 409
    assert response.json() == conflict_body(response, IN_PROGRESS)
    assert response.headers["retry-after"] == "1"
    assert waited >= short_wait.wait_seconds
    assert len(await candidate_ids(http)) == 1


async def test_the_default_wait_for_an_attempt_in_flight_is_about_two_seconds(
    workspace: Any, database: Database
) -> None:
    http, workspace_id = workspace
    key = new_key()
    await first_then_in_flight(http, database, workspace_id, key)
    loop = asyncio.get_running_loop()

    started = loop.time()
    response = await http.post("/candidates", json=person("Inflight"), headers={KEY: key})
    waited = loop.time() - started

    assert response.status_code == 409
    assert 2.0 <= waited < 3.5


async def test_a_retry_waiting_for_the_first_gets_its_answer_when_it_lands(
    workspace: Any, database: Database
) -> None:
    http, workspace_id = workspace
    key = new_key()
    first = await first_then_in_flight(http, database, workspace_id, key)

    async def finish_later() -> None:
        await asyncio.sleep(0.3)
        await change_claim(
            database,
            workspace_id,
            key,
            state=DONE,
            response_status=201,
            response_headers=[
                [name, first.headers[name]] for name in STORED if name in first.headers
            ],
            response_body=first.content,
        )

    finisher = asyncio.create_task(finish_later())
    retry = await http.post("/candidates", json=person("Inflight"), headers={KEY: key})
    await finisher

    assert_same_answer(first, retry)
    assert len(await candidate_ids(http)) == 1


async def test_a_committed_attempt_still_storing_its_answer_is_waited_for(
    workspace: Any, database: Database, short_wait: Policy
) -> None:
    http, workspace_id = workspace
    key = new_key()
    await first_then_in_flight(http, database, workspace_id, key, state=COMMITTED)

    response = await http.post("/candidates", json=person("Inflight"), headers={KEY: key})

    assert response.status_code == 409
    assert response.json() == conflict_body(response, IN_PROGRESS)
    assert len(await candidate_ids(http)) == 1


async def test_a_different_request_does_not_wait_for_the_attempt_in_flight(
    workspace: Any, database: Database
) -> None:
    http, workspace_id = workspace
    key = new_key()
    await first_then_in_flight(http, database, workspace_id, key)
    loop = asyncio.get_running_loop()

    started = loop.time()
    response = await http.post("/candidates", json=person("Other"), headers={KEY: key})

    assert response.status_code == 422
    assert loop.time() - started < 1.0


# ---- crashes ---------------------------------------------------------------------------------


async def test_an_attempt_that_died_before_committing_is_run_again(
    workspace: Any, database: Database
) -> None:
    """The claim is in flight, its lease over: the process died before its transaction
    committed, so nothing was made and the retry runs."""
    http, workspace_id = workspace
    key = new_key()
    body = person(unique_name())
    dead = db_types.utcnow() - timedelta(seconds=40)
    probe = await http.post("/candidates", json=body, headers={KEY: key})
    await http.delete(f"/candidates/{probe.json()}")
    await change_claim(
        database,
        workspace_id,
        key,
        state=IN_FLIGHT,
        token=str(uuid.uuid4()),
        created_at=dead,
        lease_expires_at=dead + timedelta(seconds=30),
        response_status=None,
        response_headers=None,
        response_body=None,
    )

    retry = await http.post("/candidates", json=body, headers={KEY: key})

    assert retry.status_code == 201
    assert REPLAYED not in retry.headers
    assert await candidate_ids(http) == [retry.json()]
    claim = await claim_of(database, workspace_id, key)
    assert claim is not None
    assert (claim.state, claim.response_body) == (DONE, retry.content)


async def test_an_attempt_that_died_after_committing_is_never_run_again(
    workspace: Any, database: Database
) -> None:
    """The claim is committed (with the change) but its answer was never stored, its lease
    over: the process died between the commit and storing the answer. The retry is told so,
    and no second candidate is made."""
    http, workspace_id = workspace
    key = new_key()
    body = person(unique_name())
    first = await http.post("/candidates", json=body, headers={KEY: key})
    dead = db_types.utcnow() - timedelta(seconds=1)
    await change_claim(
        database,
        workspace_id,
        key,
        state=COMMITTED,
        lease_expires_at=dead,
        response_status=None,
        response_headers=None,
        response_body=None,
    )

    retry = await http.post("/candidates", json=body, headers={KEY: key})
    retry_again = await http.post("/candidates", json=body, headers={KEY: key})

    assert retry.status_code == retry_again.status_code == 409
    assert retry.json() == conflict_body(retry, ANSWER_LOST)
    assert "retry-after" not in retry.headers
    assert await candidate_ids(http) == [first.json()]


async def test_the_claim_is_marked_committed_in_the_requests_own_transaction(
    workspace: Any, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the commit and storing the answer the claim says ``committed`` and the
    candidate exists: both or neither."""
    http, workspace_id = workspace
    key = new_key()
    seen: list[tuple[str | None, int]] = []
    real_store = idempotency_repository.store_answer

    async def look_then_store(*args: Any, **kwargs: Any) -> bool:
        claim = await claim_of(database, workspace_id, key)
        seen.append((claim.state if claim else None, len(await candidate_ids(http))))
        return await real_store(*args, **kwargs)

    monkeypatch.setattr(idempotency_repository, "store_answer", look_then_store)
    created = await http.post("/candidates", json=person(unique_name()), headers={KEY: key})

    assert created.status_code == 201
    assert seen == [(COMMITTED, 1)]


async def test_a_failed_request_leaves_its_claim_uncommitted(
    workspace: Any, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    http, workspace_id = workspace
    key = new_key()
    seen: list[str | None] = []
    real_store = idempotency_repository.store_answer

    async def look_then_store(*args: Any, **kwargs: Any) -> bool:
        claim = await claim_of(database, workspace_id, key)
        seen.append(claim.state if claim else None)
        return await real_store(*args, **kwargs)

    monkeypatch.setattr(idempotency_repository, "store_answer", look_then_store)
    refused = await http.post("/candidates", json={"firstName": "Ida"}, headers={KEY: key})

    assert refused.status_code == 400
    assert seen == [IN_FLIGHT]


async def test_an_attempt_whose_claim_was_taken_over_commits_nothing(
    workspace: Any, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An attempt slower than its lease: another took the key over meanwhile. The slow one's
    transaction finds the claim no longer its own at commit time and rolls back."""
    http, workspace_id = workspace
    key = new_key()
    real_claim = IdempotencyMiddleware._claim

    async def claim_then_lose_it(self: IdempotencyMiddleware, *args: Any) -> Any:
        claimed = await real_claim(self, *args)
        await change_claim(database, workspace_id, key, token=str(uuid.uuid4()))
        return claimed

    monkeypatch.setattr(IdempotencyMiddleware, "_claim", claim_then_lose_it)
    response = await http.post("/candidates", json=person(unique_name()), headers={KEY: key})

    assert response.status_code == 409
    assert response.json() == conflict_body(response, IN_PROGRESS)
    assert await candidate_ids(http) == []
    claim = await claim_of(database, workspace_id, key)
    assert claim is not None and claim.state == IN_FLIGHT


async def test_an_answer_that_could_not_be_stored_is_still_sent_and_never_repeated(
    workspace: Any, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    http, _ = workspace
    key = new_key()
    body = person(unique_name())
    real_store = idempotency_repository.store_answer

    async def unavailable(*_args: Any, **_kwargs: Any) -> bool:
        raise OperationalError("UPDATE", {}, Exception("server closed the connection"))

    monkeypatch.setattr(idempotency_repository, "store_answer", unavailable)
    created = await http.post("/candidates", json=body, headers={KEY: key})
    monkeypatch.setattr(idempotency_repository, "store_answer", real_store)
    later = db_types.utcnow() + timedelta(minutes=1)
    monkeypatch.setattr(db_types, "utcnow", lambda: later)
    retry = await http.post("/candidates", json=body, headers={KEY: key})

    assert created.status_code == 201
    assert retry.status_code == 409
    assert retry.json() == conflict_body(retry, ANSWER_LOST)
    assert await candidate_ids(http) == [created.json()]


# ---- every POST route ------------------------------------------------------------------------


def _post_routes() -> list[tuple[str, dict[str, Any]]]:
    document = create_app(Settings(database_url="sqlite:///unused.db")).openapi()
    return [
        (path, item["post"]) for path, item in sorted(document["paths"].items()) if "post" in item
    ]


POST_ROUTES = _post_routes()


def _request_of(path: str, operation: dict[str, Any]) -> dict[str, Any]:
    """Some request to the route: any answer but a 5xx is kept and replayed."""
    url = re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)
    content = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        return {"url": url, "files": {"files": ("notes.txt", b"not a CV", "text/plain")}}
    if "application/json" in content:
        return {"url": url, "content": b"{}", "headers": JSON_TYPE}
    return {"url": url}


@pytest.mark.parametrize(("path", "operation"), POST_ROUTES, ids=[path for path, _ in POST_ROUTES])
async def test_every_post_route_replays_refuses_reuse_and_waits_for_the_attempt_in_flight(
    workspace: Any, database: Database, short_wait: Policy, path: str, operation: dict[str, Any]
) -> None:
    http, workspace_id = workspace
    request = _request_of(path, operation)
    headers = {**request.pop("headers", {})}
    key, busy_key = new_key(), new_key()

    first = await http.post(**request, headers={**headers, KEY: key})
    again = await http.post(**request, headers={**headers, KEY: key})
    reused = await http.post(**request, params={"other": "query"}, headers={**headers, KEY: key})
    busy_first = await http.post(**request, headers={**headers, KEY: busy_key})
    await change_claim(
        database,
        workspace_id,
        busy_key,
        state=IN_FLIGHT,
        lease_expires_at=db_types.utcnow() + timedelta(seconds=30),
    )
    busy = await http.post(**request, headers={**headers, KEY: busy_key})

    assert first.status_code < 500, first.text
    assert busy_first.status_code == first.status_code
    assert_same_answer(first, again)
    assert reused.status_code == 422
    assert reused.json() == reused_body(reused, key)
    assert busy.status_code == 409
    assert busy.json() == conflict_body(busy, IN_PROGRESS)
    # answered before routing, yet counted (metrics, access log) under the POST route itself
    assert {(path, "post", "409"), (path, "post", "422")} <= OBSERVED


async def test_every_post_operation_documents_the_header_and_its_answers() -> None:
    assert POST_ROUTES
    for path, operation in POST_ROUTES:
        [parameter] = [p for p in operation["parameters"] if p["name"] == KEY]
        assert parameter["in"] == "header" and parameter["required"] is False, path
        assert parameter["schema"]["maxLength"] == 255
        assert "IDEMPOTENCY_KEY_REUSED" in operation["responses"]["422"]["description"], path
        assert KEY in operation["responses"]["409"]["description"], path
        for status, response in operation["responses"].items():
            if status.startswith("2"):
                assert "Idempotent-Replayed" in response["headers"], (path, status)


async def test_a_replayed_create_repeats_its_duplicates_header(client: httpx.AsyncClient) -> None:
    email = {"email": "twin@example.com", "isPrimary": True}
    await client.post(
        "/candidates", json={"firstName": "Ann", "lastName": "Twin", "emails": [email]}
    )
    body = {"firstName": "Bea", "lastName": "Twin", "emails": [email]}
    headers = {"Idempotency-Key": "twin-create-1"}
    first = await client.post("/candidates", json=body, headers=headers)
    replay = await client.post("/candidates", json=body, headers=headers)
    assert first.status_code == replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    assert replay.headers["x-duplicates"] == first.headers["x-duplicates"]
    assert '"twin@example.com"' in first.headers["x-duplicates"]
