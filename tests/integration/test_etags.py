"""Optimistic concurrency (issue 5 §1): every answer about one candidate carries a strong ETag
that changes with every stored change (its own fields and every related record its view
shows); ``If-Match`` on PATCH and DELETE answers 412 and changes nothing when the candidate has
moved on; ``If-None-Match`` on GET answers 304. On PostgreSQL the concurrent tests truly race
(row locks); on SQLite writers are serialised, and the same rules hold."""

from __future__ import annotations

import asyncio
import random
import re
from typing import Any

import httpx

from tests.conftest import create_candidate, create_user

STALE = '"00000000000000000000000000000000"'
PRECONDITION_MESSAGE = (
    "The candidate changed since you read it: If-Match does not match its current ETag. "
    "Nothing was changed; read it again and retry"
)


async def etag_of(client: httpx.AsyncClient, candidate_id: str) -> str:
    response = await client.get(f"/candidates/{candidate_id}")
    assert response.status_code == 200, response.text
    return response.headers["ETag"]


async def history_versions(client: httpx.AsyncClient, candidate_id: str) -> list[int]:
    response = await client.get(f"/candidates/{candidate_id}/history", params={"limit": 50})
    assert response.status_code == 200, response.text
    versions = [item["version"] for item in response.json()["items"]]
    while response.json()["pageInfo"]["hasNextPage"]:
        cursor = response.json()["pageInfo"]["nextCursor"]
        response = await client.get(
            f"/candidates/{candidate_id}/history", params={"limit": 50, "cursor": cursor}
        )
        versions += [item["version"] for item in response.json()["items"]]
    return versions


def assert_precondition_failed(response: httpx.Response, sent: str, current: str) -> None:
    assert response.status_code == 412, response.text
    assert response.headers["ETag"] == current
    body = response.json()
    assert body == {
        "status": 412,
        "message": PRECONDITION_MESSAGE,
        "requestId": response.headers["x-request-id"],
        "errors": [
            {
                "code": "PRECONDITION_FAILED",
                "path": "If-Match",
                "message": PRECONDITION_MESSAGE,
                "received": sent,
            }
        ],
        "etag": current,
    }


# --- the ETag itself ----------------------------------------------------------------------


async def test_every_answer_about_a_candidate_carries_the_same_strong_etag(
    client: httpx.AsyncClient,
) -> None:
    created = await client.post("/candidates", json={"firstName": "Ada", "lastName": "King"})
    assert created.status_code == 201
    candidate_id = created.json()
    tag = created.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', tag)  # strong: no W/ prefix
    assert await etag_of(client, candidate_id) == tag
    assert await etag_of(client, candidate_id) == tag  # reading changes nothing

    patched = await client.patch(f"/candidates/{candidate_id}", json={"middleName": "Byron"})
    assert patched.status_code == 200
    assert patched.headers["ETag"] != tag
    assert await etag_of(client, candidate_id) == patched.headers["ETag"]


async def test_etags_of_two_candidates_at_the_same_version_differ(
    client: httpx.AsyncClient,
) -> None:
    first, second = await create_candidate(client), await create_candidate(client)
    assert await etag_of(client, first) != await etag_of(client, second)


async def test_a_no_op_patch_keeps_the_etag(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client, gender="female")
    tag = await etag_of(client, candidate_id)
    for body in ({}, {"gender": "female"}, {"firstName": "Jane"}):
        response = await client.patch(f"/candidates/{candidate_id}", json=body)
        assert response.status_code == 200
        assert response.headers["ETag"] == tag


# --- If-Match -------------------------------------------------------------------------------


async def test_the_first_patch_wins_and_the_second_with_the_same_etag_gets_412(
    app: Any, client: httpx.AsyncClient
) -> None:
    candidate_id = await create_candidate(client, middleName="Original")
    second_client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://talentbase.test",
        headers={"x-api-key": client.headers["x-api-key"]},
    )
    async with second_client:
        tag_first = await etag_of(client, candidate_id)
        tag_second = await etag_of(second_client, candidate_id)
        assert tag_first == tag_second

        first = await client.patch(
            f"/candidates/{candidate_id}",
            json={"middleName": "First"},
            headers={"If-Match": tag_first},
        )
        assert first.status_code == 200
        second = await second_client.patch(
            f"/candidates/{candidate_id}",
            json={"middleName": "Second", "gender": "x"},
            headers={"If-Match": tag_second},
        )
    assert_precondition_failed(second, tag_second, first.headers["ETag"])
    stored = (await client.get(f"/candidates/{candidate_id}")).json()
    assert stored["name"]["middleName"] == "First"
    assert stored["gender"]["gender"] is None
    assert stored == first.json()


async def test_a_failed_precondition_changes_nothing_not_even_modified_at(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    before = (await client.get(f"/candidates/{candidate_id}")).json()
    tag = await etag_of(client, candidate_id)
    response = await client.patch(
        f"/candidates/{candidate_id}", json={"gender": "male"}, headers={"If-Match": STALE}
    )
    assert_precondition_failed(response, STALE, tag)
    assert (await client.get(f"/candidates/{candidate_id}")).json() == before
    assert await history_versions(client, candidate_id) == [1]


async def test_a_stale_if_match_is_answered_before_references_are_checked(
    client: httpx.AsyncClient,
) -> None:
    """The body's shape is checked first (400), then the precondition (412) under the row
    lock, and only then the database rules such as user references."""
    candidate_id = await create_candidate(client)
    tag = await etag_of(client, candidate_id)
    unknown_user = "7d4f0a9e-3b7c-4f5e-9a1d-2c3b4a5d6e7f"
    response = await client.patch(
        f"/candidates/{candidate_id}",
        json={"mainContact": {"userId": unknown_user}},
        headers={"If-Match": STALE},
    )
    assert_precondition_failed(response, STALE, tag)
    response = await client.patch(
        f"/candidates/{candidate_id}", json={"gender": "robot"}, headers={"If-Match": STALE}
    )
    assert response.status_code == 400


async def test_if_match_accepts_a_list_a_star_and_an_unquoted_tag(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    names = iter(["Anna", "Bea", "Cleo"])
    for header in (
        lambda tag: f"{STALE}, {tag}",
        lambda tag: "*",
        lambda tag: tag.strip('"'),
    ):
        tag = await etag_of(client, candidate_id)
        response = await client.patch(
            f"/candidates/{candidate_id}",
            json={"middleName": next(names)},
            headers={"If-Match": header(tag)},
        )
        assert response.status_code == 200, response.text
        assert response.headers["ETag"] != tag
    assert (await client.get(f"/candidates/{candidate_id}")).json()["name"]["middleName"] == "Cleo"


async def test_a_weak_tag_never_matches_if_match(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)
    tag = await etag_of(client, candidate_id)
    response = await client.patch(
        f"/candidates/{candidate_id}", json={"gender": "x"}, headers={"If-Match": f"W/{tag}"}
    )
    assert_precondition_failed(response, f"W/{tag}", tag)


async def test_a_no_op_patch_with_a_stale_etag_is_still_refused(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    tag = await etag_of(client, candidate_id)
    response = await client.patch(
        f"/candidates/{candidate_id}", json={}, headers={"If-Match": STALE}
    )
    assert_precondition_failed(response, STALE, tag)


async def test_if_match_on_an_unknown_candidate_is_404(client: httpx.AsyncClient) -> None:
    unknown = "7d4f0a9e-3b7c-4f5e-9a1d-2c3b4a5d6e7f"
    response = await client.patch(
        f"/candidates/{unknown}", json={"gender": "x"}, headers={"If-Match": "*"}
    )
    assert response.status_code == 404
    response = await client.delete(f"/candidates/{unknown}", headers={"If-Match": "*"})
    assert response.status_code == 404


async def test_delete_with_a_stale_etag_is_412_and_keeps_the_candidate(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    tag = await etag_of(client, candidate_id)
    await client.patch(f"/candidates/{candidate_id}", json={"gender": "x"})
    current = await etag_of(client, candidate_id)
    response = await client.delete(f"/candidates/{candidate_id}", headers={"If-Match": tag})
    assert_precondition_failed(response, tag, current)
    assert (await client.get(f"/candidates/{candidate_id}")).status_code == 200

    response = await client.delete(f"/candidates/{candidate_id}", headers={"If-Match": current})
    assert response.status_code == 204
    assert (await client.get(f"/candidates/{candidate_id}")).status_code == 404


async def test_writes_without_if_match_behave_as_before(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)
    await client.patch(f"/candidates/{candidate_id}", json={"gender": "x"})
    response = await client.patch(f"/candidates/{candidate_id}", json={"gender": "male"})
    assert response.status_code == 200
    assert response.json()["gender"]["gender"] == "male"
    assert (await client.delete(f"/candidates/{candidate_id}")).status_code == 204


# --- concurrency ------------------------------------------------------------------------------


async def test_of_50_concurrent_patches_with_the_same_etag_exactly_one_wins(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    tag = await etag_of(client, candidate_id)
    answers = await asyncio.gather(
        *(
            client.patch(
                f"/candidates/{candidate_id}",
                json={"middleName": "Writer " + chr(ord("A") + n % 26) * (n // 26 + 1)},
                headers={"If-Match": tag},
            )
            for n in range(50)
        )
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] + [412] * 49, [a.text for a in answers if a.status_code >= 500]
    winner = next(answer for answer in answers if answer.status_code == 200)
    for answer in answers:
        if answer.status_code == 412:
            assert answer.json()["etag"] == winner.headers["ETag"]
    stored = (await client.get(f"/candidates/{candidate_id}")).json()
    assert stored == winner.json()
    assert await history_versions(client, candidate_id) == [2, 1]


async def test_50_concurrent_read_modify_write_clients_lose_no_update(
    client: httpx.AsyncClient,
) -> None:
    """Each writer adds its own email: read, append, PATCH with If-Match, and on 412 read again.
    Every writer's email ends up stored, and the history holds exactly the successful PATCHes,
    one version each, each adding one email to what the previous one stored."""
    candidate_id = await create_candidate(client)
    jitter = random.Random(5)

    async def writer(n: int) -> None:
        for _ in range(1000):
            read = await client.get(f"/candidates/{candidate_id}")
            emails = [
                {"email": item["email"], "purpose": item["purpose"]}
                for item in read.json()["emails"]["emails"]
            ]
            response = await client.patch(
                f"/candidates/{candidate_id}",
                json={"emails": [*emails, {"email": f"writer{n}@example.com"}]},
                headers={"If-Match": read.headers["ETag"]},
            )
            if response.status_code == 200:
                return
            assert response.status_code == 412, response.text
            # back off with jitter, as a real client would, so the test stays quick
            await asyncio.sleep(jitter.random() * 0.5)
        raise AssertionError(f"writer {n} never got its change in")

    await asyncio.gather(*(writer(n) for n in range(50)))

    stored = (await client.get(f"/candidates/{candidate_id}")).json()["emails"]["emails"]
    assert sorted(item["email"] for item in stored) == sorted(
        f"writer{n}@example.com" for n in range(50)
    )
    history: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 50, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(f"/candidates/{candidate_id}/history", params=params)).json()
        history += page["items"]
        cursor = page["pageInfo"]["nextCursor"]
        if cursor is None:
            break
    assert [item["version"] for item in history] == list(range(51, 0, -1))
    updates = list(reversed([item for item in history if item["action"] == "updated"]))
    assert len(updates) == 50
    previous: list[str] = []
    for item in updates:
        assert list(item["changes"]) == ["emails"]
        before = [entry["email"] for entry in item["changes"]["emails"]["before"]]
        after = [entry["email"] for entry in item["changes"]["emails"]["after"]]
        assert before == previous
        assert after[:-1] == before and len(after) == len(before) + 1
        previous = after


# --- related records move the ETag ------------------------------------------------------------


async def test_a_new_placement_moves_the_etag_and_refuses_the_old_one(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    company = (await client.post("/clients", json={"name": "Acme"})).json()["id"]
    tag = await etag_of(client, candidate_id)

    placed = await client.post(
        "/placements", json={"candidateId": candidate_id, "companyId": company}
    )
    assert placed.status_code == 201
    moved = await etag_of(client, candidate_id)
    assert moved != tag
    response = await client.patch(
        f"/candidates/{candidate_id}", json={"gender": "x"}, headers={"If-Match": tag}
    )
    assert_precondition_failed(response, tag, moved)

    placement_id = placed.json()["id"]
    await client.patch(f"/placements/{placement_id}", json={"vacancyName": "Engineer"})
    after_update = await etag_of(client, candidate_id)
    assert after_update != moved
    assert (await client.delete(f"/placements/{placement_id}")).status_code == 204
    assert await etag_of(client, candidate_id) not in (tag, moved, after_update)


async def test_a_custom_attribute_value_moves_the_etag(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)
    definition = (
        await client.post(
            "/custom-attributes/candidate/definitions",
            json={"label": "Level", "viewType": "customText"},
        )
    ).json()["id"]
    tag = await etag_of(client, candidate_id)

    url = f"/candidates/{candidate_id}/custom-attributes/{definition}"
    response = await client.put(url, json={"value": "Senior"})
    assert response.status_code == 200
    assert response.headers["ETag"] != tag
    assert response.headers["ETag"] == await etag_of(client, candidate_id)

    again = await client.put(url, json={"value": "Senior"})  # unchanged: same version
    assert again.headers["ETag"] == response.headers["ETag"]

    bulk = await client.put(
        f"/custom-attributes/candidates/{candidate_id}/values/_bulk",
        json={"attributes": [{"attributeDefinitionId": definition, "value": None}]},
    )
    assert bulk.status_code == 204
    assert await etag_of(client, candidate_id) != response.headers["ETag"]


async def test_the_linkedin_profile_answer_carries_the_moved_etag(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    tag = await etag_of(client, candidate_id)
    url = f"/candidates/{candidate_id}/linkedin-profile"
    response = await client.put(url, json={"headline": "Engineer"})
    assert response.status_code == 200
    assert response.headers["ETag"] not in (tag, None)
    assert response.headers["ETag"] == await etag_of(client, candidate_id)
    again = await client.put(url, json={"headline": "Engineer"})
    assert again.headers["ETag"] == response.headers["ETag"]


async def test_every_related_record_family_moves_the_etag(client: httpx.AsyncClient) -> None:
    user = (await create_user(client, "Rita Recruiter", "rita@example.com"))["userId"]
    candidate_id = await create_candidate(client, mainContact={"userId": user})
    company = (await client.post("/clients", json={"name": "Globex"})).json()["id"]
    link = [{"entityType": "candidate", "entityId": candidate_id}]
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    changes = [
        ("task", lambda: client.post("/tasks/_raw", json={"content": "Call", "links": link})),
        (
            "note",
            lambda: client.post(
                "/notes", json={"content": "Met", "source": "phone", "links": link}
            ),
        ),
        (
            "work experience",
            lambda: client.post(
                f"/candidates/{candidate_id}/work-experiences",
                json={"companyId": company, "jobTitle": "Dev"},
            ),
        ),
        (
            "education",
            lambda: client.post(f"/candidates/{candidate_id}/education", json={"degree": "PhD"}),
        ),
        (
            "client contact",
            lambda: client.post(f"/clients/contacts/{company}", json={"candidateId": candidate_id}),
        ),
        (
            "client rename",
            lambda: client.patch(f"/clients/{company}", json={"company": {"name": "Globex 2"}}),
        ),
        ("user rename", lambda: client.patch(f"/users/{user}", json={"name": "Rita R."})),
        (
            "CV",
            lambda: client.post(
                "/attachments",
                params={"type": "CV", "candidateId": candidate_id},
                files={"files": ("cv.pdf", pdf, "application/pdf")},
            ),
        ),
    ]
    seen = {await etag_of(client, candidate_id)}
    for what, change in changes:
        response = await change()
        assert response.status_code in (200, 201), (what, response.text)
        tag = await etag_of(client, candidate_id)
        assert tag not in seen, what
        seen.add(tag)


# --- If-None-Match ----------------------------------------------------------------------------


async def test_get_with_the_current_etag_in_if_none_match_is_304_without_a_body(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    tag = await etag_of(client, candidate_id)
    for header in (tag, f"{STALE}, {tag}", f"W/{tag}", "*"):
        response = await client.get(
            f"/candidates/{candidate_id}", headers={"If-None-Match": header}
        )
        assert response.status_code == 304, header
        assert response.headers["ETag"] == tag
        assert response.content == b""


async def test_get_with_a_stale_etag_in_if_none_match_answers_the_view(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    tag = await etag_of(client, candidate_id)
    await client.patch(f"/candidates/{candidate_id}", json={"gender": "female"})
    response = await client.get(f"/candidates/{candidate_id}", headers={"If-None-Match": tag})
    assert response.status_code == 200
    assert response.json()["gender"]["gender"] == "female"
    assert response.headers["ETag"] != tag


async def test_if_none_match_on_an_unknown_candidate_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/candidates/7d4f0a9e-3b7c-4f5e-9a1d-2c3b4a5d6e7f", headers={"If-None-Match": "*"}
    )
    assert response.status_code == 404
